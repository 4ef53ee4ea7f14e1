/**
 * Chunk-level API after python-blosc2's `compress` / `decompress`: one
 * C-Blosc2 chunk in, one out, read and written in place.
 * @packageDocumentation
 */
import { markAsUntransferable } from 'node:worker_threads';
import { Blosc2Error, invalidArg, withCallerStack } from './errors';
import { type CParamArgs, native } from './native';
import { type CParams, type DParams, resolveCParams, resolveDParams, threadsFor } from './params';
import { giveBack, keepResult, takeOutput } from './scratch';

/** What the functions of this package read bytes from. */
export type BinaryLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/**
 * The bytes of `src` as a view over the same memory (no copy).
 * @internal
 */
export function asView(src: unknown, name: string): ArrayBufferView {
  if (ArrayBuffer.isView(src)) {
    // Before anything reads byteLength: a DataView over a detached buffer throws a TypeError there.
    if (src.buffer instanceof ArrayBuffer && native.isDetached(src.buffer)) {
      throw new Blosc2Error(`${name} is backed by a detached ArrayBuffer`, 'ERR_DETACHED');
    }
    return src;
  }
  if (src instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && src instanceof SharedArrayBuffer)) {
    if (src instanceof ArrayBuffer && src.byteLength === 0 && native.isDetached(src)) {
      throw new Blosc2Error(`${name} is a detached ArrayBuffer`, 'ERR_DETACHED');
    }
    return new Uint8Array(src);
  }
  throw invalidArg(name, 'a TypedArray, DataView, Buffer, ArrayBuffer or SharedArrayBuffer', src);
}

/**
 * Async calls read and write memory on another thread, so it must stay put
 * until they finish. Resizable buffers are refused. Fixed-length
 * ArrayBuffers are marked untransferable (worker_threads.markAsUntransferable):
 * a transfer while the pool works on one would hand its memory to a receiver
 * that may free it under the pool thread. Node-API cannot hold the memory
 * alive, so the mark is the only safe way that keeps zero copies; it is
 * permanent (Node 20 then clones the buffer instead of moving it; Node 21+
 * throws DataCloneError). SharedArrayBuffers need no mark: they never detach.
 * @internal
 */
export function checkStableForAsync(view: ArrayBufferView, name: string): void {
  const buffer = view.buffer as ArrayBufferLike & { resizable?: boolean };
  if (buffer.resizable === true) {
    throw invalidArg(name, 'a view over a fixed-length ArrayBuffer (async calls cannot read resizable memory)', view);
  }
  if (buffer instanceof ArrayBuffer) {
    if (native.isDetached(buffer)) {
      throw new Blosc2Error(`${name} is backed by a detached ArrayBuffer`, 'ERR_DETACHED');
    }
    markAsUntransferable(buffer);
  }
}

/**
 * After an async call: an input detached in flight by a route the mark does
 * not cover (ArrayBuffer.prototype.transfer on newer runtimes) makes the
 * result untrustworthy.
 * @internal
 */
export function checkStillAttached(view: ArrayBufferView, name: string): void {
  if (view.buffer instanceof ArrayBuffer && native.isDetached(view.buffer)) {
    throw new Blosc2Error(`${name} was detached while the call worked on it`, 'ERR_DETACHED');
  }
}

function bytesPerElement(view: ArrayBufferView): number {
  const n = (view as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT;
  return typeof n === 'number' ? n : 1;
}

// The addon writes into a worst-case buffer (nbytes + 32) from scratch.ts,
// which also decides between a view and a copy of the chunk.
function finish(out: Buffer, cbytes: number): Buffer {
  // C-Blosc2 2.17.1 stores all-zero input as a header-only "zeros" chunk even
  // when nbytes is not a multiple of typesize, then refuses to read that
  // header back. The typesize of a zeros chunk means nothing: make it 1.
  if (cbytes === 32 && ((out[31] ?? 0) >> 4 & 7) === 1 && out.readInt32LE(4) % (out[3] || 1) !== 0) out[3] = 1;
  return keepResult(out, 0, cbytes);
}

// C-Blosc2 2.17.1's delta and trunc-prec filters never write the bytes past
// the last whole item of a block, so a chunk of such input carries stale
// bytes there: refuse it rather than return wrong bytes.
function checkWholeItems(view: ArrayBufferView, args: CParamArgs): void {
  const typesize = args[2];
  if (view.byteLength % typesize === 0) return;
  let filters = args[6];
  for (let slot = 0; slot < 6; slot++, filters = Math.floor(filters / 256)) {
    const code = filters % 256;
    if (code === 3 || code === 4) {
      throw new Blosc2Error(
        `src is ${view.byteLength} bytes, not a whole number of ${typesize}-byte items, which the 'delta' and 'truncPrec' filters need`,
        'ERR_INVALID_ARG',
      );
    }
  }
}

/**
 * Compresses `src` into one C-Blosc2 chunk, reading it in place.
 * @param src - the bytes (any view, Buffer, ArrayBuffer or SharedArrayBuffer; at most 2 GiB - 32)
 * @param cparams - compression parameters; `typesize` defaults to the view's element size
 * @returns the chunk, a Buffer of exactly its length
 * @throws {@link Blosc2Error} `ERR_INVALID_ARG`, `ERR_DETACHED`, `ERR_COMPRESS`
 */
export function compress(src: BinaryLike, cparams?: CParams): Buffer {
  const view = asView(src, 'src');
  const args = resolveCParams(cparams, bytesPerElement(view));
  checkWholeItems(view, args);
  args[3] = threadsFor(view.byteLength, args[3]);
  const out = takeOutput(view.byteLength + native.maxOverhead);
  let cbytes: number;
  try {
    cbytes = native.compress(view, out, ...args);
  } catch (err) {
    giveBack(out);
    throw err;
  }
  return finish(out, cbytes);
}

/**
 * {@link compress} on the libuv thread pool: the event loop keeps running.
 * `src` is read in place and must not be written, transferred or detached
 * until the promise settles; resizable buffers are refused.
 */
export async function compressAsync(src: BinaryLike, cparams?: CParams): Promise<Buffer> {
  const caller = new Error();
  const view = asView(src, 'src');
  checkStableForAsync(view, 'src');
  const args = resolveCParams(cparams, bytesPerElement(view));
  checkWholeItems(view, args);
  args[3] = threadsFor(view.byteLength, args[3]);
  const out = takeOutput(view.byteLength + native.maxOverhead);
  try {
    const cbytes = await native.compressAsync(view, out, ...args);
    checkStillAttached(view, 'src');
    return finish(out, cbytes);
  } catch (err) {
    giveBack(out);
    throw withCallerStack(err, caller);
  }
}

/** Options of {@link decompress}: {@link DParams} plus a destination. */
export interface DecompressOptions extends DParams {
  /** Decompress into this view (at least the chunk's `nbytes` long) instead of a new Buffer. */
  out?: ArrayBufferView;
}

const DECOMPRESS_KEYS = new Set(['out']);

function prepareDecompress(src: BinaryLike, dparams: DecompressOptions | undefined) {
  const view = asView(src, 'src');
  const { nthreads, maxOutputBytes } = resolveDParams(dparams, 'dparams', DECOMPRESS_KEYS);
  const [nbytes] = native.chunkInfo(view, 2);
  const threads = threadsFor(nbytes, nthreads);
  const given = dparams?.out;
  if (given !== undefined) {
    if (!ArrayBuffer.isView(given)) throw invalidArg('dparams.out', 'an ArrayBufferView', given);
    asView(given, 'dparams.out');
    if (given.byteLength < nbytes) {
      throw new Blosc2Error(
        `dparams.out has ${given.byteLength} bytes but the chunk decompresses to ${nbytes}`,
        'ERR_OUTPUT_TOO_SMALL',
      );
    }
    return { view, nthreads: threads, out: given };
  }
  if (nbytes > maxOutputBytes) {
    throw new Blosc2Error(
      `the chunk decompresses to ${nbytes} bytes, over dparams.maxOutputBytes (${maxOutputBytes}); raise maxOutputBytes to accept it`,
      'ERR_MAX_OUTPUT',
    );
  }
  return { view, nthreads: threads, out: Buffer.allocUnsafe(nbytes) };
}

/**
 * Decompresses one C-Blosc2 chunk (python-blosc2's `decompress`).
 * @param src - exactly one chunk
 * @param dparams - threads, the output limit, or a destination `out`
 * @returns a new Buffer, or `dparams.out` itself when given
 * @throws {@link Blosc2Error} `ERR_CORRUPT`, `ERR_MAX_OUTPUT`, `ERR_OUTPUT_TOO_SMALL`, `ERR_INVALID_ARG`, `ERR_DETACHED`
 */
export function decompress<T extends ArrayBufferView = Buffer>(src: BinaryLike, dparams?: DecompressOptions & { out?: T }): T {
  const { view, nthreads, out } = prepareDecompress(src, dparams);
  native.decompress(view, out, nthreads);
  return out as T;
}

/** {@link decompress} on the libuv thread pool. `src` and `out` must stay untouched until it settles. */
export async function decompressAsync<T extends ArrayBufferView = Buffer>(
  src: BinaryLike,
  dparams?: DecompressOptions & { out?: T },
): Promise<T> {
  const caller = new Error();
  const { view, nthreads, out } = prepareDecompress(src, dparams);
  checkStableForAsync(view, 'src');
  checkStableForAsync(out, 'dparams.out');
  try {
    await native.decompressAsync(view, out, nthreads);
    checkStillAttached(view, 'src');
    checkStillAttached(out, 'dparams.out');
  } catch (err) {
    throw withCallerStack(err, caller);
  }
  return out as T;
}

/** Sizes read from a chunk header (python-blosc2's `get_cbuffer_sizes`). */
export interface CbufferSizes {
  /** Bytes after decompression. */
  nbytes: number;
  /** Bytes of the chunk, header included. */
  cbytes: number;
  /** Bytes of one internal block. */
  blocksize: number;
}

/**
 * Reads the sizes from a chunk header; only the first 32 bytes are needed.
 * @throws {@link Blosc2Error} `ERR_CORRUPT` when `src` is not a chunk header
 */
export function getCbufferSizes(src: BinaryLike): CbufferSizes {
  const [nbytes, cbytes, blocksize] = native.chunkInfo(asView(src, 'src'), 0);
  return { nbytes, cbytes, blocksize };
}

/** Everything a chunk header says, see {@link cbufferInfo}. */
export interface CbufferInfo extends CbufferSizes {
  /** Bytes per item the shuffle filters used. */
  typesize: number;
  /** The codec's format ('lz4' also covers chunks made with 'lz4hc', which share it). */
  codec: 'blosclz' | 'lz4' | 'zlib' | 'zstd' | 'unknown';
  /** The filter pipeline, by C-Blosc2 filter code, in order (6 slots, 0 = none). */
  filters: number[];
  /** One metadata byte per filter slot. */
  filtersMeta: number[];
  /** Stored without compression (the data did not compress). */
  memcpyed: boolean;
  /** A special chunk, stored as a header only: all zeros, all NaN, one repeated value, or uninitialized (decoded as zeros). */
  special: 'zeros' | 'nan' | 'value' | 'uninit' | null;
}

const SPECIALS = [null, 'zeros', 'nan', 'value', 'uninit'] as const;
const COMPLIBS: Record<string, CbufferInfo['codec']> = { BloscLZ: 'blosclz', LZ4: 'lz4', Zlib: 'zlib', Zstd: 'zstd' };

/**
 * Describes a chunk from its header: sizes, type size, codec, filters, and
 * whether it is memcpyed or special.
 */
export function cbufferInfo(src: BinaryLike): CbufferInfo {
  const [nbytes, cbytes, blocksize, typesize, flags, special, filters, filtersMeta, complib] = native.chunkInfo(asView(src, 'src'), 0);
  return {
    nbytes,
    cbytes,
    blocksize,
    typesize,
    codec: (complib !== null && COMPLIBS[complib]) || 'unknown',
    filters,
    filtersMeta,
    memcpyed: (flags & 0x2) !== 0,
    special: SPECIALS[special] ?? null,
  };
}

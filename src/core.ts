/**
 * Chunk-level API after python-blosc2's `compress` / `decompress`: one
 * C-Blosc2 chunk in, one out, read and written in place.
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg, withCallerStack } from './errors';
import { HeaderCheck, backend } from './backend';
import {
  CODECS,
  type Codec,
  type CParams,
  type DParams,
  FILTERS,
  type Filter,
  checkWholeItems,
  resolveCParams,
  resolveDParams,
} from './params';
import { giveBack, keepResult, takeOutput } from './buffer-pool';
import { platform } from './platform';
import { type BinaryLike, asView, checkStableForAsync, checkStillAttached } from './views';

export type { BinaryLike } from './views';

function bytesPerElement(view: ArrayBufferView): number {
  const n = (view as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT;
  return typeof n === 'number' ? n : 1;
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
  const resolved = resolveCParams(cparams, bytesPerElement(view));
  checkWholeItems(view.byteLength, resolved);
  // The core writes into a worst-case buffer (nbytes + 32) from the buffer
  // pool, which also decides between a view and a copy of the chunk.
  const out = takeOutput(view.byteLength + backend.maxOverhead);
  let cbytes: number;
  try {
    cbytes = backend.compress({ src: view, out, cparams: resolved });
  } catch (err) {
    giveBack(out);
    throw err;
  }
  return keepResult(out, 0, cbytes);
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
  const resolved = resolveCParams(cparams, bytesPerElement(view));
  checkWholeItems(view.byteLength, resolved);
  const out = takeOutput(view.byteLength + backend.maxOverhead);
  try {
    const cbytes = await backend.compressAsync({ src: view, out, cparams: resolved });
    checkStillAttached(view, 'src');
    return keepResult(out, 0, cbytes);
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
  const { nthreads, threadsBySize, maxOutputBytes } = resolveDParams(dparams, 'dparams', DECOMPRESS_KEYS);
  const { nbytes } = backend.chunkInfo({ src: view, check: HeaderCheck.Exact });
  const given = dparams?.out;
  if (given !== undefined) {
    if (!ArrayBuffer.isView(given)) throw invalidArg('dparams.out', 'an ArrayBufferView', given);
    asView(given, 'dparams.out');
    if (given.byteLength < nbytes) {
      throw new Blosc2Error(`dparams.out has ${given.byteLength} bytes but the chunk decompresses to ${nbytes}`, 'ERR_OUTPUT_TOO_SMALL');
    }
    return { view, nthreads, threadsBySize, out: given };
  }
  if (nbytes > maxOutputBytes) {
    throw new Blosc2Error(
      `the chunk decompresses to ${nbytes} bytes, over dparams.maxOutputBytes (${maxOutputBytes}); raise maxOutputBytes to accept it`,
      'ERR_MAX_OUTPUT',
    );
  }
  return { view, nthreads, threadsBySize, out: platform.alloc(nbytes) };
}

/**
 * Decompresses one C-Blosc2 chunk (python-blosc2's `decompress`).
 * @param src - exactly one chunk
 * @param dparams - threads, the output limit, or a destination `out`
 * @returns a new Buffer, or `dparams.out` itself when given
 * @throws {@link Blosc2Error} `ERR_CORRUPT`, `ERR_MAX_OUTPUT`, `ERR_OUTPUT_TOO_SMALL`, `ERR_INVALID_ARG`, `ERR_DETACHED`
 */
export function decompress<T extends ArrayBufferView = Buffer>(src: BinaryLike, dparams?: DecompressOptions & { out?: T }): T {
  const { view, nthreads, threadsBySize, out } = prepareDecompress(src, dparams);
  backend.decompress({ src: view, out, nthreads, threadsBySize });
  return out as T;
}

/** {@link decompress} on the libuv thread pool. `src` and `out` must stay untouched until it settles. */
export async function decompressAsync<T extends ArrayBufferView = Buffer>(
  src: BinaryLike,
  dparams?: DecompressOptions & { out?: T },
): Promise<T> {
  const caller = new Error();
  const { view, nthreads, threadsBySize, out } = prepareDecompress(src, dparams);
  checkStableForAsync(view, 'src');
  checkStableForAsync(out, 'dparams.out');
  try {
    await backend.decompressAsync({ src: view, out, nthreads, threadsBySize });
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
  const { nbytes, cbytes, blocksize } = backend.chunkInfo({ src: asView(src, 'src'), check: HeaderCheck.HeaderOnly });
  return { nbytes, cbytes, blocksize };
}

/** Everything a chunk header says, see {@link cbufferInfo}. */
export interface CbufferInfo extends CbufferSizes {
  /** Bytes per item the shuffle filters used. */
  typesize: number;
  /**
   * The codec, named as {@link CParams.codec} takes it ('lz4hc' apart from 'lz4'), or C-Blosc2's numeric
   * codec id for one this build lacks (a plugin, or Snappy): such a chunk cannot be decoded here.
   * Chunks with C-Blosc1's short header record only the codec's format, so 'lz4' stands for 'lz4hc' too.
   */
  codec: Codec | number;
  /**
   * The filter pipeline in order, named as {@link CParams.filters} takes it: passing `filters` and
   * `filtersMeta` to {@link compress} gives the same pipeline. A filter this build has no name for
   * (a C-Blosc2 plugin) is given by its numeric id.
   */
  filters: Array<Filter | number>;
  /** One metadata byte per entry of `filters`. */
  filtersMeta: number[];
  /** Stored without compression (the data did not compress). */
  memcpyed: boolean;
  /** A special chunk, stored as a header only: all zeros, all NaN, one repeated value, or uninitialized (decoded as zeros). */
  special: 'zeros' | 'nan' | 'value' | 'uninit' | null;
}

const SPECIALS = [null, 'zeros', 'nan', 'value', 'uninit'] as const;
const CODEC_NAMES = new Map<number, Codec>(Object.entries(CODECS).map(([name, id]) => [id, name as Codec]));
const FILTER_NAMES = new Map<number, Filter>(Object.entries(FILTERS).map(([name, id]) => [id, name as Filter]));
/** C-Blosc1's codec formats (flags >> 5) as C-Blosc2 codec ids: blosclz, lz4, snappy, zlib, zstd. */
const FORMAT_CODEC = [0, 1, 3, 4, 5];
/** Where C-Blosc2's extended (32-byte) header keeps the codec id. */
const CHUNK_CODEC_BYTE = 22;

/** C-Blosc2's six filter slots as CParams takes them: leading empty slots dropped (CParams right-aligns its list). */
function filterList(slots: readonly number[], metas: readonly number[]): { filters: Array<Filter | number>; filtersMeta: number[] } {
  let first = 0;
  while (first < slots.length && slots[first] === 0 && metas[first] === 0) first++;
  return {
    filters: slots.slice(first).map((id) => FILTER_NAMES.get(id) ?? id),
    filtersMeta: metas.slice(first),
  };
}

/**
 * Describes a chunk from its header: sizes, type size, codec and filters (by
 * the names {@link CParams} takes), and whether it is memcpyed or special.
 */
export function cbufferInfo(src: BinaryLike): CbufferInfo {
  const view = asView(src, 'src');
  const { nbytes, cbytes, blocksize, typesize, flags, special, filters, filtersMeta } = backend.chunkInfo({
    src: view,
    check: HeaderCheck.HeaderOnly,
  });
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let codecId: number;
  let pipeline: ReturnType<typeof filterList>;
  if (filters.length === 6) {
    // C-Blosc2's extended header: the codec id itself, and the six filter slots.
    codecId = bytes[CHUNK_CODEC_BYTE] as number;
    pipeline = filterList(filters, filtersMeta);
  } else {
    // C-Blosc1's header: the codec's format, and flag bits for delta then one shuffle
    // (both shuffle bits mark an extended header, here cut short: its filters are unknown).
    codecId = FORMAT_CODEC[flags >> 5] ?? flags >> 5;
    const names: Filter[] = [];
    if ((flags & 0x5) !== 0x5) {
      if (flags & 0x8) names.push('delta');
      if (flags & 0x1) names.push('shuffle');
      else if (flags & 0x4) names.push('bitshuffle');
    }
    pipeline = { filters: names, filtersMeta: names.map(() => 0) };
  }
  return {
    nbytes,
    cbytes,
    blocksize,
    typesize,
    codec: CODEC_NAMES.get(codecId) ?? codecId,
    filters: pipeline.filters,
    filtersMeta: pipeline.filtersMeta,
    memcpyed: (flags & 0x2) !== 0,
    special: SPECIALS[special] ?? null,
  };
}

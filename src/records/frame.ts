/**
 * The b2nd record (ext 42, FORMAT.md "Frame record"): one array as a C-Blosc2
 * CFrame with the b2nd metalayer, exactly what python-blosc2's msgpack helpers
 * write for a `blosc2.NDArray`. Frames are written by the core straight from
 * the array's memory, and read by opening them once and decoding straight into
 * the new array's memory.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error, quoteName } from '../errors';
import { type CoreCParams, type FrameEncodeRequest, type OpenedFrame, backend } from '../backend';
import { giveBack, keepResult, takeOutput } from '../buffer-pool';
import { platform } from '../platform';
import { type Reserve, extHeaderSize, reserveExt, writeExtHeader } from '../msgpack/writer';
import { checkStableForAsync, checkStillAttached } from '../views';
import { type DecodeState, charge, decodeState } from './decode-state';
import { U8, fromJsKind, jsKindOf } from './describe';
import { refuseNonArrayFrame } from './foreign-frames';
import { writeNumpy } from './numpy';
import { writeRaw } from './raw';
import { B2ND_EXT, type Described, Kind, type PackConfig } from './types';
import { type RecordHeader, build, corrupt, newBacking } from './values';

/** The core's request for framing d. */
export function frameRequest(d: Described, cparams: CoreCParams): FrameEncodeRequest {
  return { data: d.bytes, shape: d.shape, itemsize: d.entry.itemsize, dtype: d.dtype, jsKind: jsKindOf(d), cparams };
}

/** Writes d as one ext 42 record into msgpackr's output. */
export function writeFrame(d: Described, cparams: CoreCParams, reserve: Reserve): void {
  // The core builds the frame, then asks for room of its exact length and
  // copies it straight into msgpackr's buffer: the only copy of the compressed bytes.
  backend.frameEncode({
    ...frameRequest(d, cparams),
    allocate: (length) => {
      const { target, at } = reserveExt(reserve, length, B2ND_EXT);
      return target.subarray(at, at + length);
    },
  });
}

/**
 * Encodes d as a standalone frame (no ext header), in memory of its own: an
 * out-of-band buffer. A large one is compressed straight into a worst-case
 * buffer (see encodePlacedAsync), not built apart and copied: for an
 * incompressible 100 MB array that was a second fresh 100 MB region and a
 * copy per frame (postValue's 'compress' mode).
 */
export function encodeFrame(d: Described, cparams: CoreCParams): Uint8Array {
  if (d.bytes.byteLength >= PLACE_MIN_BYTES) return encodePlaced(d, cparams, 0);
  let out: Buffer | undefined;
  backend.frameEncode({ ...frameRequest(d, cparams), allocate: (length) => (out = platform.allocOwn(length)) });
  return out as Buffer;
}

// From here on a lone array's frame is written straight into a worst-case
// buffer (the buffer pool) with room for the ext header in front, instead of
// being assembled apart and copied: an incompressible 100 MB array skips a
// 100 MB copy, a compressible one copies only its compressed bytes out.
const PLACE_MIN_BYTES = 1 << 20;
const EXT32_HEADER = 6;

/**
 * The record (or with no headroom, the bare frame) of a frame placed at
 * `headroom`: the ext header written in front of it, exactly.
 */
function finishPlaced(out: Buffer, headroom: number, length: number): Buffer {
  const start = headroom - (headroom === 0 ? 0 : extHeaderSize(length));
  if (headroom > 0) writeExtHeader(out, start, length, B2ND_EXT);
  return keepResult(out, start, headroom - start + length);
}

/** d's frame written into a worst-case buffer with `headroom` bytes in front. */
function encodePlaced(d: Described, cparams: CoreCParams, headroom: number): Buffer {
  let buf: Buffer | undefined;
  let length: number;
  try {
    length = backend.frameEncode({
      ...frameRequest(d, cparams),
      place: (capacity) => (buf = takeOutput(headroom + capacity)).subarray(headroom),
    });
  } catch (err) {
    if (buf) giveBack(buf);
    throw err;
  }
  return finishPlaced(buf as Buffer, headroom, length);
}

/**
 * {@link encodeFrame} on the libuv pool. d's memory must stay still until it
 * settles (see views.ts). The core builds the frame in memory of its own, so
 * a worst-case region per array never counts as V8 external memory.
 */
export async function encodeFrameAsync(d: Described, cparams: CoreCParams): Promise<Buffer> {
  let out: Buffer | undefined;
  await backend.frameEncodeAsync({ ...frameRequest(d, cparams), allocate: (length) => (out = platform.allocOwn(length)) });
  checkStillAttached(d.bytes, 'an array in value');
  return out as Buffer;
}

/**
 * A value that is one array packs to one ext record and nothing else: write
 * it into a buffer of exactly its size instead of through msgpackr's growing
 * one (which for a 100 MB array allocates 125 MB and copies into it). The
 * bytes are the same.
 */
export function packSingle(d: Described, cfg: PackConfig): Buffer {
  const n = d.bytes.byteLength;
  if (n >= cfg.threshold && n >= PLACE_MIN_BYTES) return encodePlaced(d, cfg.cparams, EXT32_HEADER);
  let out: Buffer | undefined;
  const reserve: Reserve = (size) => {
    out = platform.alloc(size);
    return { target: out, position: 0 };
  };
  if (n >= cfg.threshold) writeFrame(d, cfg.cparams, reserve);
  else if (cfg.small === 'numpy') writeNumpy(d, reserve);
  else writeRaw(d, reserve);
  return out as Buffer;
}

/**
 * {@link packSingle} on the libuv pool, for a lone array of at least
 * {@link PLACE_MIN_BYTES} (else undefined: the caller takes the general
 * route): the frame is written there straight into a worst-case buffer.
 */
export async function packSingleAsync(d: Described, cfg: PackConfig): Promise<Buffer | undefined> {
  if (d.bytes.byteLength < cfg.threshold || d.bytes.byteLength < PLACE_MIN_BYTES) return undefined;
  checkStableForAsync(d.bytes, 'value');
  const request = frameRequest(d, cfg.cparams);
  const buf = takeOutput(EXT32_HEADER + backend.frameCapacity(request));
  let length: number;
  try {
    length = await backend.frameEncodeAsync({ ...request, into: buf.subarray(EXT32_HEADER) });
    checkStillAttached(d.bytes, 'value');
  } catch (err) {
    giveBack(buf);
    throw err;
  }
  return finishPlaced(buf, EXT32_HEADER, length);
}

/** What an opened frame rebuilds, and its bytes. */
export interface FrameRecord {
  h: RecordHeader & { shape: readonly number[] };
  nbytes: number;
}

/**
 * The value an opened frame rebuilds (class, kind, shape, dtype) and its
 * bytes, checked; frames that hold no array data are refused.
 */
export function frameRecord(info: OpenedFrame): FrameRecord {
  refuseNonArrayFrame(info);
  // A python-blosc2 SChunk (no b2nd) is its bytes.
  const { entry, kind, dtype } = info.b2nd ? fromJsKind(info.jsKind, info.dtype) : { entry: U8, kind: Kind.Typed, dtype: null };
  if (info.b2nd && info.typesize !== (kind === Kind.Typed || kind === Kind.NDArray ? entry.itemsize : info.typesize)) {
    throw corrupt(`the frame's typesize (${info.typesize}) disagrees with its dtype ${quoteName(info.dtype)}`);
  }
  let nbytes: number;
  if (info.b2nd) {
    nbytes = info.typesize;
    for (const d of info.shape) nbytes *= d;
  } else {
    nbytes = info.nbytes;
  }
  if (!Number.isSafeInteger(nbytes) || nbytes < 0) throw corrupt('the frame claims an impossible size');
  if (nbytes % entry.itemsize !== 0) throw corrupt('the frame holds a partial item');
  return { h: { entry, kind, shape: info.b2nd ? info.shape : [nbytes / entry.itemsize], dtype }, nbytes };
}

/** Refuses a frame whose chunks are larger than the output limit: each may need a buffer of its size. */
export function checkChunkSize(info: OpenedFrame, maxOutputBytes: number): void {
  if (info.chunksize > maxOutputBytes) {
    throw new Blosc2Error(`the frame's chunks are ${info.chunksize} bytes, over maxOutputBytes (${maxOutputBytes})`, 'ERR_MAX_OUTPUT');
  }
}

/** Decodes a b2nd (or plain super-chunk) frame into a new array (ext 42, or an out-of-band frame). */
export function unpackFrame(frame: Uint8Array): unknown {
  const state = decodeState();
  const info = backend.frameOpen({ frame });
  // unpack(bytes, { lazy: true }): a lazy array over the frame instead (it keeps the handle).
  if (state.lazy) return state.lazy(frame, info, state);
  const handed = { toAsync: false };
  try {
    return decodeOpened(frame, info, state, handed);
  } finally {
    // The wasm backend keeps a copy of the frame until the handle is closed.
    if (!handed.toAsync) backend.frameClose(info.handle);
  }
}

/** The array an opened frame holds; `handed.toAsync` is set when an async decode owns the handle. */
function decodeOpened(frame: Uint8Array, info: OpenedFrame, state: DecodeState, handed: { toAsync: boolean }): unknown {
  const { h, nbytes } = frameRecord(info);
  charge(state, nbytes, 'an array frame');
  // A chunk goes through a bounce buffer at the edge, and foreign geometries
  // through a scratch chunk: bound those allocations by the limit too.
  checkChunkSize(info, state.maxOutputBytes);
  // clevel 0 (or incompressible) single-chunk frames hold the items verbatim:
  // with zeroCopy, view them in place when aligned (O(1), like v8.deserialize).
  if (state.zeroCopy && info.rawOffset >= 0 && h.kind !== Kind.ArrayBuffer && h.kind !== Kind.SharedArrayBuffer) {
    const at = frame.byteOffset + info.rawOffset;
    if (at % h.entry.itemsize === 0 && info.rawOffset + nbytes <= frame.byteLength) {
      state.remaining += nbytes; // a view allocates nothing
      return build(h, frame.buffer, at, nbytes);
    }
  }
  const ab = newBacking(h.kind, nbytes);
  const request = { frame, handle: info.handle, out: new Uint8Array(ab), nthreads: state.nthreads, threadsBySize: state.threadsBySize };
  if (state.deferred) {
    handed.toAsync = true;
    state.deferred.push(backend.frameDecodeAsync(request).finally(() => backend.frameClose(info.handle)));
  } else {
    backend.frameDecode(request);
  }
  return build(h, ab, 0, nbytes);
}

/**
 * The msgpackr extension: how arrays become MessagePack ext records and back
 * (FORMAT.md specifies every byte). One file owns the wire format.
 *
 * Records:
 * - type 42, "b2nd": a C-Blosc2 CFrame with the b2nd metalayer, exactly what
 *   python-blosc2's msgpack helpers write for a `blosc2.NDArray`;
 * - type 80, "raw": small arrays, uncompressed (kind, dtype, shape, bytes);
 * - type 81, "view" (structuredClone only): a tag followed by
 *   `[buffer, byteOffset, length, kind, code, shape?, dtype?]`, so views over
 *   one ArrayBuffer come back over one ArrayBuffer;
 * - type 82, "out-of-band": a placeholder naming an entry of a side list of
 *   buffers (packOutOfBand / packAsync);
 * - type 46, read only: python-blosc2's plain NumPy array record (4.14+).
 *
 * msgpackr's extensions are process-wide, so ours act only for Packrs that
 * carry a blosc2 configuration; any other Packr gets msgpackr's own encoding of
 * typed arrays, exactly as if this package were not loaded.
 * @internal
 */
import { addExtension, unpack as msgpackUnpack } from 'msgpackr';
import { Blosc2Error } from './errors';
import { BY_CODE, BY_CTOR, type DTypeEntry, type TypedArray, ctorForDtype, entryOf } from './dtypes';
import { CHUNK_TARGET_BYTES, STORE_CHUNK_BYTES, chooseGeometry, blockTarget } from './geometry';
import { NDArray } from './ndarray';
import { native, type CParamArgs } from './native';
import { DEFAULT_MAX_OUTPUT_BYTES, getNthreads, threadsFor } from './params';
import { giveBack, keepResult, takeOutput } from './scratch';
import { checkStableForAsync, checkStillAttached } from './core';

export const B2ND_EXT = 42;
export const RAW_EXT = 80;
export const VIEW_EXT = 81;
export const OOB_EXT = 82;
export const NUMPY_EXT = 46;

/** What a record rebuilds, beside the dtype (FORMAT.md, "Kinds"). */
export const enum Kind {
  Typed = 0,
  Buffer = 1,
  DataView = 2,
  ArrayBuffer = 3,
  SharedArrayBuffer = 4,
  NDArray = 5,
}
const KIND_NAMES = ['', 'Buffer', 'DataView', 'ArrayBuffer', 'SharedArrayBuffer', ''] as const;

/** Per-Packr settings, attached under {@link kConfig}. */
export interface PackConfig {
  cparams: CParamArgs;
  threshold: number;
  structuredClone: boolean;
  /** When set, large arrays go to this list instead of into the message. */
  outOfBand?: OutOfBandSink | undefined;
}

export interface OutOfBandSink {
  /** Arrays at or above this many bytes travel out of band. */
  minBytes: number;
  /** Entries: a frame (compressed) or the array's own bytes (clevel 0). */
  buffers: Uint8Array[];
  /** packAsync: compressions to run on the pool, in placeholder order. */
  pending?: Array<{ data: ArrayBufferView; desc: Described; cparams: CParamArgs }>;
  /** packAsync: the random tag of this call's placeholders. */
  nonce?: Uint8Array;
}

export const kConfig = Symbol('blosc2.packConfig');

/** Per-call decode settings, set by Packer.unpack around msgpackr's unpack. */
export interface UnpackState {
  nthreads: number;
  maxOutputBytes: number;
  remaining: number;
  zeroCopy: boolean;
  buffers?: readonly Uint8Array[] | undefined;
  /** unpackAsync: decodes queued here run on the libuv pool after msgpackr returns. */
  deferred?: Array<Promise<void>> | undefined;
}

let unpackState: UnpackState | null = null;

/**
 * Puts decode settings in force and returns the previous ones, which the
 * caller restores in a `finally` (nesting-safe).
 */
export function swapUnpackState(state: UnpackState | null): UnpackState | null {
  const prev = unpackState;
  unpackState = state;
  return prev;
}

function currentUnpackState(): UnpackState {
  if (unpackState) return unpackState;
  // A foreign Unpackr met one of our records: decode it with the defaults.
  return { nthreads: getNthreads(), maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES, remaining: DEFAULT_MAX_OUTPUT_BYTES, zeroCopy: false };
}

// ---------------------------------------------------------------------------
// Describing a value: its bytes, dtype, shape and kind.

export interface Described {
  bytes: Uint8Array;
  entry: DTypeEntry;
  kind: Kind;
  shape: readonly number[];
  dtype: string;
}

const U8 = BY_CODE[2] as DTypeEntry;

export function describe(value: unknown): Described | undefined {
  if (value instanceof NDArray) {
    const entry = entryOf(value.data) as DTypeEntry;
    return { bytes: bytesOf(value.data), entry, kind: Kind.NDArray, shape: value.shape, dtype: value.dtype };
  }
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return bytesLike(bytesOf(value), Kind.DataView);
    const entry = entryOf(value);
    if (!entry) return undefined;
    if (Buffer.isBuffer(value)) return bytesLike(bytesOf(value), Kind.Buffer);
    return { bytes: bytesOf(value), entry, kind: Kind.Typed, shape: [(value as TypedArray).length], dtype: entry.dtype };
  }
  if (value instanceof ArrayBuffer) {
    checkAttached(value, value.byteLength);
    return bytesLike(new Uint8Array(value), Kind.ArrayBuffer);
  }
  if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) {
    return bytesLike(new Uint8Array(value), Kind.SharedArrayBuffer);
  }
  return undefined;
}

function bytesLike(bytes: Uint8Array, kind: Kind): Described {
  return { bytes, entry: U8, kind, shape: [bytes.byteLength], dtype: U8.dtype };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  checkAttached(view.buffer, view.byteLength);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

// A detached buffer reads as empty, but viewing it throws a TypeError: refuse
// it with the documented code instead of packing a silently empty array.
function checkAttached(buffer: ArrayBufferLike, byteLength: number): void {
  if (byteLength === 0 && buffer instanceof ArrayBuffer && native.isDetached(buffer)) {
    throw new Blosc2Error('an array in the value is backed by a detached ArrayBuffer (transferred or detached)', 'ERR_DETACHED');
  }
}

function jsKindOf(d: Described): string {
  if (d.kind === Kind.NDArray) {
    // Plain NDArrays carry no js metalayer (python-blosc2 writes none either);
    // one whose items live in another class than the dtype's (a
    // Uint8ClampedArray under '|u1') names that class.
    return d.entry.ctor === ctorForDtype(d.dtype) ? '' : `NDArray:${d.entry.ctor.name}`;
  }
  return d.kind === Kind.Typed ? d.entry.ctor.name : KIND_NAMES[d.kind];
}

// ---------------------------------------------------------------------------
// Writing.

type Target = { target: Uint8Array; targetView: DataView; position: number };
type Allocate = (size: number) => Target;

/** Bytes of the ext header for a payload of this length (ext8/16/32). */
function extHeaderSize(length: number): number {
  return length < 0x100 ? 3 : length < 0x10000 ? 4 : 6;
}

function writeExtHeader(t: Target, length: number, type: number): number {
  let p = t.position;
  const target = t.target;
  if (length < 0x100) {
    target[p++] = 0xc7;
    target[p++] = length;
  } else if (length < 0x10000) {
    target[p++] = 0xc8;
    target[p++] = length >> 8;
    target[p++] = length & 0xff;
  } else {
    target[p++] = 0xc9;
    t.targetView.setUint32(p, length);
    p += 4;
  }
  target[p++] = type;
  return p;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(target: Uint8Array, p: number, n: number): number {
  while (n >= 0x80) {
    target[p++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  target[p++] = n;
  return p;
}

/** Bytes of the raw-record header (everything before the data) for d. */
function rawHeaderSize(d: Described): number {
  if (d.kind !== Kind.NDArray) return 1;
  let size = 2 + 1 + d.dtype.length;
  for (const dim of d.shape) size += varintSize(dim);
  return size;
}

function writeRawHeader(target: Uint8Array, p: number, d: Described): number {
  target[p++] = (d.kind << 4) | d.entry.code;
  if (d.kind === Kind.NDArray) {
    target[p++] = d.shape.length;
    for (const dim of d.shape) p = writeVarint(target, p, dim);
    target[p++] = d.dtype.length;
    for (let i = 0; i < d.dtype.length; i++) target[p++] = d.dtype.charCodeAt(i);
  }
  return p;
}

function writeRaw(d: Described, allocate: Allocate): void {
  const length = rawHeaderSize(d) + d.bytes.byteLength;
  const t = allocate(extHeaderSize(length) + length);
  const p = writeRawHeader(t.target, writeExtHeader(t, length, RAW_EXT), d);
  t.target.set(d.bytes, p);
}

/** Arguments of the addon's frame encoders for d. */
export function frameArgs(d: Described, cparams: CParamArgs) {
  const itemsize = d.entry.itemsize;
  const shape = d.shape.length === 0 ? [] : d.shape;
  const args: CParamArgs = [...cparams];
  args[2] = itemsize;
  args[3] = threadsFor(d.bytes.byteLength, args[3]);
  // clevel 0 stores items verbatim: one chunk (up to C-Blosc2's limit) keeps
  // them contiguous in the frame, so a decoder can view them in place.
  const g = chooseGeometry(shape, itemsize, blockTarget(args), args[0] === 0 ? STORE_CHUNK_BYTES : CHUNK_TARGET_BYTES);
  return { itemsize, shape, g, args };
}

function writeFrame(d: Described, cparams: CParamArgs, allocate: Allocate): void {
  const { itemsize, shape, g, args } = frameArgs(d, cparams);
  // The addon builds the frame, then asks for room of its exact length and
  // copies it straight into msgpackr's buffer: the only copy of the compressed bytes.
  native.b2ndEncode(d.bytes, itemsize, d.dtype, jsKindOf(d), shape, g.chunkshape, g.blockshape, ...args, (length: number) => {
    const t = allocate(extHeaderSize(length) + length);
    const p = writeExtHeader(t, length, B2ND_EXT);
    return t.target.subarray(p, p + length);
  });
}

/**
 * A value that is one array packs to one ext record and nothing else: write
 * it into a buffer of exactly its size instead of through msgpackr's growing
 * one (which for a 100 MB array allocates 125 MB and copies into it). The
 * bytes are the same.
 */
export function packSingle(d: Described, cfg: PackConfig): Buffer {
  if (d.bytes.byteLength >= cfg.threshold && d.bytes.byteLength >= PLACE_MIN_BYTES) return packSinglePlaced(d, cfg);
  let out: Buffer | undefined;
  const allocate: Allocate = (size) => {
    out = size < 4096 ? Buffer.allocUnsafe(size) : Buffer.allocUnsafeSlow(size);
    return { target: out, targetView: new DataView(out.buffer, out.byteOffset, size), position: 0 };
  };
  if (d.bytes.byteLength < cfg.threshold) writeRaw(d, allocate);
  else writeFrame(d, cfg.cparams, allocate);
  return out as Buffer;
}

// From here on a lone array's frame is written straight into a worst-case
// buffer (scratch.ts) with room for the ext header in front, instead of being
// assembled apart and copied: an incompressible 100 MB array skips a 100 MB
// copy, a compressible one copies only its compressed bytes out.
const PLACE_MIN_BYTES = 1 << 20;
const EXT32_HEADER = 6;

function packSinglePlaced(d: Described, cfg: PackConfig): Buffer {
  const { itemsize, shape, g, args } = frameArgs(d, cfg.cparams);
  let buf: Buffer | undefined;
  let length: number;
  try {
    length = native.b2ndEncode(d.bytes, itemsize, d.dtype, jsKindOf(d), shape, g.chunkshape, g.blockshape, ...args, undefined,
      (capacity: number) => {
        buf = takeOutput(EXT32_HEADER + capacity);
        return buf.subarray(EXT32_HEADER);
      });
  } catch (err) {
    if (buf) giveBack(buf);
    throw err;
  }
  return finishPlaced(buf as Buffer, length);
}

/**
 * {@link packSingle} on the libuv pool, for a lone array of at least
 * {@link PLACE_MIN_BYTES} (else undefined: the caller takes the general
 * route): the frame is written there straight into a worst-case buffer.
 */
export async function packSingleAsync(d: Described, cfg: PackConfig): Promise<Buffer | undefined> {
  if (d.bytes.byteLength < cfg.threshold || d.bytes.byteLength < PLACE_MIN_BYTES) return undefined;
  checkStableForAsync(d.bytes, 'value');
  const { itemsize, shape, g, args } = frameArgs(d, cfg.cparams);
  const kind = jsKindOf(d);
  const capacity = native.b2ndFrameCapacity(d.bytes, itemsize, d.dtype, kind, shape, g.chunkshape, g.blockshape, ...args);
  const buf = takeOutput(EXT32_HEADER + capacity);
  let length: number;
  try {
    length = await native.b2ndEncodeAsync(d.bytes, itemsize, d.dtype, kind, shape, g.chunkshape, g.blockshape, ...args,
      buf.subarray(EXT32_HEADER));
    checkStillAttached(d.bytes, 'value');
  } catch (err) {
    giveBack(buf);
    throw err;
  }
  return finishPlaced(buf, length);
}

/** Writes the ext header in front of a frame placed at EXT32_HEADER; the message. */
function finishPlaced(out: Buffer, length: number): Buffer {
  const start = EXT32_HEADER - extHeaderSize(length);
  writeExtHeader({ target: out, targetView: new DataView(out.buffer, out.byteOffset, EXT32_HEADER), position: start }, length, B2ND_EXT);
  return keepResult(out, start, EXT32_HEADER - start + length);
}

/** Encodes d as a standalone frame (no ext header): for out-of-band buffers. */
export function encodeFrame(d: Described, cparams: CParamArgs): Uint8Array {
  const { itemsize, shape, g, args } = frameArgs(d, cparams);
  return native.b2ndEncode(d.bytes, itemsize, d.dtype, jsKindOf(d), shape, g.chunkshape, g.blockshape, ...args);
}

/** Async twin of {@link encodeFrame}. */
export function encodeFrameAsync(d: Described, cparams: CParamArgs): Promise<Buffer> {
  const { itemsize, shape, g, args } = frameArgs(d, cparams);
  return native.b2ndEncodeAsync(d.bytes, itemsize, d.dtype, jsKindOf(d), shape, g.chunkshape, g.blockshape, ...args);
}

// Out-of-band placeholder: u32 index, a flag, then by flag: 0 the buffer is a
// frame; 1 the buffer is raw bytes, described by a raw-record header; 2 a
// packAsync placeholder (16-byte nonce) that never leaves this process.
function writeOutOfBand(d: Described, cfg: PackConfig, sink: OutOfBandSink, allocate: Allocate): void {
  let flag: number;
  let index: number;
  if (sink.pending && sink.nonce) {
    flag = 2;
    index = sink.pending.length;
    sink.pending.push({ data: d.bytes, desc: d, cparams: cfg.cparams });
  } else {
    flag = cfg.cparams[0] === 0 ? 1 : 0;
    index = sink.buffers.length;
    sink.buffers.push(flag === 1 ? d.bytes : encodeFrame(d, cfg.cparams));
  }
  const length = 5 + (flag === 1 ? rawHeaderSize(d) : flag === 2 ? 16 : 0);
  const t = allocate(extHeaderSize(length) + length);
  let p = writeExtHeader(t, length, OOB_EXT);
  t.targetView.setUint32(p, index, true);
  p += 4;
  t.target[p++] = flag;
  if (flag === 1) writeRawHeader(t.target, p, d);
  else if (flag === 2) t.target.set(sink.nonce as Uint8Array, p);
}

type PackrLike = { [kConfig]?: PackConfig; moreTypes?: boolean };
type InnerPack = (value: unknown) => void;

// Set by a view record just before it packs its ArrayBuffer, so the buffer is
// shuffled with the item size of the view that led to it.
let typesizeHint = 0;

function packExtension(this: PackrLike, value: unknown, allocate: Allocate, pack: InnerPack): void {
  const cfg = this[kConfig];
  if (!cfg) return packLikeMsgpackr(this, value, allocate, pack);
  if (cfg.structuredClone && !(value instanceof ArrayBuffer) && !(typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
    return packViewTag(value, allocate, pack);
  }
  // Fast path for the most common small value: a plain TypedArray (its own
  // class, not Buffer or a subclass) below the threshold, as one raw record.
  if (!cfg.outOfBand) {
    const entry = BY_CTOR.get((value as { constructor?: unknown }).constructor);
    if (entry !== undefined) {
      const view = value as TypedArray;
      const n = view.byteLength;
      if (n > 0 && n < cfg.threshold) {
        typesizeHint = 0;
        const t = allocate(extHeaderSize(n + 1) + n + 1);
        const p = writeExtHeader(t, n + 1, RAW_EXT);
        t.target[p] = entry.code; // kind 0 (Kind.Typed) << 4 | dtype code
        t.target.set(new Uint8Array(view.buffer, view.byteOffset, n), p + 1);
        return;
      }
    }
  }
  const d = describe(value);
  const hint = typesizeHint;
  typesizeHint = 0;
  if (!d) return packLikeMsgpackr(this, value, allocate, pack);
  const n = d.bytes.byteLength;
  if (cfg.outOfBand && n >= cfg.outOfBand.minBytes) return writeOutOfBand(d, cfg, cfg.outOfBand, allocate);
  if (n < cfg.threshold) return writeRaw(d, allocate);
  return writeFrame(withItemsizeHint(d, hint), cfg.cparams, allocate);
}

// An ArrayBuffer reached through a view of wider items (structuredClone) is
// framed with that item size, which shuffles better; its kind still says
// ArrayBuffer, so it comes back as one. Raw records keep bytes as bytes.
function withItemsizeHint(d: Described, hint: number): Described {
  if (hint <= 1 || d.kind < Kind.ArrayBuffer || d.bytes.byteLength % hint !== 0) return d;
  const entry = entryForItemsize(hint);
  return { ...d, entry, shape: [d.bytes.byteLength / hint], dtype: entry.dtype };
}

function entryForItemsize(size: number): DTypeEntry {
  const code = size === 2 ? 5 : size === 4 ? 7 : size === 8 ? 11 : 2;
  return BY_CODE[code] as DTypeEntry;
}

function packViewTag(value: unknown, allocate: Allocate, pack: InnerPack): void {
  const t = allocate(3);
  t.target[t.position] = 0xd4;
  t.target[t.position + 1] = VIEW_EXT;
  t.target[t.position + 2] = 0;
  if (value instanceof NDArray) {
    const data = value.data;
    typesizeHint = data.BYTES_PER_ELEMENT;
    pack([data.buffer, data.byteOffset, data.length, Kind.NDArray, (entryOf(data) as DTypeEntry).code, [...value.shape], value.dtype]);
    // Used up by the buffer's own record, or left over when msgpackr wrote a
    // reference to an already packed buffer instead: never let it outlive this view.
    typesizeHint = 0;
    return;
  }
  const view = value as ArrayBufferView;
  const entry = entryOf(view) ?? U8;
  const kind = view instanceof DataView ? Kind.DataView : Buffer.isBuffer(view) ? Kind.Buffer : Kind.Typed;
  typesizeHint = kind === Kind.Typed ? entry.itemsize : 1;
  const length = kind === Kind.Typed ? (view as TypedArray).length : view.byteLength;
  pack([view.buffer, view.byteOffset, length, kind, entry.code]);
  typesizeHint = 0;
}

// msgpackr's own encoding of these types (pack.js: writeBuffer / writeExtBuffer),
// for Packrs that are not ours.
const MSGPACKR_TYPED = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

function packLikeMsgpackr(packr: PackrLike, value: unknown, allocate: Allocate, pack: InnerPack): void {
  // msgpackr knows neither of these: it writes them as plain objects of their
  // own enumerable properties (a SharedArrayBuffer has none).
  if (value instanceof NDArray) {
    allocate(0);
    return pack({ data: value.data, shape: value.shape, dtype: value.dtype });
  }
  if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) {
    allocate(0);
    return pack({});
  }
  const isAB = value instanceof ArrayBuffer;
  const view = value as ArrayBufferView;
  const bytes = isAB ? new Uint8Array(value) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let extType = -1;
  if (packr.moreTypes) {
    if (isAB) extType = 0x10;
    else if (value instanceof DataView) extType = 0x11;
    else if (!Buffer.isBuffer(value)) extType = MSGPACKR_TYPED.indexOf((value as object).constructor.name);
  }
  const n = bytes.byteLength;
  if (extType >= 0) {
    const t = allocate(extHeaderSize(n + 1) + n + 1);
    let p = writeExtHeader(t, n + 1, 0x74);
    t.target[p++] = extType;
    t.target.set(bytes, p);
    return;
  }
  const head = n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  const t = allocate(head + n);
  let p = t.position;
  if (n < 0x100) {
    t.target[p++] = 0xc4;
    t.target[p++] = n;
  } else if (n < 0x10000) {
    t.target[p++] = 0xc5;
    t.target[p++] = n >> 8;
    t.target[p++] = n & 0xff;
  } else {
    t.target[p++] = 0xc6;
    t.targetView.setUint32(p, n);
    p += 4;
  }
  t.target.set(bytes, p);
}

// ---------------------------------------------------------------------------
// Reading.

function corrupt(what: string): Blosc2Error {
  return new Blosc2Error(what, 'ERR_CORRUPT');
}

function charge(state: UnpackState, nbytes: number, what: string): void {
  if (nbytes > state.remaining) {
    throw new Blosc2Error(
      `${what} decodes to ${nbytes} bytes, over maxOutputBytes (${state.maxOutputBytes} for the whole message); raise maxOutputBytes to accept it`,
      'ERR_MAX_OUTPUT',
    );
  }
  state.remaining -= nbytes;
}

function readVarint(data: Uint8Array, pos: { p: number }): number {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (pos.p >= data.length) throw corrupt('raw record: truncated shape');
    const b = data[pos.p++] as number;
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
    scale *= 128;
  }
  throw corrupt('raw record: shape dimension too large');
}

interface RawHeader {
  entry: DTypeEntry;
  kind: Kind;
  shape: number[] | null;
  dtype: string | null;
  items: number;
}

function readRawHeader(data: Uint8Array, pos: { p: number }): RawHeader {
  if (pos.p >= data.length) throw corrupt('raw record: empty');
  const b = data[pos.p++] as number;
  const kind = b >> 4;
  const entry = BY_CODE[b & 0x0f];
  if (!entry) {
    throw new Blosc2Error(`raw record: unknown dtype code ${b & 0x0f}${(b & 0x0f) === 12 ? ' (Float16Array is not available in this runtime)' : ''}`, (b & 0x0f) === 12 ? 'ERR_UNSUPPORTED' : 'ERR_CORRUPT');
  }
  if (kind > Kind.NDArray) throw corrupt(`raw record: unknown kind ${kind}`);
  if (kind !== Kind.Typed && kind !== Kind.NDArray && entry.itemsize !== 1) throw corrupt('raw record: a byte kind with a wide dtype');
  if (kind !== Kind.NDArray) return { entry, kind, shape: null, dtype: null, items: -1 };
  if (pos.p >= data.length) throw corrupt('raw record: truncated');
  const ndim = data[pos.p++] as number;
  if (ndim > 8) throw corrupt(`raw record: ${ndim} dimensions (at most 8)`);
  const shape: number[] = [];
  let items = 1;
  for (let i = 0; i < ndim; i++) {
    const dim = readVarint(data, pos);
    shape.push(dim);
    items *= dim;
  }
  if (pos.p >= data.length) throw corrupt('raw record: truncated dtype');
  const len = data[pos.p++] as number;
  if (pos.p + len > data.length) throw corrupt('raw record: truncated dtype');
  const dtype = String.fromCharCode(...data.subarray(pos.p, pos.p + len));
  pos.p += len;
  return { entry, kind, shape, dtype, items };
}

/** Builds the value a record describes around its (already filled) bytes. */
function build(h: { entry: DTypeEntry; kind: Kind; shape: readonly number[] | null; dtype: string | null }, ab: ArrayBufferLike, offset: number, byteLength: number): unknown {
  switch (h.kind) {
    case Kind.Buffer:
      return Buffer.from(ab, offset, byteLength);
    case Kind.DataView:
      return new DataView(ab, offset, byteLength);
    case Kind.ArrayBuffer:
    case Kind.SharedArrayBuffer:
      return ab;
    case Kind.NDArray: {
      const ctor = ctorForDtype(h.dtype as string);
      if (ctor.BYTES_PER_ELEMENT !== h.entry.itemsize) throw corrupt(`dtype '${h.dtype}' does not fit the data's items`);
      const data = new h.entry.ctor(ab, offset, byteLength / h.entry.itemsize);
      try {
        return new NDArray(data, h.shape as number[], h.dtype as string);
      } catch (err) {
        throw corrupt(`an NDArray record is inconsistent: ${(err as Error).message}`);
      }
    }
    default:
      return new h.entry.ctor(ab, offset, byteLength / h.entry.itemsize);
  }
}

// Memory for a decoded array. Every byte of it is written before the array is
// handed out (or the decode fails and it is dropped), so it need not be
// zeroed: `new ArrayBuffer` memsets memory that the allocator recycles, which
// for big arrays costs milliseconds on the event loop.
function newBacking(kind: Kind, nbytes: number): ArrayBufferLike {
  if (kind === Kind.SharedArrayBuffer) return new SharedArrayBuffer(nbytes);
  return nbytes === 0 ? new ArrayBuffer(0) : Buffer.allocUnsafeSlow(nbytes).buffer;
}

const sliceBytes = Uint8Array.prototype.slice;

function unpackRaw(data: Uint8Array): unknown {
  const state = currentUnpackState();
  // Fast path, the common small record: a plain TypedArray (kind 0), copied
  // into fresh aligned memory with one allocation.
  const b = data.length > 0 ? (data[0] as number) : 0;
  if (b >> 4 === Kind.Typed && !state.zeroCopy) {
    const entry = BY_CODE[b & 0x0f];
    const nbytes = data.length - 1;
    if (entry && nbytes % entry.itemsize === 0 && nbytes <= state.remaining) {
      state.remaining -= nbytes;
      return new entry.ctor((sliceBytes.call(data, 1) as Uint8Array).buffer);
    }
  }
  const pos = { p: 0 };
  const h = readRawHeader(data, pos);
  const nbytes = data.length - pos.p;
  if (nbytes % h.entry.itemsize !== 0) throw corrupt(`raw record: ${nbytes} bytes is not a whole number of ${h.entry.itemsize}-byte items`);
  if (h.shape && h.items * h.entry.itemsize !== nbytes) throw corrupt('raw record: the shape disagrees with the data');
  charge(state, nbytes, 'a raw record');
  const src = data.subarray(pos.p);
  const offset = data.byteOffset + pos.p;
  if (state.zeroCopy && h.kind !== Kind.SharedArrayBuffer && h.kind !== Kind.ArrayBuffer && offset % h.entry.itemsize === 0) {
    return build(h, data.buffer, offset, nbytes);
  }
  const ab = newBacking(h.kind, nbytes);
  new Uint8Array(ab).set(src);
  return build(h, ab, 0, nbytes);
}

function entryByName(name: string): DTypeEntry | undefined {
  return BY_CODE.find((e) => e?.ctor.name === name);
}

const KIND_BY_NAME: Record<string, Kind> = { Buffer: Kind.Buffer, DataView: Kind.DataView, ArrayBuffer: Kind.ArrayBuffer, SharedArrayBuffer: Kind.SharedArrayBuffer };

/** Decodes a b2nd (or plain super-chunk) frame into a new array. */
export function unpackFrame(frame: Uint8Array): unknown {
  const state = currentUnpackState();
  const info = native.b2ndInfo(frame);
  let entry: DTypeEntry;
  let kind: Kind;
  let dtype: string | null = null;
  if (!info.b2nd) {
    // A python-blosc2 SChunk: its bytes.
    entry = U8;
    kind = Kind.Typed;
  } else if (info.jsKind.startsWith('NDArray:')) {
    const e = entryByName(info.jsKind.slice(8));
    if (!e || e.itemsize !== ctorForDtype(info.dtype).BYTES_PER_ELEMENT) throw corrupt(`unknown js kind '${info.jsKind}'`);
    entry = e;
    kind = Kind.NDArray;
    dtype = info.dtype;
  } else if (info.jsKind in KIND_BY_NAME) {
    kind = KIND_BY_NAME[info.jsKind] as Kind;
    entry = U8;
  } else {
    const e = info.jsKind ? entryByName(info.jsKind) : BY_CODE.find((x) => x?.ctor === ctorForDtype(info.dtype));
    if (!e) throw new Blosc2Error(`a frame holds a ${info.jsKind || info.dtype} this runtime cannot make`, 'ERR_UNSUPPORTED');
    entry = e;
    if (info.jsKind) {
      kind = Kind.Typed;
    } else {
      kind = Kind.NDArray;
      dtype = info.dtype;
    }
  }
  if (info.b2nd && info.typesize !== (kind === Kind.Typed || kind === Kind.NDArray ? entry.itemsize : info.typesize)) {
    throw corrupt(`the frame's typesize (${info.typesize}) disagrees with its dtype '${info.dtype}'`);
  }
  let nbytes: number;
  if (info.b2nd) {
    nbytes = info.typesize;
    for (const d of info.shape) nbytes *= d;
  } else {
    nbytes = info.nbytes;
  }
  if (!Number.isSafeInteger(nbytes) || nbytes < 0) throw corrupt('the frame claims an impossible size');
  charge(state, nbytes, 'an array frame');
  // A chunk goes through a bounce buffer at the edge, and foreign geometries
  // through C-Blosc2's own: bound those allocations by the limit too.
  if (info.chunksize > state.maxOutputBytes) {
    throw new Blosc2Error(`the frame's chunks are ${info.chunksize} bytes, over maxOutputBytes (${state.maxOutputBytes})`, 'ERR_MAX_OUTPUT');
  }
  if (kind !== Kind.Typed && kind !== Kind.NDArray && kind !== Kind.Buffer && kind !== Kind.DataView && kind !== Kind.ArrayBuffer && kind !== Kind.SharedArrayBuffer) {
    throw corrupt('unknown kind');
  }
  if (nbytes % entry.itemsize !== 0) throw corrupt('the frame holds a partial item');
  const h = { entry, kind, shape: info.b2nd ? info.shape : [nbytes / entry.itemsize], dtype };
  // clevel 0 (or incompressible) single-chunk frames hold the items verbatim:
  // with zeroCopy, view them in place when aligned (O(1), like v8.deserialize).
  if (state.zeroCopy && info.rawOffset >= 0 && kind !== Kind.ArrayBuffer && kind !== Kind.SharedArrayBuffer) {
    const at = frame.byteOffset + info.rawOffset;
    if (at % entry.itemsize === 0 && info.rawOffset + nbytes <= frame.byteLength) {
      state.remaining += nbytes; // a view allocates nothing
      return build(h, frame.buffer, at, nbytes);
    }
  }
  const ab = newBacking(kind, nbytes);
  const out = new Uint8Array(ab);
  const threads = threadsFor(Math.min(nbytes, info.chunksize > 0 ? info.chunksize : nbytes), state.nthreads);
  if (state.deferred) {
    state.deferred.push(native.b2ndDecodeAsync(frame, out, threads));
  } else {
    native.b2ndDecode(frame, out, threads);
  }
  return build(h, ab, 0, nbytes);
}

function unpackOutOfBand(data: Uint8Array): unknown {
  const state = currentUnpackState();
  if (!state.buffers) throw corrupt('an out-of-band record met outside unpackOutOfBand (pass the buffers)');
  if (data.length < 5) throw corrupt('out-of-band record: truncated');
  const index = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  const buf = state.buffers[index];
  if (!buf) throw corrupt(`out-of-band record: no buffer #${index} (${state.buffers.length} given)`);
  if (!ArrayBuffer.isView(buf)) throw corrupt(`out-of-band buffer #${index} is not a Uint8Array`);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (data[4] === 0) return unpackFrame(bytes);
  if (data[4] !== 1) throw corrupt(`out-of-band record: unknown flag ${data[4]}`);
  const pos = { p: 5 };
  const h = readRawHeader(data, pos);
  if (pos.p !== data.length) throw corrupt('out-of-band record: trailing bytes');
  const nbytes = bytes.byteLength;
  if (nbytes % h.entry.itemsize !== 0 || (h.shape && h.items * h.entry.itemsize !== nbytes)) {
    throw corrupt(`out-of-band buffer #${index} has ${nbytes} bytes, which disagrees with its record`);
  }
  // The caller handed us these bytes: view them in place when aligned (the
  // zero-copy path of clevel 0), else copy into aligned memory.
  if (h.kind !== Kind.ArrayBuffer && h.kind !== Kind.SharedArrayBuffer && bytes.byteOffset % h.entry.itemsize === 0) {
    return build(h, bytes.buffer, bytes.byteOffset, nbytes);
  }
  charge(state, nbytes, 'an out-of-band buffer');
  const ab = newBacking(h.kind, nbytes);
  new Uint8Array(ab).set(bytes);
  return build(h, ab, 0, nbytes);
}

function readViewTag(data: unknown): unknown {
  if (!Array.isArray(data) || data.length < 5) throw corrupt('view record: not a view description');
  const [ab, byteOffset, length, kind, code] = data as [unknown, unknown, unknown, unknown, unknown];
  const isShared = typeof SharedArrayBuffer === 'function' && ab instanceof SharedArrayBuffer;
  if (!(ab instanceof ArrayBuffer) && !isShared) throw corrupt('view record: no ArrayBuffer');
  const entry = typeof code === 'number' ? BY_CODE[code] : undefined;
  const buffer = ab as ArrayBufferLike;
  if (!entry || typeof byteOffset !== 'number' || typeof length !== 'number' || typeof kind !== 'number') {
    throw corrupt('view record: bad fields');
  }
  const byteLength = kind === Kind.Typed || kind === Kind.NDArray ? length * entry.itemsize : length;
  if (!Number.isSafeInteger(byteOffset) || !Number.isSafeInteger(byteLength) || byteOffset < 0 || byteLength < 0 ||
      byteOffset + byteLength > buffer.byteLength || byteOffset % entry.itemsize !== 0) {
    throw corrupt('view record: the view lies outside its buffer');
  }
  const shape = kind === Kind.NDArray ? (data[5] as number[]) : null;
  const dtype = kind === Kind.NDArray ? (data[6] as string) : null;
  if (kind === Kind.NDArray && (!Array.isArray(shape) || typeof dtype !== 'string')) throw corrupt('view record: bad NDArray fields');
  if (kind !== Kind.Typed && kind !== Kind.NDArray && kind !== Kind.Buffer && kind !== Kind.DataView) throw corrupt('view record: bad kind');
  return build({ entry, kind, shape, dtype }, buffer, byteOffset, byteLength);
}

// python-blosc2 (4.14+) writes a plain NumPy array as ext 46 holding the
// msgpack map {dtype: {str: '<f8'}, shape: [...], data: <bytes>}: read it as an
// NDArray (object arrays, {values, shape}, are refused).
function unpackNumpy(data: Uint8Array): unknown {
  const state = currentUnpackState();
  let payload: unknown;
  try {
    payload = msgpackUnpack(data);
  } catch (err) {
    throw corrupt(`ext 46 (NumPy array): not a MessagePack map: ${(err as Error).message}`);
  }
  const p = payload as { dtype?: { str?: unknown }; shape?: unknown; data?: unknown; values?: unknown } | null;
  if (p === null || typeof p !== 'object') throw corrupt('ext 46 (NumPy array): not a map');
  if (p.values !== undefined) throw new Blosc2Error('ext 46: NumPy object arrays have no JS array type', 'ERR_UNSUPPORTED');
  const dtype = p.dtype?.str;
  if (typeof dtype !== 'string') throw corrupt('ext 46 (NumPy array): no dtype string');
  const ctor = ctorForDtype(dtype);
  const entry = BY_CODE.find((x) => x?.ctor === ctor) as DTypeEntry;
  if (!Array.isArray(p.shape) || p.shape.length > 32 || !p.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw corrupt('ext 46 (NumPy array): bad shape');
  }
  const shape = p.shape as number[];
  if (!(p.data instanceof Uint8Array)) throw corrupt('ext 46 (NumPy array): no data bytes');
  const nbytes = shape.reduce((a, b) => a * b, 1) * entry.itemsize;
  if (p.data.byteLength !== nbytes) throw corrupt('ext 46 (NumPy array): the shape disagrees with the data');
  if (shape.length > 8) throw new Blosc2Error(`ext 46: ${shape.length} dimensions (an NDArray has at most 8)`, 'ERR_UNSUPPORTED');
  charge(state, nbytes, 'a NumPy array record');
  const ab = newBacking(Kind.NDArray, nbytes);
  new Uint8Array(ab).set(p.data);
  return build({ entry, kind: Kind.NDArray, shape, dtype }, ab, 0, nbytes);
}

let installed = false;

/**
 * Registers the extension with msgpackr (once per process). Packrs without a
 * blosc2 configuration keep msgpackr's own behaviour.
 */
export function install(): void {
  if (installed) return;
  installed = true;
  const TypedArrayBase = Object.getPrototypeOf(Uint8Array) as abstract new () => unknown;
  const classes: Array<abstract new (...args: never[]) => unknown> = [TypedArrayBase, DataView, ArrayBuffer, NDArray];
  if (typeof SharedArrayBuffer === 'function') classes.push(SharedArrayBuffer);
  for (const Class of classes) {
    addExtension({ Class: Class as never, type: RAW_EXT, pack: packExtension as never, unpack: unpackRaw });
  }
  addExtension({ type: B2ND_EXT, unpack: unpackFrame });
  addExtension({ type: OOB_EXT, unpack: unpackOutOfBand });
  addExtension({ type: NUMPY_EXT, unpack: unpackNumpy });
  addExtension({ type: VIEW_EXT, read: readViewTag } as never);
}

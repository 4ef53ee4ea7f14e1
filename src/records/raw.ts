/**
 * The raw record (ext 80, FORMAT.md "Raw record"): a small array stored
 * uncompressed after a one-byte kind and dtype code, and for an NDArray its
 * shape (varints) and dtype string.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { BY_CODE, type DTypeEntry } from '../dtypes';
import { type Reserve, reserveExt, varintSize, writeVarint } from '../msgpack/writer';
import { charge, decodeState } from './decode-state';
import { type Described, Kind, RAW_EXT } from './types';
import { type RecordHeader, build, buildCopy, corrupt } from './values';

/** Bytes of the raw-record header (everything before the data) for d. */
export function rawHeaderSize(d: Described): number {
  if (d.kind !== Kind.NDArray) return 1;
  let size = 2 + 1 + d.dtype.length;
  for (const dim of d.shape) size += varintSize(dim);
  return size;
}

/** Writes the raw-record header of d at p; returns where the data starts. */
export function writeRawHeader(target: Uint8Array, p: number, d: Described): number {
  target[p++] = (d.kind << 4) | d.entry.code;
  if (d.kind === Kind.NDArray) {
    target[p++] = d.shape.length;
    for (const dim of d.shape) p = writeVarint(target, p, dim);
    target[p++] = d.dtype.length;
    for (let i = 0; i < d.dtype.length; i++) target[p++] = d.dtype.charCodeAt(i);
  }
  return p;
}

/** Writes d as one raw record. */
export function writeRaw(d: Described, reserve: Reserve): void {
  const { target, at } = reserveExt(reserve, rawHeaderSize(d) + d.bytes.byteLength, RAW_EXT);
  target.set(d.bytes, writeRawHeader(target, at, d));
}

/** The common small value, a plain TypedArray of the dtype row `entry`, as one raw record (the fast path). */
export function writeRawTyped(bytes: Uint8Array, entry: DTypeEntry, reserve: Reserve): void {
  const { target, at } = reserveExt(reserve, bytes.byteLength + 1, RAW_EXT);
  target[at] = entry.code; // Kind.Typed << 4 | dtype code
  target.set(bytes, at + 1);
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

/** A raw-record header, with the item count its shape implies (-1 without a shape). */
export interface RawHeader extends RecordHeader {
  items: number;
}

/** Reads a raw-record header from data at pos.p, advancing it. */
export function readRawHeader(data: Uint8Array, pos: { p: number }): RawHeader {
  if (pos.p >= data.length) throw corrupt('raw record: empty');
  const b = data[pos.p++] as number;
  const kind = (b >> 4) as Kind;
  const entry = BY_CODE[b & 0x0f];
  if (!entry) {
    const f16 = (b & 0x0f) === 12;
    throw new Blosc2Error(
      `raw record: unknown dtype code ${b & 0x0f}${f16 ? ' (Float16Array is not available in this runtime)' : ''}`,
      f16 ? 'ERR_UNSUPPORTED' : 'ERR_CORRUPT',
    );
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

/** Whether `nbytes` of data fit the header's item size and shape. */
export function rawFits(h: RawHeader, nbytes: number): boolean {
  return nbytes % h.entry.itemsize === 0 && (!h.shape || h.items * h.entry.itemsize === nbytes);
}

// Uint8Array's own slice, which copies: msgpackr hands Buffers over, whose slice is a view.
// eslint-disable-next-line @typescript-eslint/unbound-method
const sliceBytes = Uint8Array.prototype.slice;

/** Reads an ext 80 record. */
export function unpackRaw(data: Uint8Array): unknown {
  const state = decodeState();
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
  if (!rawFits(h, nbytes)) throw corrupt('raw record: the shape disagrees with the data');
  charge(state, nbytes, 'a raw record');
  const offset = data.byteOffset + pos.p;
  if (state.zeroCopy && h.kind !== Kind.SharedArrayBuffer && h.kind !== Kind.ArrayBuffer && offset % h.entry.itemsize === 0) {
    return build(h, data.buffer, offset, nbytes);
  }
  return buildCopy(h, data.subarray(pos.p));
}

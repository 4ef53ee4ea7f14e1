/**
 * Reading ext 46 (FORMAT.md "ext 46: NumPy record"): our records and
 * python-blosc2's, keys in any order. Our own layout (dtype, shape, js?, data
 * with fixstr keys) is matched byte by byte without building strings, the
 * common small message's path; anything else is read generically with
 * msgpackr. Object arrays ({values, shape}) and structured dtypes are refused.
 * @internal
 * @packageDocumentation
 */
import { unpack as msgpackUnpack } from 'msgpackr';
import { Blosc2Error } from '../errors';
import { ctorForDtype } from '../dtypes';
import { readFailure } from '../msgpack/failures';
import { charge, decodeState } from './decode-state';
import { type JsKindHeader, fromJsKind } from './describe';
import { fixstr } from './numpy';
import { Kind } from './types';
import { build, buildCopy, corrupt } from './values';

/** What a (dtype, js) pair says to rebuild. */
interface Resolved {
  h: JsKindHeader;
  itemsize: number;
}

function resolve(dtype: string, js: string): Resolved {
  // The dtype first: ERR_UNSUPPORTED for what JS cannot hold.
  const itemsize = ctorForDtype(dtype).BYTES_PER_ELEMENT;
  let h: JsKindHeader;
  try {
    h = fromJsKind(js, dtype);
  } catch (err) {
    throw err instanceof Blosc2Error && err.code === 'ERR_CORRUPT' ? corrupt(`ext 46 (NumPy array): ${err.message}`) : err;
  }
  if ((h.kind === Kind.Typed || h.kind === Kind.NDArray) && h.entry.itemsize !== itemsize) {
    throw corrupt(`ext 46 (NumPy array): js kind '${js}' does not fit dtype '${dtype}'`);
  }
  return { h, itemsize };
}

// ---------------------------------------------------------------------------
// Our layout, byte by byte

const DTYPE_KEYS = Uint8Array.from([...fixstr('dtype'), 0x81, ...fixstr('str')]);
const SHAPE_KEY = Uint8Array.from(fixstr('shape'));
const JS_KEY = Uint8Array.from(fixstr('js'));
const DATA_KEY = Uint8Array.from(fixstr('data'));

function matches(data: Uint8Array, at: number, bytes: Uint8Array): boolean {
  if (at + bytes.length > data.length) return false;
  for (let i = 0; i < bytes.length; i++) if (data[at + i] !== bytes[i]) return false;
  return true;
}

/**
 * The last (dtype, js) pairs met, by their bytes: a stream of small messages
 * repeats a few, and comparing a handful of bytes is cheaper than making and
 * hashing strings.
 */
interface Memo {
  key: Uint8Array;
  r: Resolved;
}
const memo: Memo[] = [];
let memoNext = 0;

function keyEquals(key: Uint8Array, data: Uint8Array, dAt: number, dLen: number, jAt: number, jLen: number): boolean {
  if (key.length !== dLen + jLen + 1 || key[dLen] !== 0) return false;
  for (let i = 0; i < dLen; i++) if (key[i] !== data[dAt + i]) return false;
  for (let i = 0; i < jLen; i++) if (key[dLen + 1 + i] !== data[jAt + i]) return false;
  return true;
}

function resolveBytes(data: Uint8Array, dAt: number, dLen: number, jAt: number, jLen: number): Resolved {
  for (const m of memo) if (keyEquals(m.key, data, dAt, dLen, jAt, jLen)) return m.r;
  const latin1 = (at: number, n: number) => String.fromCharCode(...data.subarray(at, at + n));
  const r = resolve(latin1(dAt, dLen), latin1(jAt, jLen));
  const key = new Uint8Array(dLen + 1 + jLen);
  key.set(data.subarray(dAt, dAt + dLen));
  key.set(data.subarray(jAt, jAt + jLen), dLen + 1);
  memo[memoNext] = { key, r };
  memoNext = (memoNext + 1) % 8;
  return r;
}

// Where scanOurs leaves what it read (no object per record).
const dims: number[] = [];
let ndim = 0;
let dataAt = 0;
let dataLength = 0;

/** Our own layout, matched in place: what it says to rebuild, or undefined to read it generically. */
function scanOurs(data: Uint8Array): Resolved | undefined {
  const m = data[0];
  if ((m !== 0x83 && m !== 0x84) || !matches(data, 1, DTYPE_KEYS)) return undefined;
  let p = 1 + DTYPE_KEYS.length;
  const d = data[p++] as number;
  if ((d & 0xe0) !== 0xa0) return undefined;
  const dAt = p;
  const dLen = d & 0x1f;
  p += dLen;
  if (!matches(data, p, SHAPE_KEY)) return undefined;
  p += SHAPE_KEY.length;
  const a = data[p++] as number;
  if ((a & 0xf0) !== 0x90) return undefined;
  ndim = a & 0x0f;
  for (let k = 0; k < ndim; k++) {
    const b = data[p++] as number;
    if (b < 0x80) dims[k] = b;
    else if (b === 0xcc) dims[k] = data[p++] as number;
    else if (b === 0xcd) {
      dims[k] = ((data[p] as number) << 8) | (data[p + 1] as number);
      p += 2;
    } else return undefined;
  }
  let jAt = p;
  let jLen = 0;
  if (m === 0x84) {
    if (!matches(data, p, JS_KEY)) return undefined;
    p += JS_KEY.length;
    const j = data[p++] as number;
    if ((j & 0xe0) !== 0xa0) return undefined;
    jAt = p;
    jLen = j & 0x1f;
    p += jLen;
  }
  if (!matches(data, p, DATA_KEY)) return undefined;
  p += DATA_KEY.length;
  const b = data[p++];
  if (b === 0xc4) dataLength = data[p++] as number;
  else if (b === 0xc5) {
    dataLength = ((data[p] as number) << 8) | (data[p + 1] as number);
    p += 2;
  } else return undefined;
  if (p + dataLength !== data.length) return undefined;
  dataAt = p;
  return resolveBytes(data, dAt, dLen, jAt, jLen);
}

// ---------------------------------------------------------------------------
// Any layout

interface Parsed {
  dtype: string;
  shape: unknown[];
  js: string;
  bytes: Uint8Array;
}

function parseGeneric(data: Uint8Array): Parsed {
  let payload: unknown;
  try {
    payload = msgpackUnpack(data);
  } catch (err) {
    throw readFailure(err, undefined, 'ext 46 (NumPy array): not a MessagePack map');
  }
  const p = payload as { dtype?: { str?: unknown }; shape?: unknown; data?: unknown; values?: unknown; js?: unknown } | null;
  if (p === null || typeof p !== 'object') throw corrupt('ext 46 (NumPy array): not a map');
  if (p.values !== undefined) throw new Blosc2Error('ext 46: NumPy object arrays have no JS array type', 'ERR_UNSUPPORTED');
  const dtype = p.dtype?.str;
  if (typeof dtype !== 'string') throw corrupt('ext 46 (NumPy array): no dtype string (structured dtypes are not read)');
  if (!Array.isArray(p.shape)) throw corrupt('ext 46 (NumPy array): bad shape');
  if (!(p.data instanceof Uint8Array)) throw corrupt('ext 46 (NumPy array): no data bytes');
  if (p.js !== undefined && typeof p.js !== 'string') throw corrupt('ext 46 (NumPy array): bad js kind');
  return { dtype, shape: p.shape as unknown[], js: p.js ?? '', bytes: p.data };
}

// Uint8Array's own slice, which copies: msgpackr hands Buffers over, whose slice is a view.
// eslint-disable-next-line @typescript-eslint/unbound-method
const sliceBytes = Uint8Array.prototype.slice;

function tooManyDims(n: number): Blosc2Error {
  return new Blosc2Error(`ext 46: ${n} dimensions (an NDArray has at most 8)`, 'ERR_UNSUPPORTED');
}

/** Reads an ext 46 record. */
export function unpackNumpy(data: Uint8Array): unknown {
  const state = decodeState();
  const ours = scanOurs(data);
  let r: Resolved;
  let shape: number[];
  let bytes: Uint8Array;
  if (ours) {
    r = ours;
    let items = 1;
    for (let k = 0; k < ndim; k++) items *= dims[k] as number;
    const nbytes = items * r.itemsize;
    if (dataLength !== nbytes) throw corrupt('ext 46 (NumPy array): the shape disagrees with the data');
    // The common small value, a TypedArray of ours: copied with one allocation.
    if (r.h.kind === Kind.Typed && !state.zeroCopy) {
      charge(state, nbytes, 'a NumPy array record');
      return new r.h.entry.ctor((sliceBytes.call(data, dataAt, dataAt + nbytes) as Uint8Array).buffer);
    }
    shape = dims.slice(0, ndim);
    bytes = data.subarray(dataAt, dataAt + nbytes);
  } else {
    const g = parseGeneric(data);
    if (g.shape.length > 32 || !g.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw corrupt('ext 46 (NumPy array): bad shape');
    }
    shape = g.shape as number[];
    r = resolve(g.dtype, g.js);
    bytes = g.bytes;
    const nbytes = shape.reduce((x, y) => x * y, 1) * r.itemsize;
    if (!Number.isSafeInteger(nbytes) || bytes.byteLength !== nbytes)
      throw corrupt('ext 46 (NumPy array): the shape disagrees with the data');
  }
  const { h } = r;
  if (h.kind === Kind.NDArray && shape.length > 8) throw tooManyDims(shape.length);
  const nbytes = bytes.byteLength;
  charge(state, nbytes, 'a NumPy array record');
  const header = { entry: h.entry, kind: h.kind, shape: h.kind === Kind.NDArray ? shape : null, dtype: h.dtype };
  if (state.zeroCopy && h.kind !== Kind.SharedArrayBuffer && h.kind !== Kind.ArrayBuffer && bytes.byteOffset % h.entry.itemsize === 0) {
    return build(header, bytes.buffer, bytes.byteOffset, nbytes);
  }
  return buildCopy(header, bytes);
}

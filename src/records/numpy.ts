/**
 * Writing python-blosc2's plain NumPy array record (ext 46, FORMAT.md "ext 46:
 * NumPy record"): the msgpack map {dtype: {str: '<f8'}, shape: [...], js?,
 * data: <bin>}, which python-blosc2 4.14+ reads as a numpy.ndarray; `js`
 * (ours, ignored by Python) names the JS kind. Reading: numpy-read.ts.
 * @internal
 * @packageDocumentation
 */
import type { DTypeEntry } from '../dtypes';
import { type Reserve, binHeaderSize, reserveExt, writeBinHeader } from '../msgpack/writer';
import { jsKindOf } from './describe';
import { type Described, NUMPY_EXT } from './types';

/** A string as msgpack fixstr bytes (ASCII, under 32 bytes). */
export const fixstr = (s: string): number[] => [0xa0 | s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

/** msgpack bytes of a non-negative integer (the smallest form, as python's msgpack writes it). */
function uintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9;
}

function writeUint(t: Uint8Array, p: number, n: number): number {
  if (n < 0x80) {
    t[p++] = n;
  } else if (n < 0x100) {
    t[p++] = 0xcc;
    t[p++] = n;
  } else if (n < 0x10000) {
    t[p++] = 0xcd;
    t[p++] = n >> 8;
    t[p++] = n & 0xff;
  } else if (n < 0x100000000) {
    t[p++] = 0xce;
    new DataView(t.buffer, t.byteOffset).setUint32(p, n);
    p += 4;
  } else {
    t[p++] = 0xcf;
    new DataView(t.buffer, t.byteOffset).setBigUint64(p, BigInt(n));
    p += 8;
  }
  return p;
}

/**
 * The constant bytes around the shape, for one dtype and js name: `head` is
 * the map header, the dtype entry and the "shape" key; `tail` the js entry
 * (when there is one) and the "data" key.
 */
interface Template {
  head: Uint8Array;
  tail: Uint8Array;
}

const templates = new Map<string, Template>();

function templateFor(dtype: string, js: string): Template {
  const key = `${dtype}\u0000${js}`;
  let t = templates.get(key);
  if (!t) {
    // fixmap of 3 or 4: dtype, shape, [js,] data (data last, so the items end the record).
    const head = [0x80 | (js ? 4 : 3), ...fixstr('dtype'), 0x81, ...fixstr('str'), ...fixstr(dtype), ...fixstr('shape')];
    const tail = [...(js ? [...fixstr('js'), ...fixstr(js)] : []), ...fixstr('data')];
    t = { head: Uint8Array.from(head), tail: Uint8Array.from(tail) };
    templates.set(key, t);
  }
  return t;
}

function shapeSize(shape: readonly number[]): number {
  let size = shape.length < 16 ? 1 : 3;
  for (const d of shape) size += uintSize(d);
  return size;
}

function writeShape(t: Uint8Array, p: number, shape: readonly number[]): number {
  if (shape.length < 16) {
    t[p++] = 0x90 | shape.length;
  } else {
    t[p++] = 0xdc;
    t[p++] = shape.length >> 8;
    t[p++] = shape.length & 0xff;
  }
  for (const d of shape) p = writeUint(t, p, d);
  return p;
}

function writeRecord(tpl: Template, shape: readonly number[], bytes: Uint8Array, reserve: Reserve): void {
  const n = bytes.byteLength;
  const length = tpl.head.length + shapeSize(shape) + tpl.tail.length + binHeaderSize(n) + n;
  const { target, at } = reserveExt(reserve, length, NUMPY_EXT);
  target.set(tpl.head, at);
  let p = writeShape(target, at + tpl.head.length, shape);
  target.set(tpl.tail, p);
  p = writeBinHeader(target, p + tpl.tail.length, n);
  target.set(bytes, p);
}

/** Writes d as one ext 46 record. */
export function writeNumpy(d: Described, reserve: Reserve): void {
  writeRecord(templateFor(d.dtype, jsKindOf(d)), d.shape, d.bytes, reserve);
}

const typedTemplates: Template[] = [];

/** The common small value, a plain TypedArray of the dtype row `entry`, as one ext 46 record (the fast path). */
export function writeNumpyTyped(bytes: Uint8Array, entry: DTypeEntry, reserve: Reserve): void {
  const tpl = (typedTemplates[entry.code] ??= templateFor(entry.dtype, entry.ctor.name));
  const n = bytes.byteLength;
  const items = n / entry.itemsize;
  const length = tpl.head.length + 1 + uintSize(items) + tpl.tail.length + binHeaderSize(n) + n;
  const { target, at } = reserveExt(reserve, length, NUMPY_EXT);
  target.set(tpl.head, at);
  let p = at + tpl.head.length;
  target[p++] = 0x91;
  p = writeUint(target, p, items);
  target.set(tpl.tail, p);
  p = writeBinHeader(target, p + tpl.tail.length, n);
  target.set(bytes, p);
}

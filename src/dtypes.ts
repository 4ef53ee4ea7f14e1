/**
 * The dtype table: which JS array type travels as which NumPy dtype, and the
 * one-byte codes of the compact record (FORMAT.md, "Raw record").
 * @packageDocumentation
 */
import { Blosc2Error, quoteName } from './errors';

/** Every TypedArray class of the runtime. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** The byte-order marks of the dtype strings read: little-endian, not applicable, native (always little-endian here). */
type ByteOrder = '' | '<' | '|' | '=';

/**
 * A NumPy dtype string that maps to a JS array type: bool, int, uint and
 * float, little-endian or native ('>' is refused, see {@link ctorForDtype}).
 * NumPy's canonical spellings are '|b1', '|i1', '|u1', '<i2' … '<f8'.
 */
export type DType = `${ByteOrder}${'b1' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f2' | 'f4' | 'f8'}`;

/** A TypedArray constructor. */
export type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

/** One row of the table. */
export interface DTypeEntry {
  /** Code in the raw record (1-12). */
  readonly code: number;
  /** The JS class. */
  readonly ctor: TypedArrayConstructor;
  /** Its NumPy dtype string (little-endian). */
  readonly dtype: DType;
  readonly itemsize: number;
}

const float16 = (globalThis as { Float16Array?: TypedArrayConstructor }).Float16Array;

const rows: Array<[number, TypedArrayConstructor | undefined, DType]> = [
  [1, Int8Array, '|i1'],
  [2, Uint8Array, '|u1'],
  [3, Uint8ClampedArray, '|u1'],
  [4, Int16Array, '<i2'],
  [5, Uint16Array, '<u2'],
  [6, Int32Array, '<i4'],
  [7, Uint32Array, '<u4'],
  [8, Float32Array, '<f4'],
  [9, Float64Array, '<f8'],
  [10, BigInt64Array, '<i8'],
  [11, BigUint64Array, '<u8'],
  [12, float16, '<f2'],
];

/** Rows by raw-record code. */
export const BY_CODE: ReadonlyArray<DTypeEntry | undefined> = (() => {
  const t: Array<DTypeEntry | undefined> = [];
  for (const [code, ctor, dtype] of rows) {
    if (ctor) t[code] = { code, ctor, dtype, itemsize: ctor.BYTES_PER_ELEMENT };
  }
  return t;
})();

/** Rows by constructor (subclasses such as Buffer resolve through their prototype chain, see entryOf). */
export const BY_CTOR = new Map<unknown, DTypeEntry>();
for (const e of BY_CODE) if (e) BY_CTOR.set(e.ctor, e);

/** @internal */
export function entryOf(view: ArrayBufferView): DTypeEntry | undefined {
  let proto: unknown = Object.getPrototypeOf(view);
  while (proto) {
    const e = BY_CTOR.get((proto as { constructor: unknown }).constructor);
    if (e) return e;
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/**
 * The JS class that holds items of a NumPy dtype string. Byte order '<', '|'
 * and '=' are read; '>' (big-endian) is refused. Booleans ('|b1') come back as
 * bytes, and '<f2' as Uint16Array bits where the runtime has no Float16Array.
 */
export function ctorForDtype(dtype: string): TypedArrayConstructor {
  const m = /^([<|=]?)([biuf])(\d+)$/.exec(dtype);
  if (m) {
    const kind = m[2] === 'b' ? 'u' : m[2];
    const size = Number(m[3]);
    const key = `${kind}${size}`;
    const table: Record<string, TypedArrayConstructor | undefined> = {
      i1: Int8Array,
      u1: Uint8Array,
      i2: Int16Array,
      u2: Uint16Array,
      i4: Int32Array,
      u4: Uint32Array,
      i8: BigInt64Array,
      u8: BigUint64Array,
      f4: Float32Array,
      f8: Float64Array,
      f2: float16 ?? Uint16Array,
    };
    const ctor = table[key];
    if (ctor && (m[2] !== 'b' || size === 1)) return ctor;
  }
  throw new Blosc2Error(
    `the NumPy dtype ${quoteName(dtype)} has no JS array type here (little-endian bool, int, uint and float only)`,
    'ERR_UNSUPPORTED',
  );
}

/** Bytes per item of a dtype string accepted by {@link ctorForDtype}. */
export function itemsizeOf(dtype: string): number {
  return ctorForDtype(dtype).BYTES_PER_ELEMENT;
}

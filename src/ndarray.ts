/**
 * NDArray: a TypedArray with a C-order shape and a NumPy dtype, the JS face
 * of python-blosc2's `blosc2.NDArray` and NumPy's `ndarray`.
 * @packageDocumentation
 */
import { invalidArg } from './errors';
import { type DType, type TypedArray, ctorForDtype, entryOf } from './dtypes';

/** Most dimensions an NDArray (and a b2nd frame) may have. */
export const MAX_DIM = 8;

/** An N-dimensional array: `data` in C order, its `shape`, and its NumPy `dtype`. */
export class NDArray<T extends TypedArray = TypedArray> {
  /** The items, in C (row-major) order. */
  readonly data: T;
  /** Extent of each dimension; `[]` for a 0-d array. Zero extents are allowed. */
  readonly shape: readonly number[];
  /** NumPy dtype string, e.g. '<f8'. */
  readonly dtype: DType;

  /**
   * @param data - the items, in C order
   * @param shape - up to 8 non-negative integers whose product is `data.length`; default `[data.length]`
   * @param dtype - default: the dtype of `data`'s class; may also name another dtype of the same item size
   *   that this class holds (e.g. '|b1' for a Uint8Array, '<f2' for Uint16Array bits)
   */
  constructor(data: T, shape?: readonly number[], dtype?: DType) {
    const entry = ArrayBuffer.isView(data) ? entryOf(data) : undefined;
    if (!entry) throw invalidArg('data', 'a TypedArray', data);
    const s: readonly number[] = shape === undefined ? [data.length] : shape;
    if (!Array.isArray(s) || s.length > MAX_DIM) throw invalidArg('shape', `an array of at most ${MAX_DIM} dimensions`, shape);
    let size = 1;
    for (let i = 0; i < s.length; i++) {
      const d: unknown = s[i];
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw invalidArg(`shape[${i}]`, 'a non-negative integer', d);
      size *= d;
    }
    if (size !== data.length) {
      throw invalidArg('shape', `dimensions whose product is data.length (${data.length})`, s);
    }
    let dt = entry.dtype;
    if (dtype !== undefined) {
      if (typeof dtype !== 'string') throw invalidArg('dtype', 'a NumPy dtype string', dtype);
      let ctor;
      try {
        ctor = ctorForDtype(dtype);
      } catch {
        throw invalidArg('dtype', 'a little-endian bool, int, uint or float NumPy dtype string', dtype);
      }
      if (ctor !== entry.ctor && !(ctor === Uint8Array && entry.ctor === Uint8ClampedArray)) {
        throw invalidArg('dtype', `a dtype whose items ${entry.ctor.name} holds`, dtype);
      }
      dt = dtype;
    }
    this.data = data;
    this.shape = Object.freeze(Array.from(s, Number));
    this.dtype = dt;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of items. */
  get size(): number {
    return this.data.length;
  }
}

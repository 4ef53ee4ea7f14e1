/**
 * Describing a value to pack: its bytes, dtype, shape and the kind to rebuild;
 * and back, the kind a record's "js" name and dtype say to rebuild.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error, quoteName } from '../errors';
import { BY_CODE, type DTypeEntry, type TypedArray, ctorForDtype, entryOf } from '../dtypes';
import { NDArray } from '../ndarray';
import { backend } from '../backend';
import { platform } from '../platform';
import { type Described, Kind } from './types';
import { corrupt } from './values';

/** The dtype row of plain bytes. */
export const U8 = BY_CODE[2] as DTypeEntry;

const KIND_NAMES = ['', 'Buffer', 'DataView', 'ArrayBuffer', 'SharedArrayBuffer', ''] as const;

/** The value as bytes with a dtype and shape, or undefined when it is no array of ours. */
export function describe(value: unknown): Described | undefined {
  if (value instanceof NDArray) {
    const nd = value as NDArray;
    const entry = entryOf(nd.data) as DTypeEntry;
    return { bytes: bytesOf(nd.data), entry, kind: Kind.NDArray, shape: nd.shape, dtype: nd.dtype };
  }
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return bytesLike(bytesOf(value), Kind.DataView);
    const entry = entryOf(value);
    if (!entry) return undefined;
    if (platform.isBuffer(value)) return bytesLike(bytesOf(value), Kind.Buffer);
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
  if (byteLength === 0 && buffer instanceof ArrayBuffer && backend.isDetached(buffer)) {
    throw new Blosc2Error('an array in the value is backed by a detached ArrayBuffer (transferred or detached)', 'ERR_DETACHED');
  }
}

/** The "js" metalayer of a frame: the JS class to rebuild, or '' for none. */
export function jsKindOf(d: Described): string {
  if (d.kind === Kind.NDArray) {
    // Plain NDArrays carry no js metalayer (python-blosc2 writes none either);
    // one whose items live in another class than the dtype's (a
    // Uint8ClampedArray under '|u1') names that class.
    return d.entry.ctor === ctorForDtype(d.dtype) ? '' : `NDArray:${d.entry.ctor.name}`;
  }
  return d.kind === Kind.Typed ? d.entry.ctor.name : KIND_NAMES[d.kind];
}

function entryByName(name: string): DTypeEntry | undefined {
  return BY_CODE.find((e) => e?.ctor.name === name);
}

const KIND_BY_NAME: Record<string, Kind> = {
  Buffer: Kind.Buffer,
  DataView: Kind.DataView,
  ArrayBuffer: Kind.ArrayBuffer,
  SharedArrayBuffer: Kind.SharedArrayBuffer,
};

/** What a record's "js" name (frame metalayer, ext 46 key) and NumPy dtype say to rebuild. */
export interface JsKindHeader {
  entry: DTypeEntry;
  kind: Kind;
  /** The NumPy dtype of an NDArray; null for the other kinds. */
  dtype: string | null;
}

/**
 * The inverse of {@link jsKindOf} (FORMAT.md, "Reading a frame"): '' is an
 * NDArray of the dtype's class, `NDArray:<class>` one over that class, a byte
 * kind's name that kind over bytes, a TypedArray class name that class.
 */
export function fromJsKind(jsKind: string, dtype: string): JsKindHeader {
  if (jsKind.startsWith('NDArray:')) {
    const e = entryByName(jsKind.slice(8));
    if (!e || e.itemsize !== ctorForDtype(dtype).BYTES_PER_ELEMENT) throw corrupt(`unknown js kind ${quoteName(jsKind)}`);
    return { entry: e, kind: Kind.NDArray, dtype };
  }
  const byteKind = KIND_BY_NAME[jsKind];
  if (byteKind !== undefined) return { entry: U8, kind: byteKind, dtype: null };
  const e = jsKind ? entryByName(jsKind) : BY_CODE.find((x) => x?.ctor === ctorForDtype(dtype));
  if (!e) throw new Blosc2Error(`a record holds a ${quoteName(jsKind || dtype)} this runtime cannot make`, 'ERR_UNSUPPORTED');
  return jsKind ? { entry: e, kind: Kind.Typed, dtype: null } : { entry: e, kind: Kind.NDArray, dtype };
}

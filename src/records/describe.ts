/**
 * Describing a value to pack: its bytes, dtype, shape and the kind to rebuild.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { BY_CODE, type DTypeEntry, type TypedArray, ctorForDtype, entryOf } from '../dtypes';
import { NDArray } from '../ndarray';
import { backend } from '../backend';
import { platform } from '../platform';
import { type Described, Kind } from './types';

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

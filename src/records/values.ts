/**
 * Rebuilding values: the memory a decoded array lives in, and the value a
 * record describes around it. Shared by every record reader.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error, quoteName } from '../errors';
import { type DType, type DTypeEntry, ctorForDtype } from '../dtypes';
import { NDArray } from '../ndarray';
import { platform } from '../platform';
import { Kind } from './types';

/** What a record says it rebuilds. */
export interface RecordHeader {
  entry: DTypeEntry;
  kind: Kind;
  shape: readonly number[] | null;
  dtype: string | null;
}

/** An ERR_CORRUPT error. */
export function corrupt(what: string): Blosc2Error {
  return new Blosc2Error(what, 'ERR_CORRUPT');
}

/**
 * Memory for a decoded array. Every byte of it is written before the array is
 * handed out (or the decode fails and it is dropped), so it need not be
 * zeroed: `new ArrayBuffer` memsets memory that the allocator recycles, which
 * for big arrays costs milliseconds on the event loop.
 */
export function newBacking(kind: Kind, nbytes: number): ArrayBufferLike {
  if (kind === Kind.SharedArrayBuffer) return new SharedArrayBuffer(nbytes);
  return nbytes === 0 ? new ArrayBuffer(0) : platform.allocOwn(nbytes).buffer;
}

/** Builds the value a record describes around its (already filled) bytes. */
export function build(h: RecordHeader, ab: ArrayBufferLike, offset: number, byteLength: number): unknown {
  switch (h.kind) {
    case Kind.Buffer:
      return platform.over(ab, offset, byteLength);
    case Kind.DataView:
      return new DataView(ab, offset, byteLength);
    case Kind.ArrayBuffer:
    case Kind.SharedArrayBuffer:
      return ab;
    case Kind.NDArray: {
      const ctor = ctorForDtype(h.dtype as string);
      if (ctor.BYTES_PER_ELEMENT !== h.entry.itemsize) throw corrupt(`dtype ${quoteName(h.dtype as string)} does not fit the data's items`);
      const data = new h.entry.ctor(ab, offset, byteLength / h.entry.itemsize);
      try {
        // ctorForDtype above accepted the string: it is a DType.
        return new NDArray(data, h.shape as number[], h.dtype as DType);
      } catch (err) {
        throw corrupt(`an NDArray record is inconsistent: ${(err as Error).message}`);
      }
    }
    default:
      return new h.entry.ctor(ab, offset, byteLength / h.entry.itemsize);
  }
}

/** A copy of bytes in new memory of the record's kind, rebuilt. */
export function buildCopy(h: RecordHeader, bytes: Uint8Array): unknown {
  const ab = newBacking(h.kind, bytes.byteLength);
  new Uint8Array(ab).set(bytes);
  return build(h, ab, 0, bytes.byteLength);
}

/**
 * The marker objects of a structuredClone message (FORMAT.md, "structuredClone
 * messages"): the encoder turns a value into a tree of plain objects, arrays,
 * Maps, Sets, leaves and these markers, which the extension writes as ext 83-86
 * (src/records/clone.ts); the reader's markers are what msgpackr hands back
 * for those records, turned into the value by src/clone/decode.ts.
 * @internal
 * @packageDocumentation
 */
import type { NDArray } from '../ndarray';

/** The tags of an object record (ext 86): what it rebuilds. */
export const RecordTag = {
  /** [0, number]: new Number(number). */
  Number: 0,
  /** [1, string]: new String(string). */
  String: 1,
  /** [2, boolean]: new Boolean(boolean). */
  Boolean: 2,
  /** [3, bigint]: Object(bigint). */
  BigInt: 3,
  /** [4, name, {message?, stack?, cause?}]: an Error of that constructor. */
  Error: 4,
  /** [5, length, key, value, ...]: an array with holes or other own properties. */
  Array: 5,
  /** [6, key, value, ...]: an object whose keys msgpackr cannot write as-is (a key `__proto__`, a lone surrogate). */
  Object: 6,
  /** [7, bytes]: a string with a lone surrogate, which UTF-8 cannot hold: its UTF-16LE code units. */
  String16: 7,
  /** [8, source, flags]: a RegExp whose source has a lone surrogate (source a String16 record). */
  RegExp: 8,
} as const;

// ---------------------------------------------------------------------------
// Writing

/** Counts the identity records of one message as they are written. */
export class IdCounter {
  next = 0;
}

/**
 * An object of the value, wrapped: written as an identity record (ext 85)
 * when a reference (ext 84) points to it, else as its value alone.
 */
export class IdTag {
  /** References to it written after it. */
  refs = 0;
  /** Its id, set when it is written with its identity record. */
  id = -1;
  value: unknown = undefined;
  constructor(readonly counter: IdCounter) {}
}

/** A later occurrence of an object: a reference (ext 84) to its identity record. */
export class RefTag {
  constructor(readonly target: IdTag) {}
}

/** An object record (ext 86): `[tag, ...fields]`, fields already wire values. */
export class CloneRecord {
  constructor(readonly fields: unknown[]) {}
}

/**
 * -0, which msgpackr would write as the integer 0: written as a float64. (A
 * CloneRecord to msgpackr's extension lookup, which goes by instanceof, so
 * that it needs no extension type of its own.)
 */
export class NegativeZero extends CloneRecord {
  constructor() {
    super([]);
  }
}
export const NEGATIVE_ZERO = new NegativeZero();

/** A TypedArray, DataView, Buffer or NDArray, with its buffer as a wire value (an IdTag, or a RefTag). */
export class WireView {
  constructor(
    readonly view: ArrayBufferView | NDArray,
    readonly buffer: unknown,
  ) {}
}

/** The whole message (ext 83): `[version, value]`. */
export class Envelope {
  constructor(readonly value: unknown) {}
}

/** The version in the envelope. */
export const CLONE_FORMAT_VERSION = 1;

// ---------------------------------------------------------------------------
// Reading

/** An identity record read: its value is the object the next id names. */
export class IdWire {
  constructor(readonly value: unknown) {}
}

/** A reference read. */
export class RefWire {
  constructor(readonly id: number) {}
}

/** An object record read. */
export class RecordWire {
  constructor(readonly fields: readonly unknown[]) {}
}

/** A view record whose buffer is an identity record or a reference: built once that is resolved. */
export class ViewWire {
  constructor(readonly fields: readonly unknown[]) {}
}

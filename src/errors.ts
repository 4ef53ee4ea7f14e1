/**
 * The one error class of blosc2: every failure, from argument checks in
 * TypeScript to C-Blosc2 error numbers in the addon, is a `Blosc2Error` with a
 * stable `code`.
 * @packageDocumentation
 */

/** Stable error codes carried by {@link Blosc2Error.code}. */
export type Blosc2ErrorCode =
  /** An argument has the wrong type or value. The message names it, says what it must be and what it got. */
  | 'ERR_INVALID_ARG'
  /** An input view is backed by a detached ArrayBuffer (transferred or detached before or during the call). */
  | 'ERR_DETACHED'
  /** The input is truncated, corrupted or inconsistent (a chunk, a frame or a packed message). */
  | 'ERR_CORRUPT'
  /** The caller's `out` buffer cannot hold the decompressed data. */
  | 'ERR_OUTPUT_TOO_SMALL'
  /** Decoding would produce more than `maxOutputBytes`. */
  | 'ERR_MAX_OUTPUT'
  /** C-Blosc2 failed to compress. */
  | 'ERR_COMPRESS'
  /** The data uses something this build cannot decode (a dtype, codec or filter). */
  | 'ERR_UNSUPPORTED'
  /**
   * `pack` cannot write a value: one that `structuredClone` refuses (a
   * function, a symbol, a WeakMap, a Promise, a host object), or with the
   * default options one that `unpack` would not read back as documented (a
   * cycle, a 65-bit BigInt, a Map with an object key, an Error). The message
   * names the path to the value (`value.a[2]`).
   */
  | 'ERR_DATA_CLONE'
  /** A native allocation failed. */
  | 'ERR_NO_MEMORY'
  /** The native addon could not be loaded. */
  | 'ERR_NATIVE_LOAD';

/** The error thrown (or rejected with) by every function of this package. */
export class Blosc2Error extends Error {
  /** A stable, documented code: match on it, not on the message. */
  readonly code: Blosc2ErrorCode;
  /** C-Blosc2's own (negative) error number, when the failure came from C-Blosc2. */
  declare errno?: number;

  /**
   * @param message - what went wrong, for people
   * @param code - what went wrong, for programs
   */
  constructor(message: string, code: Blosc2ErrorCode) {
    super(message);
    this.code = code;
  }

  override get name(): string {
    return 'Blosc2Error';
  }
}

function describeItem(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 20 ? `${v.slice(0, 20)}...` : v}'`;
  if (v === null || typeof v !== 'object') return typeof v === 'function' ? 'a function' : String(v);
  return Array.isArray(v) ? '[...]' : '{...}';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}' of type string`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return `${String(value)} of type ${typeof value}`;
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map(describeItem);
    return `the array [${items.join(', ')}${value.length > 8 ? ', ...' : ''}]`;
  }
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor ? `an instance of ${ctor}` : 'an object';
}

/**
 * The one message shape for bad arguments:
 * "Expected <what it must be> for <name> but received <what it got>[<note>]".
 * @param note - appended as it is, e.g. "; did you mean 'clevel'?"
 * @internal
 */
export function invalidArg(name: string, expected: string, actual: unknown, note = ''): Blosc2Error {
  return new Blosc2Error(`Expected ${expected} for ${name} but received ${describe(actual)}${note}`, 'ERR_INVALID_ARG');
}

/** What a value is, without any of its content: for values that came from a peer or a store. */
function describeShape(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'object' || typeof value === 'function') return describe(value);
  return `a ${typeof value}`;
}

/**
 * A name read from decoded bytes (a dtype, a class name), for a message:
 * quoted when it is short printable ASCII, else described by its length, so
 * that an error never carries a peer's arbitrary bytes.
 * @internal
 */
export function quoteName(name: string): string {
  return /^[\x21-\x7e]{1,32}$/.test(name) ? `'${name}'` : `a ${name.length}-character name`;
}

/**
 * {@link invalidArg} for values that were received, not written by the caller
 * (a stream chunk, a posted message, a cache entry): the message says what
 * kind of value it is but never quotes it.
 * @internal
 */
export function invalidInput(name: string, expected: string, actual: unknown): Blosc2Error {
  return new Blosc2Error(`Expected ${expected} for ${name} but received ${describeShape(actual)}`, 'ERR_INVALID_ARG');
}

/**
 * Puts the caller's stack back on an error from async native work, whose own
 * stack starts in the event loop.
 * @internal
 */
export function withCallerStack(err: unknown, caller: Error): unknown {
  if (err instanceof Error && caller.stack) {
    const frames = caller.stack.split('\n').slice(1).join('\n');
    err.stack = `${err.name}: ${err.message}\n${frames}`;
  }
  return err;
}

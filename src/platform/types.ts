/**
 * The platform seam: what the library needs from its runtime beyond
 * ECMAScript (byte memory, randomness, transfer marks, the thread count,
 * timers, base64). Node's implementation is `node.ts`; browsers, Web Workers
 * and other runtimes without Node's built-ins get `web.ts` (the browser bundle
 * swaps one for the other, see scripts/build-browser.js).
 * @internal
 * @packageDocumentation
 */

/**
 * Byte memory the library hands out: a Node `Buffer` under Node (the API
 * returns Buffers there), a plain `Uint8Array` elsewhere. Library code uses
 * only Uint8Array's methods on it, and this seam's for the rest.
 */
export type Bytes = Buffer;

/** The predicates of Node's util.types that the structured clone walks use (src/clone/). */
export interface ValueTypes {
  isPromise(v: unknown): boolean;
  isWeakMap(v: unknown): boolean;
  isWeakSet(v: unknown): boolean;
  isGeneratorObject(v: unknown): boolean;
  isArgumentsObject(v: unknown): boolean;
  isModuleNamespaceObject(v: unknown): boolean;
  isExternal(v: unknown): boolean;
  isKeyObject(v: unknown): boolean;
  isCryptoKey(v: unknown): boolean;
  isMapIterator(v: unknown): boolean;
  isSetIterator(v: unknown): boolean;
  isProxy(v: unknown): boolean;
  isArrayBuffer(v: unknown): boolean;
  isSharedArrayBuffer(v: unknown): boolean;
  isDate(v: unknown): boolean;
  isRegExp(v: unknown): boolean;
  isMap(v: unknown): boolean;
  isSet(v: unknown): boolean;
  isNativeError(v: unknown): boolean;
  isBoxedPrimitive(v: unknown): boolean;
  isSymbolObject(v: unknown): boolean;
  isNumberObject(v: unknown): boolean;
  isStringObject(v: unknown): boolean;
  isBooleanObject(v: unknown): boolean;
}

export interface Platform {
  /** 'node' or 'web'. */
  readonly name: 'node' | 'web';
  /** n bytes, not zeroed where the runtime allows; small ones may share a pool (Node's allocUnsafe). */
  alloc(n: number): Bytes;
  /** n bytes in memory of their own (`byteOffset` 0, an ArrayBuffer of exactly n bytes), not zeroed where the runtime allows. */
  allocOwn(n: number): Bytes;
  /** Bytes over existing memory (no copy). */
  over(buffer: ArrayBufferLike, byteOffset: number, byteLength: number): Bytes;
  /** Whether a value is this runtime's Bytes class proper (a Node Buffer; never true in browsers). */
  isBuffer(value: unknown): boolean;
  /** The first index at or after `from` where `needle` occurs in `haystack`, or -1. */
  indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number;
  /** The pieces joined into new Bytes of `total` bytes. */
  concat(pieces: readonly Uint8Array[], total: number): Bytes;
  /** n cryptographically random bytes. */
  randomBytes(n: number): Uint8Array;
  /** Marks an ArrayBuffer so that a transfer list clones it instead of moving it (Node), or does nothing. */
  markUntransferable(buffer: ArrayBuffer): void;
  /** Whether a transfer list must leave this ArrayBuffer out (Node 21+ throws on such buffers). */
  isUntransferable(buffer: ArrayBuffer): boolean;
  /** The CPUs this process may use. */
  cpuCount(): number;
  /** An environment variable, or undefined where there is none (browsers). */
  env(name: string): string | undefined;
  /** Runs fn after ms without keeping the process alive for it. */
  later(fn: () => void, ms: number): void;
  /** Base64 of the bytes. */
  toBase64(bytes: Uint8Array): string;
  /** The bytes of a base64 string. */
  fromBase64(text: string): Bytes;
  /** What kind of built-in object a value is (Node's util.types, or the same from web-visible traits). */
  readonly types: ValueTypes;
  /** The runtime's host object classes that cannot be cloned, with their names for messages. */
  hostClasses(): Array<[unknown, string]>;
  /** A string as UTF-16LE code units (lone surrogates kept). */
  utf16le(s: string): Bytes;
  /** UTF-16LE code units back into a string. */
  fromUtf16le(bytes: Uint8Array): string;
}

/**
 * The platform seam without Node's built-ins: browsers, Web Workers, and any
 * runtime with only web APIs. Bytes are plain Uint8Arrays (zeroed: the web
 * has no uninitialised allocation), randomness from Web Crypto, no transfer
 * marks (the WebAssembly backend copies inputs before it returns, so nothing
 * reads an array after a call hands it back). See types.ts.
 * @internal
 * @packageDocumentation
 */
import type { Bytes, Platform, ValueTypes } from './types';

// In this build Bytes are Uint8Arrays; the type says Buffer for the Node build's API.
const bytes = (u: Uint8Array): Bytes => u as Bytes;

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  if (first === undefined) return from <= haystack.length ? from : -1;
  const last = haystack.length - needle.length;
  for (let at = haystack.indexOf(first, from); at >= 0 && at <= last; at = haystack.indexOf(first, at + 1)) {
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
  }
  return -1;
}

interface WebGlobals {
  crypto?: { getRandomValues(a: Uint8Array): Uint8Array };
  navigator?: { hardwareConcurrency?: number };
  btoa?: (s: string) => string;
  atob?: (s: string) => string;
}
const web = globalThis as unknown as WebGlobals;

// util.types from what the web can see: brands through Object.prototype.toString
// (a Symbol.toStringTag can fake them; a Proxy cannot be detected at all).
const tag = (v: unknown): string => Object.prototype.toString.call(v);
const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';
const brand = (name: string) => (v: unknown) => isObject(v) && tag(v) === `[object ${name}]`;
const instance = (name: string) => (v: unknown) => {
  const C = (globalThis as Record<string, unknown>)[name];
  return typeof C === 'function' && v instanceof (C as new () => unknown);
};
const isNumberObject = (v: unknown) => typeof v === 'object' && v !== null && tag(v) === '[object Number]' && v instanceof Number;
const isStringObject = (v: unknown) => typeof v === 'object' && v !== null && v instanceof String;
const isBooleanObject = (v: unknown) => typeof v === 'object' && v !== null && v instanceof Boolean;
const isSymbolObject = (v: unknown) => typeof v === 'object' && v !== null && v instanceof Symbol;
const isBigIntObject = (v: unknown) => typeof v === 'object' && v !== null && v instanceof BigInt;
const types: ValueTypes = {
  isPromise: instance('Promise'),
  isWeakMap: instance('WeakMap'),
  isWeakSet: instance('WeakSet'),
  isGeneratorObject: brand('Generator'),
  isArgumentsObject: brand('Arguments'),
  isModuleNamespaceObject: brand('Module'),
  isExternal: () => false,
  isKeyObject: () => false,
  isCryptoKey: instance('CryptoKey'),
  isMapIterator: brand('Map Iterator'),
  isSetIterator: brand('Set Iterator'),
  isProxy: () => false,
  isArrayBuffer: instance('ArrayBuffer'),
  isSharedArrayBuffer: instance('SharedArrayBuffer'),
  isDate: instance('Date'),
  isRegExp: instance('RegExp'),
  isMap: instance('Map'),
  isSet: instance('Set'),
  isNativeError: instance('Error'),
  isBoxedPrimitive: (v) => isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isSymbolObject(v) || isBigIntObject(v),
  isSymbolObject,
  isNumberObject,
  isStringObject,
  isBooleanObject,
};

export const platform: Platform = {
  name: 'web',
  alloc: (n) => bytes(new Uint8Array(n)),
  allocOwn: (n) => bytes(new Uint8Array(n)),
  over: (buffer, byteOffset, byteLength) => bytes(new Uint8Array(buffer, byteOffset, byteLength)),
  isBuffer: () => false,
  indexOf,
  concat: (pieces, total) => {
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of pieces) {
      out.set(p, at);
      at += p.byteLength;
    }
    return bytes(out);
  },
  randomBytes: (n) => {
    const out = new Uint8Array(n);
    if (!web.crypto) throw new Error('blosc2 needs Web Crypto (crypto.getRandomValues)');
    web.crypto.getRandomValues(out);
    return out;
  },
  markUntransferable: () => {},
  isUntransferable: () => false,
  cpuCount: () => web.navigator?.hardwareConcurrency ?? 1,
  env: () => undefined,
  later: (fn, ms) => {
    setTimeout(fn, ms);
  },
  toBase64: (u) => {
    let s = '';
    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
    return (web.btoa as (s: string) => string)(s);
  },
  fromBase64: (text) => {
    const s = (web.atob as (s: string) => string)(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return bytes(out);
  },
  types,
  hostClasses: () => [],
  utf16le: (s) => {
    const out = new Uint8Array(2 * s.length);
    const view = new DataView(out.buffer);
    for (let i = 0; i < s.length; i++) view.setUint16(2 * i, s.charCodeAt(i), true);
    return bytes(out);
  },
  fromUtf16le: (b) => {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let s = '';
    for (let i = 0; i + 1 < b.byteLength; i += 2) s += String.fromCharCode(view.getUint16(i, true));
    return s;
  },
};

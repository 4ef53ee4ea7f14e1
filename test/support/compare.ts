/**
 * The one way tests compare values: byte views of any binary value, and a
 * bit-exact deep comparison that says where two values differ.
 * Imports nothing from the library except NDArray, so any process can load it.
 */
import { NDArray } from '../../src/ndarray';

/** Anything that holds bytes: a view, a buffer, or an NDArray (its data). */
export type Bytes = ArrayBufferView | ArrayBufferLike | NDArray;

/** The bytes a value views (its own region only), as a Uint8Array over the same memory. */
export function bytesOf(value: Bytes): Uint8Array {
  if (value instanceof NDArray) return bytesOf(value.data);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(value);
}

/** A snapshot (copy) of the bytes a value views. */
export function copyBytes(value: Bytes): Uint8Array {
  return Uint8Array.from(bytesOf(value));
}

/** True when the two values view the same bytes (same length, same contents). */
export function sameBytes(a: Bytes, b: Bytes): boolean {
  const x = bytesOf(a);
  const y = bytesOf(b);
  return x.byteLength === y.byteLength && Buffer.compare(x, y) === 0;
}

function kindName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (Buffer.isBuffer(v)) return 'Buffer';
  return (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'null-prototype';
}

/**
 * Returns '' when `actual` equals `expected` with every array bit-exact (same
 * class, same byte length, same bytes; NDArray also same shape and dtype),
 * else a path and reason. Objects compare by own enumerable string keys,
 * Maps and Sets in insertion order, primitives with Object.is.
 */
export function diff(actual: unknown, expected: unknown, at = '$', seen = new Map<object, unknown>()): string {
  if (typeof expected !== 'object' || expected === null) {
    if (typeof expected === 'function') return `${at}: cannot compare functions`;
    return Object.is(actual, expected) ? '' : `${at}: ${String(actual)} !== ${String(expected)}`;
  }
  if (typeof actual !== 'object' || actual === null) return `${at}: got ${kindName(actual)}, want ${kindName(expected)}`;
  if (seen.get(expected) === actual) return '';
  seen.set(expected, actual);
  const ka = kindName(actual);
  const ke = kindName(expected);
  if (ka !== ke) return `${at}: got ${ka}, want ${ke}`;
  if (expected instanceof NDArray) {
    const a = actual as NDArray;
    if (a.dtype !== expected.dtype) return `${at}: dtype ${a.dtype} !== ${expected.dtype}`;
    if (a.shape.join(',') !== expected.shape.join(',')) return `${at}: shape [${a.shape.join(',')}] !== [${expected.shape.join(',')}]`;
    return diff(a.data, expected.data, `${at}.data`, seen);
  }
  if (ArrayBuffer.isView(expected) || expected instanceof ArrayBuffer || expected instanceof SharedArrayBuffer) {
    const a = bytesOf(actual as ArrayBufferView);
    const e = bytesOf(expected);
    if (!sameBytes(a, e)) {
      let i = 0;
      while (i < Math.min(a.byteLength, e.byteLength) && a[i] === e[i]) i++;
      return `${at}: ${a.byteLength} bytes vs ${e.byteLength}, first difference at byte ${i}`;
    }
    if (!(expected instanceof DataView) && ArrayBuffer.isView(expected)) {
      const la = (actual as { length: number }).length;
      const le = (expected as unknown as { length: number }).length;
      if (la !== le) return `${at}: length ${la} !== ${le}`;
    }
    return '';
  }
  if (expected instanceof Map) {
    const a = actual as Map<unknown, unknown>;
    if (a.size !== expected.size) return `${at}: Map size ${a.size} !== ${expected.size}`;
    const ea = [...a];
    let i = 0;
    for (const [k, v] of expected) {
      const pair = ea[i++] as [unknown, unknown];
      const d = diff(pair[0], k, `${at}.<key ${i - 1}>`, seen) || diff(pair[1], v, `${at}.get(${String(k)})`, seen);
      if (d) return d;
    }
    return '';
  }
  if (expected instanceof Set) {
    const a = [...(actual as Set<unknown>)];
    const e = [...expected];
    if (a.length !== e.length) return `${at}: Set size ${a.length} !== ${e.length}`;
    for (let i = 0; i < e.length; i++) {
      const d = diff(a[i], e[i], `${at}.<item ${i}>`, seen);
      if (d) return d;
    }
    return '';
  }
  if (expected instanceof Date) return (actual as Date).getTime() === expected.getTime() ? '' : `${at}: date differs`;
  if (expected instanceof RegExp) {
    const a = (actual as RegExp).toString();
    return a === String(expected) ? '' : `${at}: ${a} !== ${String(expected)}`;
  }
  if (expected instanceof Error) {
    const a = actual as Error;
    return a.message === expected.message && a.name === expected.name
      ? ''
      : `${at}: error ${a.name}: ${a.message} !== ${expected.name}: ${expected.message}`;
  }
  const ea = Object.keys(actual);
  const ee = Object.keys(expected);
  if (ea.length !== ee.length || ea.some((k, i) => k !== ee[i])) return `${at}: keys [${ea.join(',')}] !== [${ee.join(',')}]`;
  for (const k of ee) {
    const d = diff((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${at}.${k}`, seen);
    if (d) return d;
  }
  return '';
}

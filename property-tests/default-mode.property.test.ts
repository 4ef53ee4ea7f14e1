// The default mode never writes what it cannot read back (issue 14): for
// arbitrary values, pack either refuses with ERR_DATA_CLONE, exactly when the
// README's rules say so, or unpack gives the documented result (a model
// written here from the README, "What pack writes", independently of
// src/clone/check.ts).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { types } from 'node:util';
import { Blosc2Error, NDArray, Packer } from '../src/index';
import { cloneDiff } from '../test/support/clone-compare';
import { cloneableValue } from '../test/support/clone-values';

const REFUSED = Symbol('refused');
const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
const toWellFormed = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed();

/** What the default options give back for v (README "What pack writes"), or REFUSED. */
function expected(v: unknown, path: Set<object> = new Set()): unknown {
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? 0 : v;
    case 'string':
      return toWellFormed(v);
    case 'bigint':
      return v < INT64_MIN || v >= UINT64_END ? REFUSED : v;
    case 'object':
      break;
    default:
      return v;
  }
  if (v === null) return null;
  if (path.has(v)) return REFUSED; // a cycle
  path.add(v);
  try {
    return expectedObject(v, path);
  } finally {
    path.delete(v);
  }
}

function bytesCopy(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

function expectedObject(v: object, path: Set<object>): unknown {
  if (types.isNativeError(v) || types.isRegExp(v) || types.isBoxedPrimitive(v)) return REFUSED;
  if (types.isDate(v)) return new Date(v.getTime());
  if (v instanceof NDArray) return v;
  if (types.isArrayBuffer(v)) return v.slice(0);
  if (types.isSharedArrayBuffer(v)) {
    const copy = new SharedArrayBuffer(v.byteLength);
    new Uint8Array(copy).set(new Uint8Array(v));
    return copy;
  }
  if (ArrayBuffer.isView(v)) {
    // Only the bytes it views, in new memory of its own.
    const own = bytesCopy(v).buffer;
    return v instanceof DataView ? new DataView(own) : new (v.constructor as Uint8ArrayConstructor)(own);
  }
  const all = (xs: unknown[]): unknown[] | typeof REFUSED => {
    const out = xs.map((x) => expected(x, path));
    return out.includes(REFUSED) ? REFUSED : out;
  };
  if (Array.isArray(v)) return all(Array.from({ length: v.length }, (_, i): unknown => (v as unknown[])[i])); // holes read as undefined
  if (types.isSet(v)) return all([...v]);
  if (types.isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) {
      if ((typeof k === 'object' && k !== null) || expected(k) === REFUSED) return REFUSED;
      const key = String(k);
      if (key === '__proto__' || !wellFormed(key) || Object.hasOwn(out, key)) return REFUSED;
      const e = expected(x, path);
      if (e === REFUSED) return REFUSED;
      out[key] = e;
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    if (k === '__proto__' || !wellFormed(k)) return REFUSED;
    const e = expected((v as Record<string, unknown>)[k], path);
    if (e === REFUSED) return REFUSED;
    out[k] = e;
  }
  return out;
}

describe('the default mode', () => {
  const packer = new Packer();

  it('property: pack refuses (ERR_DATA_CLONE) exactly what the README says, and unpack gives the documented result for the rest', () => {
    let refused = 0;
    let kept = 0;
    fc.assert(
      fc.property(cloneableValue(), (value) => {
        const want = expected(value);
        let message: Buffer | undefined;
        let caught: unknown;
        try {
          message = packer.pack(value);
        } catch (err) {
          caught = err;
        }
        if (want === REFUSED) {
          refused++;
          expect(caught, 'pack should refuse this value').toBeInstanceOf(Blosc2Error);
          expect((caught as Blosc2Error).code).toBe('ERR_DATA_CLONE');
          expect((caught as Blosc2Error).message).toMatch(/^cannot pack value/);
          return;
        }
        kept++;
        expect(caught).toBeUndefined();
        const d = cloneDiff(packer.unpack(message as Buffer), want, { identity: false });
        if (d) throw new Error(d);
      }),
      { numRuns: 500 },
    );
    // Both outcomes were exercised.
    expect(refused).toBeGreaterThan(50);
    expect(kept).toBeGreaterThan(50);
  });
});

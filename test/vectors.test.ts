/**
 * Wire-format test vectors (FORMAT.md, "Test vectors"). Each test/vectors/*.json
 * holds a value description and the exact bytes of its message:
 * - direction "both": pack(value, options) must produce exactly those bytes, and
 *   unpack(bytes) must give the value back;
 * - direction "decode": bytes written by another implementation (python-blosc2);
 *   unpack(bytes) must give the value.
 * A vector changes only with a format version bump (FORMAT.md, "Versioning").
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NDArray, type PackOptions, pack, packOutOfBand, unpack, unpackOutOfBand } from '../src/index';

const DIR = path.join(__dirname, 'vectors');

/** How a vector file describes a value (JSON cannot hold typed arrays). */
type Spec =
  | null
  | boolean
  | number
  | string
  | Spec[]
  | { [key: string]: Spec };

interface Vector {
  name: string;
  description: string;
  call: 'pack' | 'packOutOfBand';
  direction: 'both' | 'decode';
  options: PackOptions;
  value: Spec;
  hex: string;
  buffers?: string[];
}

type Ctor = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): ArrayBufferView & { length: number };
  BYTES_PER_ELEMENT: number;
  from(items: ArrayLike<unknown>): ArrayBufferView;
};

function ctorNamed(name: string): Ctor {
  const ctor = (globalThis as unknown as Record<string, unknown>)[name];
  if (typeof ctor !== 'function') throw new Error(`vector names an unknown class ${name}`);
  return ctor as Ctor;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function bytesOf(view: ArrayBufferView | ArrayBufferLike): Buffer {
  return ArrayBuffer.isView(view) ? Buffer.from(view.buffer, view.byteOffset, view.byteLength) : Buffer.from(view);
}

function typedFrom(name: string, spec: { [key: string]: Spec }): ArrayBufferView {
  const ctor = ctorNamed(name);
  if (typeof spec['bytes'] === 'string') {
    const u = hexBytes(spec['bytes']);
    return new ctor(u.buffer, 0, u.byteLength / ctor.BYTES_PER_ELEMENT);
  }
  const values = spec['values'] as Array<number | string>;
  return ctor.from(values.map((v) => (typeof v === 'string' ? BigInt(v) : v)));
}

/** Builds the JS value a spec describes. */
function fromSpec(spec: Spec): unknown {
  if (spec === null || typeof spec !== 'object') return spec;
  if (Array.isArray(spec)) return spec.map(fromSpec);
  const type = spec['$type'];
  if (type === undefined) return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, fromSpec(v)]));
  switch (type) {
    case 'NDArray':
      return new NDArray(typedFrom(spec['ctor'] as string, spec) as never, spec['shape'] as number[], spec['dtype'] as string);
    case 'Buffer':
      return Buffer.from(spec['bytes'] as string, 'hex');
    case 'DataView':
      return new DataView(hexBytes(spec['bytes'] as string).buffer);
    case 'ArrayBuffer':
      return hexBytes(spec['bytes'] as string).buffer;
    case 'views': {
      const ab = hexBytes(spec['buffer'] as string).buffer;
      return (spec['views'] as Array<{ [key: string]: Spec }>).map(
        (v) => new (ctorNamed(v['ctor'] as string))(ab, v['byteOffset'] as number, v['length'] as number),
      );
    }
    default:
      return typedFrom(type as string, spec);
  }
}

/** Asserts that a decoded value is exactly what the spec describes (class, shape, dtype, bytes). */
function expectMatches(actual: unknown, spec: Spec, where: string): void {
  if (spec === null || typeof spec !== 'object') {
    expect(actual, where).toStrictEqual(spec);
    return;
  }
  if (Array.isArray(spec)) {
    expect(Array.isArray(actual), where).toBe(true);
    const arr = actual as unknown[];
    expect(arr.length, where).toBe(spec.length);
    spec.forEach((s, i) => expectMatches(arr[i], s, `${where}[${i}]`));
    return;
  }
  const type = spec['$type'];
  const want = fromSpec(spec);
  if (type === undefined) {
    expect(typeof actual === 'object' && actual !== null && !Array.isArray(actual), where).toBe(true);
    const obj = actual as Record<string, unknown>;
    expect(Object.keys(obj).sort(), where).toEqual(Object.keys(spec).sort());
    for (const [k, s] of Object.entries(spec)) expectMatches(obj[k], s, `${where}.${k}`);
    return;
  }
  if (type === 'NDArray') {
    expect(actual, where).toBeInstanceOf(NDArray);
    const a = actual as NDArray;
    const w = want as NDArray;
    expect(a.data.constructor.name, where).toBe(w.data.constructor.name);
    expect([...a.shape], where).toEqual([...w.shape]);
    expect(a.dtype, where).toBe(w.dtype);
    expect(bytesOf(a.data).equals(bytesOf(w.data)), `${where}: items`).toBe(true);
    return;
  }
  if (type === 'views') {
    const views = actual as ArrayBufferView[];
    const wanted = want as ArrayBufferView[];
    expect(views.length, where).toBe(wanted.length);
    views.forEach((v, i) => {
      const w = wanted[i] as ArrayBufferView;
      expect(v.constructor.name, where).toBe(w.constructor.name);
      expect([v.byteOffset, v.byteLength], where).toEqual([w.byteOffset, w.byteLength]);
      // The views still share one buffer, with the whole buffer's bytes.
      expect(v.buffer, `${where}: shared buffer`).toBe(views[0]?.buffer);
      expect(bytesOf(v.buffer).equals(bytesOf(w.buffer)), `${where}: buffer bytes`).toBe(true);
    });
    return;
  }
  if (type === 'ArrayBuffer') {
    expect(actual, where).toBeInstanceOf(ArrayBuffer);
  } else if (type === 'Buffer') {
    expect(Buffer.isBuffer(actual), where).toBe(true);
  } else {
    expect((actual as object).constructor.name, where).toBe(type);
  }
  expect(bytesOf(actual as ArrayBufferView).equals(bytesOf(want as ArrayBufferView)), `${where}: bytes`).toBe(true);
}

const vectors: Vector[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Vector);

describe('wire-format test vectors', () => {
  it('are all there (a vector is never deleted, FORMAT.md "Versioning")', () => {
    const names = vectors.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining([
      'raw-int16-in-map', 'raw-ndarray-2x3-float32', 'raw-dataview', 'frame-float64-threshold0',
      'view-structuredclone-two-views', 'oob-raw-float64', 'oob-frame-float64', 'python-ndarray-2x3-int32',
    ]));
    expect(vectors.length).toBeGreaterThanOrEqual(20);
  });

  for (const v of vectors) {
    describe(v.name, () => {
      if (v.direction === 'both') {
        it('pack(value) produces exactly the vector bytes', () => {
          const value = fromSpec(v.value);
          if (v.call === 'packOutOfBand') {
            const r = packOutOfBand(value, { ...v.options });
            expect(r.message.toString('hex')).toBe(v.hex);
            expect(r.buffers.map((b) => bytesOf(b).toString('hex'))).toEqual(v.buffers);
          } else {
            expect(pack(value, { ...v.options }).toString('hex')).toBe(v.hex);
          }
        });
      }
      it('unpack(vector bytes) gives the value', () => {
        const bytes = hexBytes(v.hex);
        const options = { ...v.options };
        const value =
          v.call === 'packOutOfBand'
            ? unpackOutOfBand(bytes, (v.buffers ?? []).map(hexBytes), options)
            : unpack(bytes, options);
        expectMatches(value, v.value, v.name);
      });
    });
  }

  it('frames are byte-identical across calls with nthreads 1 (so the frame vectors can be exact)', () => {
    const data = new Float64Array(200_000).map((_, i) => Math.sin(i) * 1000);
    const options = { threshold: 0, nthreads: 1, codec: 'zstd' as const };
    expect(pack(data, options).equals(pack(data.slice(), options))).toBe(true);
  });
});

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
import { type DType, NDArray, type PackOptions, pack, packOutOfBand, unpack, unpackOutOfBand } from '../src/index';
import { cloneDiff } from './support/clone-compare';
import { extAt, readUintBE as be, readUintLE as le } from './support/bytes';
import { bytesOf, sameBytes } from './support/compare';

const DIR = path.join(__dirname, 'vectors');

/** How a vector file describes a value (JSON cannot hold typed arrays). */
type Spec = null | boolean | number | string | Spec[] | { [key: string]: Spec };

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
      return new NDArray(typedFrom(spec['ctor'] as string, spec) as never, spec['shape'] as number[], spec['dtype'] as DType);
    case 'Buffer':
      return Buffer.from(spec['bytes'] as string, 'hex');
    case 'DataView':
      return new DataView(hexBytes(spec['bytes'] as string).buffer);
    case 'ArrayBuffer':
      return hexBytes(spec['bytes'] as string).buffer;
    case 'js':
      // A structuredClone vector: a JS expression (cycles, Maps, Errors... JSON cannot describe).
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the vector's own expression, in this realm (its prototypes)
      return (new Function(`return (${spec['code'] as string});`) as () => unknown)();
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
  if (type === 'js') {
    expect(cloneDiff(actual, want), where).toBe('');
    return;
  }
  if (type === 'NDArray') {
    expect(actual, where).toBeInstanceOf(NDArray);
    const a = actual as NDArray;
    const w = want as NDArray;
    expect(a.data.constructor.name, where).toBe(w.data.constructor.name);
    expect([...a.shape], where).toEqual([...w.shape]);
    expect(a.dtype, where).toBe(w.dtype);
    expect(sameBytes(a.data, w.data), `${where}: items`).toBe(true);
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
      expect(sameBytes(v.buffer, w.buffer), `${where}: buffer bytes`).toBe(true);
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
  expect(sameBytes(actual as ArrayBufferView, want as ArrayBufferView), `${where}: bytes`).toBe(true);
}

// ---------------------------------------------------------------------------
// A decoder written from FORMAT.md alone (no library code): it reads ext 80
// records and single-chunk verbatim ext 42 frames, which is what the small
// vectors hold. It shows that the spec says enough to decode them.

interface SpecArray {
  kind: number | 'frame' | 'numpy';
  dtype: string;
  shape: number[];
  items: Uint8Array;
  js: string | null;
}

const DTYPE_OF_CODE = ['', '|i1', '|u1', '|u1', '<i2', '<u2', '<i4', '<u4', '<f4', '<f8', '<i8', '<u8', '<f2'];
const ITEMSIZE_OF_CODE = [0, 1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8, 2];

/** FORMAT.md "ext 80: raw record". */
function specRaw(p: Uint8Array): SpecArray {
  const kind = (p[0] as number) >> 4;
  const code = (p[0] as number) & 15;
  let at = 1;
  let shape: number[] = [];
  let dtype = DTYPE_OF_CODE[code] as string;
  if (kind === 5) {
    const ndim = p[at++] as number;
    for (let d = 0; d < ndim; d++) {
      let v = 0;
      let scale = 1;
      for (;;) {
        const byte = p[at++] as number;
        v += (byte & 0x7f) * scale;
        scale *= 128;
        if (byte < 0x80) break;
      }
      shape.push(v);
    }
    const len = p[at++] as number;
    dtype = Buffer.from(p.subarray(at, at + len)).toString('latin1');
    at += len;
  } else {
    shape = [(p.length - 1) / (ITEMSIZE_OF_CODE[code] as number)];
  }
  return { kind, dtype, shape, items: p.subarray(at), js: null };
}

/** FORMAT.md "ext 42" + the annotated frame: one verbatim chunk. */
function specFrame(f: Uint8Array): SpecArray {
  expect(Buffer.from(f.subarray(2, 10)).toString('latin1')).toBe('b2frame\0');
  const headerSize = be(f, 0x0b, 4);
  expect(be(f, 0x10, 8)).toBe(f.length);
  const dataBytes = be(f, 0x27, 8);
  const typesize = be(f, 0x30, 4);
  // Metalayers: 93 cd <size> de <n> (fixstr name, d2 offset)* then the contents.
  expect([f[0x57], f[0x58], f[0x5b]]).toEqual([0x93, 0xcd, 0xde]);
  const metas = new Map<string, Uint8Array>();
  let at = 0x5e;
  for (let m = be(f, 0x5c, 2); m > 0; m--) {
    const n = (f[at] as number) & 0x1f;
    const name = Buffer.from(f.subarray(at + 1, at + 1 + n)).toString('latin1');
    const off = be(f, at + 2 + n, 4);
    expect(f[off]).toBe(0xc6); // bin32
    metas.set(name, f.subarray(off + 5, off + 5 + be(f, off + 1, 4)));
    at += 1 + n + 5;
  }
  // b2nd: 97 00 ndim 9X (d3 int64)* 9X (d2)* 9X (d2)* 00 db len dtype
  const b2nd = metas.get('b2nd') as Uint8Array;
  const ndim = b2nd[2] as number;
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(be(b2nd, 4 + 9 * d + 1, 8));
  const dtypeAt = 4 + 9 * ndim + 2 * (1 + 5 * ndim) + 1;
  expect(b2nd[dtypeAt]).toBe(0xdb);
  const dtype = Buffer.from(b2nd.subarray(dtypeAt + 5, dtypeAt + 5 + be(b2nd, dtypeAt + 1, 4))).toString('latin1');
  const jsMeta = metas.get('js');
  const js = jsMeta ? Buffer.from(jsMeta.subarray(1)).toString('latin1') : null;
  // The offsets index follows the data chunks; chunk 0 starts at headerSize + its offset.
  const index = headerSize + dataBytes;
  expect((f[index + 2] as number) & 0x02, 'the index chunk is verbatim').toBe(0x02);
  const chunk = headerSize + le(f, index + 32, 8);
  expect((f[chunk + 2] as number) & 0x02, 'the data chunk is verbatim').toBe(0x02);
  const nitems = shape.reduce((a, b) => a * b, 1);
  return { kind: 'frame', dtype, shape, items: f.subarray(chunk + 32, chunk + 32 + nitems * typesize), js };
}

/** FORMAT.md "ext 46: NumPy record": a map of fixstr keys dtype, shape, js?, data. */
function specNumpy(p: Uint8Array): SpecArray {
  let at = 0;
  const str = (): string => {
    const n = (p[at] as number) & 0x1f;
    expect((p[at] as number) & 0xe0, 'a fixstr').toBe(0xa0);
    const s = Buffer.from(p.subarray(at + 1, at + 1 + n)).toString('latin1');
    at += 1 + n;
    return s;
  };
  const uint = (): number => {
    const b = p[at++] as number;
    if (b < 0x80) return b;
    const n = b === 0xcc ? 1 : b === 0xcd ? 2 : 4;
    at += n;
    return be(p, at - n, n);
  };
  const out: SpecArray = { kind: 'numpy', dtype: '', shape: [], items: new Uint8Array(0), js: null };
  const entries = (p[at++] as number) & 0x0f;
  for (let e = 0; e < entries; e++) {
    const key = str();
    if (key === 'dtype') {
      expect(p[at++]).toBe(0x81);
      expect(str()).toBe('str');
      out.dtype = str();
    } else if (key === 'shape') {
      const ndim = (p[at++] as number) & 0x0f;
      for (let d = 0; d < ndim; d++) out.shape.push(uint());
    } else if (key === 'js') {
      out.js = str();
    } else {
      expect(key).toBe('data');
      const b = p[at++] as number;
      const n = b === 0xc4 ? 1 : b === 0xc5 ? 2 : 4;
      const len = be(p, at, n);
      out.items = p.subarray(at + n, at + n + len);
      at += n + len;
    }
  }
  expect(at).toBe(p.length);
  return out;
}

/** Reads `ext` (c7/c8/c9) or a one-key map (fixmap 81 / map16 de 0001, fixstr key) holding one. */
function specMessage(m: Uint8Array): SpecArray {
  let at = 0;
  if (m[0] === 0x81) at = 1;
  else if (m[0] === 0xde) at = 3;
  if (at > 0) at += 1 + ((m[at] as number) & 0x1f); // the key
  expect([0xc7, 0xc8, 0xc9], 'an ext8/16/32 record').toContain(m[at]);
  const { type, start, length } = extAt(m, at);
  const payload = m.subarray(start, start + length);
  expect(start + length).toBe(m.length);
  return type === 80 ? specRaw(payload) : type === 46 ? specNumpy(payload) : specFrame(payload);
}

const SPEC_DECODABLE = [
  'raw-int16-in-map',
  'raw-ndarray-2x3-float32',
  'raw-dataview',
  'raw-buffer',
  'raw-arraybuffer',
  'raw-bigint64',
  'raw-uint8clamped',
  'raw-empty-float32',
  'raw-ndarray-0d',
  'raw-ndarray-bool-varint-dim',
  'frame-float64-threshold0',
  'frame-ndarray-2x3-int32',
  'frame-clevel0-int32',
  'frame-ndarray-uint8clamped-jskind',
  'python-ndarray-2x3-int32',
  'numpy-int16-in-map',
  'numpy-ndarray-2x3-float32',
  'numpy-buffer',
  'numpy-uint8clamped',
  'numpy-ndarray-0d-float64',
  'numpy-bigint64-300',
];

const vectors: Vector[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Vector);

describe('wire-format test vectors', () => {
  it('are all there (a vector is never deleted, FORMAT.md "Versioning")', () => {
    const names = vectors.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'raw-int16-in-map',
        'raw-ndarray-2x3-float32',
        'raw-dataview',
        'frame-float64-threshold0',
        'view-structuredclone-two-views',
        'oob-raw-float64',
        'oob-frame-float64',
        'python-ndarray-2x3-int32',
      ]),
    );
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
            expect(r.buffers.map((b) => Buffer.from(bytesOf(b)).toString('hex'))).toEqual(v.buffers);
          } else {
            expect(pack(value, { ...v.options }).toString('hex')).toBe(v.hex);
          }
        });
      }
      it('unpack(vector bytes) gives the value', () => {
        const bytes = hexBytes(v.hex);
        const options = { ...v.options };
        const value =
          v.call === 'packOutOfBand' ? unpackOutOfBand(bytes, (v.buffers ?? []).map(hexBytes), options) : unpack(bytes, options);
        expectMatches(value, v.value, v.name);
      });
    });
  }

  it.each(SPEC_DECODABLE)('%s decodes by FORMAT.md alone', (name) => {
    const v = vectors.find((x) => x.name === name) as Vector;
    expect(v).toBeDefined();
    const got = specMessage(hexBytes(v.hex));
    // What the vector says the value is, seen through the spec's eyes.
    const spec = (
      v.value !== null && typeof v.value === 'object' && !Array.isArray(v.value) && v.value['$type'] === undefined
        ? Object.values(v.value)[0]
        : v.value
    ) as { [key: string]: Spec };
    const want = fromSpec(spec);
    const type = spec['$type'] as string;
    const data = want instanceof NDArray ? want.data : (want as ArrayBufferView | ArrayBuffer);
    expect(sameBytes(got.items, data), 'items').toBe(true);
    if (got.kind === 'numpy') {
      // No js key: an NDArray of the dtype's class; else the JS class or byte kind.
      expect(got.js).toBe(want instanceof NDArray ? null : type);
      if (want instanceof NDArray) expect([got.dtype, got.shape]).toEqual([want.dtype, [...want.shape]]);
    } else if (want instanceof NDArray) {
      expect(got.dtype).toBe(want.dtype);
      expect(got.shape).toEqual([...want.shape]);
      expect(got.kind === 'frame' ? got.js : got.kind).toBe(
        got.kind === 'frame' ? (want.data instanceof Uint8ClampedArray ? 'NDArray:Uint8ClampedArray' : null) : 5,
      );
    } else if (got.kind === 'frame') {
      expect(got.js).toBe(type);
    } else {
      const kinds: Record<string, number> = { Buffer: 1, DataView: 2, ArrayBuffer: 3 };
      expect(got.kind).toBe(kinds[type] ?? 0);
    }
  });

  it('frames are byte-identical across calls with nthreads 1 (so the frame vectors can be exact)', () => {
    const data = new Float64Array(200_000).map((_, i) => Math.sin(i) * 1000);
    const options = { threshold: 0, nthreads: 1, codec: 'zstd' as const };
    expect(pack(data, options).equals(pack(data.slice(), options))).toBe(true);
  });
});

// ext 46 (FORMAT.md "ext 46: NumPy record"): small arrays written in
// python-blosc2's own NumPy record with our js key, read back as the same JS
// kind; python-blosc2's records (no js key, other key orders and int forms)
// read as NDArrays; hand-made bad records refused with a stable code.
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import fc from 'fast-check';
import { Blosc2Error, type Blosc2ErrorCode, NDArray, NUMPY_EXT, Packer, RAW_EXT, pack, unpack } from '../src/index';
import { extTypesIn } from './support/bytes';
import { diff } from './support/compare';
import { TYPED_CTORS, makeTyped } from './support/data';

const plain = new Packr({ useRecords: false });

/** An ext 46 record around the msgpack map m (what python-blosc2 writes, or a hand-made one). */
function numpy(m: Record<string, unknown>): Buffer {
  const payload = Buffer.from(plain.pack(m));
  const head =
    payload.length < 0x100
      ? Buffer.from([0xc7, payload.length, NUMPY_EXT])
      : Buffer.from([0xc8, payload.length >> 8, payload.length & 0xff, NUMPY_EXT]);
  return Buffer.concat([head, payload]);
}

function expectCode(fn: () => unknown, code: Blosc2ErrorCode, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Blosc2Error);
  expect((caught as Blosc2Error).code).toBe(code);
  if (message) expect((caught as Blosc2Error).message).toMatch(message);
}

describe('ext 46 written for small arrays', () => {
  it('every kind round-trips as ext 46 and keeps its class, with and without zeroCopy', () => {
    const sab = new SharedArrayBuffer(8);
    new Uint8Array(sab).set([1, 2, 3, 4, 5, 6, 7, 8]);
    const value = {
      typed: TYPED_CTORS.map((ctor, i) => makeTyped(ctor, 7, i + 1)),
      buf: Buffer.from('numpy'),
      dv: new DataView(makeTyped(Uint8Array, 20, 2).buffer, 3, 9),
      ab: makeTyped(Uint8Array, 12, 3).buffer,
      sab,
      nd: new NDArray(makeTyped(Int16Array, 24, 4), [2, 3, 4]),
      nd0: new NDArray(new Float64Array([1.5]), []),
      ndEmpty: new NDArray(new Float32Array(0), [3, 0]),
      ndBool: new NDArray(new Uint8Array([1, 0, 1]), [3], '|b1'),
      ndClamped: new NDArray(new Uint8ClampedArray([0, 128, 255, 7]), [2, 2], '|u1'),
      empty: new Int32Array(0),
    };
    const m = pack(value);
    expect(new Set(extTypesIn(m))).toEqual(new Set([NUMPY_EXT]));
    expect(diff(unpack(m), value)).toBe('');
    const zc = new Packer({ zeroCopy: true });
    expect(diff(zc.unpack(m), value)).toBe('');
  });

  it('costs a few dozen bytes per array over the compact raw record', () => {
    const v = new Float32Array(16);
    const numpyBytes = pack(v).length;
    const compactBytes = pack(v, { smallArrays: 'compact' }).length;
    expect(extTypesIn(pack(v, { smallArrays: 'compact' }))).toEqual([RAW_EXT]);
    expect(numpyBytes - compactBytes).toBeGreaterThan(20);
    expect(numpyBytes - compactBytes).toBeLessThan(60);
  });

  it('smallArrays takes only its two names', () => {
    for (const bad of ['raw', 'NUMPY', 1, true, null]) {
      expectCode(() => new Packer({ smallArrays: bad as never }), 'ERR_INVALID_ARG', /options\.smallArrays/);
    }
    // With structuredClone the default is the compact record.
    const sc = new Packer({ structuredClone: true });
    expect(extTypesIn(sc.pack({ a: new Int8Array(3) }))).not.toContain(NUMPY_EXT);
  });

  it('property: any TypedArray or NDArray under the threshold round-trips bit-exact through ext 46', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPED_CTORS),
        fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (ctor, shape, seed, asNd) => {
          const size = shape.reduce((a, b) => a * b, 1);
          const data = makeTyped(ctor, size, seed);
          const value = asNd ? new NDArray(data, shape) : data;
          const m = pack({ v: value });
          expect(extTypesIn(m)).toEqual([NUMPY_EXT]);
          expect(diff(unpack(m), { v: value })).toBe('');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ext 46 as python-blosc2 writes it', () => {
  const items = new Int32Array([1, 2, 3, 4, 5, 6]);
  const data = Buffer.from(items.buffer);

  it('without js, in python key order or any other, is an NDArray', () => {
    for (const m of [
      { dtype: { str: '<i4' }, shape: [2, 3], data },
      { data, shape: [2, 3], dtype: { str: '<i4' } },
      { shape: [2, 3], dtype: { str: '<i4' }, data },
    ]) {
      const r = unpack(numpy(m)) as NDArray;
      expect(r).toBeInstanceOf(NDArray);
      expect([...r.shape]).toEqual([2, 3]);
      expect([...r.data]).toEqual([...items]);
    }
  });

  it('with extra keys or uncommon forms, read the generic way', () => {
    const r = unpack(numpy({ dtype: { str: '<i4', extra: 1 }, shape: [2, 3], data, note: 'x' })) as NDArray;
    expect([...r.data]).toEqual([...items]);
  });

  it('object arrays, structured dtypes and dtypes JS cannot hold are ERR_UNSUPPORTED', () => {
    expectCode(() => unpack(numpy({ values: [1, 'a'], shape: [2] })), 'ERR_UNSUPPORTED', /object arrays/);
    expectCode(() => unpack(numpy({ dtype: { str: '>i4' }, shape: [6], data })), 'ERR_UNSUPPORTED');
    expectCode(() => unpack(numpy({ dtype: { str: '<c16' }, shape: [1], data: Buffer.alloc(16) })), 'ERR_UNSUPPORTED');
    expectCode(() => unpack(numpy({ dtype: { str: '<i4' }, shape: [1, 1, 1, 1, 1, 1, 1, 1, 6], data })), 'ERR_UNSUPPORTED', /dimensions/);
  });

  it('records that disagree with themselves are ERR_CORRUPT', () => {
    const cases: Array<Record<string, unknown>> = [
      { dtype: { str: '<i4' }, shape: [5], data },
      { dtype: { str: '<i4' }, shape: [2, -3], data },
      { dtype: { str: '<i4' }, shape: [2.5], data },
      { dtype: { str: '<i4' }, shape: 6, data },
      { dtype: { descr: [['a', '<i4']] }, shape: [6], data },
      { dtype: '<i4', shape: [6], data },
      { dtype: { str: '<i4' }, shape: [6], data: 'bytes' },
      { dtype: { str: '<i4' }, shape: [6] },
      { dtype: { str: '<i4' }, shape: [6], data, js: 'Float64Array' },
      { dtype: { str: '<i4' }, shape: [6], data, js: 'NDArray:Float64Array' },
      { dtype: { str: '<i4' }, shape: [6], data, js: 7 },
      { dtype: { str: '<i4' }, shape: [2 ** 40, 2 ** 40], data },
    ];
    for (const m of cases) expectCode(() => unpack(numpy(m)), 'ERR_CORRUPT');
    expectCode(() => unpack(numpy({ dtype: { str: '<i4' }, shape: [6], data, js: 'Int33Array' })), 'ERR_UNSUPPORTED');
    expectCode(() => unpack(Buffer.from([0xc7, 2, NUMPY_EXT, 0x81, 0xc1])), 'ERR_CORRUPT');
    expectCode(() => unpack(Buffer.from([0xc7, 1, NUMPY_EXT, 0x93])), 'ERR_CORRUPT');
  });

  it('counts against maxOutputBytes', () => {
    expectCode(() => new Packer({ maxOutputBytes: 20 }).unpack(numpy({ dtype: { str: '<i4' }, shape: [6], data })), 'ERR_MAX_OUTPUT');
  });
});

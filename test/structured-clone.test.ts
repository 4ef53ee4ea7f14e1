// structuredClone mode (issues 3, 14): the object graph survives as
// structuredClone keeps it (cycles, shared references, Map, Set, Date, RegExp,
// Error, BigInt, undefined) and views over one ArrayBuffer come back over one
// ArrayBuffer; a Buffer travels as its own bytes. The property tests
// (property-tests/clone.property.test.ts) compare with structuredClone itself.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLD, NDArray, Packer, pack, unpack } from '../src/index';
import { diff } from './support/compare';
import { TYPED_CTORS, makeTyped } from './support/data';

const sc = new Packer({ structuredClone: true });
const scFramed = new Packer({ structuredClone: true, threshold: 0 });

describe('structuredClone: the object graph', () => {
  it('cycles and shared references stay cycles and shared references', () => {
    const shared = { name: 'shared', data: new Float64Array([1, 2, 3]) };
    const root: Record<string, unknown> = { a: shared, b: shared, list: [shared, shared] };
    root['self'] = root;
    (shared as Record<string, unknown>)['back'] = root;
    for (const packer of [sc, scFramed]) {
      const r = packer.unpack(packer.pack(root)) as Record<string, unknown> & { a: typeof shared & { back: unknown }; list: unknown[] };
      expect(r['self']).toBe(r);
      expect(r['b']).toBe(r.a);
      expect(r.list[0]).toBe(r.a);
      expect(r.list[1]).toBe(r.a);
      expect(r.a.back).toBe(r);
      expect(diff(r.a.data, shared.data)).toBe('');
    }
  });

  it('Map, Set, Date, RegExp, Error, BigInt and undefined', () => {
    const err = new RangeError('out of range');
    const key = { k: 1 };
    const value = {
      map: new Map<unknown, unknown>([
        ['x', 1],
        [2, new Int32Array([5, 6])],
        [key, 'object key'],
      ]),
      set: new Set<unknown>([1, 'two', key]),
      date: new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
      re: /a+b?\d/giu,
      err,
      plainErr: new Error('plain'),
      big: 2n ** 70n + 1n,
      negBig: -(2n ** 63n),
      undef: undefined,
      arr: [undefined, 1, undefined],
    };
    const r = sc.unpack(sc.pack(value)) as typeof value;
    expect(r.map).toBeInstanceOf(Map);
    expect(r.map.get('x')).toBe(1);
    expect(diff(r.map.get(2), new Int32Array([5, 6]))).toBe('');
    const rKey = [...r.map.keys()][2];
    expect(rKey).toEqual(key);
    expect(r.set).toBeInstanceOf(Set);
    // The object is one object whether reached through the Map or the Set.
    expect([...r.set][2]).toBe(rKey);
    expect(r.date).toBeInstanceOf(Date);
    expect(r.date.getTime()).toBe(value.date.getTime());
    expect(r.re).toBeInstanceOf(RegExp);
    expect(r.re.source).toBe(value.re.source);
    expect(r.re.flags).toBe(value.re.flags);
    expect(r.err).toBeInstanceOf(Error);
    expect(r.err.message).toBe('out of range');
    expect(r.err.name).toBe('RangeError');
    expect(r.plainErr.message).toBe('plain');
    expect(r.big).toBe(2n ** 70n + 1n);
    expect(r.negBig).toBe(-(2n ** 63n));
    expect('undef' in r).toBe(true);
    expect(r.undef).toBeUndefined();
    expect(r.arr).toEqual([undefined, 1, undefined]);
    expect(r.arr).toHaveLength(3);
  });

  it('the module functions with structuredClone: true', () => {
    const options = { structuredClone: true };
    const o: Record<string, unknown> = { a: new Uint16Array([1, 2, 3]) };
    o['me'] = o;
    const r = unpack(pack(o, options), options) as Record<string, unknown>;
    expect(r['me']).toBe(r);
    expect(diff(r['a'], o['a'])).toBe('');
  });
});

describe('structuredClone: arrays', () => {
  it('every TypedArray kind, below and above the threshold', () => {
    for (const ctor of TYPED_CTORS) {
      for (const bytes of [16, DEFAULT_THRESHOLD + 64]) {
        const a = makeTyped(ctor, Math.ceil(bytes / ctor.BYTES_PER_ELEMENT), bytes);
        for (const packer of [sc, scFramed]) {
          const r = packer.unpack(packer.pack({ a })) as { a: unknown };
          expect(diff(r.a, a), `${ctor.name} ${bytes} bytes`).toBe('');
        }
      }
    }
  });

  it('Buffer, DataView, ArrayBuffer, SharedArrayBuffer and NDArray keep their kind', () => {
    const value = {
      buf: Buffer.from('structured'),
      dv: new DataView(makeTyped(Uint8Array, 40, 2).buffer, 4, 30),
      ab: makeTyped(Uint8Array, 24, 3).buffer,
      sab: new SharedArrayBuffer(12),
      nd: new NDArray(makeTyped(Float32Array, 24, 4), [2, 3, 4]),
      nd0: new NDArray(new BigInt64Array([-5n]), []),
      bigNd: new NDArray(makeTyped(Int16Array, 100 * 60, 5), [100, 60]),
    };
    for (const packer of [sc, scFramed]) {
      const r = packer.unpack(packer.pack(value));
      expect(diff(r, value)).toBe('');
    }
  });

  it('two views over one ArrayBuffer come back sharing one ArrayBuffer, offsets preserved', () => {
    for (const total of [256, 40000]) {
      const ab = makeTyped(Uint8Array, total, total).buffer;
      const q = total / 4;
      const value = {
        u8: new Uint8Array(ab, 3, 2 * q),
        f64: new Float64Array(ab, 16, q / 8),
        i32: new Int32Array(ab, 8, q / 2),
        dv: new DataView(ab, 1, 3 * q),
        buf: Buffer.from(ab, 5, 2 * q),
        nd: new NDArray(new Uint16Array(ab, 32, 12), [3, 4]),
        whole: ab,
      };
      for (const packer of [sc, scFramed]) {
        const m = packer.pack(value);
        const r = packer.unpack(m) as typeof value;
        expect(diff(r, value)).toBe('');
        const buffers = new Set([r.u8.buffer, r.f64.buffer, r.i32.buffer, r.dv.buffer, r.nd.data.buffer, r.whole]);
        expect(buffers.size).toBe(1);
        expect(r.whole.byteLength).toBe(total);
        expect([r.u8.byteOffset, r.f64.byteOffset, r.i32.byteOffset, r.dv.byteOffset, r.nd.data.byteOffset]).toEqual([3, 16, 8, 1, 32]);
        // A Buffer is its own bytes, never its whole ArrayBuffer (small Buffers share Node's pool).
        expect(r.buf.buffer).not.toBe(r.whole);
        // Writes through one view show through the others, as with v8.deserialize.
        r.u8[0] = 0xab;
        expect(new Uint8Array(r.whole)[3]).toBe(0xab);
        // The (incompressible) buffer is stored once, not once per view (which would take over 3x); the Buffer adds its own bytes (total / 2).
        expect(m.byteLength).toBeLessThan(total * 1.7 + 900);
      }
    }
  });

  it('a view packed without its ArrayBuffer still brings back the whole buffer it viewed into', () => {
    const ab = makeTyped(Uint8Array, 48, 9).buffer;
    const view = new Int16Array(ab, 10, 5);
    const r = sc.unpack(sc.pack(view)) as Int16Array;
    expect(diff(r, view)).toBe('');
    expect(r.byteOffset).toBe(10);
    expect(r.buffer.byteLength).toBe(48);
    expect(Buffer.compare(new Uint8Array(r.buffer), new Uint8Array(ab))).toBe(0);
  });

  it('views over one SharedArrayBuffer come back over one SharedArrayBuffer', () => {
    const sab = new SharedArrayBuffer(32);
    new Uint8Array(sab).set(makeTyped(Uint8Array, 32, 11));
    const value = { a: new Int32Array(sab, 4, 3), b: new Uint8Array(sab, 0, 32) };
    const r = sc.unpack(sc.pack(value)) as typeof value;
    expect(diff(r, value)).toBe('');
    expect(r.a.buffer).toBe(r.b.buffer);
    expect(r.a.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('packing views that share a buffer leaves no state behind for later packs', () => {
    // The second view's buffer is a back-reference, so nothing else is packed after it.
    const ab = new ArrayBuffer(16);
    const nd = new NDArray(makeTyped(Int16Array, 8 * 1024, 3), [8, 1024]);
    const smallNd = new NDArray(new Int16Array([1, 2, 3, 4, 5, 6, 7, 8]), [2, 4]);
    for (const packer of [new Packer(), new Packer({ threshold: 0 })]) {
      for (const value of [nd, smallNd]) {
        sc.pack([new Uint32Array(ab), new Uint32Array(ab)]);
        expect(diff(packer.unpack(packer.pack(value)), value)).toBe('');
      }
    }
    sc.pack([new Float64Array(ab), new Float64Array(ab)]);
    const sab = new SharedArrayBuffer(24);
    new Uint8Array(sab).set(makeTyped(Uint8Array, 24, 5));
    const r = scFramed.unpack(scFramed.pack({ sab, nd })) as { sab: SharedArrayBuffer; nd: NDArray };
    expect(diff(r, { sab, nd })).toBe('');
  });

  it('the same typed array twice is one typed array', () => {
    const a = makeTyped(Float64Array, 2000, 3);
    const r = scFramed.unpack(scFramed.pack([a, a, { a }])) as [Float64Array, Float64Array, { a: Float64Array }];
    expect(r[1]).toBe(r[0]);
    expect(r[2].a).toBe(r[0]);
    expect(diff(r[0], a)).toBe('');
  });

  it('packAsync / unpackAsync keep the sharing', async () => {
    const ab = makeTyped(Uint8Array, 30000, 12).buffer;
    const value: Record<string, unknown> = { x: new Float32Array(ab, 0, 100), y: new Uint8Array(ab, 20000, 10000) };
    value['self'] = value;
    const r = (await sc.unpackAsync(await sc.packAsync(value))) as { x: Float32Array; y: Uint8Array; self: unknown };
    expect(r.self).toBe(r);
    expect(r.x.buffer).toBe(r.y.buffer);
    expect(diff(r.x, value['x'])).toBe('');
    expect(diff(r.y, value['y'])).toBe('');
  });

  it('packOutOfBand / unpackOutOfBand keep the sharing', () => {
    const ab = makeTyped(Uint8Array, 30000, 13).buffer;
    const value = { x: new Float64Array(ab, 8, 100), y: new Uint8Array(ab, 20000, 10000) };
    for (const packer of [sc, new Packer({ structuredClone: true, clevel: 0 })]) {
      const { message, buffers } = packer.packOutOfBand(value);
      const r = packer.unpackOutOfBand(message, buffers) as typeof value;
      expect(r.x.buffer).toBe(r.y.buffer);
      expect(diff(r, value)).toBe('');
    }
  });
});

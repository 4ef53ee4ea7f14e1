// pack / unpack round trips (issue 3): every binary kind, raw records and b2nd
// frames, views, exact bit patterns, nesting, the Packer / module / useBlosc2
// entry points, msgpackr's untouched behaviour, async and out-of-band variants,
// and zeroCopy.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import {
  B2ND_EXT,
  Blosc2Error,
  DEFAULT_THRESHOLD,
  NDArray,
  NUMPY_EXT,
  OOB_EXT,
  Packer,
  RAW_EXT,
  pack,
  packAsync,
  packOutOfBand,
  unpack,
  unpackAsync,
  unpackOutOfBand,
  useBlosc2,
  type PackOptions,
} from '../src/index';
import { SPECIAL_WORDS } from './support/arbitraries';
import { extTypesIn } from './support/bytes';
import { CHILDREN, runNode } from './support/child';
import { bytesOf, copyBytes, diff } from './support/compare';
import { type AnyTyped, TYPED_CTORS, type TypedCtor, makeTyped } from './support/data';
import { catchBlosc2Error } from './support/errors';
import { expectRefusal, pipelineRefusal } from './support/refusals';
import { MSGPACKR_OPTION_SETS, msgpackrReferenceValues } from './support/values';

/** Round trip through a Packer; asserts bit-exact equality and returns the message and result. */
function roundTrip(packer: Packer, value: unknown): { message: Buffer; result: unknown } {
  const message = packer.pack(value);
  const result = packer.unpack(message);
  expect(diff(result, value)).toBe('');
  return { message, result };
}

/** Items of a ctor that make `bytes` bytes. */
const itemsFor = (ctor: TypedCtor, bytes: number) => Math.ceil(bytes / ctor.BYTES_PER_ELEMENT);

const small = new Packer();
const compact = new Packer({ smallArrays: 'compact' });
const framed = new Packer({ threshold: 0 });

describe('every binary kind, raw and framed', () => {
  for (const ctor of TYPED_CTORS) {
    it(`${ctor.name}: NumPy record (or compact raw) below threshold, frame at or above it, frames for everything with threshold 0`, () => {
      const below = makeTyped(ctor, itemsFor(ctor, 100), 3);
      const above = makeTyped(ctor, itemsFor(ctor, DEFAULT_THRESHOLD + 40), 5);
      const exactly = makeTyped(ctor, DEFAULT_THRESHOLD / ctor.BYTES_PER_ELEMENT, 7);

      const r1 = roundTrip(small, below);
      expect(extTypesIn(r1.message)).toEqual([NUMPY_EXT]);
      expect(Object.getPrototypeOf(r1.result)).toBe(ctor.prototype);
      const r1c = roundTrip(compact, below);
      expect(extTypesIn(r1c.message)).toEqual([RAW_EXT]);
      expect(Object.getPrototypeOf(r1c.result)).toBe(ctor.prototype);
      expect(r1c.message.length).toBeLessThan(r1.message.length);

      const r2 = roundTrip(small, above);
      expect(extTypesIn(r2.message)).toEqual([B2ND_EXT]);
      expect(Object.getPrototypeOf(r2.result)).toBe(ctor.prototype);

      expect(extTypesIn(roundTrip(small, exactly).message)).toEqual([B2ND_EXT]);
      expect(extTypesIn(roundTrip(framed, below).message)).toEqual([B2ND_EXT]);
      // A one-item array, the smallest frame.
      expect(extTypesIn(roundTrip(framed, makeTyped(ctor, 1, 9)).message)).toEqual([B2ND_EXT]);
    });
  }

  it('an empty TypedArray round-trips as a NumPy record, a raw record and a frame', () => {
    for (const ctor of TYPED_CTORS) {
      expect(extTypesIn(roundTrip(small, new ctor(0)).message)).toEqual([NUMPY_EXT]);
      expect(extTypesIn(roundTrip(compact, new ctor(0)).message)).toEqual([RAW_EXT]);
      expect(extTypesIn(roundTrip(framed, new ctor(0)).message)).toEqual([B2ND_EXT]);
    }
  });

  it('a Buffer comes back a Buffer, a Uint8Array never does', () => {
    for (const packer of [small, framed]) {
      for (const n of [0, 5, 20000]) {
        if (n === 0 && packer === framed) continue; // empty frames: covered above
        const buf = Buffer.from(makeTyped(Uint8Array, n, n + 1));
        const { result } = roundTrip(packer, { buf });
        expect(Buffer.isBuffer((result as { buf: unknown }).buf)).toBe(true);
        const u8 = makeTyped(Uint8Array, n, n + 2);
        const back = roundTrip(packer, u8).result;
        expect(Buffer.isBuffer(back)).toBe(false);
        expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
      }
    }
  });

  it('ArrayBuffer, SharedArrayBuffer and DataView keep their kind', () => {
    for (const packer of [small, framed]) {
      for (const n of [3, 16, 12000]) {
        const ab = makeTyped(Uint8Array, n, n).buffer;
        const sab = new SharedArrayBuffer(n);
        new Uint8Array(sab).set(new Uint8Array(ab));
        const dv = new DataView(makeTyped(Uint8Array, n, n + 7).buffer);
        const { result } = roundTrip(packer, { ab, sab, dv });
        const r = result as { ab: unknown; sab: unknown; dv: unknown };
        expect(r.ab).toBeInstanceOf(ArrayBuffer);
        expect(r.sab).toBeInstanceOf(SharedArrayBuffer);
        expect(r.dv).toBeInstanceOf(DataView);
      }
    }
  });

  it('a view packs only the bytes it views and comes back as the same kind of view', () => {
    const backing = makeTyped(Uint8Array, 1 << 20, 77).buffer;
    for (const ctor of TYPED_CTORS) {
      const size = ctor.BYTES_PER_ELEMENT;
      for (const [offsetItems, items] of [
        [1, 3],
        [5, 13],
        [101, 3000],
      ] as const) {
        const view = new ctor(backing, offsetItems * size, items);
        for (const packer of [small, framed]) {
          const { message, result } = roundTrip(packer, view);
          const r = result as ArrayBufferView & { length: number };
          expect(Object.getPrototypeOf(r)).toBe(ctor.prototype);
          expect(r.length).toBe(items);
          // Only the viewed bytes travel: the 1 MiB of pseudo-random backing would not compress.
          expect(message.byteLength).toBeLessThan(items * size + 1024);
          expect(r.buffer).not.toBe(backing);
        }
      }
    }
    for (const packer of [small, framed]) {
      const dv = new DataView(backing, 3, 17);
      const r = roundTrip(packer, dv).result as DataView;
      expect(r).toBeInstanceOf(DataView);
      expect(r.byteLength).toBe(17);
      const buf = Buffer.from(backing, 9, 9000);
      const rb = roundTrip(packer, buf).result as Buffer;
      expect(Buffer.isBuffer(rb)).toBe(true);
      expect(rb.byteLength).toBe(9000);
    }
  });

  it('bit patterns survive exactly: NaN payloads, -0, subnormals, infinities, BigInt extremes', () => {
    const f64 = new Float64Array(8);
    const f64bits = new BigUint64Array(f64.buffer);
    f64bits.set(SPECIAL_WORDS.slice(0, 8));
    const f32 = new Float32Array(8);
    new Uint32Array(f32.buffer).set([0x7fc00001, 0xffa00123, 0x7f800001, 0x80000000, 0x00000001, 0x007fffff, 0x7f800000, 0xff800000]);
    const i64 = new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 1n]);
    const u64 = new BigUint64Array([0n, 2n ** 64n - 1n, 2n ** 63n, 1n]);
    const value = { f64, f32, i64, u64, nd: new NDArray(f64.slice(), [2, 4]) };
    for (const packer of [small, framed, new Packer({ threshold: 0, filters: ['bitshuffle'], codec: 'zstd' })]) {
      const r = roundTrip(packer, value).result as typeof value;
      expect(Object.is(r.f64[3], -0)).toBe(true);
      expect(new BigUint64Array(r.f64.buffer, r.f64.byteOffset, 8)[0]).toBe(0x7ff8000000000001n);
      expect(new Uint32Array(r.f32.buffer, r.f32.byteOffset, 8)[1]).toBe(0xffa00123);
      expect(r.i64[0]).toBe(-(2n ** 63n));
      expect(r.u64[1]).toBe(2n ** 64n - 1n);
    }
  });
});

describe('NDArray', () => {
  const shapes: number[][] = [
    [],
    [7],
    [3, 4],
    [2, 3, 4],
    [2, 1, 3, 2],
    [1, 2, 1, 2, 3],
    [2, 2, 2, 1, 2, 2],
    [1, 1, 2, 1, 1, 3, 1],
    [2, 2, 2, 2, 2, 2, 2, 2],
  ];

  it('shapes of 0 to 8 dimensions, every dtype, raw and framed', () => {
    for (const ctor of TYPED_CTORS) {
      for (const shape of shapes) {
        const size = shape.reduce((a, b) => a * b, 1);
        const nd = new NDArray(makeTyped(ctor, size, size + 1), shape);
        // (A Uint8ClampedArray in a frame: its own test below.)
        for (const packer of ctor === Uint8ClampedArray ? [small, compact] : [small, compact, framed]) {
          const { message, result } = roundTrip(packer, nd);
          expect(result).toBeInstanceOf(NDArray);
          expect((result as NDArray).shape).toEqual(shape);
          expect(Object.getPrototypeOf((result as NDArray).data)).toBe(ctor.prototype);
          expect(extTypesIn(message)).toEqual([packer === small ? NUMPY_EXT : packer === compact ? RAW_EXT : B2ND_EXT]);
        }
      }
    }
  });

  it('large NDArrays (several chunks) round-trip', () => {
    const nd = new NDArray(makeTyped(Float32Array, 600 * 700, 4), [600, 700]);
    expect(extTypesIn(roundTrip(small, nd).message)).toEqual([B2ND_EXT]);
    const nd8 = new NDArray(makeTyped(Int16Array, 3 * 4 * 5 * 2 * 3 * 4 * 5 * 7), [3, 4, 5, 2, 3, 4, 5, 7]);
    roundTrip(small, nd8);
    roundTrip(new Packer({ threshold: 0, blocksize: 256 }), nd8);
  });

  it('zero-length dimensions, raw', () => {
    for (const shape of [[0], [3, 0], [0, 5, 2], [2, 3, 0, 4, 1, 1, 1, 1]]) {
      const nd = new NDArray(new Float64Array(0), shape);
      const r = roundTrip(small, nd).result as NDArray;
      expect(r.shape).toEqual(shape);
    }
  });

  it('zero-length dimensions, framed', () => {
    for (const shape of [[0], [3, 0], [0, 5, 2], [2, 3, 0, 4, 1, 1, 1, 1]]) {
      const nd = new NDArray(new Float64Array(0), shape);
      const r = roundTrip(framed, nd).result as NDArray;
      expect(r.shape).toEqual(shape);
    }
  });

  it('dtype strings other than the class default survive (bool bytes, f2 bits), views too', () => {
    const b1 = new NDArray(new Uint8Array([0, 1, 1, 0]), [2, 2], '|b1');
    const f2 = new NDArray(new Uint16Array([0x3c00, 0x7e01, 0x8000]), [3], '<f2');
    const view = new NDArray(new Int32Array(makeTyped(Int32Array, 40).buffer, 12, 6), [2, 3]);
    for (const packer of [small, framed]) {
      const r = roundTrip(packer, { b1, f2, view }).result as Record<string, NDArray>;
      expect(r['b1']?.dtype).toBe('|b1');
      expect(r['f2']?.dtype).toBe('<f2');
    }
  });

  it('an NDArray over a Uint8ClampedArray keeps its class in a frame as it does in a raw record', () => {
    const clamped = new NDArray(new Uint8ClampedArray([0, 128, 255, 7, 9, 11]), [2, 3]);
    expect(Object.getPrototypeOf((roundTrip(small, clamped).result as NDArray).data)).toBe(Uint8ClampedArray.prototype);
    expect(Object.getPrototypeOf((roundTrip(framed, clamped).result as NDArray).data)).toBe(Uint8ClampedArray.prototype);
  });
});

describe('nesting', () => {
  function nestedValue() {
    const arrays = TYPED_CTORS.flatMap((ctor, i) => [makeTyped(ctor, 5, i + 1), makeTyped(ctor, itemsFor(ctor, 9000), i + 20)]);
    const nd = new NDArray(makeTyped(Float64Array, 24, 99), [2, 3, 4]);
    return {
      arrays,
      obj: { deep: { deeper: [1, 'two', { nd, buf: Buffer.from('abc') }] }, dv: new DataView(new ArrayBuffer(9)) },
      map: new Map<unknown, unknown>([
        ['a', arrays[3]],
        [7, [arrays[17], 'big']],
        ['nd', nd],
      ]),
      set: new Set<unknown>([arrays[0], arrays[21], 'x']),
      ab: makeTyped(Uint8Array, 10000, 5).buffer,
    };
  }

  it('arrays anywhere in objects, arrays, Maps and Sets (mapsAsObjects: false, moreTypes)', () => {
    const value = nestedValue();
    for (const threshold of [0, DEFAULT_THRESHOLD]) {
      const packer = new Packer({ threshold, mapsAsObjects: false, moreTypes: true });
      const result = packer.unpack(packer.pack(value));
      // mapsAsObjects: false decodes every msgpack map as a Map; compare the arrays inside.
      const r = result as Map<string, unknown>;
      expect(r).toBeInstanceOf(Map);
      expect(diff(r.get('arrays'), value.arrays)).toBe('');
      expect(diff(r.get('map'), value.map)).toBe('');
      expect(diff(r.get('set'), value.set)).toBe('');
      expect(diff(r.get('ab'), value.ab)).toBe('');
      const obj = r.get('obj') as Map<string, Map<string, unknown[]>>;
      const deeper = obj.get('deep')?.get('deeper') as unknown[];
      expect(
        diff((deeper[2] as Map<string, unknown>).get('nd'), value.obj.deep.deeper[2] && (value.obj.deep.deeper[2] as { nd: NDArray }).nd),
      ).toBe('');
    }
  });

  it('with default options Maps decode as objects and Sets as arrays, arrays inside intact', () => {
    const value = nestedValue();
    const r = small.unpack(small.pack(value)) as { map: Record<string, unknown>; set: unknown[] };
    expect(diff(r.map['a'], value.map.get('a'))).toBe('');
    expect(diff(r.map['nd'], value.map.get('nd'))).toBe('');
    expect(diff(r.set, [...value.set])).toBe('');
  });

  it('the input is not modified and results do not alias it', () => {
    const value = nestedValue();
    const before = value.arrays.map((a) => copyBytes(a));
    const result = framed.unpack(framed.pack(value)) as { arrays: Uint8Array[] };
    value.arrays.forEach((a, i) => expect(Buffer.compare(bytesOf(a), before[i] as Uint8Array)).toBe(0));
    result.arrays.forEach((a, i) => expect(a.buffer).not.toBe((value.arrays[i] as Uint8Array).buffer));
  });
});

describe('entry points', () => {
  it('module pack/unpack with an options object apply those options', () => {
    const value = { a: makeTyped(Float64Array, 10, 1), b: makeTyped(Int32Array, 5000, 2) };
    const plain = pack(value);
    expect(extTypesIn(plain)).toEqual([NUMPY_EXT, B2ND_EXT]);
    expect(diff(unpack(plain), value)).toBe('');
    const options: PackOptions = { threshold: 0, codec: 'zstd', clevel: 9, filters: ['bitshuffle'] };
    const m = pack(value, options);
    expect(extTypesIn(m)).toEqual([B2ND_EXT, B2ND_EXT]);
    expect(diff(unpack(m, options), value)).toBe('');
    // Messages are options-independent on the reading side.
    expect(diff(unpack(m), value)).toBe('');
    expect(diff(new Packer({ structuredClone: false }).unpack(m), value)).toBe('');
    // Raw storage via a huge threshold.
    expect(extTypesIn(pack(value, { threshold: 1e9 }))).toEqual([NUMPY_EXT, NUMPY_EXT]);
    expect(extTypesIn(pack(value, { threshold: 1e9, smallArrays: 'compact' }))).toEqual([RAW_EXT, RAW_EXT]);
  });

  it('module unpack honours maxOutputBytes from its options', () => {
    const m = pack(makeTyped(Uint8Array, 20000, 3));
    expect(() => unpack(m, { maxOutputBytes: 1000 })).toThrow(expect.objectContaining({ code: 'ERR_MAX_OUTPUT' }));
  });

  it('Packer options: codecs, levels, filters, clevel 0 all round-trip', () => {
    const value = [makeTyped(Float32Array, 5000, 1), new NDArray(makeTyped(BigInt64Array, 3000, 2), [30, 100])];
    const optionSets: PackOptions[] = [
      { clevel: 0 },
      { codec: 'lz4', clevel: 1 },
      { codec: 'lz4hc' },
      { codec: 'zlib', filters: ['delta', 'shuffle'] },
      { filters: ['delta', 'bitshuffle'] },
      { codec: 'zstd', filters: ['bitshuffle'] },
      { nthreads: 2 },
      { blocksize: 4096 },
      { splitmode: 'never' },
    ];
    for (const options of optionSets) roundTrip(new Packer(options), value);
  });

  it('delta after shuffle or bitshuffle (which C-Blosc2 2.17.1 decodes wrong) is refused with ERR_INVALID_ARG naming options.filters', () => {
    const value = { i8: new Int8Array(1024).map((_, i) => i % 100), f64: new Float64Array(4096).map((_, i) => i * 0.5) };
    for (const filters of [
      ['shuffle', 'delta'],
      ['bitshuffle', 'delta'],
    ] as const) {
      const err = catchBlosc2Error(() => new Packer({ threshold: 0, filters: [...filters] }).pack(value));
      expect(err).toBeInstanceOf(Blosc2Error);
      expectRefusal(err, pipelineRefusal(filters, 'options') ?? expect.unreachable(), filters.join(','));
    }
    // Delta first is fine, and exact.
    for (const filters of [['delta', 'shuffle'], ['delta', 'bitshuffle'], ['delta']] as const) {
      const packer = new Packer({ threshold: 0, filters: [...filters] });
      expect(diff(packer.unpack(packer.pack(value)), value), filters.join('+')).toBe('');
    }
  });

  it('the bytedelta filter (a C-Blosc2 plugin, not built in) is ERR_UNSUPPORTED naming it, not a pipeline failure', () => {
    const err = catchBlosc2Error(() =>
      new Packer({ threshold: 0, filters: ['shuffle', 'bytedelta'] }).pack(makeTyped(Float32Array, 5000, 1)),
    );
    expect(err).toBeInstanceOf(Blosc2Error);
    expect(err.code).toBe('ERR_UNSUPPORTED');
    expectRefusal(err, pipelineRefusal(['shuffle', 'bytedelta'], 'options') ?? expect.unreachable());
  });

  it('useBlosc2 enables the extension on a user Packr, which then reads and writes our format', () => {
    const packr = useBlosc2(new Packr({ useRecords: false }), { threshold: 100, codec: 'zstd' });
    const value = {
      small: new Int16Array([1, -1]),
      big: makeTyped(Float64Array, 500, 3),
      nd: new NDArray(new Uint32Array(6), [3, 2]),
      buf: Buffer.from('x'),
    };
    const m = packr.pack(value);
    expect(extTypesIn(m)).toEqual([NUMPY_EXT, B2ND_EXT, NUMPY_EXT, NUMPY_EXT]);
    const compactPackr = useBlosc2(new Packr({ useRecords: false }), { threshold: 100, smallArrays: 'compact' });
    expect(extTypesIn(compactPackr.pack(value))).toEqual([RAW_EXT, B2ND_EXT, RAW_EXT, RAW_EXT]);
    expect(diff(compactPackr.unpack(compactPackr.pack(value)), value)).toBe('');
    expect(diff(packr.unpack(m), value)).toBe('');
    // Same wire format as a Packer's.
    expect(diff(small.unpack(m), value)).toBe('');
    expect(diff(packr.unpack(small.pack(value)), value)).toBe('');
    const withRecords = useBlosc2(new Packr(), { threshold: 0 });
    expect(diff(withRecords.unpack(withRecords.pack(value)), value)).toBe('');
  });

  it('a plain msgpackr Packr packs binary values byte for byte as msgpackr alone does', () => {
    // The extension is process-wide once a Packer exists (one was built above); build another to be sure.
    new Packer();
    const child = runNode([path.join(CHILDREN, 'msgpackr-reference.cjs')], { timeoutMs: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    const reference = JSON.parse(child.stdout) as Record<string, string>;
    const mismatches: string[] = [];
    MSGPACKR_OPTION_SETS.forEach((options, i) => {
      const packr = new Packr(options);
      for (const [name, value] of msgpackrReferenceValues()) {
        const hex = Buffer.from(packr.pack(value)).toString('hex');
        if (hex !== reference[`${i}/${name}`])
          mismatches.push(`${JSON.stringify(options)} ${name}: ${hex.slice(0, 40)} vs msgpackr ${reference[`${i}/${name}`]?.slice(0, 40)}`);
      }
    });
    expect(mismatches).toEqual([]);
  });

  it('a plain msgpackr Packr: bin for plain, ext 0x74 for moreTypes, and reads its own output back', () => {
    new Packer();
    const i16 = new Int16Array([1, -2]);
    expect(Buffer.from(new Packr().pack(i16)).toString('hex')).toBe('c4040100feff');
    expect(Buffer.from(new Packr({ moreTypes: true }).pack(i16)).toString('hex')).toBe('c70574030100feff');
    const f64 = new Float64Array([1]);
    expect(Buffer.from(new Packr({ moreTypes: true }).pack(f64)).toString('hex')).toBe('c7097408000000000000f03f');
    const more = new Packr({ moreTypes: true });
    for (const ctor of TYPED_CTORS) {
      const a = makeTyped(ctor, 33, 4);
      const back = more.unpack(more.pack(a));
      expect(diff(back, a)).toBe('');
    }
    // A plain Packr never emits our ext types, even for large arrays.
    const ours = [B2ND_EXT, NUMPY_EXT, RAW_EXT, OOB_EXT, 81];
    for (const options of MSGPACKR_OPTION_SETS) {
      const types = extTypesIn(new Packr(options).pack({ a: makeTyped(Float64Array, 5000), b: [new Int8Array(3)] }));
      expect(types.filter((t) => ours.includes(t))).toEqual([]);
    }
  });
});

describe('async', () => {
  it('packAsync / unpackAsync round-trip, and interoperate with the sync calls', async () => {
    const value = {
      many: TYPED_CTORS.map((ctor, i) => makeTyped(ctor, itemsFor(ctor, 20000), i + 1)),
      small: new Uint16Array([1, 2, 3]),
      nd: new NDArray(makeTyped(Float64Array, 4096, 8), [4, 32, 32]),
      buf: Buffer.from(makeTyped(Uint8Array, 30000, 3)),
      text: 'not an array',
    };
    for (const packer of [small, framed, new Packer({ codec: 'zstd', nthreads: 2 })]) {
      const m = await packer.packAsync(value);
      expect(diff(await packer.unpackAsync(m), value)).toBe('');
      expect(diff(packer.unpack(m), value)).toBe('');
      expect(diff(await packer.unpackAsync(packer.pack(value)), value)).toBe('');
    }
    const m = await packAsync(value, { threshold: 0 });
    expect(diff(await unpackAsync(m, { threshold: 0 }), value)).toBe('');
    expect(diff(await unpackAsync(m), value)).toBe('');
  });

  it('packAsync of many concurrent calls keeps each message its own', async () => {
    const values = Array.from({ length: 12 }, (_, i) => ({ i, a: makeTyped(Int32Array, 5000 + i * 100, i + 1) }));
    const messages = await Promise.all(values.map((v) => small.packAsync(v)));
    const back = await Promise.all(messages.map((m) => small.unpackAsync(m)));
    back.forEach((b, i) => expect(diff(b, values[i])).toBe(''));
  });

  it('packAsync refuses bundleStrings with ERR_INVALID_ARG', async () => {
    await expect(new Packer({ bundleStrings: true }).packAsync({ a: 'x' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});

describe('out of band', () => {
  it('compressed buffers round-trip; small arrays stay in the message', () => {
    const big1 = makeTyped(Float64Array, 5000, 1);
    const big2 = new NDArray(makeTyped(Uint16Array, 100 * 90, 2), [100, 90]);
    const tiny = new Int8Array([1, 2, 3]);
    const value = { big1, big2, tiny, again: big1 };
    const { message, buffers } = small.packOutOfBand(value);
    expect(buffers).toHaveLength(3);
    expect(extTypesIn(message)).toEqual([OOB_EXT, OOB_EXT, NUMPY_EXT, OOB_EXT]);
    expect(diff(small.unpackOutOfBand(message, buffers), value)).toBe('');
    const mod = packOutOfBand(value, { threshold: 1000 });
    expect(diff(unpackOutOfBand(mod.message, mod.buffers, { threshold: 1000 }), value)).toBe('');
  });

  it('with clevel 0 the buffers are views of the original memory, and unpack views them in place', () => {
    const backing = makeTyped(Uint8Array, 1 << 16, 5).buffer;
    const f64 = new Float64Array(backing, 8, 2000);
    const i32 = makeTyped(Int32Array, 4000, 6);
    const nd = new NDArray(makeTyped(Float32Array, 64 * 64, 7), [64, 64]);
    const buf = Buffer.from(makeTyped(Uint8Array, 9000, 8));
    const originals = [f64, i32, nd.data, buf];
    const packer = new Packer({ clevel: 0 });
    const { message, buffers } = packer.packOutOfBand({ f64, i32, nd, buf });
    expect(buffers).toHaveLength(4);
    buffers.forEach((b, i) => {
      const o = originals[i] as ArrayBufferView;
      expect(b.buffer).toBe(o.buffer);
      expect(b.byteOffset).toBe(o.byteOffset);
      expect(b.byteLength).toBe(o.byteLength);
    });
    const r = packer.unpackOutOfBand(message, buffers) as { f64: Float64Array; i32: Int32Array; nd: NDArray; buf: Buffer };
    expect(diff(r, { f64, i32, nd, buf })).toBe('');
    expect(r.f64.buffer).toBe(backing);
    expect(r.i32.buffer).toBe(i32.buffer);
    expect(Buffer.isBuffer(r.buf)).toBe(true);
  });

  it('clevel 0 out-of-band buffers handed over unaligned are copied into aligned arrays', () => {
    const f64 = makeTyped(Float64Array, 3000, 9);
    const packer = new Packer({ clevel: 0 });
    const { message, buffers } = packer.packOutOfBand(f64);
    const shifted = new Uint8Array((buffers[0] as Uint8Array).byteLength + 1).subarray(1);
    shifted.set(buffers[0] as Uint8Array);
    const r = packer.unpackOutOfBand(message, [shifted]) as Float64Array;
    expect(diff(r, f64)).toBe('');
    expect(r.byteOffset % 8).toBe(0);
  });

  it('missing buffers are ERR_CORRUPT, not a crash', () => {
    const { message } = small.packOutOfBand({ a: makeTyped(Float64Array, 5000) });
    expect(() => small.unpackOutOfBand(message, [])).toThrow(expect.objectContaining({ code: 'ERR_CORRUPT' }));
    expect(() => small.unpack(message)).toThrow(expect.objectContaining({ code: 'ERR_CORRUPT' }));
    expect(() => small.unpackOutOfBand(message, 'x' as unknown as Uint8Array[])).toThrow(Blosc2Error);
  });
});

describe('zeroCopy', () => {
  // Copies a message into fresh memory at every shift of 0..7 bytes, so that
  // the raw data of each record is 8-byte aligned at exactly one shift.
  function atShifts(message: Uint8Array): Uint8Array[] {
    return Array.from({ length: 8 }, (_, shift) => {
      const m = new Uint8Array(new ArrayBuffer(message.byteLength + 8), shift, message.byteLength);
      m.set(message);
      return m;
    });
  }

  /**
   * Unpacks `m` (the message of `a`) at every shift: with zeroCopy the value
   * comes back each time, as a view into the input only where its items are
   * aligned (and within the input); without, as a copy. Returns how many
   * shifts gave a view.
   */
  function sharedShifts(packer: Packer, m: Uint8Array, a: AnyTyped): number {
    let shared = 0;
    for (const input of atShifts(m)) {
      const r = packer.unpack(input, { zeroCopy: true }) as ArrayBufferView;
      expect(diff(r, a)).toBe('');
      if (r.buffer === input.buffer) {
        shared++;
        expect(r.byteOffset % a.BYTES_PER_ELEMENT).toBe(0);
        expect(r.byteOffset).toBeGreaterThanOrEqual(input.byteOffset);
        expect(r.byteOffset + r.byteLength).toBeLessThanOrEqual(input.byteOffset + input.byteLength);
      }
      expect((packer.unpack(input) as ArrayBufferView).buffer).not.toBe(input.buffer);
    }
    return shared;
  }

  it('aligned raw records come back as views into the input; unaligned ones and frames as copies', () => {
    for (const ctor of TYPED_CTORS) {
      const a = makeTyped(ctor, itemsFor(ctor, 64), 3);
      expect(sharedShifts(small, small.pack(a), a)).toBe(8 / ctor.BYTES_PER_ELEMENT);
    }
  });

  it('zeroCopy as a Packer option, for NDArray, Buffer and DataView; compressed frames and ArrayBuffers are copies', () => {
    const packer = new Packer({ zeroCopy: true });
    const big = new Uint8Array(20000).map((_, i) => i % 7); // compressible: the frame holds no verbatim items
    const value = {
      nd: new NDArray(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3]),
      buf: Buffer.from('hello'),
      dv: new DataView(new ArrayBuffer(5)),
      ab: new ArrayBuffer(4),
      big,
    };
    const m = packer.pack(value);
    const r = packer.unpack(m) as { nd: NDArray; buf: Buffer; dv: DataView; ab: ArrayBuffer; big: Uint8Array };
    expect(diff(r, value)).toBe('');
    expect(r.nd.data.buffer).toBe(m.buffer);
    expect(r.buf.buffer).toBe(m.buffer);
    expect(r.dv.buffer).toBe(m.buffer);
    expect(r.ab).not.toBe(m.buffer);
    expect(r.big.buffer).not.toBe(m.buffer);
    // Per-call override.
    expect((packer.unpack(m, { zeroCopy: false }) as { buf: Buffer }).buf.buffer).not.toBe(m.buffer);
  });

  it('clevel 0 frames come back as views into the input where their items are aligned', () => {
    const stored = new Packer({ clevel: 0, threshold: 0 });
    for (const ctor of [Uint8Array, Int16Array, Float64Array, BigUint64Array]) {
      const a = makeTyped(ctor, 5000, 11);
      const m = stored.pack(a);
      expect(extTypesIn(m)).toEqual([B2ND_EXT]);
      expect(sharedShifts(stored, m, a)).toBe(8 / ctor.BYTES_PER_ELEMENT);
    }
  });
});

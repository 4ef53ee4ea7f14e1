// Bad input to unpack (issue 3): hand-made records (following src/ext.ts)
// that are truncated, inconsistent or too large must give a Blosc2Error with a
// stable code -- never a crash, a hang or a wrong value. Also bad options and
// `__proto__` keys.
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import {
  B2ND_EXT,
  Blosc2Error,
  NDArray,
  OOB_EXT,
  Packer,
  RAW_EXT,
  VIEW_EXT,
  pack,
  unpack,
  useBlosc2,
  type PackOptions,
} from '../src/index';
import { ext, extAt, fixarray, rawRecord as raw, viewTag } from './support/bytes';
import { makeTyped } from './support/data';
import { expectCode } from './support/errors';
import { type MutationCase, decodeMutationsInChild } from './support/mutate';

const packer = new Packer();

// Kinds and codes of the raw record (src/ext.ts, src/dtypes.ts).
const TYPED = 0,
  BUFFER = 1,
  AB = 3,
  NDARRAY = 5;
const U8 = 2,
  I32 = 6,
  F32 = 8,
  F64 = 9;

describe('hand-made raw records', () => {
  it('a well-formed hand-made record decodes (the helpers speak the format)', () => {
    const f = new Float64Array([1.5, -2]);
    expect(packer.unpack(raw(TYPED, F64, new Uint8Array(f.buffer)))).toEqual(f);
    const nd = packer.unpack(
      raw(NDARRAY, I32, new Uint8Array(new Int32Array([1, 2, 3, 4, 5, 6]).buffer), { shape: [2, 3], dtype: '<i4' }),
    ) as NDArray;
    expect(nd.shape).toEqual([2, 3]);
    expect([...nd.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Buffer.isBuffer(packer.unpack(raw(BUFFER, U8, [1, 2])))).toBe(true);
    // Our own packer writes the same bytes.
    expect(pack(f, { smallArrays: 'compact' }).equals(raw(TYPED, F64, new Uint8Array(f.buffer)))).toBe(true);
  });

  it('an empty record, unknown dtype codes and unknown kinds are ERR_CORRUPT', () => {
    expectCode(() => packer.unpack(ext(RAW_EXT, [])), 'ERR_CORRUPT');
    for (const code of [0, 13, 14, 15]) expectCode(() => packer.unpack(raw(TYPED, code, [1, 2, 3, 4, 5, 6, 7, 8])), 'ERR_CORRUPT');
    for (let kind = 6; kind < 16; kind++) expectCode(() => packer.unpack(raw(kind, U8, [1])), 'ERR_CORRUPT');
  });

  it('dtype code 12 (Float16Array, absent from Node 20) is ERR_UNSUPPORTED', () => {
    expectCode(() => packer.unpack(raw(TYPED, 12, [0, 0x3c])), 'ERR_UNSUPPORTED');
  });

  it('a byte kind (Buffer, ArrayBuffer, ...) with a wide dtype is ERR_CORRUPT', () => {
    for (const kind of [1, 2, 3, 4]) expectCode(() => packer.unpack(raw(kind, F64, new Uint8Array(8))), 'ERR_CORRUPT');
  });

  it('data that is not a whole number of items is ERR_CORRUPT', () => {
    expectCode(() => packer.unpack(raw(TYPED, F64, new Uint8Array(7))), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(TYPED, I32, new Uint8Array(5))), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(TYPED, 10, new Uint8Array(12))), 'ERR_CORRUPT');
  });

  it('an NDArray shape that disagrees with the data is ERR_CORRUPT', () => {
    const data = new Uint8Array(new Float64Array(5).buffer);
    expectCode(() => packer.unpack(raw(NDARRAY, F64, data, { shape: [2, 3], dtype: '<f8' })), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(NDARRAY, F64, data, { shape: [6], dtype: '<f8' })), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(NDARRAY, F64, data, { shape: [], dtype: '<f8' })), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(NDARRAY, F64, data, { shape: [5, 0], dtype: '<f8' })), 'ERR_CORRUPT');
    // Dimensions whose product overflows to something near the data length.
    expectCode(() => packer.unpack(raw(NDARRAY, F64, data, { shape: [2 ** 40, 2 ** 40, 5], dtype: '<f8' })), 'ERR_CORRUPT');
  });

  it('a truncated or oversized NDArray header is ERR_CORRUPT', () => {
    expectCode(() => packer.unpack(ext(RAW_EXT, [(NDARRAY << 4) | F64])), 'ERR_CORRUPT');
    expectCode(
      () => packer.unpack(raw(NDARRAY, U8, new Uint8Array(1), { shape: new Array<number>(9).fill(1), dtype: '|u1' })),
      'ERR_CORRUPT',
    );
    expectCode(() => packer.unpack(ext(RAW_EXT, [(NDARRAY << 4) | U8, 1, 0x80])), 'ERR_CORRUPT');
    expectCode(
      () =>
        packer.unpack(ext(RAW_EXT, [(NDARRAY << 4) | U8, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 3, 0x7c, 0x75, 0x31])),
      'ERR_CORRUPT',
    );
    expectCode(() => packer.unpack(ext(RAW_EXT, [(NDARRAY << 4) | U8, 1, 1])), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(ext(RAW_EXT, [(NDARRAY << 4) | U8, 1, 1, 9, 0x7c, 0x75])), 'ERR_CORRUPT');
  });

  it('an NDArray dtype that disagrees with the item size or class is ERR_CORRUPT; an unknown one ERR_UNSUPPORTED', () => {
    const data = new Uint8Array(16);
    expectCode(() => packer.unpack(raw(NDARRAY, F32, data, { shape: [4], dtype: '<f8' })), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(NDARRAY, I32, data, { shape: [4], dtype: '<f4' })), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(NDARRAY, U8, data, { shape: [16], dtype: '<i2' })), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(raw(NDARRAY, F32, data, { shape: [4], dtype: '>f4' })), 'ERR_UNSUPPORTED');
    expectCode(() => packer.unpack(raw(NDARRAY, F32, data, { shape: [4], dtype: '<c8' })), 'ERR_UNSUPPORTED');
    expectCode(() => packer.unpack(raw(NDARRAY, F32, data, { shape: [4], dtype: '' })), 'ERR_UNSUPPORTED');
  });

  it('a record longer than its message (truncated message) is ERR_CORRUPT', () => {
    const m = pack({ a: makeTyped(Float64Array, 100, 2), b: 'tail' });
    for (const cut of [1, 2, 3, 4, 10, m.length - 20, m.length - 1]) expectCode(() => packer.unpack(m.subarray(0, cut)), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(new Uint8Array(0)), 'ERR_CORRUPT');
  });
});

describe('maxOutputBytes', () => {
  it('a raw record over the limit is ERR_MAX_OUTPUT; at the limit it decodes', () => {
    const m = raw(TYPED, U8, new Uint8Array(1000));
    expectCode(() => packer.unpack(m, { maxOutputBytes: 999 }), 'ERR_MAX_OUTPUT');
    expect((packer.unpack(m, { maxOutputBytes: 1000 }) as Uint8Array).byteLength).toBe(1000);
    expectCode(() => new Packer({ maxOutputBytes: 10 }).unpack(m), 'ERR_MAX_OUTPUT');
  });

  it('the limit is for the whole message, not per array', () => {
    const m = pack([makeTyped(Uint8Array, 600, 1), makeTyped(Uint8Array, 600, 2)]);
    expectCode(() => packer.unpack(m, { maxOutputBytes: 1000 }), 'ERR_MAX_OUTPUT');
    expect(() => packer.unpack(m, { maxOutputBytes: 1200 })).not.toThrow();
    const frames = pack([new Float64Array(5000), new Float64Array(5000)]);
    expectCode(() => packer.unpack(frames, { maxOutputBytes: 50000 }), 'ERR_MAX_OUTPUT');
  });

  it('a highly compressible frame that decodes over the limit is ERR_MAX_OUTPUT before any allocation', async () => {
    const m = pack(new Float64Array(2 ** 20)); // 8 MiB of zeros, a few KiB packed
    expect(m.byteLength).toBeLessThan(64 * 1024);
    expectCode(() => packer.unpack(m, { maxOutputBytes: 2 ** 20 }), 'ERR_MAX_OUTPUT');
    await expect(packer.unpackAsync(m, { maxOutputBytes: 2 ** 20 })).rejects.toMatchObject({ code: 'ERR_MAX_OUTPUT' });
  });

  it('a frame whose shape claims petabytes is ERR_MAX_OUTPUT, or ERR_CORRUPT when the limit is lifted', () => {
    // The b2nd metalayer stores each dimension as a msgpack int64 (0xd3 + 8 bytes BE).
    const m = pack(new NDArray(new Float64Array(5000).fill(2), [5000]));
    const needle = Buffer.from('d30000000000001388', 'hex');
    const at = m.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    const huge = Buffer.from(m);
    huge.writeBigInt64BE(2n ** 62n, at + 1);
    // 2^65 bytes is not even a safe integer.
    expectCode(() => packer.unpack(huge), 'ERR_CORRUPT');
    for (const claim of [2n ** 30n, 2n ** 47n]) {
      const bad = Buffer.from(m);
      bad.writeBigInt64BE(claim, at + 1);
      expectCode(() => packer.unpack(bad), 'ERR_MAX_OUTPUT');
      // Without a limit the frame is still wrong: its chunks cannot hold that shape.
      // (Only the 8 PiB claim here: a smaller one may really allocate before failing.)
      if (claim === 2n ** 47n) expectCode(() => packer.unpack(bad, { maxOutputBytes: Number.MAX_SAFE_INTEGER }), 'ERR_CORRUPT');
    }
  });

  it('an out-of-band frame over the limit is ERR_MAX_OUTPUT', () => {
    const { message, buffers } = packer.packOutOfBand({ a: new Float64Array(100000) });
    expectCode(() => packer.unpackOutOfBand(message, buffers, { maxOutputBytes: 1000 }), 'ERR_MAX_OUTPUT');
  });
});

describe('hand-altered frames', () => {
  function frameOf(value: unknown): { message: Buffer; frame: Buffer } {
    const message = new Packer({ threshold: 0 }).pack(value);
    // One top-level ext32/16/8 record; its payload is the frame.
    const { type, start } = extAt(message);
    expect(type).toBe(B2ND_EXT);
    return { message, frame: message.subarray(start) };
  }

  /** Copies of `message` with its first `text` overwritten (latin1, in place). */
  function patcher(message: Buffer, text: string): (replacement: string) => Buffer {
    const at = message.indexOf(Buffer.from(text, 'latin1'));
    expect(at).toBeGreaterThan(0);
    return (replacement) => {
      const bad = Buffer.from(message);
      bad.write(replacement, at, 'latin1');
      return bad;
    };
  }

  it('garbage in a frame record is ERR_CORRUPT', () => {
    for (const n of [0, 1, 10, 63, 64, 200]) {
      const junk = makeTyped(Uint8Array, n, n + 3);
      expectCode(() => packer.unpack(ext(B2ND_EXT, junk)), 'ERR_CORRUPT');
    }
  });

  it('a frame cut short anywhere is ERR_CORRUPT', () => {
    const { frame } = frameOf(makeTyped(Float32Array, 3000, 4));
    for (let cut = 0; cut < frame.length; cut += Math.max(1, Math.floor(frame.length / 97))) {
      expectCode(() => packer.unpack(ext(B2ND_EXT, frame.subarray(0, cut))), 'ERR_CORRUPT');
    }
  });

  it('a shape that disagrees with the chunks is ERR_CORRUPT', () => {
    const { message } = frameOf(new NDArray(new Float64Array(5000).fill(3), [5000]));
    const at = message.indexOf(Buffer.from('d30000000000001388', 'hex'));
    expect(at).toBeGreaterThan(0);
    const withShape = (claim: bigint) => {
      const bad = Buffer.from(message);
      bad.writeBigInt64BE(claim, at + 1);
      return bad;
    };
    // More items than the frame's chunks hold.
    for (const claim of [5001n, 10000n, 2n ** 20n]) expectCode(() => packer.unpack(withShape(claim)), 'ERR_CORRUPT');
    // Fewer items: still a valid b2nd array (its one chunk padded), so a value of that shape.
    for (const claim of [4999n, 1n]) {
      const r = packer.unpack(withShape(claim)) as NDArray;
      expect(r.shape).toEqual([Number(claim)]);
      expect(r.data.every((x) => x === 3)).toBe(true);
    }
  });

  it('a dtype that disagrees with the frame typesize is ERR_CORRUPT; one this runtime cannot hold is ERR_UNSUPPORTED', () => {
    const patched = patcher(frameOf(new NDArray(new Float64Array(64).fill(1.25), [8, 8])).message, '<f8');
    expectCode(() => packer.unpack(patched('<f4')), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(patched('<i2')), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(patched('>f8')), 'ERR_UNSUPPORTED');
    expectCode(() => packer.unpack(patched('<c8')), 'ERR_UNSUPPORTED');
    // Same item size, another dtype: the bits come back under the stated dtype.
    expect((packer.unpack(patched('<i8')) as NDArray).dtype).toBe('<i8');
  });

  it('a "js" kind that disagrees with the typesize is ERR_CORRUPT; an unknown class ERR_UNSUPPORTED', () => {
    const patched = patcher(frameOf(makeTyped(Float64Array, 64, 5)).message, 'Float64Array');
    expectCode(() => packer.unpack(patched('Float32Array')), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(patched('Uint16Array ')), 'ERR_UNSUPPORTED');
    expectCode(() => packer.unpack(patched('Object______')), 'ERR_UNSUPPORTED');
    expect(packer.unpack(patched('Float64Array'))).toBeInstanceOf(Float64Array);
  });

  it('corrupted compressed data is ERR_CORRUPT, sync and async', async () => {
    const value = makeTyped(Float64Array, 20000, 6).map((_, i) => Math.sin(i)); // compressible, so chunks are really compressed
    const { message } = frameOf(value);
    // Zero a stretch in the middle of the chunk data (past the frame header and metalayers).
    const bad = Buffer.from(message);
    bad.fill(0xff, Math.floor(bad.length / 2), Math.floor(bad.length / 2) + 64);
    let sync: unknown;
    try {
      sync = packer.unpack(bad);
    } catch (err) {
      sync = err;
    }
    let asyncResult: unknown;
    try {
      asyncResult = await packer.unpackAsync(bad);
    } catch (err) {
      asyncResult = err;
    }
    // Either it is detected (Blosc2Error ERR_CORRUPT), or the damage was in bytes
    // that do not matter and the value is intact; never anything else.
    for (const r of [sync, asyncResult]) {
      if (r instanceof Error) {
        expect(r).toBeInstanceOf(Blosc2Error);
        expect((r as Blosc2Error).code).toBe('ERR_CORRUPT');
      } else {
        expect(r).toBeInstanceOf(Float64Array);
      }
    }
    expect(sync instanceof Error).toBe(asyncResult instanceof Error);
  });
});

describe('damaged frame headers and metalayers (decoded in a child process: a crash fails the test)', () => {
  // Every single-bit flip of the first bytes of a record: the ext header, the
  // frame header, the b2nd and js metalayers and the chunk offsets.
  function everyFlip(value: unknown, options: Record<string, unknown>, bytes: number): MutationCase {
    const message = new Packer(options).pack(value);
    const mutations: MutationCase['mutations'] = [];
    for (let at = 0; at < Math.min(bytes, message.length); at++) {
      for (let bit = 0; bit < 8; bit++) mutations.push({ target: 'message', op: 'flip', at, bit });
    }
    return { options, mode: 'plain', message: message.toString('base64'), buffers: [], mutations };
  }

  it('a b2nd metalayer claiming over 8 dimensions, or a dtype longer than itself, is ERR_CORRUPT', () => {
    // b2nd metalayer: [version 0, ndim, [shape], [chunkshape], [blockshape], dtype format 0, dtype as str32: db <u32 length> '|u1'].
    const message = new Packer({ threshold: 0 }).pack(new Uint8Array(4));
    const at = message.indexOf(Buffer.from([0xdb, 0, 0, 0, 3, 0x7c, 0x75, 0x31]));
    expect(at).toBeGreaterThan(0);
    const ndimAt = message.indexOf(Buffer.from([0x97, 0x00, 0x01, 0x91, 0xd3])) + 2;
    expect(ndimAt).toBeGreaterThan(2);
    const mutations: MutationCase['mutations'] = [];
    for (const value of [9, 0x11, 0x7f]) mutations.push({ target: 'message', op: 'set', at: ndimAt, value });
    for (const value of [0x10, 0x7f, 0xff]) mutations.push({ target: 'message', op: 'set', at: at + 1, value });
    for (const value of [4, 0x40, 0xff]) mutations.push({ target: 'message', op: 'set', at: at + 4, value });
    const { report, context } = decodeMutationsInChild(
      [{ options: { threshold: 0 }, mode: 'plain', message: message.toString('base64'), buffers: [], mutations }],
      60_000,
    );
    expect(report, context).toBeDefined();
    expect(report?.other).toBe(0);
    expect(report?.values).toBe(0);
  });

  it('a damaged first block of a delta-filtered frame decoded by 2 threads is a Blosc2Error, not a deadlock', () => {
    // C-Blosc2's threads undo 'delta' against block 0 and wait until it is decoded.
    const data = new Int32Array(1 << 20).map((_, i) => (i * 7) ^ (i >> 5)); // 4 MiB: decoded with several threads
    const options = { threshold: 0, filters: ['delta'], clevel: 1 };
    const message = new Packer(options as PackOptions).pack(data);
    const mutations: MutationCase['mutations'] = [];
    for (let at = 200; at < Math.min(2600, message.length); at += 5) mutations.push({ target: 'message', op: 'flip', at, bit: 2 });
    const { report, context } = decodeMutationsInChild(
      [{ options, mode: 'plain', message: message.toString('base64'), buffers: [], mutations, nthreads: 2 }],
      60_000,
    );
    expect(report, context).toBeDefined();
    expect(report?.other).toBe(0);
    expect(report?.errors['ERR_CORRUPT'] ?? 0).toBeGreaterThan(0);
  });

  it('every single-bit flip in the first 256 bytes of frames of several kinds', () => {
    const cases = [
      everyFlip(new Uint8Array([1, 2, 3, 4]), { threshold: 0 }, 256),
      everyFlip(
        new NDArray(
          new Float64Array(2000).map((_, i) => i / 3),
          [40, 50],
        ),
        { threshold: 0, codec: 'zstd' },
        256,
      ),
      everyFlip(new NDArray(new Int16Array(0), [3, 0, 2]), { threshold: 0 }, 256),
      everyFlip({ b: Buffer.from(makeTyped(Uint8Array, 9000, 4)) }, { clevel: 0 }, 256),
    ];
    const { report, context } = decodeMutationsInChild(cases, 240_000);
    expect(report, context).toBeDefined();
    const r = report as NonNullable<typeof report>;
    expect(r.other, JSON.stringify(r.otherExamples).slice(0, 3000)).toBe(0);
    expect(r.decodes).toBe(cases.reduce((n, c) => n + c.mutations.length * 3, 0));
  });
});

describe('unpackAsync failures', () => {
  it('when a later record fails, the decodes already started for earlier arrays are not left unhandled', async () => {
    const big = new Float64Array(20000).map((_, i) => Math.sin(i));
    const m = pack([big, new Float64Array(2)], { smallArrays: 'compact' });
    // A flip in the compressed data of the frame: only found when the chunk is decoded (on the pool).
    let bad: Buffer | undefined;
    for (let at = 100; at < m.length - 40 && !bad; at += 7) {
      const candidate = Buffer.from(m);
      candidate[at] = (candidate[at] as number) ^ 0x10;
      try {
        packer.unpack(candidate);
      } catch (err) {
        if (err instanceof Blosc2Error && /decompress|chunk is corrupt/.test(err.message)) bad = candidate;
      }
    }
    expect(bad).toBeDefined();
    const damaged = bad as Buffer;
    // Then the trailing raw record (c7 11 50 09 + 16 bytes) gets an unknown dtype code.
    const raw = damaged.lastIndexOf(Buffer.from([0xc7, 17, RAW_EXT, 0x09]));
    expect(raw).toBe(damaged.length - 20);
    damaged[raw + 3] = 0x0f;
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      await expect(packer.unpackAsync(damaged)).rejects.toMatchObject({ code: 'ERR_CORRUPT' });
      // Give the pool time to finish the frame's decode, and the rejection time to surface.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('out-of-band and view records', () => {
  it('out-of-band placeholders that are truncated, unknown or unmatched are ERR_CORRUPT', () => {
    const { message, buffers } = packer.packOutOfBand({ a: makeTyped(Float64Array, 5000, 1) });
    expectCode(() => packer.unpack(message), 'ERR_CORRUPT');
    expectCode(() => packer.unpackOutOfBand(message, []), 'ERR_CORRUPT');
    expectCode(() => packer.unpackOutOfBand(message, [new Uint8Array(10)]), 'ERR_CORRUPT');
    expectCode(() => packer.unpackOutOfBand(message, ['x' as unknown as Uint8Array]), 'ERR_CORRUPT');
    expectCode(() => packer.unpackOutOfBand(ext(OOB_EXT, [0, 0, 0]), buffers), 'ERR_CORRUPT');
    expectCode(() => packer.unpackOutOfBand(ext(OOB_EXT, [0, 0, 0, 0, 7]), buffers), 'ERR_CORRUPT');
    expectCode(() => packer.unpackOutOfBand(ext(OOB_EXT, [5, 0, 0, 0, 0]), buffers), 'ERR_CORRUPT');
    // A packAsync placeholder (flag 2) never leaves its process.
    expectCode(() => packer.unpackOutOfBand(ext(OOB_EXT, [0, 0, 0, 0, 2, ...new Uint8Array(16)]), buffers), 'ERR_CORRUPT');
  });

  it('a raw out-of-band buffer that disagrees with its record is ERR_CORRUPT', () => {
    const clevel0 = new Packer({ clevel: 0 });
    const { message } = clevel0.packOutOfBand({ a: new NDArray(makeTyped(Float64Array, 2000, 3), [40, 50]) });
    expectCode(() => clevel0.unpackOutOfBand(message, [new Uint8Array(8 * 2000 - 8)]), 'ERR_CORRUPT');
    expectCode(() => clevel0.unpackOutOfBand(message, [new Uint8Array(8 * 2000 + 3)]), 'ERR_CORRUPT');
    expect(() => clevel0.unpackOutOfBand(message, [new Uint8Array(8 * 2000)])).not.toThrow();
  });

  it('view records with bad fields are ERR_CORRUPT', () => {
    const abRecord = raw(AB, U8, new Uint8Array(16));
    expect(viewTag()[1]).toBe(VIEW_EXT);
    const viewOf = (...fields: Uint8Array[]) => Buffer.concat([viewTag(), fixarray(...fields)]);
    const int = (n: number) => pack(n);
    // Well-formed: a Float32Array of 2 items at offset 4.
    const ok = packer.unpack(viewOf(abRecord, int(4), int(2), int(TYPED), int(F32))) as Float32Array;
    expect(ok).toBeInstanceOf(Float32Array);
    expect([ok.byteOffset, ok.length, ok.buffer.byteLength]).toEqual([4, 2, 16]);
    const bad: Uint8Array[][] = [
      [int(1), int(0), int(2), int(TYPED), int(F32)], // not an ArrayBuffer
      [abRecord, int(16), int(2), int(TYPED), int(F32)], // past the end
      [abRecord, int(2), int(2), int(TYPED), int(F32)], // misaligned
      [abRecord, int(-4), int(2), int(TYPED), int(F32)], // negative
      [abRecord, int(0), int(2), int(9), int(F32)], // unknown kind
      [abRecord, int(0), int(2), int(AB), int(U8)], // a buffer is not a view kind
      [abRecord, int(0), int(2), int(TYPED), int(13)], // unknown dtype
      [abRecord, pack('0'), int(2), int(TYPED), int(F32)], // not a number
      [abRecord, int(0), int(4), int(NDARRAY), int(F32)], // NDArray without shape and dtype
      [abRecord, int(0), int(1e300), int(TYPED), int(F32)],
      [abRecord, int(0)],
    ];
    for (const fields of bad) expectCode(() => packer.unpack(viewOf(...fields)), 'ERR_CORRUPT');
    expectCode(() => packer.unpack(Buffer.from([0xd4, VIEW_EXT, 0, 0x07])), 'ERR_CORRUPT');
  });
});

describe('bad arguments', () => {
  it('unpack of something that is not bytes, or with unknown options, is ERR_INVALID_ARG', () => {
    for (const input of [123, 'abc', null, undefined, {}, [1, 2]]) expectCode(() => packer.unpack(input as Uint8Array), 'ERR_INVALID_ARG');
    const m = pack(1);
    expectCode(() => packer.unpack(m, { bogus: true } as never), 'ERR_INVALID_ARG');
    expectCode(() => packer.unpack(m, { maxOutputBytes: -1 }), 'ERR_INVALID_ARG');
    expectCode(() => packer.unpack(m, { zeroCopy: 'yes' as unknown as boolean }), 'ERR_INVALID_ARG');
    expectCode(() => packer.unpack(m, { nthreads: 0 }), 'ERR_INVALID_ARG');
    expect(unpack(new Uint8Array(m).buffer)).toBe(1);
  });

  it('bad Packer options are ERR_INVALID_ARG', () => {
    const bad: unknown[] = [
      { threshold: -1 },
      { threshold: 1.5 },
      { threshold: '8' },
      { structuredClone: 'yes' },
      { zeroCopy: 1 },
      { maxOutputBytes: -5 },
      { codec: 'snappy' },
      { clevel: 10 },
      { bogus: 1 },
      'options',
      5,
    ];
    for (const options of bad) expectCode(() => new Packer(options as never), 'ERR_INVALID_ARG');
  });

  it('useBlosc2 wants a msgpackr Packr and valid options', () => {
    expectCode(() => useBlosc2({} as Packr), 'ERR_INVALID_ARG');
    expectCode(() => useBlosc2(new Packr(), { threshold: -1 }), 'ERR_INVALID_ARG');
    expectCode(() => useBlosc2(new Packr(), { clevel: 42 }), 'ERR_INVALID_ARG');
  });
});

describe('__proto__ keys stay plain data', () => {
  function check(result: unknown): void {
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('x');
    if (result instanceof Map) {
      expect(result.get('__proto__')).toBeDefined();
      return;
    }
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as Record<string, unknown>)['x']).toBeUndefined();
    expect((result as Record<string, unknown>)['polluted']).toBeUndefined();
    // The data is kept, as an own property.
    const values = Object.values(result as object) as unknown[];
    expect(values.some((v) => typeof v === 'object' && v !== null && (v as Record<string, unknown>)['x'] === 1)).toBe(true);
  }

  const fromJson = () => JSON.parse('{"__proto__":{"x":1},"a":2,"arr":{"__proto__":{"x":1}}}') as unknown;
  const defined = () => {
    const o: Record<string, unknown> = { a: 2 };
    Object.defineProperty(o, '__proto__', { value: { x: 1 }, enumerable: true, configurable: true, writable: true });
    return o;
  };

  for (const options of [{ structuredClone: true }, { mapsAsObjects: false }]) {
    it(`pack then unpack with ${JSON.stringify(options)}`, () => {
      const p = new Packer(options);
      for (const value of [fromJson(), defined(), { nested: [fromJson()], typed: new Uint8Array(3) }]) {
        const r = p.unpack(p.pack(value));
        if (r instanceof Map) check(r.has('nested') ? (r.get('nested') as unknown[])[0] : r);
        else if ('nested' in (r as object)) check((r as { nested: unknown[] }).nested[0]);
        else check(r);
      }
    });
  }

  it('structuredClone keeps a __proto__ key as the own property it was', () => {
    const p = new Packer({ structuredClone: true });
    const r = p.unpack(p.pack(fromJson())) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(['__proto__', 'a', 'arr']);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(r, '__proto__')?.value).toEqual({ x: 1 });
  });

  for (const options of [{}, { threshold: 0, moreTypes: true }]) {
    it(`the default mode refuses a __proto__ key (msgpackr reads it back as __proto_), naming it: ${JSON.stringify(options)}`, () => {
      const p = new Packer(options);
      expect(() => p.pack({ nested: [fromJson()] })).toThrow(
        expect.objectContaining({ code: 'ERR_DATA_CLONE', message: expect.stringContaining('value.nested[0].__proto__') as unknown }),
      );
      expect(() => p.pack(defined())).toThrow(expect.objectContaining({ code: 'ERR_DATA_CLONE' }));
    });
  }

  it('a hand-made message with a __proto__ map key', () => {
    // {"__proto__": {"polluted": true, "x": 1}} as a msgpack map.
    const m = Buffer.concat([
      Buffer.from([0x81, 0xa9]),
      Buffer.from('__proto__'),
      Buffer.from([0x82, 0xa8]),
      Buffer.from('polluted'),
      Buffer.from([0xc3, 0xa1, 0x78, 0x01]),
    ]);
    for (const p of [packer, new Packer({ structuredClone: true })]) check(p.unpack(m));
  });
});

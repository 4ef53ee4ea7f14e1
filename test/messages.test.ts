/**
 * Messages a user can act on (issue 14): a misspelled option or name gets
 * "did you mean" from every option table, an array is described as an array,
 * unpack of bytes that are not a message says what they look like, and no
 * error (nor its cause) ever quotes data that was decoded or received.
 */
import { inspect } from 'node:util';
import * as fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  Blosc2Error,
  KeyvBufferStore,
  NDArray,
  PackStream,
  Packer,
  UnpackStream,
  compress,
  createSerializer,
  decompress,
  encodeValue,
  pack,
  packOutOfBand,
  receiveValue,
  unpack,
  unpackAsync,
  useBlosc2,
} from '../src/index';
import { closestName } from '../src/names';
import { sampleBytes } from './support/data';
import { catchBlosc2Error, rejectionOf } from './support/errors';

/** Calls the API with a deliberately wrong argument. */
const loose = <T>(value: unknown): T => value as T;

function invalid(fn: () => unknown): string {
  const err = catchBlosc2Error(fn);
  expect(err.code).toBe('ERR_INVALID_ARG');
  return err.message;
}

describe('a misspelled name gets "did you mean"', () => {
  // [what is called, the name the message must suggest]
  const cases: ReadonlyArray<[string, () => unknown, string]> = [
    ['cparams key', () => compress(new Uint8Array(8), loose({ clvel: 5 })), 'clevel'],
    ["python-blosc's cname", () => compress(new Uint8Array(8), loose({ cname: 'zstd' })), 'codec'],
    ["numcodecs' shuffle", () => compress(new Uint8Array(8), loose({ shuffle: 1 })), 'filters'],
    ['codec in capitals', () => compress(new Uint8Array(8), loose({ codec: 'ZSTD' })), 'zstd'],
    ['codec one letter off', () => compress(new Uint8Array(8), loose({ codec: 'lz5' })), 'lz4'],
    ["python-blosc2's filter name", () => compress(new Uint8Array(8), loose({ filters: ['BITSHUFFLE'] })), 'bitshuffle'],
    ['filter in snake case', () => compress(new Uint8Array(8), loose({ filters: ['trunc_prec'] })), 'truncPrec'],
    ["python-blosc2's split mode", () => compress(new Uint8Array(8), loose({ splitmode: 'FORWARD_COMPAT_SPLIT' })), 'forwardCompat'],
    ['dparams key', () => decompress(compress(new Uint8Array(8)), loose({ maxOutputByte: 10 })), 'maxOutputBytes'],
    ['Packer option', () => new Packer(loose({ threshhold: 0 })), 'threshold'],
    ['Packer option case', () => new Packer(loose({ zerocopy: true })), 'zeroCopy'],
    ['msgpackr option', () => new Packer(loose({ useRecord: true })), 'useRecords'],
    ['unpack option', () => new Packer().unpack(pack(1), loose({ nthread: 1 })), 'nthreads'],
    ['stream option', () => new UnpackStream(loose({ maxMesageBytes: 10 })), 'maxMessageBytes'],
    ['serializer option', () => createSerializer(loose({ clevle: 1 })), 'clevel'],
    ['transfer mode', () => encodeValue({}, loose({ mode: 'compres' })), 'compress'],
    ['useBlosc2 option', () => useBlosc2(new Packr(), loose({ treshold: 0 })), 'threshold'],
  ];
  it.each(cases)('%s', (_what, fn, suggestion) => {
    expect(invalid(fn)).toContain(`did you mean '${suggestion}'?`);
  });

  it('names the option, what it must be and what it got, and suggests nothing when no name is close', () => {
    const message = invalid(() => compress(new Uint8Array(8), loose({ banana: 1 })));
    expect(message).toBe(
      'Expected a known option (codec, clevel, filters, filtersMeta, typesize, nthreads, blocksize, splitmode) for cparams.banana but received 1 of type number',
    );
    expect(invalid(() => new Packer(loose({ banana: 1 })))).not.toContain('did you mean');
  });

  it('finds a known name whatever its case and separators (property)', () => {
    const known = ['codec', 'clevel', 'filtersMeta', 'maxOutputBytes', 'forwardCompat', 'truncPrec'];
    fc.assert(
      fc.property(fc.constantFrom(...known), fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }), (name, flips) => {
        const mangled = [...name].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join('_');
        expect(closestName(mangled, known)).toBe(name);
      }),
    );
    expect(closestName('xyz', known)).toBeUndefined();
  });
});

describe('values are described as what they are', () => {
  it('an NDArray shape that is an array is called an array, not a string', () => {
    const message = invalid(() => new NDArray(new Float32Array(6), [2, 2]));
    expect(message).toBe('Expected dimensions whose product is data.length (6) for shape but received the array [2, 2]');
  });

  it('arrays of objects and null-prototype objects are described without throwing', () => {
    const message = invalid(() => compress(loose([{ a: 1 }, Object.create(null), [1], 'x'.repeat(50)])));
    expect(message).toContain("the array [{...}, {...}, [...], 'xxxxxxxxxxxxxxxxxxxx...']");
  });
});

describe('unpack of bytes that are not a message says what they look like', () => {
  const data = sampleBytes(100_000, 3);
  const cases: ReadonlyArray<[string, Uint8Array, string]> = [
    ['a bare compress() chunk', compress(data), 'a bare C-Blosc2 chunk, as compress() writes: read it with decompress()'],
    ['a bare frame (an out-of-band buffer)', packOutOfBand({ a: data }).buffers[0] as Uint8Array, 'a bare C-Blosc2 frame (CFrame)'],
    ['JSON', Buffer.from(JSON.stringify({ user: 'ada', tags: [1, 2, 3] })), 'the bytes are JSON text (29 bytes), not MessagePack'],
    ['a JSON string', Buffer.from('"just a string"'), 'JSON text'],
    ['a line of text', Buffer.from('hello from console.log\n'), 'the bytes are UTF-8 text (23 bytes), not MessagePack'],
    ['gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), 'gzip data'],
    ['nothing', new Uint8Array(0), 'the input is empty'],
  ];
  it.each(cases)('%s', async (_what, bytes, look) => {
    for (const err of [catchBlosc2Error(() => unpack(bytes)), await rejectionOf(unpackAsync(bytes))]) {
      expect(err.code).toBe('ERR_CORRUPT');
      expect(err.message).toMatch(/^not a valid message: /);
      expect(err.message).toContain(look);
    }
  });

  it('a PackStream frame is recognized as one', async () => {
    const out = new PackStream();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    out.end({ a: 1 });
    await new Promise((r) => out.on('end', r));
    const streamBytes = Buffer.concat(chunks);
    expect(catchBlosc2Error(() => unpack(streamBytes)).message).toContain('a blosc2 stream');
    // One frame without the stream header, and one frame of framing version 1.
    expect(catchBlosc2Error(() => unpack(streamBytes.subarray(8))).message).toContain('one stream frame');
    const legacy = Buffer.concat([Buffer.from([0, 0, 0, 6]), pack({ a: 1 })]);
    expect(catchBlosc2Error(() => unpack(legacy)).message).toContain('framing version 1');
  });

  it('says why msgpackr stopped: truncated, an unknown ext type', () => {
    const message = pack({ a: 'x'.repeat(100) });
    expect(catchBlosc2Error(() => unpack(message.subarray(0, 50))).message).toContain('the input ends inside a MessagePack value');
    expect(catchBlosc2Error(() => unpack(Buffer.from([0xd4, 0x63, 0]))).message).toContain('an ext record of type 99');
  });
});

describe('errors never quote decoded or received data', () => {
  const SECRET = 'hunter2-secret';

  function expectClean(err: Blosc2Error): void {
    expect(err).toBeInstanceOf(Blosc2Error);
    expect(err.message).not.toContain(SECRET);
    expect(inspect(err, { depth: 5 })).not.toContain(SECRET);
  }

  it('a valid message followed by a stray byte (msgpackr would quote the value it read)', () => {
    const bytes = Buffer.concat([pack({ password: SECRET, n: 1 }), Buffer.from([1])]);
    const err = catchBlosc2Error(() => unpack(bytes));
    expect(err.code).toBe('ERR_CORRUPT');
    expect(err.message).toContain('one MessagePack value ends before the input does');
    expectClean(err);
  });

  it('any damage to a message holding secrets (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.constantFrom(SECRET, [SECRET], { s: SECRET })),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.constantFrom('truncate', 'append', 'overwrite'),
        (value, at, junk, how) => {
          const m = pack({ ...value, last: SECRET });
          const i = at % m.length;
          const bytes =
            how === 'truncate'
              ? m.subarray(0, i)
              : how === 'append'
                ? Buffer.concat([m, junk])
                : Buffer.concat([m.subarray(0, i), junk, m.subarray(i + junk.length)]);
          try {
            unpack(bytes);
          } catch (err) {
            expectClean(err as Blosc2Error);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a posted message and a cache entry of the wrong type are described, not quoted', async () => {
    expectClean(catchBlosc2Error(() => receiveValue({ note: SECRET })));
    const asString = catchBlosc2Error(() => receiveValue(SECRET));
    expect(asString.message).toBe(`Expected a message posted by postValue for data but received a string of ${SECRET.length} characters`);
    const store = new KeyvBufferStore({ get: () => loose(SECRET), set: () => undefined, delete: () => true });
    expectClean(await rejectionOf(store.get('k')));
  });

  it('a frame or record naming an odd dtype is described by its length', () => {
    const odd = `${SECRET}${'\u0001'.repeat(3)}`;
    const ndarray = Buffer.concat([
      Buffer.from([0xc7, 4 + odd.length + 4, 80, 0x58, 1, 1, odd.length]),
      Buffer.from(odd, 'latin1'),
      Buffer.alloc(4),
    ]);
    const err = catchBlosc2Error(() => unpack(ndarray));
    expect(err.code).toBe('ERR_UNSUPPORTED');
    expect(err.message).toContain(`a ${odd.length}-character name`);
    expectClean(err);
  });
});

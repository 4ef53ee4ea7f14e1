// Stream framing version 2 (FORMAT.md "Stream framing"): bytes that are not a
// blosc2 stream (random bytes, JSON, a stray log line, HTTP) are refused with
// ERR_CORRUPT as soon as they arrive, never waiting for a length they seem to
// state; a truncated stream and a peer that dies are errors on the side that
// notices; PackStream snapshots values at write() unless deferred.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, Writable, pipeline } from 'node:stream';
import { Blosc2Error } from '../src/errors';
import { Packer } from '../src/packer';
import { PackStream, STREAM_HEADER, UnpackStream } from '../src/stream';
import { crc32c, frameHeader } from '../src/stream-framing';

const packer = new Packer();

function stream(...messages: Uint8Array[]): Buffer {
  return Buffer.concat([STREAM_HEADER, ...messages.flatMap((m) => [frameHeader(m.length), m])]);
}

/**
 * Feeds chunks to a new UnpackStream without ending it; resolves with the
 * values delivered and the error, once the error came or every chunk was taken
 * without one. A reader that waited for more bytes would leave `error` unset.
 */
async function feed(chunks: Uint8Array[], options = {}): Promise<{ values: unknown[]; error: Blosc2Error | undefined }> {
  const unpack = new UnpackStream(options);
  const values: unknown[] = [];
  unpack.on('data', (v) => values.push(v));
  let error: Blosc2Error | undefined;
  unpack.on('error', (e) => (error = e as Blosc2Error));
  for (const c of chunks) {
    if (error) break;
    unpack.write(c);
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setImmediate(r));
  if (!error) unpack.destroy();
  return { values, error };
}

function expectNotAStream(error: Blosc2Error | undefined, looks?: RegExp): void {
  expect(error).toBeInstanceOf(Blosc2Error);
  expect(error?.code).toBe('ERR_CORRUPT');
  expect(error?.message).toMatch(/not a blosc2 stream/);
  expect(error?.message).not.toMatch(/maxMessageBytes/);
  if (looks) expect(error?.message).toMatch(looks);
}

describe('bytes that are not a blosc2 stream', () => {
  it('the CRC-32C is the Castagnoli one (check value of "123456789")', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it("writes FORMAT.md's example bytes for {a: 1}", async () => {
    const out = new PackStream();
    const parts: Buffer[] = [];
    out.on('data', (c: Buffer) => parts.push(c));
    out.end({ a: 1 });
    await once(out, 'end');
    expect(Buffer.concat(parts).toString('hex')).toBe('896232730d0a1a02' + 'b20000000006f3f7aac4' + 'de0001a16101');
  });

  it('a stray log line, JSON or HTTP instead of the stream header: refused at the first byte', async () => {
    for (const [text, looks] of [
      ['Debugger listening on ws://127.0.0.1:9229\n', /text/],
      ['{"level":"info","msg":"ready"}\n', /JSON/],
      ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', /HTTP/],
    ] as const) {
      const r = await feed([Buffer.from(text), stream(packer.pack({ a: 1 }))]);
      expectNotAStream(r.error, looks);
      expect(r.error?.message).toMatch(/framing: 1/);
      expect(r.values).toEqual([]);
      // One byte is enough to tell.
      expectNotAStream((await feed([Buffer.from(text).subarray(0, 1)])).error);
    }
  });

  it('a line between frames: the values before it arrive, then ERR_CORRUPT at its offset', async () => {
    const first = stream(packer.pack({ a: 1 }));
    const line = Buffer.from('console.log output\n');
    const r = await feed([first, line, stream(packer.pack({ a: 2 })).subarray(STREAM_HEADER.length)]);
    expect(r.values).toEqual([{ a: 1 }]);
    expectNotAStream(r.error, /text/);
    expect(r.error?.message).toContain(`at byte ${first.length}`);
  });

  it('a frame header with a wrong CRC, flags or marker is refused once its 10 bytes are in', async () => {
    const m = packer.pack({ a: 1 });
    for (let bit = 0; bit < 80; bit++) {
      const bytes = stream(m);
      bytes[8 + (bit >> 3)] = (bytes[8 + (bit >> 3)] as number) ^ (1 << (bit & 7));
      const r = await feed([bytes]);
      expect(r.values, `bit ${bit}`).toEqual([]);
      expectNotAStream(r.error);
    }
  });

  it('a framing version from the future is ERR_UNSUPPORTED', async () => {
    const bytes = stream(packer.pack(1));
    bytes[7] = 3;
    const r = await feed([bytes]);
    expect(r.error?.code).toBe('ERR_UNSUPPORTED');
    expect(r.error?.message).toMatch(/framing version 3/);
  });

  it('property: random bytes are refused within the 10 bytes of a frame header, never waited on', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), async (garbage, atStart) => {
        fc.pre(!(garbage[0] === 0xb2 && (garbage.length === 1 || garbage[1] === 0))); // starts like a header: needs its 10 bytes
        const chunks = atStart ? [garbage] : [stream(packer.pack({ a: 1 })), garbage];
        fc.pre(!atStart || garbage[0] !== 0x89); // or like the stream header
        const r = await feed(chunks);
        expect(r.values).toEqual(atStart ? [] : [{ a: 1 }]);
        expectNotAStream(r.error);
      }),
      { numRuns: 300 },
    );
  });

  it('property: garbage spliced into a valid stream at any frame boundary stops it there', async () => {
    const messages = [0, 1, 2, 3].map((i) => packer.pack({ i, pad: 'x'.repeat(i * 50) }));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), async (at, garbage) => {
        fc.pre(garbage[0] !== 0xb2);
        const before = messages.slice(0, at);
        const after = messages.slice(at);
        const bytes = Buffer.concat([stream(...before), garbage, stream(...after).subarray(STREAM_HEADER.length)]);
        const r = await feed([bytes]);
        expect(r.values).toEqual(before.map((_, i) => ({ i, pad: 'x'.repeat(i * 50) })));
        expectNotAStream(r.error);
      }),
      { numRuns: 200 },
    );
  });

  it('property: a truncated stream ends in ERR_CORRUPT (inside a frame), after the whole frames', async () => {
    const bytes = stream(packer.pack({ a: 1 }), packer.pack({ b: new Float32Array(300) }));
    const firstEnd = STREAM_HEADER.length + 10 + packer.pack({ a: 1 }).length;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: bytes.length - 1 }), async (cut) => {
        const unpack = new UnpackStream();
        const values: unknown[] = [];
        unpack.on('data', (v) => values.push(v));
        const outcome = new Promise<Blosc2Error | undefined>((resolve) => {
          unpack.once('error', (e) => resolve(e as Blosc2Error));
          unpack.once('end', () => resolve(undefined));
        });
        unpack.end(bytes.subarray(0, cut));
        const e = await outcome;
        expect(values.length).toBe(cut >= firstEnd ? 1 : 0);
        if (cut === firstEnd || cut === STREAM_HEADER.length) {
          expect(e).toBeUndefined(); // a clean end between frames
          return;
        }
        expect(e?.code).toBe('ERR_CORRUPT');
        expect(e?.message).toMatch(/ended inside/);
      }),
      { numRuns: 100 },
    );
  });
});

describe('PackStream: snapshot at write(), or deferred', () => {
  it('a value changed right after write() goes out as it was at write()', async () => {
    const out = new PackStream();
    const sink = new PassThrough();
    out.pipe(sink);
    const unpack = new UnpackStream();
    sink.pipe(unpack);
    const got: unknown[] = [];
    unpack.on('data', (v) => got.push(v));
    const a = new Float64Array([1, 2, 3]);
    out.cork(); // queue the writes: they are still packed now
    for (let k = 0; k < 3; k++) {
      out.write({ k, a });
      a[0] = 100 + k;
    }
    out.uncork();
    out.end();
    await once(unpack, 'end');
    expect(got.map((v) => [...(v as { a: Float64Array }).a])).toEqual([
      [1, 2, 3],
      [100, 2, 3],
      [101, 2, 3],
    ]);
  });

  it('deferred: true packs when the stream reaches the value (so later changes show)', async () => {
    const out = new PackStream({ deferred: true });
    const unpack = new UnpackStream();
    out.pipe(unpack);
    const got: unknown[] = [];
    unpack.on('data', (v) => got.push(v));
    const a = new Float64Array([1]);
    out.cork();
    out.write({ a });
    a[0] = 2;
    out.uncork();
    out.end();
    await once(unpack, 'end');
    expect([...(got[0] as { a: Float64Array }).a]).toEqual([2]);
  });

  it('null and undefined cannot be written; a value that cannot be packed fails the stream in order', async () => {
    const out = new PackStream();
    expect(() => out.write(null)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    expect(() => out.write(undefined)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    const unpack = new UnpackStream();
    out.pipe(unpack);
    const got: unknown[] = [];
    unpack.on('data', (v) => got.push(v));
    const failed = once(out, 'error');
    out.write({ ok: 1 });
    out.write({ bad: 2n ** 70n });
    const [err] = (await failed) as unknown[];
    expect(err).toBeInstanceOf(Blosc2Error);
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([{ ok: 1 }]);
  });
});

describe('pipeline() and a peer that dies', () => {
  it('pipeline(values, PackStream, socket) and pipeline(socket, UnpackStream, sink) carry values', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      const received = new Promise<unknown[]>((resolve, reject) => {
        server.once('connection', (socket) => {
          const got: unknown[] = [];
          pipeline(socket, new UnpackStream(), new Writable({ objectMode: true, write: (v, _e, cb) => (got.push(v), cb()) }), (e) =>
            e ? reject(e) : resolve(got),
          );
        });
      });
      const socket = net.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      const out = new PackStream();
      const sent = new Promise<void>((resolve, reject) => pipeline(out, socket, (e) => (e ? reject(e) : resolve())));
      for (let i = 0; i < 20; i++) out.write({ i, a: new Int16Array([i]) });
      out.end();
      await sent;
      const got = (await received) as Array<{ i: number }>;
      expect(got.map((v) => v.i)).toEqual([...Array(20).keys()]);
    } finally {
      server.close();
    }
  });

  it('the writing side gets an error when the reading process dies', async () => {
    // A child that exits at once without reading: its stdin pipe breaks (EPIPE).
    const child = spawn(process.execPath, ['-e', 'process.exit(0)'], { stdio: ['pipe', 'ignore', 'ignore'] });
    await once(child, 'exit');
    const out = new PackStream({ clevel: 0 });
    const failed = new Promise<unknown>((resolve) => pipeline(out, child.stdin, (e) => resolve(e)));
    const big = new Uint8Array(1 << 20);
    const writeErrors: unknown[] = [];
    for (let k = 0; k < 8; k++) out.write({ big }, (e) => e && writeErrors.push(e));
    const err = await Promise.race([failed, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    expect(err).toBeInstanceOf(Error);
    expect(out.destroyed).toBe(true);
    await new Promise((r) => setImmediate(r));
    // Writes after the failure report it too.
    const late = await new Promise<unknown>((resolve) => out.write({ x: 1 }, resolve));
    expect(late).toBeInstanceOf(Error);
  });

  it('the reading side gets ERR_CORRUPT when the writer dies mid-message', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      const outcome = new Promise<unknown>((resolve) => {
        server.once('connection', (socket) => {
          pipeline(socket, new UnpackStream(), new Writable({ objectMode: true, write: (_v, _e, cb) => cb() }), (e) => resolve(e));
        });
      });
      const socket = net.connect(port, '127.0.0.1');
      await once(socket, 'connect');
      const whole = stream(packer.pack({ a: new Float64Array(5000) }));
      socket.write(whole.subarray(0, whole.length >> 1));
      socket.destroy(); // the writer is gone, half a message sent
      const err = await outcome;
      expect(err).toBeInstanceOf(Error);
      // Either the half frame (ERR_CORRUPT) or the reset connection, never a hang.
      if (err instanceof Blosc2Error) expect(err.code).toBe('ERR_CORRUPT');
    } finally {
      server.close();
    }
  });
});

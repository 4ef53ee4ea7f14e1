import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import * as path from 'node:path';
import { once } from 'node:events';
import { PassThrough, Writable, pipeline } from 'node:stream';
import {
  Blosc2Error,
  DEFAULT_MAX_MESSAGE_BYTES,
  FRAME_HEADER_BYTES,
  Packer,
  PackStream,
  STREAM_HEADER,
  type StreamOptions,
  UnpackStream,
} from '../src/index';
import { frameHeader } from '../src/stream-framing';
import { lengthPrefixed as legacyFrame } from './support/bytes';
import { CHILDREN, spawnNode } from './support/child';
import { diff } from './support/compare';
import { expectRejection } from './support/errors';
import { transportValue } from './support/values';

const COUNT = 1000;
const packer = new Packer();

/** Writes values in order, waiting for 'drain' whenever write() says so. */
async function writeAll(stream: PackStream, values: Iterable<unknown>): Promise<number> {
  let waits = 0;
  for (const v of values) {
    if (!stream.write(v)) {
      waits++;
      await once(stream, 'drain');
    }
  }
  stream.end();
  return waits;
}

function* range(n: number): Generator<Record<string, unknown>> {
  for (let i = 0; i < n; i++) yield transportValue(i);
}

/** Collects every value an UnpackStream yields; rejects on its error. */
async function collect(stream: UnpackStream): Promise<unknown[]> {
  const got: unknown[] = [];
  for await (const v of stream) got.push(v);
  return got;
}

/** One version-2 frame: the checked header and the message. */
function frame(message: Uint8Array): Buffer {
  return Buffer.concat([frameHeader(message.length), message]);
}

/** A version-2 stream: the stream header, then one frame per message. */
function stream(...messages: Uint8Array[]): Buffer {
  return Buffer.concat([STREAM_HEADER, ...messages.map(frame)]);
}

function checkAll(got: readonly unknown[], n: number): void {
  expect(got.length).toBe(n);
  for (let i = 0; i < n; i++) {
    const d = diff(got[i], transportValue(i));
    if (d) throw new Error(`message ${i}: ${d}`);
  }
}

/**
 * Sends `values` through a PackStream over a loopback TCP socket into an
 * UnpackStream; returns what arrived and how often the writer waited for 'drain'.
 */
async function overLoopback(
  packOptions: StreamOptions,
  unpackOptions: StreamOptions,
  values: Iterable<unknown>,
): Promise<{ got: unknown[]; waits: number }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    const received = new Promise<unknown[]>((resolve, reject) => {
      server.once('connection', (socket) => {
        const unpack = new UnpackStream(unpackOptions);
        socket.pipe(unpack);
        unpack.on('error', reject);
        collect(unpack).then(resolve, reject);
      });
    });
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const packStream = new PackStream(packOptions);
    packStream.pipe(socket);
    const waits = await writeAll(packStream, values);
    return { got: await received, waits };
  } finally {
    server.close();
  }
}

describe('PackStream / UnpackStream over TCP', () => {
  it('carries 1,000 mixed messages intact over a loopback socket, with back-pressure', async () => {
    const { got, waits } = await overLoopback({ codec: 'zstd', clevel: 3 }, {}, range(COUNT));
    checkAll(got, COUNT);
    // The large messages are megabytes against a 16 KiB high-water mark: the writer had to wait.
    expect(waits).toBeGreaterThan(0);
  });

  it('works with async packing and unpacking (libuv pool), in order', async () => {
    const { got } = await overLoopback({ async: true, codec: 'lz4' }, { async: true }, range(200));
    checkAll(got, 200);
  });
});

describe('PackStream / UnpackStream over a child process stdio', () => {
  for (const mode of ['sync', 'async'] as const) {
    it(`round-trips through an echo child (${mode})`, async () => {
      const child = spawnNode([path.join(CHILDREN, 'echo.cjs'), ...(mode === 'async' ? ['--async'] : [])]);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = once(child, 'exit');
      const unpack = new UnpackStream();
      child.stdout.pipe(unpack);
      const got = collect(unpack);
      const packStream = new PackStream({ threshold: 0 });
      packStream.pipe(child.stdin);
      const n = mode === 'sync' ? 300 : 120;
      await writeAll(packStream, range(n));
      const values = await got;
      const [code] = await exited;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      checkAll(values, n);
    });
  }
});

describe('UnpackStream framing and limits', () => {
  it('reassembles messages split at every byte, and joins several per chunk', async () => {
    const values = [transportValue(1), transportValue(5), transportValue(0)];
    const bytes = stream(...values.map((v) => packer.pack(v)));
    const unpack = new UnpackStream();
    const got = collect(unpack);
    // The stream header and the first message byte by byte, the rest as one chunk.
    const firstLen = STREAM_HEADER.length + FRAME_HEADER_BYTES + packer.pack(values[0]).length;
    for (let k = 0; k < firstLen; k++) unpack.write(bytes.subarray(k, k + 1));
    unpack.end(bytes.subarray(firstLen));
    const out = await got;
    expect(out.length).toBe(3);
    for (let k = 0; k < 3; k++) expect(diff(out[k], values[k])).toBe('');
  });

  it('refuses a header over maxMessageBytes as soon as it arrives, before any allocation', async () => {
    const unpack = new UnpackStream({ maxMessageBytes: 1 << 20 });
    const done = collect(unpack);
    unpack.write(Buffer.concat([STREAM_HEADER, frameHeader(0xffff_ffff)]));
    const err = await expectRejection(done, 'ERR_MAX_OUTPUT');
    expect(err.message).toContain('4294967295');
    expect(err.message).toContain('maxMessageBytes');
  });

  it('refuses a 4 GiB header with the default limit', async () => {
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(2 ** 30);
    const unpack = new UnpackStream();
    const done = collect(unpack);
    unpack.write(Buffer.concat([STREAM_HEADER, frameHeader(0xffff_ffff), Buffer.from([1, 2, 3])]));
    await expectRejection(done, 'ERR_MAX_OUTPUT');
  });

  it('does not allocate a stated length up front: a trickling peer costs only what it sent', async () => {
    const unpack = new UnpackStream();
    const done = collect(unpack);
    const before = process.memoryUsage().arrayBuffers;
    // 1 GiB: allowed, but never completed.
    unpack.write(Buffer.concat([STREAM_HEADER, frameHeader(DEFAULT_MAX_MESSAGE_BYTES)]));
    const piece = Buffer.alloc(1024, 7);
    for (let k = 0; k < 1024; k++) unpack.write(piece);
    await new Promise((r) => setImmediate(r));
    expect(unpack.bufferedBytes).toBe(1024 * 1024);
    // A 1 GiB allocation would show here; the 1 MiB of chunks (and test noise) stays far below.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    unpack.end();
    const err = await expectRejection(done, 'ERR_CORRUPT');
    expect(err.message).toContain(`1048576 of ${DEFAULT_MAX_MESSAGE_BYTES} message bytes`);
  });

  it('fails with ERR_CORRUPT when the input ends inside the stream header or a frame header', async () => {
    const unpack = new UnpackStream();
    const done = collect(unpack);
    unpack.end(STREAM_HEADER.subarray(0, 3));
    expect((await expectRejection(done, 'ERR_CORRUPT')).message).toMatch(/inside its stream header/);
    const second = new UnpackStream();
    const done2 = collect(second);
    second.end(Buffer.concat([STREAM_HEADER, frameHeader(10).subarray(0, 6)]));
    expect((await expectRejection(done2, 'ERR_CORRUPT')).message).toMatch(/inside a frame \(6 of the 10 header bytes\)/);
  });

  it('an empty input, or the stream header alone, is an empty stream', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from(STREAM_HEADER)]) {
      const unpack = new UnpackStream();
      const done = collect(unpack);
      unpack.end(bytes);
      expect(await done).toEqual([]);
    }
  });

  it('fails with ERR_CORRUPT on a zero-length frame and on a bad message', async () => {
    const a = new UnpackStream();
    const da = collect(a);
    a.end(Buffer.concat([STREAM_HEADER, frameHeader(0)]));
    await expectRejection(da, 'ERR_CORRUPT');
    const b = new UnpackStream();
    const db = collect(b);
    b.end(stream(Buffer.from([0xc9, 0, 0, 0, 50, 42, 1, 2])));
    await expectRejection(db, 'ERR_CORRUPT');
  });

  it('refuses a top-level nil with ERR_UNSUPPORTED instead of ending the stream early', async () => {
    const unpack = new UnpackStream();
    const done = collect(unpack);
    unpack.write(stream(packer.pack({ ok: 1 })));
    unpack.end(frame(Buffer.from([0xc0])));
    await expectRejection(done, 'ERR_UNSUPPORTED');
  });

  it('passes maxOutputBytes through to the Packer: arrays over it are refused', async () => {
    const unpack = new UnpackStream({ maxOutputBytes: 1000 });
    const done = collect(unpack);
    unpack.end(stream(packer.pack({ a: new Float64Array(1000) })));
    await expectRejection(done, 'ERR_MAX_OUTPUT');
  });

  it('pauses the writer while nobody reads (back-pressure on the value side)', async () => {
    const unpack = new UnpackStream();
    unpack.write(STREAM_HEADER);
    const one = frame(packer.pack({ k: 1 }));
    let writes = 0;
    while (unpack.write(one) && writes < 10_000) writes++;
    // Decoding stops once the readable side holds its 16 values; the frames then queue on the
    // writable side until its 16 KiB mark, and write() says wait.
    expect(writes).toBeLessThan(10_000);
    expect(unpack.readableLength).toBeLessThanOrEqual(unpack.readableHighWaterMark);
    expect(unpack.writableLength).toBeGreaterThan(0);
    const got: unknown[] = [];
    const drained = once(unpack, 'drain');
    unpack.on('data', (v) => got.push(v));
    await drained;
    unpack.end();
    await once(unpack, 'end');
    expect(got.length).toBe(writes + 1);
  });
});

describe('PackStream', () => {
  it('writes the stream header, then each value as a checked 10-byte header and one Packer message', async () => {
    const packStream = new PackStream({ codec: 'zstd', clevel: 9, threshold: 0 });
    const sink: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) =>
      pipeline(packStream, new Writable({ write: (c: Buffer, _e, cb) => (sink.push(c), cb()) }), (e) => (e ? reject(e) : resolve())),
    );
    const value = { a: new Uint8Array(100).fill(3) };
    packStream.end(value);
    await done;
    const bytes = Buffer.concat(sink);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('896232730d0a1a02');
    const n = bytes.readUInt32BE(10);
    expect(bytes.subarray(8, 18).equals(frameHeader(n))).toBe(true);
    expect(bytes.length).toBe(18 + n);
    // threshold 0 means the 100-byte array was compressed: a b2nd frame (ext 42), not a raw record.
    expect(bytes.subarray(18).includes(Buffer.from([42]))).toBe(true);
    expect(diff(packStream.packer.unpack(bytes.subarray(18)), value)).toBe('');
  });

  it('refuses to send a message over maxMessageBytes', async () => {
    const packStream = new PackStream({ maxMessageBytes: 1000, clevel: 0 });
    packStream.resume();
    const err = once(packStream, 'error');
    packStream.write({ a: new Uint8Array(5000) });
    const [e] = await err;
    expect(e).toBeInstanceOf(Blosc2Error);
    expect((e as Blosc2Error).code).toBe('ERR_MAX_OUTPUT');
  });

  it('framing: 1 writes and reads the version-1 framing (a bare 4-byte length), for older peers', async () => {
    const packStream = new PackStream({ framing: 1 });
    const sink: Buffer[] = [];
    packStream.on('data', (c: Buffer) => sink.push(c));
    packStream.end({ v: 1 });
    await once(packStream, 'end');
    const bytes = Buffer.concat(sink);
    expect(bytes.equals(legacyFrame(packer.pack({ v: 1 })))).toBe(true);
    const unpack = new UnpackStream({ framing: 1 });
    const done = collect(unpack);
    unpack.end(Buffer.concat([bytes, legacyFrame(packer.pack({ v: 2 }))]));
    expect(await done).toEqual([{ v: 1 }, { v: 2 }]);
    // A version-2 reader refuses it at once, and says what to do.
    const v2 = new UnpackStream();
    const refused = collect(v2);
    v2.write(bytes);
    expect((await expectRejection(refused, 'ERR_CORRUPT')).message).toMatch(/framing: 1/);
  });

  it('validates options', () => {
    expect(() => new PackStream({ framing: 3 as 2 })).toThrow(/framing/);
    expect(() => new UnpackStream({ framing: '2' as unknown as 2 })).toThrow(/framing/);
    expect(() => new PackStream({ deferred: 1 as unknown as boolean })).toThrow(/deferred/);
    expect(() => new PackStream({ async: true, deferred: false })).toThrow(/deferred/);
    expect(() => new PackStream({ maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => new PackStream({ maxMessageBytes: 2 ** 32 })).toThrow(/maxMessageBytes/);
    expect(() => new UnpackStream({ async: 'yes' as unknown as boolean })).toThrow(/async/);
    expect(() => new PackStream({ packer: new Packer(), clevel: 3 })).toThrow(/clevel/);
    expect(() => new PackStream({ codec: 'nope' as 'lz4' })).toThrow(Blosc2Error);
    const p = new Packer({ codec: 'lz4' });
    expect(new PackStream({ packer: p }).packer).toBe(p);
  });

  it('round-trips through PassThrough pieces of random sizes', async () => {
    const packStream = new PackStream();
    const mid = new PassThrough({ highWaterMark: 7 });
    const unpack = new UnpackStream();
    packStream.pipe(mid).pipe(unpack);
    const got = collect(unpack);
    await writeAll(packStream, range(50));
    checkAll(await got, 50);
  });
});

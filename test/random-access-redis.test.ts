/**
 * Lazy arrays read from a real Redis server (GETRANGE through node-redis, the
 * client the adapter is given): a get fetches the header, the offsets index
 * and the chunks it touches, nothing else. The server is our own
 * (test/fixtures/redis-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESP_TYPES, createClient } from 'redis';
import { Blosc2Error, NDArray, openFrame, pack, packChunks, redisRangeReader } from '../src/index';
import { backend } from '../src/backend';
import { type RedisServer, startRedis } from './support/redis-server';
import { bytesOf } from './support/compare';
import { nums, referenceSelect } from './support/random-access';

let redis: RedisServer | undefined;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  redis = await startRedis();
  client = createClient({ socket: { host: '127.0.0.1', port: redis.port } });
  client.on('error', () => undefined);
  await client.connect();
});

afterAll(async () => {
  if (client?.isOpen) await client.close();
  await redis?.stop();
});

describe('redisRangeReader', () => {
  it('reads a row of a 16 MB array stored in Redis: the header, the index and one chunk', async () => {
    const rows = 2048;
    const cols = 1024;
    const data = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i / 5000) * 100 + (i % 3));
    // 64 KiB chunks of 8 rows.
    const frame = await packChunks([data], { shape: [rows, cols], dtype: '<f8', chunkshape: [8, cols], blockshape: [1, cols] });
    const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    await binary.set('frame:big', frame);
    // The plain client: the adapter asks for Buffers itself.
    const lazy = await openFrame(redisRangeReader(client, 'frame:big'));
    const opened = lazy.bytesRead;
    const info = backend.frameOpen({ frame });
    expect(opened).toBeLessThanOrEqual(1024 + info.headerLength + (frame.length - info.indexOffset));
    const row = await lazy.get(1000);
    expect(Buffer.from(bytesOf(row.data)).equals(Buffer.from(bytesOf(data.subarray(1000 * cols, 1001 * cols))))).toBe(true);
    const one = lazy.bytesRead - opened;
    expect(one).toBeGreaterThan(0);
    expect(one).toBeLessThanOrEqual(8 * cols * 8 + 32);
    // A strided column over 16 chunks: those 16 chunks' bytes.
    const before = lazy.bytesRead;
    const col = await lazy.get([[0, 128, 8], 5]);
    expect(Buffer.from(bytesOf(col.data)).equals(Buffer.from(referenceSelect(bytesOf(data), [rows, cols], 8, [[0, 128, 8], 5])))).toBe(
      true,
    );
    expect(lazy.bytesRead - before).toBeLessThanOrEqual(16 * (8 * cols * 8 + 32));
    expect(Buffer.from(bytesOf(((await lazy.toArray()) as NDArray).data)).equals(Buffer.from(bytesOf(data)))).toBe(true);
  });

  it('opens a value pack wrote for one array', async () => {
    const a = Int32Array.from({ length: 100_000 }, (_, i) => i * 3);
    await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).set('frame:packed', pack(a, { threshold: 0 }));
    const lazy = await openFrame(redisRangeReader(client, 'frame:packed'));
    expect(nums((await lazy.get([[-3]])).data)).toEqual([299_991, 299_994, 299_997]);
    expect(await lazy.toArray()).toEqual(a);
  });

  it('refuses a missing key, a client that returns strings, and bad arguments', async () => {
    const missing = await openFrame(redisRangeReader(client, 'frame:absent')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Blosc2Error);
    expect((missing as Blosc2Error).code).toBe('ERR_CORRUPT');
    const stringly = { getRange: () => Promise.resolve('b2frame') };
    const err = await openFrame(redisRangeReader(stringly, 'k')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Blosc2Error);
    expect((err as Blosc2Error).code).toBe('ERR_INVALID_ARG');
    expect((err as Error).message).toMatch(/withTypeMapping/);
    expect(() => redisRangeReader({} as never, 'k')).toThrow(/getRange/);
    expect(() => redisRangeReader(client, 42 as never)).toThrow(/key/);
  });
});

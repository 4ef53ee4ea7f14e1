/**
 * Packed values in a real Redis server through node-redis, as Buffers.
 * The test starts its own redis-server (test/support/redis-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Keyv from 'keyv';
// keyv runs without its own serialization when serialize/deserialize are undefined; its
// types do not say so under exactOptionalPropertyTypes, hence `undefined as never` below.
import { RESP_TYPES, createClient } from 'redis';
import { type BufferBackend, createSerializer, KeyvBufferStore, NDArray } from '../src/index';
import { diff } from './support/compare';
import { type RedisServer, startRedis } from './support/redis-server';

let server: RedisServer | undefined;
let port = 0;
const makeClient = () => createClient({ socket: { host: '127.0.0.1', port } });
let client: ReturnType<typeof makeClient>;

beforeAll(async () => {
  server = await startRedis();
  port = server.port;
  client = makeClient();
  client.on('error', () => undefined);
  await client.connect();
});

afterAll(async () => {
  if (client?.isOpen) await client.close();
  await server?.stop();
});

function bigValue(seed: number): Record<string, unknown> {
  const n = 2_000_000; // 16 MB of float64
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.sin(i / 1000 + seed) * 1e3 + (i % 17) * 1e-9;
  const counts = new Int32Array(1_000_000).map((_, i) => (i * 2654435761) >> 7);
  return {
    seed,
    f,
    counts,
    raw: Buffer.alloc(300_000, seed),
    image: new NDArray(
      new Uint16Array(512 * 512).map((_, i) => (i * seed) & 0xffff),
      [512, 512],
      '<u2',
    ),
    meta: { unit: 'mV', tags: ['x', 'y'], nan: NaN },
  };
}

describe('Redis (node-redis) with packed Buffer values', () => {
  it('stores values with large typed arrays and reads them back bit-exact', async () => {
    const s = createSerializer({ codec: 'zstd', clevel: 3 });
    const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    for (const seed of [1, 2]) {
      const v = bigValue(seed);
      const bytes = s.serialize(v);
      expect(await binary.set(`blosc2:test:${seed}`, bytes)).toBe('OK');
      expect(await binary.strLen(`blosc2:test:${seed}`)).toBe(bytes.byteLength);
      const back = await binary.get(`blosc2:test:${seed}`);
      expect(Buffer.isBuffer(back)).toBe(true);
      expect((back as Buffer).equals(bytes)).toBe(true);
      expect(diff(s.deserialize(back as Buffer), v)).toBe('');
    }
    expect(await binary.get('blosc2:test:absent')).toBeNull();
  });

  it('serves keyv through KeyvBufferStore with a node-redis backend (TTL in Redis)', async () => {
    const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    const backend: BufferBackend = {
      get: (key) => binary.get(key),
      set: (key, value, options) =>
        options?.ttl ? binary.set(key, value, { expiration: { type: 'PX', value: options.ttl } }) : binary.set(key, value),
      delete: (key) => binary.del(key),
      clear: async () => {
        for await (const keys of binary.scanIterator({ MATCH: 'keyv:*', COUNT: 100 })) if (keys.length > 0) await binary.del(keys);
      },
    };
    const keyv = new Keyv({
      store: new KeyvBufferStore(backend, { codec: 'lz4' }),
      serialize: undefined as never,
      deserialize: undefined as never,
    });
    const v = bigValue(3);
    await keyv.set('big', v);
    await keyv.set('short', { a: new Float32Array(10_000).fill(2) }, 60_000);
    const ttl = await binary.pTTL('keyv:short');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await binary.pTTL('keyv:big')).toBe(-1);
    // A second client sees the same bytes: the value really went through the server.
    const other = makeClient().withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    await other.connect();
    try {
      const keyv2 = new Keyv({
        store: new KeyvBufferStore({ get: (k) => other.get(k), set: () => undefined, delete: (k) => other.del(k) }),
        serialize: undefined as never,
        deserialize: undefined as never,
      });
      expect(diff(await keyv2.get('big'), v)).toBe('');
    } finally {
      await other.close();
    }
    expect(await keyv.delete('big')).toBe(true);
    expect(await keyv.get('big')).toBeUndefined();
    await keyv.clear();
    expect(await binary.exists('keyv:short')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import Keyv from 'keyv';
// keyv runs without its own serialization when serialize/deserialize are undefined; its
// types do not say so under exactOptionalPropertyTypes, hence `undefined as never` below.
import { LRUCache } from 'lru-cache';
import { createSerializer, KeyvBufferStore, keyvSerializer, NDArray, Packer, serializer } from '../src/index';
import { diff } from './support/compare';
import { expectCode } from './support/errors';

function scene(seed: number, n = 200_000): Record<string, unknown> {
  const pos = new Float32Array(n * 3);
  for (let i = 0; i < pos.length; i++) pos[i] = Math.sin(i / 97 + seed) * 100;
  const ids = new Uint32Array(n).map((_, i) => i * 3 + seed);
  return { seed, name: `scene-${seed}`, pos, ids, grid: new NDArray(new Float64Array(64 * 64).fill(seed / 7), [64, 64], '<f8') };
}

describe('createSerializer', () => {
  it('round-trips values bit-exact and returns Buffers that own exactly their bytes', () => {
    const s = createSerializer({ codec: 'zstd', clevel: 5 });
    const values = [scene(1), scene(2), { small: new Int8Array([1, -2, 3]) }];
    const packed = values.map((v) => s.serialize(v));
    for (let k = 0; k < values.length; k++) {
      const b = packed[k] as Buffer;
      expect(Buffer.isBuffer(b)).toBe(true);
      if (b.byteLength >= 4096) {
        // Not a view into msgpackr's shared scratch buffer: a cache counting byteLength counts what it holds.
        expect(b.buffer.byteLength).toBe(b.byteLength);
        expect(b.byteOffset).toBe(0);
      }
      expect(diff(s.deserialize(b), values[k])).toBe('');
    }
    // An earlier Buffer is not overwritten by later packs.
    expect(diff(s.deserialize(packed[0] as Buffer), values[0])).toBe('');
    // Compressed: the smooth arrays take far less than their 3.2 MB.
    expect((packed[0] as Buffer).byteLength).toBeLessThan(2_000_000);
  });

  it('has a default instance and validates options', () => {
    const v = scene(3, 1000);
    expect(diff(serializer.deserialize(serializer.serialize(v)), v)).toBe('');
    expect(serializer.packer).toBeInstanceOf(Packer);
    expectCode(() => createSerializer({ codec: 'nope' as 'lz4' }), 'ERR_INVALID_ARG');
    expectCode(() => createSerializer({ packer: new Packer(), clevel: 1 }), 'ERR_INVALID_ARG');
    const p = new Packer({ threshold: 0 });
    expect(createSerializer({ packer: p }).packer).toBe(p);
    expectCode(() => serializer.deserialize(Buffer.from([0xc9, 0, 0, 0, 9, 42, 1])), 'ERR_CORRUPT');
    expectCode(() => createSerializer({ maxOutputBytes: 100 }).deserialize(serializer.serialize(v)), 'ERR_MAX_OUTPUT');
  });
});

describe('lru-cache with packed Buffers', () => {
  it('bounds the cache by packed size (sizeCalculation) and evicts the oldest entries', () => {
    const s = createSerializer({ codec: 'lz4' });
    const one = s.serialize(scene(0));
    const maxSize = one.byteLength * 3.5;
    const lru = new LRUCache<string, Buffer>({ maxSize, sizeCalculation: s.sizeCalculation });
    for (let k = 0; k < 10; k++) lru.set(`scene-${k}`, s.serialize(scene(k)));
    expect(lru.calculatedSize).toBeLessThanOrEqual(maxSize);
    expect(lru.size).toBe(3);
    expect(lru.has('scene-0')).toBe(false);
    for (const k of [7, 8, 9]) {
      const b = lru.get(`scene-${k}`);
      expect(b).toBeDefined();
      expect(diff(s.deserialize(b as Buffer), scene(k))).toBe('');
    }
    // The accounted size is the memory held: each entry owns its ArrayBuffer.
    let held = 0;
    for (const b of lru.values()) held += b.buffer.byteLength;
    expect(held).toBe(lru.calculatedSize);
  });

  it('sizeCalculation never returns 0 (lru-cache refuses that)', () => {
    expect(serializer.sizeCalculation(new Uint8Array(0))).toBe(1);
    expect(serializer.sizeCalculation(Buffer.alloc(10))).toBe(10);
  });
});

describe('keyv', () => {
  it('stores packed Buffers through KeyvBufferStore (keyv serialization off), bit-exact', async () => {
    const backend = new Map<string, Buffer>();
    const keyv = new Keyv({
      store: new KeyvBufferStore(backend, { codec: 'zstd' }),
      serialize: undefined as never,
      deserialize: undefined as never,
    });
    const v = scene(5);
    expect(await keyv.set('a', v)).toBe(true);
    const stored = backend.get('keyv:a');
    expect(Buffer.isBuffer(stored)).toBe(true);
    expect(diff(await keyv.get('a'), v)).toBe('');
    expect(await keyv.has('a')).toBe(true);
    expect(await keyv.get('missing')).toBeUndefined();
    expect(await keyv.delete('a')).toBe(true);
    expect(await keyv.get('a')).toBeUndefined();
    await keyv.set('b', 1);
    await keyv.clear();
    expect(backend.size).toBe(0);
  });

  it('honours keyv expiry with the entry packed', async () => {
    const keyv = new Keyv({ store: new KeyvBufferStore(new Map()), serialize: undefined as never, deserialize: undefined as never });
    await keyv.set('t', { a: new Float64Array(5000).fill(1) }, 30);
    expect(((await keyv.get('t')) as { a: Float64Array }).a.length).toBe(5000);
    await new Promise((r) => setTimeout(r, 60));
    expect(await keyv.get('t')).toBeUndefined();
  });

  it('works over an LRUCache backend', async () => {
    const lru = new LRUCache<string, Buffer>({ maxSize: 50_000_000, sizeCalculation: serializer.sizeCalculation });
    const keyv = new Keyv({ store: new KeyvBufferStore(lru), serialize: undefined as never, deserialize: undefined as never });
    const v = scene(9);
    await keyv.set('s', v);
    expect(lru.calculatedSize).toBe((lru.get('keyv:s') as Buffer).byteLength);
    expect(diff(await keyv.get('s'), v)).toBe('');
    // keyv's ttl reaches the LRUCache as its per-entry ttl.
    await keyv.set('t', { n: 1 }, 60_000);
    const remaining = lru.getRemainingTTL('keyv:t');
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(60_000);
    expect(lru.getRemainingTTL('keyv:s')).toBe(Infinity);
  });

  it('keyvSerializer packs entries as base64 strings for string-only stores', async () => {
    const backend = new Map<string, unknown>();
    const keyv = new Keyv({ store: backend, ...keyvSerializer({ codec: 'lz4' }) });
    const v = scene(4, 5000);
    await keyv.set('x', v);
    const text = backend.get('keyv:x');
    expect(typeof text).toBe('string');
    expect(text as string).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(diff(await keyv.get('x'), v)).toBe('');
  });

  it('refuses misuse with a Blosc2Error', async () => {
    expectCode(() => new KeyvBufferStore({} as never), 'ERR_INVALID_ARG');
    const store = new KeyvBufferStore(new Map());
    await expect(store.set('k', 'a string from keyv serialize')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    const bad = new KeyvBufferStore({ get: () => 'text' as never, set: () => undefined, delete: () => true });
    await expect(bad.get('k')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(bad.clear()).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
    // Bytes that unpack to something other than an entry object.
    const odd = new KeyvBufferStore({ get: () => serializer.serialize(42), set: () => undefined, delete: () => true });
    await expect(odd.get('k')).rejects.toMatchObject({ code: 'ERR_CORRUPT' });
    expect(keyvSerializer().deserialize(42 as unknown as string)).toBeUndefined();
  });
});

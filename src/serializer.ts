/**
 * Cache serializers: values with large arrays in and out of caches (lru-cache,
 * keyv, Redis) as packed Buffers.
 *
 * - {@link createSerializer} / {@link serializer}: `serialize(value) -> Buffer`,
 *   `deserialize(bytes) -> value`. The Buffer owns exactly its bytes, so a
 *   cache that counts `byteLength` (lru-cache's `sizeCalculation`) counts the
 *   memory it really holds.
 * - {@link KeyvBufferStore}: a keyv storage adapter that stores each entry as
 *   one packed Buffer in any Buffer-capable backend (a Map, an LRUCache, a
 *   node-redis client with Buffer replies). keyv 5 only hands strings to its
 *   `deserialize` option, so a Buffer serializer cannot be plugged in there;
 *   instead run keyv with `serialize: undefined, deserialize: undefined` (it
 *   then passes `{ value, expires }` objects to the store) and let this store
 *   pack them. No text encoding, no base64.
 * - {@link keyvSerializer}: keyv's `serialize`/`deserialize` options as base64
 *   strings, for the stores that take only strings (a third larger on the wire).
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg, invalidInput } from './errors';
import type { Packer, PackOptions } from './packer';
import { packerFromOptions } from './packer-options';
import { platform } from './platform';
import type { BinaryLike } from './views';

/** Options of {@link createSerializer}: Packer options, or a ready `packer`. */
export interface SerializerOptions extends PackOptions {
  /** Use this Packer instead of making one from the other options (which must then be absent). */
  packer?: Packer;
}

/** What {@link createSerializer} returns. */
export interface CacheSerializer {
  /** Packs a value into a Buffer that owns exactly its bytes (`buffer.byteLength === byteLength` for messages over 4 KiB). */
  serialize(value: unknown): Buffer;
  /** Rebuilds the value from {@link CacheSerializer.serialize}'s bytes (any Buffer, Uint8Array or ArrayBuffer holding them). */
  deserialize(bytes: BinaryLike): unknown;
  /** The value typed as `T` (unchecked). */
  deserialize<T>(bytes: BinaryLike): T;
  /** lru-cache's `sizeCalculation` for stored packed Buffers: their byteLength (at least 1, as lru-cache requires). */
  sizeCalculation(bytes: Uint8Array): number;
  /** The Packer behind it. */
  readonly packer: Packer;
}

const NO_KEYS: ReadonlySet<string> = new Set();

// msgpackr writes messages into a large buffer it reuses for the next ones; a
// cached view would pin all of it. Copy the message out when it does not own
// its memory (one copy of compressed bytes; the arrays were read in place).
function owned(message: Buffer): Buffer {
  if (message.byteOffset === 0 && message.buffer.byteLength === message.byteLength) return message;
  const copy = platform.alloc(message.byteLength);
  copy.set(message);
  return copy;
}

/**
 * Makes a serializer for caches.
 * @param options - Packer options (codec, clevel, threshold, maxOutputBytes, zeroCopy...), or `packer`.
 *   With `zeroCopy: true`, arrays stored raw come back as views into the cached bytes: writes to them change the cache entry.
 * @example
 * ```ts
 * const s = createSerializer({ codec: 'zstd', clevel: 5 });
 * const lru = new LRUCache<string, Buffer>({ maxSize: 512 << 20, sizeCalculation: s.sizeCalculation });
 * lru.set('scene', s.serialize(scene));
 * const back = s.deserialize(lru.get('scene')!);
 * ```
 */
export function createSerializer(options?: SerializerOptions): CacheSerializer {
  const { packer } = packerFromOptions(options, NO_KEYS);
  return Object.freeze({
    serialize: (value: unknown): Buffer => owned(packer.pack(value)),
    deserialize: <T>(bytes: BinaryLike): T => packer.unpack<T>(bytes),
    sizeCalculation: (bytes: Uint8Array): number => Math.max(1, bytes.byteLength),
    packer,
  });
}

let defaultSerializer: CacheSerializer | undefined;

/** A serializer with the default options (made on first use). */
export const serializer: CacheSerializer = Object.freeze({
  serialize: (value: unknown): Buffer => (defaultSerializer ??= createSerializer()).serialize(value),
  deserialize: <T>(bytes: BinaryLike): T => (defaultSerializer ??= createSerializer()).deserialize<T>(bytes),
  sizeCalculation: (bytes: Uint8Array): number => Math.max(1, bytes.byteLength),
  get packer(): Packer {
    return (defaultSerializer ??= createSerializer()).packer;
  },
});

/** keyv's entry shape (keyv's `DeserializedData`). */
export interface KeyvEntry<Value = unknown> {
  value?: Value;
  expires?: number | undefined;
}

/** keyv's `serialize` / `deserialize` options, as {@link keyvSerializer} returns them. */
export interface KeyvStringSerializer {
  /** keyv's `{ value, expires }` entry to a base64 string of its packed bytes. */
  serialize<Value>(data: KeyvEntry<Value>): string;
  /** Back from the base64 string; `undefined` for anything else (keyv treats that as a miss). */
  deserialize<Value>(text: string): KeyvEntry<Value> | undefined;
}

/**
 * keyv's `serialize`/`deserialize` options for stores that hold strings only:
 * the packed entry as base64 (4/3 of the packed size, and one more copy each
 * way). With a Buffer-capable store, prefer {@link KeyvBufferStore}.
 * @example
 * ```ts
 * const keyv = new Keyv({ store: new KeyvRedis(url), ...keyvSerializer({ codec: 'zstd' }) });
 * ```
 */
export function keyvSerializer(options?: SerializerOptions): KeyvStringSerializer {
  const s = createSerializer(options);
  return Object.freeze({
    serialize: <Value>(data: KeyvEntry<Value>): string => platform.toBase64(s.packer.pack(data)),
    deserialize: <Value>(text: string): KeyvEntry<Value> | undefined => {
      if (typeof text !== 'string') return undefined;
      return checkEntry(s.deserialize(platform.fromBase64(text))) as KeyvEntry<Value>;
    },
  });
}

function checkEntry(data: unknown): KeyvEntry {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new Blosc2Error('a keyv entry did not unpack to a { value, expires } object', 'ERR_CORRUPT');
  }
  return data;
}

/**
 * Where a {@link KeyvBufferStore} keeps its Buffers. A `Map<string, Buffer>`
 * and an `LRUCache<string, Buffer>` fit as they are; for Redis see the README
 * (node-redis with `RESP_TYPES.BLOB_STRING` mapped to Buffer).
 */
export interface BufferBackend {
  /** The stored bytes, or null/undefined when the key is absent. */
  get(key: string): Uint8Array | null | undefined | Promise<Uint8Array | null | undefined>;
  /**
   * Stores the bytes. `options.ttl` is keyv's time to live in milliseconds, given
   * only when the entry has one (an LRUCache takes it as its own per-entry ttl).
   */
  set(key: string, value: Buffer, options?: { ttl?: number }): unknown;
  /** Removes the key; a truthy result (or a positive count) means it existed. */
  delete(key: string): unknown;
  /** Removes every key of this store (required by keyv's `clear()`). */
  clear?(): unknown;
}

/**
 * A keyv storage adapter that packs keyv's `{ value, expires }` entries into
 * Buffers and keeps them in a {@link BufferBackend}. Use it with keyv's own
 * serialization turned off:
 * ```ts
 * const keyv = new Keyv({ store: new KeyvBufferStore(new Map()), serialize: undefined, deserialize: undefined });
 * ```
 * Keys arrive prefixed by keyv's namespace (`keyv:` by default).
 */
export class KeyvBufferStore {
  /** keyv reads this; it holds the options given to the constructor. */
  readonly opts: SerializerOptions;
  /** Set by keyv to its namespace. */
  namespace?: string | undefined;
  readonly #backend: BufferBackend;
  readonly #serializer: CacheSerializer;

  /**
   * @param backend - where the Buffers live
   * @param options - Packer options for the entries (or a `packer`)
   */
  constructor(backend: BufferBackend, options?: SerializerOptions) {
    if (
      backend === null ||
      typeof backend !== 'object' ||
      typeof backend.get !== 'function' ||
      typeof backend.set !== 'function' ||
      typeof backend.delete !== 'function'
    ) {
      throw invalidArg('backend', 'an object with get, set and delete (a Map, an LRUCache, a Redis wrapper)', backend);
    }
    this.#backend = backend;
    this.#serializer = createSerializer(options);
    this.opts = options ?? {};
  }

  /** The serializer that packs the entries. */
  get serializer(): CacheSerializer {
    return this.#serializer;
  }

  /** keyv's get: the unpacked `{ value, expires }` entry, or undefined. */
  async get(key: string): Promise<KeyvEntry | undefined> {
    const bytes = await this.#backend.get(key);
    if (bytes === null || bytes === undefined) return undefined;
    if (!(bytes instanceof Uint8Array)) {
      throw invalidInput(`the backend's value for '${key}'`, 'a Buffer or Uint8Array (configure the backend to return bytes)', bytes);
    }
    return checkEntry(this.#serializer.deserialize(bytes));
  }

  /** keyv's set: packs the entry and stores it. */
  async set(key: string, entry: unknown, ttl?: number): Promise<boolean> {
    if (typeof entry === 'string') {
      throw invalidInput(
        'entry',
        "keyv's { value, expires } object (create Keyv with serialize: undefined, deserialize: undefined)",
        entry,
      );
    }
    const bytes = this.#serializer.serialize(entry);
    if (typeof ttl === 'number' && ttl > 0) await this.#backend.set(key, bytes, { ttl });
    else await this.#backend.set(key, bytes);
    return true;
  }

  /** keyv's delete. */
  async delete(key: string): Promise<boolean> {
    const r = await this.#backend.delete(key);
    return typeof r === 'number' ? r > 0 : Boolean(r);
  }

  /** keyv's clear: the backend's clear. */
  async clear(): Promise<void> {
    if (typeof this.#backend.clear !== 'function') {
      throw new Blosc2Error('this KeyvBufferStore backend has no clear()', 'ERR_UNSUPPORTED');
    }
    await this.#backend.clear();
  }

  /** keyv's has. */
  async has(key: string): Promise<boolean> {
    const bytes = await this.#backend.get(key);
    return bytes !== null && bytes !== undefined;
  }
}

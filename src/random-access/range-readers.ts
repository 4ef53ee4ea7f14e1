/**
 * Range readers for openFrame: a file (fs.promises.FileHandle) and a Redis
 * string (GETRANGE through a node-redis client you pass in; redis is not a
 * dependency of this package). An HTTP Range reader is in the README.
 * @packageDocumentation
 */
import type { FileHandle } from 'node:fs/promises';
import { invalidArg } from '../errors';
import type { RangeReader } from './range-array';

/** Reads of an open file: `openFrame(fileRangeReader(await fs.promises.open(path)))`. The caller closes the file. */
export function fileRangeReader(file: FileHandle): RangeReader {
  if (typeof file !== 'object' || file === null || typeof (file as { read?: unknown }).read !== 'function') {
    throw invalidArg('file', 'an fs.promises.FileHandle', file);
  }
  return async (offset, length) => {
    const buffer = Buffer.allocUnsafeSlow(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await file.read(buffer, got, length - got, offset + got);
      if (bytesRead === 0) break; // the end of the file
      got += bytesRead;
    }
    return buffer.subarray(0, got);
  };
}

/** What redisRangeReader uses of a node-redis (v4+) client. */
export interface RedisRangeClient {
  getRange(key: string, start: number, end: number): Promise<unknown>;
  /** node-redis 5: a client returning bulk strings as Buffers is made with this. */
  withTypeMapping?(mapping: Record<number, unknown>): RedisRangeClient;
}

/** RESP's bulk string type ('$'), node-redis's RESP_TYPES.BLOB_STRING. */
const RESP_BLOB_STRING = 36;

/**
 * Reads of the Redis string at `key` with GETRANGE:
 * `openFrame(redisRangeReader(client, 'frame:42'))`. The client's replies are
 * switched to Buffers (node-redis 5's `withTypeMapping`); a client that still
 * returns strings is refused, since UTF-8 decoding would corrupt the bytes.
 */
export function redisRangeReader(client: RedisRangeClient, key: string): RangeReader {
  if (typeof client !== 'object' || client === null || typeof client.getRange !== 'function') {
    throw invalidArg('client', 'a node-redis client (with getRange)', client);
  }
  if (typeof key !== 'string') throw invalidArg('key', 'a string', key);
  const c = typeof client.withTypeMapping === 'function' ? client.withTypeMapping({ [RESP_BLOB_STRING]: Buffer }) : client;
  return async (offset, length) => {
    const reply = await c.getRange(key, offset, offset + length - 1);
    if (!(reply instanceof Uint8Array)) {
      throw invalidArg('client', 'a client whose GETRANGE replies are Buffers (node-redis: withTypeMapping)', reply);
    }
    return reply;
  };
}

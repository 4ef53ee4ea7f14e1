/**
 * Range readers in the browser bundle: files and Redis are Node's, so
 * fileRangeReader and redisRangeReader refuse; a reader over fetch with HTTP
 * Range requests is a few lines (README, "Random access").
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import type { RangeReader } from './range-array';
import type { RedisRangeClient } from './range-readers';

export type { RedisRangeClient } from './range-readers';

function nodeOnly(what: string): Blosc2Error {
  return new Blosc2Error(
    `${what} is Node's: in a browser, read a frame over fetch with HTTP Range requests (see the README, "Random access")`,
    'ERR_UNSUPPORTED',
  );
}

/** Node only: throws ERR_UNSUPPORTED in a browser. */
export function fileRangeReader(_file: unknown): RangeReader {
  throw nodeOnly('fileRangeReader');
}

/** Node only: throws ERR_UNSUPPORTED in a browser. */
export function redisRangeReader(_client: RedisRangeClient, _key: string): RangeReader {
  throw nodeOnly('redisRangeReader');
}

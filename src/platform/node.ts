/**
 * The platform seam under Node.js (and Deno and Bun, through their Node
 * compatibility): Buffers, node:crypto, worker_threads' transfer marks,
 * node:os. See types.ts.
 * @internal
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { types } from 'node:util';
import * as workerThreads from 'node:worker_threads';
import type { Bytes, Platform } from './types';

// Node >= 21 throws when an untransferable ArrayBuffer (such as the pool behind
// small Buffers) is in a transfer list; Node 20 silently copies it instead.
const isMarkedAsUntransferable = (workerThreads as { isMarkedAsUntransferable?: (o: unknown) => boolean }).isMarkedAsUntransferable;

export const platform: Platform = {
  name: 'node',
  alloc: (n) => (n < 4096 ? Buffer.allocUnsafe(n) : Buffer.allocUnsafeSlow(n)),
  allocOwn: (n) => Buffer.allocUnsafeSlow(n),
  over: (buffer, byteOffset, byteLength) => Buffer.from(buffer, byteOffset, byteLength),
  isBuffer: (value) => Buffer.isBuffer(value),
  indexOf: (haystack, needle, from) =>
    (Buffer.isBuffer(haystack) ? haystack : Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength)).indexOf(needle, from),
  concat: (pieces, total) => Buffer.concat(pieces, total),
  randomBytes: (n) => randomBytes(n),
  markUntransferable: (buffer) => workerThreads.markAsUntransferable(buffer),
  isUntransferable: (buffer) => isMarkedAsUntransferable?.(buffer) === true,
  cpuCount: () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
  env: (name) => process.env[name],
  later: (fn, ms) => {
    setTimeout(fn, ms).unref();
  },
  toBase64: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  fromBase64: (text): Bytes => Buffer.from(text, 'base64'),
  types,
  hostClasses: () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use: most programs never meet a host object */
    const list: Array<[unknown, string]> = [
      [(require('node:worker_threads') as typeof import('node:worker_threads')).Worker, 'a Worker'],
      [(require('node:net') as typeof import('node:net')).BlockList, 'a BlockList'],
      [(require('node:net') as typeof import('node:net')).SocketAddress, 'a SocketAddress'],
      [(require('node:crypto') as typeof import('node:crypto')).X509Certificate, 'an X509Certificate'],
      [
        (Object.getPrototypeOf((require('node:perf_hooks') as typeof import('node:perf_hooks')).createHistogram()) as object).constructor,
        'a Histogram',
      ],
    ];
    /* eslint-enable @typescript-eslint/no-require-imports */
    return list;
  },
  utf16le: (s) => Buffer.from(s, 'utf16le'),
  fromUtf16le: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf16le'),
};

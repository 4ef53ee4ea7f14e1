/**
 * The buffer pool: worst-case output buffers, reused.
 *
 * A compression writes into a buffer of the worst-case size (the input plus
 * C-Blosc2's overhead) because the result's size is only known afterwards.
 * Allocating that buffer afresh on every call is what made compressing a
 * 100 MB array run at 0.75-0.8 of the same C-Blosc2 called from C: V8 counts
 * every new ArrayBuffer as external memory and, once 64 MB of it has grown
 * since the last collection, starts a concurrent marking that takes a core
 * from C-Blosc2's threads, and the fresh memory has to be paged in.
 *
 * So the worst-case buffer is kept when the result did not fill it (the result
 * is then copied out at its own size, which is what a compressible input
 * costs anyway) and handed out as the result, with no copy, when it did. One
 * buffer is kept per thread (module instance), only between 1 MiB and
 * 512 MiB, and dropped after a second without use.
 * @internal
 * @packageDocumentation
 */

import { backend } from './backend';
import { platform } from './platform';

const KEEP_MIN_BYTES = 1 << 20;
// Copies this large go through the addon, which puts the fresh memory on huge
// pages first (a 25 MB copy into fresh 4 KiB pages took 10 ms, 1.4 ms warm).
const COPY_NATIVE_MIN_BYTES = 8 << 20;
const KEEP_MAX_BYTES = 512 * (1 << 20);
const IDLE_MS = 1000;

let spare: Buffer | null = null;
let lastUse = 0;
let timerSet = false;

function dropWhenIdle(): void {
  const idle = Date.now() - lastUse;
  if (idle >= IDLE_MS) {
    spare = null;
    timerSet = false;
  } else {
    platform.later(dropWhenIdle, IDLE_MS - idle);
  }
}

/**
 * A buffer of at least `capacity` bytes for a worst-case output: the kept one
 * when it fits (and is not more than twice too large), else a new one.
 * @internal
 */
export function takeOutput(capacity: number): Buffer {
  const s = spare;
  if (s !== null && s.length >= capacity && s.length <= 2 * capacity) {
    spare = null;
    return s;
  }
  return platform.alloc(capacity);
}

/**
 * Gives back a buffer from {@link takeOutput} that no result refers to.
 * @internal
 */
export function giveBack(buf: Buffer): void {
  if (buf.length < KEEP_MIN_BYTES || buf.length > KEEP_MAX_BYTES) return;
  // Only a buffer kept (or the kept one coming back) counts as use: small
  // calls that never take a large kept buffer do not keep it alive.
  if (spare !== null && buf.length < spare.length) return;
  spare = buf;
  lastUse = Date.now();
  if (!timerSet) {
    timerSet = true;
    platform.later(dropWhenIdle, IDLE_MS);
  }
}

/**
 * The result `buf[start, start + length)` of a call that wrote into `buf`
 * from {@link takeOutput}. When it fills at least half of `buf`, a view (the
 * untouched tail of a fresh buffer is never paged in, so it costs address
 * space, not memory, while a copy costs time); else a copy of its own size,
 * and `buf` is kept for the next call.
 * @internal
 */
export function keepResult(buf: Buffer, start: number, length: number): Buffer {
  const slack = buf.length - length;
  if (slack <= Math.max(4096, buf.length >>> 1)) return buf.subarray(start, start + length);
  let exact: Buffer;
  if (length >= COPY_NATIVE_MIN_BYTES) {
    exact = backend.copy(buf.subarray(start, start + length)) as Buffer;
  } else {
    exact = platform.allocOwn(length);
    exact.set(buf.subarray(start, start + length));
  }
  giveBack(buf);
  return exact;
}

/** For tests: whether a buffer is kept. @internal */
export function hasSpare(): boolean {
  return spare !== null;
}

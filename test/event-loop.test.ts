/**
 * The addon's async chunk calls run on the libuv pool: timers keep firing
 * while they work. Native only (vitest.config.ts): the WebAssembly backend runs
 * the async forms on the calling thread (README, "Runtimes").
 */
import { describe, expect, it } from 'vitest';
import { compressAsync, decompressAsync } from '../src/index';
import { sameBytes } from './support/compare';
import { largeSample } from './support/data';

describe('the event loop keeps running', () => {
  /** Ticks of a 1 ms interval while `work` runs, and the longest gap between them. */
  async function tickWhile<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number; maxGap: number; elapsed: number }> {
    let ticks = 0;
    let last = 0;
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 1);
    const started = performance.now();
    const pending = work();
    // Gaps count from the moment the call returned its promise: the
    // synchronous part (argument checks, output allocation) is not under test.
    last = performance.now();
    const result = await pending;
    const elapsed = performance.now() - started;
    clearInterval(timer);
    return { result, ticks, maxGap, elapsed };
  }

  it('timers fire throughout compressAsync and decompressAsync of 200 MB', async () => {
    const data = largeSample(200 * 1024 * 1024, 9);
    // One C-Blosc2 thread: on the 2-core CI machine, with another test file
    // running alongside, that leaves the event loop a core; what is under
    // test is that the work is off the main thread, not how it is scheduled.
    const c = await tickWhile(() => compressAsync(data, { codec: 'zstd', clevel: 5, typesize: 8, nthreads: 1 }));
    const cStats = `compressAsync: ${c.ticks} ticks in ${c.elapsed.toFixed(0)} ms, longest gap ${c.maxGap.toFixed(1)} ms`;
    // Not a speed check: the call may take any time, but the loop must have
    // kept ticking while it ran (at least one tick per 20 ms on average) and
    // never stalled for 100 ms.
    expect(c.ticks, cStats).toBeGreaterThanOrEqual(10);
    expect(c.ticks, cStats).toBeGreaterThanOrEqual(Math.floor(c.elapsed / 20));
    expect(c.maxGap, cStats).toBeLessThan(100);

    const d = await tickWhile(() => decompressAsync(c.result, { out: new Uint8Array(data.length), nthreads: 1 }));
    const dStats = `decompressAsync: ${d.ticks} ticks in ${d.elapsed.toFixed(0)} ms, longest gap ${d.maxGap.toFixed(1)} ms`;
    expect(d.ticks, dStats).toBeGreaterThanOrEqual(Math.floor(d.elapsed / 20));
    expect(d.maxGap, dStats).toBeLessThan(100);
    expect(sameBytes(d.result, data)).toBe(true);
  });
});

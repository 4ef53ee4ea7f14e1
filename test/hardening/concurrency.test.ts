// Concurrency: 1,000 concurrent packAsync/unpackAsync calls of random sizes,
// checked value by value, while four worker threads use the addon at the same
// time (sync and async calls, and messages handed across threads). Any
// corruption shows as a mismatch; a deadlock as the test's timeout.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Packer, compress, compressAsync, decompress, decompressAsync } from '../../src/index';
import { backend } from '../../src/backend';
import { CHILDREN } from '../support/child';
import { isWorkloadValue as checkValue, workloadValue as makeValue } from '../support/values';

interface WorkerResult {
  seed: number;
  wrong: number;
  done: number;
  handOver: Array<[number, Uint8Array]>;
  error?: string;
}

function runWorker(seed: number, count: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(join(CHILDREN, 'workload-worker.cjs'), { workerData: { seed, count } });
    w.once('message', (m: WorkerResult) => {
      void w.terminate();
      resolve(m);
    });
    w.once('error', reject);
  });
}

describe('concurrency', () => {
  it('1,000 concurrent packAsync/unpackAsync chains and 4 worker threads, all results exact', async () => {
    const packer = new Packer({ threshold: 1024 });
    const workers = [11, 12, 13, 14].map((seed) => runWorker(seed, 150));

    // All 1,000 chains in flight at once: pack, then unpack, then check.
    const chains = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => checkValue(1, i, await packer.unpackAsync(await packer.packAsync(makeValue(1, i))))),
    );
    expect(chains.filter((ok) => !ok).length).toBe(0);

    // 1,000 packAsync at once, then 1,000 unpackAsync at once (in reverse order).
    const messages = await Promise.all(Array.from({ length: 1000 }, (_, i) => packer.packAsync(makeValue(2, i))));
    const back = await Promise.all(messages.map((_, j) => packer.unpackAsync(messages[999 - j] as Buffer)));
    expect(back.filter((v, j) => !checkValue(2, 999 - j, v)).length).toBe(0);

    // Chunk-level async calls interleaved with each other.
    const chunks = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const src = makeValue(3, i).data;
        const bytes = ArrayBuffer.isView(src) ? src : (src as { data: ArrayBufferView }).data;
        const d = await decompressAsync(await compressAsync(bytes));
        return Buffer.compare(d, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) === 0;
      }),
    );
    expect(chunks.every(Boolean)).toBe(true);

    const results = await Promise.all(workers);
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.wrong, `worker ${r.seed}`).toBe(0);
      expect(r.done).toBe(200);
      // Messages made on a worker decode identically here.
      for (const [i, msg] of r.handOver) expect(checkValue(r.seed, i, packer.unpack(msg)), `worker ${r.seed} #${i}`).toBe(true);
    }
  }, 240_000);

  // The context cache (native/context_pool.cc) lends each C-Blosc2 context to
  // one call at a time, whatever thread makes it: arrays large enough for
  // reused multi-threaded contexts, at several thread counts (and by size),
  // from many async calls here and from 4 workers at once.
  it('compress, decompress, pack and unpack at nthreads 1-4 and by size, async and from 4 workers at once, exact with the context cache on', async () => {
    const workers = [21, 22, 23, 24].map(
      (seed) =>
        new Promise<{ seed: number; wrong: number; error?: string; stats: { reused: number } }>((resolve, reject) => {
          const w = new Worker(join(CHILDREN, 'pool-worker.cjs'), { workerData: { seed, count: 60 } });
          w.once('message', (m: { seed: number; wrong: number; error?: string; stats: { reused: number } }) => {
            void w.terminate();
            resolve(m);
          });
          w.once('error', reject);
        }),
    );
    const before = backend.contextPoolStats();
    const make = (i: number) =>
      Float64Array.from({ length: 40000 + ((i * 104729) % 260000) }, (_, k) => Math.cos((k + i) / 77) * 500 + (k % 5));
    const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const a = make(i);
        const nthreads = [1, 2, 3, 4, undefined][i % 5];
        const opts = nthreads === undefined ? {} : { nthreads };
        const c = i % 4 === 0 ? compress(a, opts) : await compressAsync(a, opts);
        const d = i % 4 === 1 ? decompress(c, opts) : await decompressAsync(c, opts);
        const p = new Packer(opts);
        const back = (await p.unpackAsync(await p.packAsync({ a, i }))) as { a: Float64Array };
        return bytesOf(d).equals(bytesOf(a)) && bytesOf(back.a).equals(bytesOf(a));
      }),
    );
    expect(results.filter((ok) => !ok).length).toBe(0);
    for (const r of await Promise.all(workers)) {
      expect(r.error).toBeUndefined();
      expect(r.wrong, `worker ${r.seed}`).toBe(0);
    }
    const after = backend.contextPoolStats();
    expect(after.enabled).toBe(true);
    // The cache is one per process: the workers' calls count here too.
    expect(after.reused - before.reused).toBeGreaterThan(100);
    // And it stays bounded: at most 64 idle contexts, 2 idle threads per CPU
    // (or one context, however many threads it has).
    expect(after.idle).toBeLessThanOrEqual(64);
    expect(after.idle <= 1 || after.idleThreads <= 2 * after.cpuBudget).toBe(true);
  }, 240_000);
});

'use strict';
// Worker-thread side of test/hardening/concurrency.test.ts's context-cache
// test: compress, decompress, pack and unpack of arrays large enough for
// reused multi-threaded C-Blosc2 contexts, at nthreads 1-4 and by size, sync
// and async, all in flight at once; reports wrong results and the cache's
// counters (one cache per process, shared with the main thread).
const { parentPort, workerData } = require('node:worker_threads');

const lib = require('../support/load.cjs').loadLibrary();
const { backend } = require('../../src/backend/index.ts');

const make = (seed, i) =>
  Float64Array.from({ length: 40000 + ((seed * 7919 + i * 104729) % 260000) }, (_, k) => Math.sin((k + i) / (50 + seed)) * 1000 + (k % 7));
const same = (a, b) => b instanceof Float64Array && Buffer.from(a.buffer).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

(async () => {
  const { seed, count } = workerData;
  let wrong = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const a = make(seed, i);
      const nthreads = [1, 2, 3, 4, undefined][i % 5];
      const opts = nthreads === undefined ? {} : { nthreads };
      const c = i % 2 ? lib.compress(a, opts) : await lib.compressAsync(a, opts);
      const d = i % 3 ? lib.decompress(c, opts) : await lib.decompressAsync(c, opts);
      if (!same(a, new Float64Array(d.buffer, d.byteOffset, d.byteLength / 8))) wrong++;
      const p = new lib.Packer(opts);
      const m = i % 2 ? p.pack({ a }) : await p.packAsync({ a, i });
      const back = i % 3 ? p.unpack(m) : await p.unpackAsync(m);
      if (!same(a, back.a)) wrong++;
    }),
  );
  parentPort.postMessage({ seed, wrong, stats: backend.contextPoolStats() });
})().catch((err) => parentPort.postMessage({ seed: workerData.seed, error: String((err && err.stack) || err) }));

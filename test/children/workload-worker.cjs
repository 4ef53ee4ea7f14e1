'use strict';
// Worker-thread side of test/hardening/concurrency.test.ts: packs and unpacks
// its stream of workload values (test/support/values.ts), sync and async,
// checks each, and hands some messages back for the main thread to decode.
const { parentPort, workerData } = require('node:worker_threads');

const lib = require('../support/load.cjs').loadLibrary();
const { workloadValue, isWorkloadValue } = require('../support/values.ts');

const { seed, count } = workerData;

(async () => {
  const packer = new lib.Packer({ threshold: 1024, nthreads: 1 + (seed % 2) });
  let wrong = 0;
  const handOver = [];
  for (let i = 0; i < count; i++) {
    const value = workloadValue(seed, i);
    const msg = i % 2 ? packer.pack(value) : await packer.packAsync(value);
    const back = i % 3 ? packer.unpack(msg) : await packer.unpackAsync(msg);
    if (!isWorkloadValue(seed, i, back)) wrong++;
    if (i % 10 === 0) handOver.push([i, msg]);
  }
  // A burst of concurrent async calls inside the worker too.
  const burst = await Promise.all(
    Array.from({ length: 50 }, async (_, k) => {
      const i = count + k;
      return isWorkloadValue(seed, i, await packer.unpackAsync(await packer.packAsync(workloadValue(seed, i))));
    }),
  );
  wrong += burst.filter((ok) => !ok).length;
  parentPort.postMessage({ seed, wrong, done: count + burst.length, handOver });
})().catch((err) => parentPort.postMessage({ seed, error: String((err && err.stack) || err) }));

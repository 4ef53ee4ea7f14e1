'use strict';
// The thread sweep (issue 12): one dataset in one process, on the same bytes,
// at each thread count: Packer pack / unpack and core compress / decompress
// with that nthreads, the same with no nthreads (threads by size), and the C
// program (bench/native/ceiling.c: a context per call, a fresh output) at that
// count; v8.serialize and structuredClone as references. Binding rounds are
// interleaved (every thread count and the default each round, the order
// reversed every other round), gc() before each timed op; the C program runs
// its own rounds after them. Writes JSON to --out.
// usage: node --expose-gc bench/threads.js --dataset=A --scale=1 --threads=1,2 --runs=7 --ceiling=BIN --out=FILE
const path = require('node:path');
const fs = require('node:fs');
const v8 = require('node:v8');
const { performance } = require('node:perf_hooks');
const { DATASETS } = require('./datasets');

const args = require('./args').parseArgs();
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
const spec = DATASETS[args.dataset];
if (!spec || spec.kind !== 'array') throw new Error(`--dataset must name an array dataset (A, B, C, D, F), not ${args.dataset}`);
const threads = String(args.threads ?? '1,2')
  .split(',')
  .map(Number);
const runs = Number(args.runs ?? 7);
const warmup = Number(args.warmup ?? 1);

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const bytesOf = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function timed(fn) {
  gc();
  const t0 = performance.now();
  const out = fn();
  return { out, ms: performance.now() - t0 };
}

function main() {
  const lib = require(path.resolve(__dirname, '..', 'dist', 'index.js'));
  const a = spec.make(Number(args.scale ?? 1));
  const mb = a.byteLength / 1e6;
  const Ctor = a.constructor;
  // Each setting: its Packer and its core options; 'default' gives no nthreads.
  const settings = [...threads.map((t) => ({ key: String(t), opts: { nthreads: t } })), { key: 'default', opts: {} }];
  for (const s of settings) s.packer = new lib.Packer(s.opts);
  const times = Object.fromEntries(settings.map((s) => [s.key, { pack: [], unpack: [], compress: [], decompress: [] }]));
  const peers = { 'v8.serialize': { pack: [], unpack: [] }, structuredClone: { rt: [] } };
  let size = 0;
  for (const s of settings) {
    const back = s.packer.unpack(s.packer.pack(a));
    if (!(back instanceof Ctor) || !bytesOf(back).equals(bytesOf(a))) throw new Error(`${s.key}: round trip differs`);
  }
  for (let r = -warmup; r < runs; r++) {
    const order = r % 2 ? [...settings].reverse() : settings;
    for (const s of order) {
      const p = timed(() => s.packer.pack(a));
      const u = timed(() => s.packer.unpack(p.out));
      const c = timed(() => lib.compress(a, s.opts));
      const d = timed(() => lib.decompress(c.out, s.opts));
      if (r >= 0) {
        const t = times[s.key];
        t.pack.push(p.ms);
        t.unpack.push(u.ms);
        t.compress.push(c.ms);
        t.decompress.push(d.ms);
        if (s.key === 'default') size = p.out.length;
      }
    }
    const vs = timed(() => v8.serialize(a));
    const vd = timed(() => v8.deserialize(vs.out));
    const sc = timed(() => structuredClone(a));
    if (r >= 0) {
      peers['v8.serialize'].pack.push(vs.ms);
      peers['v8.serialize'].unpack.push(vd.ms);
      peers.structuredClone.rt.push(sc.ms);
    }
  }
  const rate = (ms) => mb / (median(ms) / 1e3);
  const binding = Object.fromEntries(
    Object.entries(times).map(([k, t]) => [k, Object.fromEntries(Object.entries(t).map(([op, v]) => [op, rate(v)]))]),
  );
  const result = {
    dataset: args.dataset,
    title: spec.title,
    bytes: a.byteLength,
    sizeRatio: size / a.byteLength,
    runs,
    threads,
    binding,
    peers: {
      'v8.serialize': { pack: rate(peers['v8.serialize'].pack), unpack: rate(peers['v8.serialize'].unpack) },
      structuredClone: { roundTrip: rate(peers.structuredClone.rt) },
    },
    c: {},
    pool: require(path.resolve(__dirname, '..', 'dist', 'backend', 'index.js')).backend.contextPoolStats(),
  };
  if (args.ceiling) {
    const { runCeiling } = require('./native');
    const typesize = Ctor.BYTES_PER_ELEMENT;
    for (const t of threads) {
      const c = runCeiling(args.ceiling, a, {
        codec: 'lz4',
        clevel: 5,
        filter: 'shuffle',
        typesize,
        nthreads: t,
        warmup,
        runs,
        smallIters: 10,
        env: process.env,
      });
      result.c[t] = { compress: c.fresh.compressMBs, decompress: c.fresh.decompressMBs };
    }
  }
  fs.writeFileSync(args.out, JSON.stringify(result, null, 1));
}

main();

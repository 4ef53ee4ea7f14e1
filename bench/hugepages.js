'use strict';
// Huge pages for decoded arrays, first call against later calls (issue 12):
// unpack of one Float32Array (a repeating ramp) five times in a fresh process,
// gc() between calls, for each BLOSC2_HUGEPAGES mode (unset: the default, the
// advice once the process has written as many bytes before; 1: always; 0:
// never), modes interleaved, each size in its own fresh processes.
// usage: node bench/hugepages.js [--sizes=0.1,1,3] (GiB) [--calls=5] [--rounds=2]
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = require('./args').parseArgs();
const sizes = (args.sizes ?? '0.1,1,3').split(',').map(Number);
const calls = Number(args.calls ?? 5);
const rounds = Number(args.rounds ?? 2);
const lib = path.resolve(__dirname, '..', 'dist', 'index.js');

const CHILD = `
  const fs = require('node:fs');
  const lib = require(${JSON.stringify(lib)});
  const packed = fs.readFileSync(process.argv[1]);
  const ms = [];
  for (let i = 0; i < ${calls}; i++) {
    gc();
    const t0 = performance.now();
    lib.unpack(packed, { maxOutputBytes: 2 ** 33 });
    ms.push(performance.now() - t0);
  }
  process.stdout.write(JSON.stringify(ms));
`;

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-hugepages-'));
try {
  const { pack } = require(lib);
  console.log('| array | mode | first call ms | median ms (all rounds) |');
  console.log('|---|---|---:|---:|');
  for (const gib of sizes) {
    const n = Math.round((gib * 2 ** 30) / 4);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = i % 1000;
    const file = path.join(tmp, `${gib}.bin`);
    fs.writeFileSync(file, pack(a, { maxOutputBytes: 2 ** 33 }));
    const modes = { default: undefined, always: '1', never: '0' };
    const seen = Object.fromEntries(Object.keys(modes).map((m) => [m, { first: [], all: [] }]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, value] of Object.entries(modes)) {
        const env = { ...process.env };
        delete env.BLOSC2_HUGEPAGES;
        if (value !== undefined) env.BLOSC2_HUGEPAGES = value;
        const out = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD, file], { env, encoding: 'utf8' });
        if (out.status !== 0) throw new Error(out.stderr);
        const ms = JSON.parse(out.stdout);
        seen[name].first.push(ms[0]);
        seen[name].all.push(...ms);
      }
    }
    for (const [name, s] of Object.entries(seen)) {
      console.log(`| ${gib} GiB | ${name} | ${median(s.first).toFixed(0)} | ${median(s.all).toFixed(0)} |`);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

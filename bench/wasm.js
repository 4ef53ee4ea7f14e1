'use strict';
// The WebAssembly backend against numcodecs' WebAssembly Blosc (c-blosc 1.x)
// and the native addon, all on one thread, datasets A-D and F (issue 11):
// pack (value -> bytes) and unpack (bytes -> a TypedArray of the original
// type), MB/s of raw array, medians. Each candidate lives in a process of its
// own (a process holds one backend: BLOSC2_BACKEND decides at load), and the
// parent runs the rounds interleaved, in a fresh seeded random order each
// round, gc() before every timed op; every round trip is verified. Also the
// browser bundle's size (JS + wasm, gzip -9).
//
//   node bench/wasm.js [--quick] [--out=DIR]     (run by `npm run bench`; needs dist/ and wasm/)
const { fork, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DATASETS, rng } = require('./datasets');

const ROOT = path.join(__dirname, '..');
const DATASET_NAMES = ['A', 'B', 'C', 'D', 'F'];

// ---------------------------------------------------------------------------
// Child: one candidate; answers { dataset } with one timed round.
async function child(candidate) {
  const { performance } = require('node:perf_hooks');
  const lib = require(path.join(ROOT, 'dist', 'index.js'));
  lib.setNthreads(1);
  const values = new Map();
  let pack;
  let unpack;
  if (candidate === 'numcodecs') {
    const { default: Blosc } = await import('numcodecs/blosc');
    const nc = Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 });
    pack = (v) => nc.encode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    unpack = async (bytes, Ctor) => {
      const out = await nc.decode(bytes);
      return out.byteOffset % Ctor.BYTES_PER_ELEMENT === 0
        ? new Ctor(out.buffer, out.byteOffset, out.byteLength / Ctor.BYTES_PER_ELEMENT)
        : new Ctor(out.slice().buffer);
    };
  } else {
    const packer = new lib.Packer({ codec: 'lz4', clevel: 5, nthreads: 1 });
    pack = (v) => packer.pack(v);
    unpack = (bytes) => packer.unpack(bytes);
  }
  process.on('message', async ({ dataset, scale }) => {
    if (!values.has(dataset)) values.set(dataset, DATASETS[dataset].make(scale));
    const v = values.get(dataset);
    const Ctor = v.constructor;
    globalThis.gc();
    let t = performance.now();
    const bytes = await pack(v);
    const packMs = performance.now() - t;
    globalThis.gc();
    t = performance.now();
    const back = await unpack(bytes, Ctor);
    const unpackMs = performance.now() - t;
    const ok =
      back instanceof Ctor &&
      Buffer.compare(Buffer.from(back.buffer, back.byteOffset, back.byteLength), Buffer.from(v.buffer, v.byteOffset, v.byteLength)) === 0;
    process.send({ packMs, unpackMs, ok, nbytes: v.byteLength, size: bytes.byteLength, backend: lib.versions.backend });
  });
  process.send({ ready: true });
}

// ---------------------------------------------------------------------------
// Parent.
const CANDIDATES = [
  { name: 'blosc2 wasm', id: 'wasm', env: { BLOSC2_BACKEND: 'wasm' } },
  { name: 'blosc2 native, 1 thread', id: 'native', env: { BLOSC2_BACKEND: 'native' } },
  { name: 'numcodecs Blosc lz4', id: 'numcodecs', env: { BLOSC2_BACKEND: 'native' } },
];

/** A candidate's process; `next()` is its next message. */
function start(c) {
  const p = fork(__filename, ['--child', c.id], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, ...c.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = [];
  p.on('message', (m) => waiting.shift()?.resolve(m));
  p.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${c.name} exited (${code})`));
  });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  return { ...c, p, next, ready: next() };
}

function ask(c, msg) {
  const reply = c.next();
  c.p.send(msg);
  return reply;
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function bundleSizes() {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-browser.js'), '--report'], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out);
}

async function main() {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const outDir = path.resolve((argv.find((a) => a.startsWith('--out=')) ?? `--out=${path.join(__dirname, 'results')}`).slice(6));
  const warmup = quick ? 1 : 2;
  const runs = quick ? 3 : 9;
  const scale = quick ? 0.05 : 1;
  const procs = CANDIDATES.map(start);
  await Promise.all(procs.map((c) => c.ready));
  const results = {};
  try {
    for (const ds of DATASET_NAMES) {
      const samples = Object.fromEntries(procs.map((c) => [c.id, { pack: [], unpack: [], size: 0, nbytes: 0 }]));
      for (let round = 0; round < warmup + runs; round++) {
        const r = rng(1000 + round);
        const order = [...procs].sort(() => (r.u32() & 1 ? 1 : -1));
        for (const c of order) {
          const m = await ask(c, { dataset: ds, scale });
          if (!m.ok) throw new Error(`${c.name} did not round-trip ${ds}`);
          if (c.id !== 'numcodecs' && m.backend !== c.id) throw new Error(`${c.name} ran on ${m.backend}`);
          if (round < warmup) continue;
          const s = samples[c.id];
          s.pack.push(m.packMs);
          s.unpack.push(m.unpackMs);
          s.size = m.size;
          s.nbytes = m.nbytes;
        }
      }
      results[ds] = Object.fromEntries(
        Object.entries(samples).map(([id, s]) => [
          id,
          { pack: s.nbytes / 1e3 / median(s.pack), unpack: s.nbytes / 1e3 / median(s.unpack), ratio: s.size / s.nbytes },
        ]),
      );
      const w = results[ds];
      process.stderr.write(
        `  wasm ${ds}: ${w.wasm.pack.toFixed(0)} / ${w.wasm.unpack.toFixed(0)} MB/s; ` +
          `numcodecs ${w.numcodecs.pack.toFixed(0)} / ${w.numcodecs.unpack.toFixed(0)}; native ${w.native.pack.toFixed(0)} / ${w.native.unpack.toFixed(0)}\n`,
      );
    }
  } finally {
    for (const c of procs) c.p.kill();
  }
  const sizes = bundleSizes();
  const fmt = (x) => x.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const lines = [
    `# WebAssembly backend: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '',
    `\`node bench/wasm.js${quick ? ' --quick' : ''}\` on ${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism?.() ?? os.cpus().length} cores, Node ${process.version};` +
      ` one thread everywhere, lz4 clevel 5 + shuffle, medians of ${runs} interleaved rounds after ${warmup}, scale ${scale}. MB/s of raw array.`,
    '',
    '| dataset | wasm pack / unpack | numcodecs pack / unpack | native 1 thread pack / unpack | wasm ÷ numcodecs (target ≥ 3) | wasm ÷ native (target ≥ 0.5) | size wasm / numcodecs |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const ds of DATASET_NAMES) {
    const { wasm, numcodecs, native } = results[ds];
    lines.push(
      `| ${ds} ${DATASETS[ds].title} | ${fmt(wasm.pack)} / ${fmt(wasm.unpack)} | ${fmt(numcodecs.pack)} / ${fmt(numcodecs.unpack)} | ` +
        `${fmt(native.pack)} / ${fmt(native.unpack)} | ${(wasm.pack / numcodecs.pack).toFixed(2)} / ${(wasm.unpack / numcodecs.unpack).toFixed(2)} | ` +
        `${(wasm.pack / native.pack).toFixed(2)} / ${(wasm.unpack / native.unpack).toFixed(2)} | ${wasm.ratio.toFixed(3)} / ${numcodecs.ratio.toFixed(3)} |`,
    );
  }
  const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
  const full = sizes['blosc2.wasm'];
  lines.push(
    '',
    `Browser bundle (gzip -9): ${sizes.bundle} ${kb(sizes.js.gzip)} + wasm/blosc2.wasm ${kb(full.gzip)} = **${kb(sizes.js.gzip + full.gzip)}** ` +
      `(raw ${kb(sizes.js.raw)} + ${kb(full.raw)}).`,
  );
  if (sizes['blosc2-lean.wasm'])
    lines.push(
      `Lean module (LZ4 + BloscLZ, \`npm run build:wasm -- --lean\`, deps/build/wasm/): ${kb(sizes['blosc2-lean.wasm'].gzip)} gzipped.`,
    );
  const md = `${lines.join('\n')}\n`;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'wasm-latest.md'), md);
  fs.writeFileSync(path.join(outDir, 'wasm-latest.json'), JSON.stringify({ results, sizes, quick, runs, warmup, scale }, null, 2));
  process.stdout.write(md);
}

if (process.argv[2] === '--child') {
  child(process.argv[3]).catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}

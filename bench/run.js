#!/usr/bin/env node
'use strict';
// npm run bench [-- --quick] [--only=A,B] [--mode=default|warm|both] [--ipc | --no-ipc] [--random-access | --no-random-access]
//                [--no-ceiling] [--threads=1,2,4,..] [--sweep=A,C] [--sweep-scale=1,10] [--no-sweep]
// Runs every dataset in its own child process per allocator mode, the native
// C-Blosc2 ceiling (built here with cc), the thread sweep (threads.js: pack,
// unpack, the core calls and the C program at each thread count, on the same
// bytes), the IPC benchmark and the random-access one (random-access.js);
// writes bench/results/latest.{md,svg,json}, latest-warm.svg and
// latest-threads.{md,svg}.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(`--${n}`);
const opt = (n, d) => {
  const a = argv.find((x) => x.startsWith(`--${n}=`));
  return a ? a.slice(n.length + 3) : d;
};
for (const a of argv) {
  if (
    !/^--(quick|ipc|no-ipc|random-access|no-random-access|wasm|no-wasm|no-ceiling|no-sweep|help|(only|mode|out|candidates|threads|sweep|sweep-scale)=.*)$/.test(
      a,
    )
  ) {
    console.error(`unknown argument ${a}; see --help`);
    process.exit(2);
  }
}
if (flag('help')) {
  console.log(
    'usage: node bench/run.js [--quick] [--only=A,B,..] [--mode=default|warm|both] [--ipc (IPC only) | --no-ipc] [--random-access (only it) | --no-random-access] [--wasm (only it) | --no-wasm] [--no-ceiling] [--candidates=substr,..] [--out=DIR]\n' +
      '       [--threads=1,2,4,.. (default: powers of two up to the CPU count)] [--sweep=A,C] [--sweep-scale=0.08,1 (8 MB, 100 MB; 10 = 1 GB)] [--no-sweep]',
  );
  process.exit(0);
}

const quick = flag('quick');
const ORDER = ['A', 'B', 'C', 'D', 'E', 'F', 'img', 'vol'];
const only = opt('only', '') ? opt('only', '').split(',') : ORDER;
for (const d of only) if (!ORDER.includes(d)) throw new Error(`unknown dataset ${d} (${ORDER.join(', ')})`);
const modeArg = opt('mode', 'both');
const modes = modeArg === 'both' ? ['default', 'warm'] : [modeArg];
for (const m of modes) if (m !== 'default' && m !== 'warm') throw new Error(`unknown mode ${m}`);
const outDir = path.resolve(opt('out', path.join(__dirname, 'results')));
const CPUS = os.availableParallelism?.() ?? os.cpus().length;
/** Thread counts of the sweep: 1, 2, 4, ... up to the CPU count (and it). */
function defaultThreads() {
  const t = [];
  for (let n = 1; n < CPUS; n *= 2) t.push(n);
  t.push(CPUS);
  return t.join(',');
}
const sweepThreads = opt('threads', defaultThreads());
const sweepSets = opt('sweep', 'A,C').split(',');
const sweepScales = opt('sweep-scale', quick ? '0.02' : '1')
  .split(',')
  .map(Number);
const WARM_ENV = 'glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736';

/** Rounds per dataset: the big ones 2 + 7, the small ones more. */
function plan(ds) {
  if (quick) return { scale: 0.02, warmup: 1, runs: 3, ceilingRuns: 3, smallIters: 1000 };
  if (ds === 'E') return { scale: 1, warmup: 1, runs: 7, ceilingRuns: 7, smallIters: 5000 };
  if (ds === 'F') return { scale: 1, warmup: 3, runs: 15, ceilingRuns: 41, smallIters: 5000 };
  return { scale: 1, warmup: 2, runs: 11, ceilingRuns: 31, smallIters: 5000 };
}
/** Datasets measured against the C program (binding efficiency, issue 2). */
const CEILING_DATASETS = ['A', 'B', 'C', 'D', 'F'];

function envFor(mode) {
  const env = { ...process.env };
  if (mode === 'warm') env.GLIBC_TUNABLES = WARM_ENV;
  else delete env.GLIBC_TUNABLES;
  return env;
}

function runChild(script, args, env) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', path.join(__dirname, script), ...args], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    p.on('error', reject);
    p.on('exit', (code, sig) => (code === 0 ? resolve() : reject(new Error(`${script} ${args.join(' ')} exited with ${code ?? sig}`))));
  });
}

function ensureDist() {
  if (fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) return;
  console.log('dist/ missing: building (tsc -p tsconfig.build.json && node scripts/esm-wrapper.js)');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'esm-wrapper.js')], { cwd: ROOT, stdio: 'inherit' });
}

function packageVersions() {
  const v = (n) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', n, 'package.json'), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  return ['msgpackr', '@msgpack/msgpack', 'cbor-x', 'numcodecs'].map((n) => `${n} ${v(n)}`).join(', ');
}

async function main() {
  const t0 = Date.now();
  ensureDist();
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-bench-'));
  const all = {};
  let ipc = null;
  const ra = {};
  let ceilingBin = null;
  const sweeps = [];
  try {
    const ipcOnly = flag('ipc');
    const raOnly = flag('random-access');
    const wasmOnly = flag('wasm');
    if (!ipcOnly && !raOnly && !wasmOnly) {
      if (!flag('no-ceiling')) {
        try {
          ceilingBin = require('./native').buildCeiling();
        } catch (err) {
          console.error(`native ceiling not built (${err.message}); continuing without it`);
        }
      }
      const jobs = [];
      for (const m of modes) for (const ds of only) jobs.push([m, ds]);
      let i = 0;
      for (const [m, ds] of jobs) {
        i++;
        const p = plan(ds);
        const out = path.join(tmp, `${m}-${ds}.json`);
        const elapsed = ((Date.now() - t0) / 1000).toFixed(0);
        console.log(`[${i}/${jobs.length}] ${m} ${ds} (scale ${p.scale}, ${p.warmup}+${p.runs} rounds) — ${elapsed} s elapsed`);
        const args = [
          `--dataset=${ds}`,
          `--mode=${m}`,
          `--scale=${p.scale}`,
          `--warmup=${p.warmup}`,
          `--runs=${p.runs}`,
          `--smallIters=${p.smallIters}`,
          `--out=${out}`,
        ];
        if (opt('candidates', '')) args.push(`--candidates=${opt('candidates', '')}`);
        try {
          await runChild('child.js', args, envFor(m));
          (all[m] ??= {})[ds] = JSON.parse(fs.readFileSync(out, 'utf8'));
          printBrief(all[m][ds]);
        } catch (err) {
          console.error(`  ${m} ${ds} failed: ${err.message}`);
        }
        if (ceilingBin && CEILING_DATASETS.includes(ds) && all[m]?.[ds]) {
          const cout = path.join(tmp, `${m}-${ds}-ceiling.json`);
          const cargs = [
            `--dataset=${ds}`,
            `--mode=${m}`,
            `--scale=${p.scale}`,
            `--warmup=${p.warmup}`,
            `--runs=${p.ceilingRuns}`,
            `--smallIters=${p.smallIters}`,
            `--ceiling=${ceilingBin}`,
            '--ceilingOnly',
            `--out=${cout}`,
          ];
          try {
            await runChild('child.js', cargs, envFor(m));
            all[m][ds].ceiling = JSON.parse(fs.readFileSync(cout, 'utf8')).ceiling;
          } catch (err) {
            console.error(`  ${m} ${ds} ceiling failed: ${err.message}`);
          }
        }
      }
    }
    if (!ipcOnly && !raOnly && !wasmOnly && !flag('no-sweep')) {
      // The thread sweep: each dataset and scale in a child of its own, default allocator.
      for (const ds of sweepSets) {
        for (const scale of sweepScales) {
          const out = path.join(tmp, `threads-${ds}-${scale}.json`);
          console.log(`[threads] ${ds} x${scale} at ${sweepThreads} threads — ${((Date.now() - t0) / 1000).toFixed(0)} s elapsed`);
          const targs = [`--dataset=${ds}`, `--scale=${scale}`, `--threads=${sweepThreads}`, `--runs=${quick ? 3 : 7}`, `--out=${out}`];
          if (ceilingBin) targs.push(`--ceiling=${ceilingBin}`);
          try {
            await runChild('threads.js', targs, envFor('default'));
            sweeps.push(JSON.parse(fs.readFileSync(out, 'utf8')));
          } catch (err) {
            console.error(`  thread sweep ${ds} failed: ${err.message}`);
          }
        }
      }
    }
    if (wasmOnly || (!ipcOnly && !raOnly && !flag('no-wasm'))) {
      // The WebAssembly backend against numcodecs and the addon, one thread (bench/wasm.js).
      console.log(`[wasm] ${quick ? 'quick' : 'full'} — ${((Date.now() - t0) / 1000).toFixed(0)} s elapsed`);
      try {
        await runChild('wasm.js', [`--out=${outDir}`, ...(quick ? ['--quick'] : [])], envFor('default'));
      } catch (err) {
        console.error(`  wasm failed: ${err.message}`);
      }
    }
    if (ipcOnly || (!raOnly && !wasmOnly && !flag('no-ipc'))) {
      const out = path.join(tmp, 'ipc.json');
      console.log(`[ipc] ${quick ? 'quick' : 'full'} — ${((Date.now() - t0) / 1000).toFixed(0)} s elapsed`);
      try {
        await runChild('ipc.js', [`--out=${out}`, ...(quick ? ['--quick'] : [])], envFor('default'));
        ipc = JSON.parse(fs.readFileSync(out, 'utf8'));
      } catch (err) {
        console.error(`  ipc failed: ${err.message}`);
      }
    }
    if (raOnly || (!ipcOnly && !wasmOnly && !flag('no-random-access'))) {
      // Each part in a child of its own: the write part's peak RSS is its own.
      for (const part of ['read', 'write']) {
        const out = path.join(tmp, `random-access-${part}.json`);
        console.log(`[random access: ${part}] ${quick ? 'quick' : 'full'} — ${((Date.now() - t0) / 1000).toFixed(0)} s elapsed`);
        try {
          await runChild('random-access.js', [`--part=${part}`, `--out=${out}`, ...(quick ? ['--quick'] : [])], envFor('default'));
          ra[part] = JSON.parse(fs.readFileSync(out, 'utf8'));
        } catch (err) {
          console.error(`  random access ${part} failed: ${err.message}`);
          ra[part] = { error: err.message };
        }
      }
    }
  } finally {
    if (ceilingBin) fs.rmSync(ceilingBin, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const { renderMarkdown } = require('./report');
  const { panelsSvg, sweepMarkdown, sweepSvg } = require('./charts');
  const meta = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `node bench/run.js ${argv.join(' ')}`.trim(),
    machine: `${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism?.() ?? os.cpus().length} cores, ${fmtGB(os.totalmem())} GB, ${os.type()} ${os.release()} ${os.arch()}`,
    packages: packageVersions(),
    wallSeconds: (Date.now() - t0) / 1000,
  };
  const order = ORDER.filter((d) => only.includes(d));
  const randomAccess = require('./random-access');
  let md = renderMarkdown({ all, modes, order, ipc, meta });
  if (ra.read || ra.write) md += '\n' + randomAccess.renderMarkdown(ra.read, ra.write);
  fs.writeFileSync(path.join(outDir, 'latest.md'), md);
  for (const m of modes) {
    const title = `pack and unpack per dataset (${m} allocator mode), ${meta.date}, ${meta.machine}`;
    fs.writeFileSync(path.join(outDir, m === 'default' ? 'latest.svg' : `latest-${m}.svg`), panelsSvg({ all, mode: m, order, title }));
  }
  if (sweeps.length > 0) {
    const head = `# Thread sweep — ${meta.date}\n\nCommand: \`${meta.command}\`. Machine: ${meta.machine}.\n\n`;
    fs.writeFileSync(path.join(outDir, 'latest-threads.md'), head + sweepMarkdown(sweeps));
    fs.writeFileSync(path.join(outDir, 'latest-threads.svg'), sweepSvg(sweeps));
  }
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify({ meta, modes, all, ipc, sweeps, randomAccess: ra }, null, 1));
  console.log('');
  if (sweeps.length > 0) console.log(sweepMarkdown(sweeps));
  printTargets(all, ipc);
  for (const t of randomAccess.targets(ra.read, ra.write))
    console.log(`  ${t.what}: ${t.value} (target ${t.target}) ${t.met ? 'MET' : 'NOT MET'}`);
  console.log(
    `\nwrote ${path.relative(process.cwd(), path.join(outDir, 'latest.md'))}, latest.svg, latest.json — ${meta.wallSeconds.toFixed(1)} s`,
  );
}

const fmtGB = (b) => (b / 2 ** 30).toFixed(0);

/** One line per candidate: round-trip rate and size ratio. */
function printBrief(d) {
  const isE = d.kind === 'messages';
  for (const r of d.results) {
    if (r.error) {
      console.log(`    ${r.name.padEnd(38)} FAILED ${r.error}`);
      continue;
    }
    const rate = (ms) =>
      isE ? `${(d.messages / ms).toFixed(0).padStart(6)}k msg/s` : `${(d.inputBytes / 1e3 / ms).toFixed(0).padStart(7)} MB/s`;
    const pu = r.roundTripOnly ? ''.padEnd(40) : `pack ${rate(r.packMs)}  unpack ${rate(r.unpackMs)}`;
    console.log(`    ${r.name.padEnd(38)} ${pu}  rt ${rate(r.rtMs)}  ratio ${r.roundTripOnly ? '  -  ' : r.ratio.toFixed(3)}  ${r.result}`);
  }
  console.log(`    peak RSS ${d.maxRssMB.toFixed(0)} MB`);
}

function printTargets(all, ipc) {
  console.log('Targets:');
  for (const m of Object.keys(all)) {
    for (const ds of CEILING_DATASETS) {
      const c = all[m][ds]?.ceiling;
      if (!c) continue;
      const b = c.binding,
        n = c.c;
      console.log(
        `  binding/C ${m} ${ds}: compress ${(b.compressMBs / n.fresh.compressMBs).toFixed(2)}, decompress ${(b.decompressMBs / n.fresh.decompressMBs).toFixed(2)}, ` +
          `decompress reused ${(b.decompressReusedMBs / n.reused.decompressMBs).toFixed(2)} (target >= 0.9); ` +
          `pack ${(b.packMBs / b.compressMBs).toFixed(2)}, unpack ${(b.unpackMBs / b.decompressMBs).toFixed(2)} of the core (target >= 0.9); ` +
          `1 KB µs/call C ${n.small.compressUs.toFixed(1)}/${n.small.decompressUs.toFixed(1)} vs binding ${b.small.compressUs.toFixed(1)}/${b.small.decompressUs.toFixed(1)}`,
      );
    }
  }
  if (ipc?.targets)
    for (const t of ipc.targets) console.log(`  ipc ${t.what}: ${t.value} (target ${t.target}) ${t.met ? 'MET' : 'NOT MET'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

#!/usr/bin/env node
// Links deps/wasm/probe/probe.cc with the wasm32-wasi libraries of
// deps/build-wasm.js into a reactor module and prints its size (raw and
// gzip -9). Run deps/build-wasm.js (with --lean for the lean prefix) first.
//
//   node deps/wasm/probe/build.js [--lean] [--simd-shuffle] [--names] [--out FILE] [-- extra clang flags]
//
// --simd-shuffle links deps/wasm/simd/shuffle-simd128.c's object in place of
// C-Blosc2's generic byte shuffle; --names keeps the function names (no
// --strip-all) for profiles.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const opts = dashes < 0 ? argv : argv.slice(0, dashes);
const extra = dashes < 0 ? [] : argv.slice(dashes + 1);
const lean = opts.includes('--lean');
const names = opts.includes('--names');
const simd = opts.includes('--simd-shuffle');
const wasmDir = path.join(__dirname, '..', '..', 'build', 'wasm');
const outIdx = opts.indexOf('--out');
const out = path.resolve(outIdx >= 0 ? opts[outIdx + 1] : path.join(wasmDir, `probe-${lean ? 'lean' : 'full'}${simd ? '-simd' : ''}.wasm`));

const configFile = path.join(wasmDir, lean ? 'prefix-lean' : 'prefix', 'wasm-config.json');
if (!fs.existsSync(configFile)) {
  process.stderr.write(`${configFile} is missing: run node deps/build-wasm.js${lean ? ' --lean' : ''} first\n`);
  process.exit(1);
}
const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));

const args = [
  ...config.cxxflags,
  '-O3',
  ...extra,
  // A library, not a program: _initialize runs the constructors once, then
  // the exports may be called any number of times.
  '-mexec-model=reactor',
  path.join(__dirname, 'probe.cc'),
  // Objects before the archives: they win over libblosc2.a's shuffle-generic.o.
  ...(simd ? config.simdShuffleObjects : []),
  ...config.libs,
  // 1 MiB of stack (wasm-ld's default is 64 KiB), placed first so that an
  // overflow traps instead of overwriting static data.
  '-Wl,-z,stack-size=1048576',
  '-Wl,--stack-first',
  // The host copies data in and out through buffers it allocates here.
  '-Wl,--export=malloc',
  '-Wl,--export=free',
  ...(names ? [] : ['-Wl,--strip-all']),
  '-o',
  out,
];
process.stderr.write(`$ ${config.cxx} ${args.join(' ')}\n`);
fs.mkdirSync(path.dirname(out), { recursive: true });
execFileSync(config.cxx, args, { stdio: 'inherit' });

const raw = fs.readFileSync(out);
const gz = execFileSync('gzip', ['-9', '-c', out], { maxBuffer: 1 << 30 });
console.log(JSON.stringify({ module: out, variant: config.variant, simdShuffle: simd, raw: raw.length, gzip9: gz.length }));

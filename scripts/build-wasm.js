#!/usr/bin/env node
// Builds the WebAssembly module that ships in the package (wasm/blosc2.wasm;
// with --lean, deps/build/wasm/blosc2-lean.wasm, which does not ship): the core of native/ (chunk,
// geometry plan, frame writer and reader, random access, the chunk-by-chunk
// writer) under the C ABI of native/wasm/exports.cc and random_access.cc,
// linked with the wasm32-wasi C-Blosc2 2.17.1, LZ4,
// Zstd and zlib of deps/build-wasm.js (run first when its prefix is missing;
// it installs Debian's clang-19 toolchain with apt-get when root) and the
// SIMD128 byte shuffle of deps/wasm/simd/ in place of C-Blosc2's generic one.
//
//   node scripts/build-wasm.js [--lean] [--if-toolchain]
//
// --lean: LZ4 + BloscLZ only (no Zstd, no zlib), for size-bound browser pages.
// --if-toolchain: skip with a notice instead of failing when the toolchain is
// missing and cannot be installed (not root): what `npm install` runs, so that
// an install without clang-19 still gets the native addon; CI runs as root.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const argv = process.argv.slice(2);
for (const a of argv) if (a !== '--lean' && a !== '--if-toolchain') fail(`unknown argument ${a}`);
const lean = argv.includes('--lean');
const optional = argv.includes('--if-toolchain');
const out = lean ? path.join(root, 'deps', 'build', 'wasm', 'blosc2-lean.wasm') : path.join(root, 'wasm', 'blosc2.wasm');
const prefix = path.join(root, 'deps', 'build', 'wasm', lean ? 'prefix-lean' : 'prefix');
const configFile = path.join(prefix, 'wasm-config.json');
// The core of native/ but threads.cc and context_pool.cc, for which
// native/wasm/single_thread.cc stands in (one thread, a context per call).
const SOURCES = [
  'native/chunk.cc',
  'native/geometry_plan.cc',
  'native/frame_writer.cc',
  'native/frame_reader.cc',
  'native/frame_parts.cc',
  'native/frame_slice.cc',
  'native/frame_stream_writer.cc',
  'native/wasm/single_thread.cc',
  'native/wasm/exports.cc',
  'native/wasm/random_access.cc',
];

function log(msg) {
  process.stderr.write(`[blosc2 wasm] ${msg}\n`);
}
function fail(msg) {
  log(msg);
  process.exit(1);
}
const hasCommand = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

const started = Date.now();
if (optional && !hasCommand('clang++-19') && !(process.getuid?.() === 0 && hasCommand('apt-get'))) {
  log('clang-19 (wasm32) is not installed and cannot be installed here (not root): the WebAssembly module is not built.');
  log('The native addon still works; to build the module: `npm run build:wasm` on a machine with Debian/Ubuntu packages');
  log('clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32.');
  process.exit(0);
}
// deps/build-wasm.js is quick when nothing changed (a stamp file), so it
// always runs: it also checks the toolchain and the pinned sources.
execFileSync(process.execPath, [path.join(root, 'deps', 'build-wasm.js'), ...(lean ? ['--lean'] : [])], {
  stdio: 'inherit',
  env: { ...process.env, BLOSC2_DEPS_JOBS: process.env.BLOSC2_DEPS_JOBS || '2' },
});
const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));

// Nothing to do when the module is newer than everything it is made of.
const inputs = [
  ...SOURCES.map((s) => path.join(root, s)),
  ...['native', 'native/wasm'].flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.h'))
      .map((f) => path.join(root, dir, f)),
  ),
  ...config.libs.filter((l) => l.startsWith('/')),
  ...config.simdShuffleObjects,
  __filename,
];
const newest = Math.max(...inputs.map((f) => fs.statSync(f).mtimeMs));
if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= newest) {
  log(`${path.relative(root, out)} is up to date`);
  process.exit(0);
}

const args = [
  ...config.cxxflags,
  '-O3',
  '-DNDEBUG',
  '-Wall',
  '-Wextra',
  // A library, not a program: _initialize runs the constructors (blosc2_init)
  // once, then the exports may be called any number of times.
  '-mexec-model=reactor',
  ...SOURCES.map((s) => path.join(root, s)),
  // Objects before the archives, so the SIMD128 shuffle wins over
  // libblosc2.a's shuffle-generic.o (deps/wasm/README.md, "SIMD").
  ...config.simdShuffleObjects,
  ...config.libs,
  // 1 MiB of stack, placed first so that an overflow traps instead of
  // overwriting static data.
  '-Wl,-z,stack-size=1048576',
  '-Wl,--stack-first',
  // wasm32's whole address space: a 1 GiB array needs its input and output
  // in this memory at once.
  '-Wl,--max-memory=4294967296',
  '-Wl,--export=malloc',
  '-Wl,--export=free',
  '-Wl,--strip-all',
  '-o',
  out,
];
fs.mkdirSync(path.dirname(out), { recursive: true });
log(`linking ${path.relative(root, out)}`);
execFileSync(config.cxx, args, { stdio: 'inherit', cwd: root });
const size = fs.statSync(out).size;
log(`${path.relative(root, out)}: ${size} bytes (${config.variant}), in ${((Date.now() - started) / 1000).toFixed(1)} s`);

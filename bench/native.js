'use strict';
// Builds bench/native/ceiling.c against the same static C-Blosc2 the addon
// links (deps/build/prefix, or BLOSC2_DEPS_PREFIX) and runs it on a dataset.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CODECS = { blosclz: 0, lz4: 1, lz4hc: 2, zlib: 4, zstd: 5 };
const FILTERS = { nofilter: 0, shuffle: 1, bitshuffle: 2 };

/** Compiles the ceiling program into a temp dir; returns its path, or throws with the compiler's message. */
function buildCeiling() {
  const prefix = process.env.BLOSC2_DEPS_PREFIX || path.join(ROOT, 'deps', 'build', 'prefix');
  const lib = path.join(prefix, 'lib');
  const libs = ['libblosc2.a', 'liblz4.a', 'libzstd.a', 'libz.a'].map((l) => path.join(lib, l));
  for (const l of libs.slice(0, 1)) if (!fs.existsSync(l)) throw new Error(`${l} is missing: run node deps/build.js`);
  const out = path.join(os.tmpdir(), `blosc2-bench-ceiling-${process.pid}`);
  const cc = process.env.CC || 'cc';
  execFileSync(
    cc,
    [
      '-O2',
      '-std=c11',
      '-D_POSIX_C_SOURCE=199309L',
      '-I',
      path.join(prefix, 'include'),
      path.join(__dirname, 'native', 'ceiling.c'),
      '-o',
      out,
      ...libs.filter((l) => fs.existsSync(l)),
      '-lpthread',
      '-lm',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return out;
}

/**
 * Runs the ceiling on the bytes of `arr` with the given parameters, in the
 * given environment (the allocator mode). Returns the parsed JSON.
 */
function runCeiling(binary, arr, { codec, clevel, filter, typesize, nthreads, warmup, runs, smallIters, pauseMs = 0, env }) {
  const file = path.join(os.tmpdir(), `blosc2-bench-ceiling-${process.pid}.bin`);
  fs.writeFileSync(file, new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  try {
    const out = execFileSync(
      binary,
      [file, typesize, CODECS[codec], clevel, FILTERS[filter], nthreads, warmup, runs, smallIters, pauseMs].map(String),
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    );
    return JSON.parse(out);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

module.exports = { buildCeiling, runCeiling };

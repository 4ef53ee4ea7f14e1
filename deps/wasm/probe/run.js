#!/usr/bin/env node
// Runs the probe module of deps/wasm/probe/build.js in plain Node, with a
// minimal WASI import object of our own (no node:wasi), and reports:
//   - the WASI imports the module declares and those actually called;
//   - round trips of a Float64Array through every compressor built in;
//   - that chunks written by the module decompress with the native addon and
//     chunks written by the addon decompress in the module (when the addon
//     exists: build/Release/blosc2.node, or --native FILE);
//   - with --bench: single-thread MB/s of a 100 MB Float64Array linspace, lz4
//     clevel 5 with shuffle, median of --runs (default 5), in wasm and native.
//
//   node deps/wasm/probe/run.js [MODULE.wasm] [--bench] [--runs N] [--native FILE] [--typesize N]
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const root = path.join(__dirname, '..', '..', '..');
const modulePath = path.resolve(
  argv.find((a, i) => a.endsWith('.wasm') && argv[i - 1] !== '--native') || path.join(root, 'deps/build/wasm/probe-full.wasm'),
);
const nativePath = path.resolve(option('--native', path.join(root, 'build/Release/blosc2.node')));
const runs = Number(option('--runs', 5));
const benchTypesize = Number(option('--typesize', 8));

const CODECS = { blosclz: 0, lz4: 1, lz4hc: 2, zlib: 4, zstd: 5 };
const SHUFFLE_ONLY = 2 ** 40; // filters[5] = BLOSC_SHUFFLE, packed as the addon takes it
const FORWARD_COMPAT_SPLIT = 4; // BLOSC2_CPARAMS_DEFAULTS.splitmode
const MAX_OVERHEAD = 32; // BLOSC2_MAX_OVERHEAD

// ---- a minimal WASI preview1 import object ----------------------------------
const ERRNO = { SUCCESS: 0, BADF: 8, NOSYS: 52 };
const calls = new Map(); // import name -> number of calls
let memory = null;
const view = () => new DataView(memory.buffer);

class ProcExit extends Error {}

const impl = {
  // No preopened directories: libc's startup asks for fd 3, 4, ... until EBADF
  // (ENOSYS here makes _initialize trap).
  fd_prestat_get: () => ERRNO.BADF,
  fd_prestat_dir_name: () => ERRNO.BADF,
  environ_sizes_get(countPtr, sizePtr) {
    view().setUint32(countPtr, 0, true);
    view().setUint32(sizePtr, 0, true);
    return ERRNO.SUCCESS;
  },
  environ_get: () => ERRNO.SUCCESS,
  args_sizes_get(countPtr, sizePtr) {
    view().setUint32(countPtr, 0, true);
    view().setUint32(sizePtr, 0, true);
    return ERRNO.SUCCESS;
  },
  args_get: () => ERRNO.SUCCESS,
  clock_time_get(id, precision, outPtr) {
    view().setBigUint64(outPtr, process.hrtime.bigint(), true);
    return ERRNO.SUCCESS;
  },
  // stdout/stderr (C-Blosc2's BLOSC_TRACE output goes there).
  fd_write(fd, iovs, iovsLen, nwrittenPtr) {
    if (fd !== 1 && fd !== 2) return ERRNO.BADF;
    let n = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = view().getUint32(iovs + 8 * i, true);
      const len = view().getUint32(iovs + 8 * i + 4, true);
      (fd === 1 ? process.stdout : process.stderr).write(Buffer.from(memory.buffer, ptr, len));
      n += len;
    }
    view().setUint32(nwrittenPtr, n, true);
    return ERRNO.SUCCESS;
  },
  random_get(ptr, len) {
    crypto.randomFillSync(new Uint8Array(memory.buffer, ptr, len));
    return ERRNO.SUCCESS;
  },
  proc_exit(code) {
    throw new ProcExit(`proc_exit(${code})`);
  },
};

function wasiImports(mod) {
  const declared = WebAssembly.Module.imports(mod).filter((i) => i.module === 'wasi_snapshot_preview1');
  const ns = {};
  for (const { name } of declared) {
    const fn = impl[name] || (() => ERRNO.NOSYS); // anything else: not supported
    ns[name] = (...args) => {
      calls.set(name, (calls.get(name) || 0) + 1);
      return fn(...args);
    };
  }
  const other = WebAssembly.Module.imports(mod).filter((i) => i.module !== 'wasi_snapshot_preview1');
  if (other.length) throw new Error(`unexpected non-WASI imports: ${JSON.stringify(other)}`);
  return { imports: { wasi_snapshot_preview1: ns }, declared: declared.map((i) => i.name) };
}

function snapshotCalls() {
  const o = Object.fromEntries(calls);
  calls.clear();
  return o;
}

// ---- the module -------------------------------------------------------------
const wasmModule = new WebAssembly.Module(fs.readFileSync(modulePath));
const { imports, declared } = wasiImports(wasmModule);
const instance = new WebAssembly.Instance(wasmModule, imports);
const ex = instance.exports;
memory = ex.memory;
ex._initialize();
const callsInInit = snapshotCalls();

const cstring = (ptr) => {
  const bytes = new Uint8Array(memory.buffer, ptr);
  return Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString('utf8');
};

// A buffer in wasm memory; .bytes() re-makes the view, because memory.grow
// (any malloc) detaches the old ArrayBuffer.
function wasmBuf(size) {
  const ptr = ex.malloc(size);
  if (!ptr) throw new Error(`wasm malloc(${size}) failed`);
  return { ptr, size, bytes: (n = size) => new Uint8Array(memory.buffer, ptr, n), free: () => ex.free(ptr) };
}

function wasmCompress(src, codec, clevel, typesize, nthreads = 1) {
  const s = wasmBuf(src.byteLength);
  const d = wasmBuf(src.byteLength + MAX_OVERHEAD);
  s.bytes().set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  const rc = ex.probe_compress(s.ptr, src.byteLength, d.ptr, d.size, clevel, codec, typesize, nthreads);
  const out = rc > 0 ? Buffer.from(d.bytes(rc)) : null;
  s.free();
  d.free();
  if (rc <= 0) throw Object.assign(new Error(`wasm compress: ${rc} ${cstring(ex.probe_last_error())}`), { rc });
  return out;
}

function wasmDecompress(chunk, nbytes, nthreads = 1) {
  const s = wasmBuf(chunk.length);
  const d = wasmBuf(nbytes);
  s.bytes().set(chunk);
  const rc = ex.probe_decompress(s.ptr, chunk.length, d.ptr, nbytes, nthreads);
  const out = rc >= 0 ? Buffer.from(d.bytes(rc)) : null;
  s.free();
  d.free();
  if (rc < 0) throw Object.assign(new Error(`wasm decompress: ${rc} ${cstring(ex.probe_last_error())}`), { rc });
  return out;
}

function linspace(n) {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i / (n - 1);
  return a;
}

const bytesOf = (ta) => Buffer.from(ta.buffer, ta.byteOffset, ta.byteLength);

let native = null;
if (fs.existsSync(nativePath)) native = require(nativePath);

function nativeCompress(src, codec, clevel, typesize) {
  const out = Buffer.alloc(src.byteLength + MAX_OVERHEAD);
  const n = native.compress(src, out, clevel, codec, typesize, 1, 0, FORWARD_COMPAT_SPLIT, SHUFFLE_ONLY, 0);
  return out.subarray(0, n);
}

function nativeDecompress(chunk, nbytes) {
  const out = Buffer.alloc(nbytes);
  native.decompress(chunk, out, 1);
  return out;
}

// ---- checks -----------------------------------------------------------------
const report = { module: path.relative(root, modulePath), size: fs.statSync(modulePath).size };
report.compressors = cstring(ex.probe_compressors());
const codecs = report.compressors.split(',');

const data = linspace(1 << 20); // 8 MiB
const raw = bytesOf(data);
report.roundTrips = {};
for (const name of codecs) {
  const chunk = wasmCompress(data, CODECS[name], 5, 8);
  const back = wasmDecompress(chunk, raw.length);
  const entry = { ratio: +(raw.length / chunk.length).toFixed(2), wasmRoundTrip: back.equals(raw) };
  if (native) {
    entry.wasmToNative = nativeDecompress(chunk, raw.length).equals(raw);
    const nchunk = nativeCompress(data, CODECS[name], 5, 8);
    entry.nativeToWasm = wasmDecompress(nchunk, raw.length).equals(raw);
    entry.sameBytesAsNative = nchunk.equals(chunk);
  }
  if (!entry.wasmRoundTrip || entry.wasmToNative === false || entry.nativeToWasm === false) process.exitCode = 1;
  report.roundTrips[name] = entry;
}
if (!native) report.native = `not found (${nativePath}): cross-checks skipped`;

// The byte shuffle for many type sizes and block shapes (odd lengths leave
// tails that the vector kernels do not cover): lz4 round trips in wasm and,
// with the addon, both ways against the native (SSE2/AVX2) shuffle.
{
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  let cases = 0;
  let identical = 0;
  const failures = [];
  for (const ts of [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 32]) {
    for (const n of [0, 1, 15, 16, 17, 127, 128, 129, 1000, 4097, 65549, 300001, 1 << 21]) {
      const src = Buffer.alloc(n);
      let v = 0;
      for (let i = 0; i < n; i++) {
        if (i % ts === 0) v += Math.floor(rnd() * 4);
        src[i] = i % ts < 2 ? (v >> (8 * (i % ts))) & 255 : Math.floor(rnd() * 3);
      }
      const chunk = wasmCompress(src, CODECS.lz4, 5, ts);
      let ok = wasmDecompress(chunk, n).equals(src);
      if (native) {
        const nchunk = nativeCompress(src, CODECS.lz4, 5, ts);
        ok = ok && nativeDecompress(chunk, n).equals(src) && wasmDecompress(nchunk, n).equals(src);
        if (nchunk.equals(chunk)) identical++;
      }
      cases++;
      if (!ok) failures.push(`typesize ${ts}, ${n} bytes`);
    }
  }
  // Not all chunks are byte-identical to native ones: LZ4 hashes 4 bytes on
  // 32-bit targets and 5 on 64-bit ones, so it can pick other matches.
  report.shuffleCases = { cases, failures, ...(native ? { byteIdenticalToNative: identical } : {}) };
  if (failures.length) process.exitCode = 1;
}

// More than one thread: the single-thread pthread shim makes it fail cleanly.
try {
  wasmCompress(data, CODECS.lz4, 5, 8, 2);
  report.nthreads2 = 'compressed (unexpected)';
} catch (err) {
  report.nthreads2 = err.message;
}
// A chunk naming a user codec that is registered without functions goes
// through C-Blosc2's plugin loader: dlopen (shim) and popen (stub) fail, and
// so does the decompression, cleanly.
{
  const PLUGIN_ID = 250;
  report.registerPluginCodec = ex.probe_register_plugin_codec(PLUGIN_ID);
  const bad = Buffer.from(wasmCompress(data.subarray(0, 4096), CODECS.lz4, 5, 8));
  bad[2] = (bad[2] & 0x1f) | (6 << 5); // compformat BLOSC_UDCODEC_FORMAT
  bad[22] = PLUGIN_ID; // the user codec id (header byte 0x16)
  try {
    wasmDecompress(bad, 4096 * 8);
    report.pluginCodec = 'decompressed (unexpected)';
  } catch (err) {
    report.pluginCodec = err.message;
  }
}

report.wasi = { declared, calledInInitialize: callsInInit, calledByChecks: snapshotCalls() };

// ---- speed ------------------------------------------------------------------
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
const now = () => Number(process.hrtime.bigint()) / 1e9;

if (flag('--bench')) {
  const n = 12_500_000; // 100 MB of float64
  const big = linspace(n);
  const nbytes = big.byteLength;
  const MB = nbytes / 1e6;
  const lz4 = CODECS.lz4;
  const ts = benchTypesize;

  // In-module timings: the buffers stay in wasm memory between runs.
  const s = wasmBuf(nbytes);
  const d = wasmBuf(nbytes + MAX_OVERHEAD);
  const r = wasmBuf(nbytes);
  s.bytes().set(bytesOf(big));
  const tc = [];
  const td = [];
  let cbytes = 0;
  for (let i = 0; i < runs; i++) {
    let t = now();
    cbytes = ex.probe_compress(s.ptr, nbytes, d.ptr, d.size, 5, lz4, ts, 1);
    tc.push(now() - t);
    t = now();
    const rc = ex.probe_decompress(d.ptr, cbytes, r.ptr, nbytes, 1);
    td.push(now() - t);
    if (rc !== nbytes) throw new Error(`bench decompress: ${rc}`);
  }
  if (!Buffer.from(r.bytes()).equals(bytesOf(big))) throw new Error('bench round trip differs');
  s.free();
  d.free();
  r.free();

  // Including the copies into and out of wasm memory (what a JS caller pays).
  const tcc = [];
  const tdc = [];
  for (let i = 0; i < runs; i++) {
    let t = now();
    const chunk = wasmCompress(big, lz4, 5, ts);
    tcc.push(now() - t);
    t = now();
    wasmDecompress(chunk, nbytes);
    tdc.push(now() - t);
  }

  const bench = {
    data: `linspace Float64Array, ${n} elements (${MB} MB), lz4 clevel 5 shuffle, typesize ${ts}, 1 thread, median of ${runs}`,
    ratio: +(nbytes / cbytes).toFixed(1),
    wasm: {
      compressMBs: Math.round(MB / median(tc)),
      decompressMBs: Math.round(MB / median(td)),
      compressWithCopiesMBs: Math.round(MB / median(tcc)),
      decompressWithCopiesMBs: Math.round(MB / median(tdc)),
    },
    wasmMemoryMB: Math.round(memory.buffer.byteLength / 1e6),
  };
  if (native) {
    const out = Buffer.alloc(nbytes + MAX_OVERHEAD);
    const back = Buffer.alloc(nbytes);
    const nc = [];
    const nd = [];
    let n2 = 0;
    for (let i = 0; i < runs; i++) {
      let t = now();
      n2 = native.compress(big, out, 5, lz4, ts, 1, 0, FORWARD_COMPAT_SPLIT, SHUFFLE_ONLY, 0);
      nc.push(now() - t);
      t = now();
      native.decompress(out.subarray(0, n2), back, 1);
      nd.push(now() - t);
    }
    bench.native = {
      ratio: +(nbytes / n2).toFixed(1),
      compressMBs: Math.round(MB / median(nc)),
      decompressMBs: Math.round(MB / median(nd)),
    };
  }
  report.bench = bench;
  report.wasi.calledByBench = snapshotCalls();
}

console.log(JSON.stringify(report, null, 2));

'use strict';
// One dataset in one process (the allocator mode is the process's environment):
// every candidate, interleaved round by round in a fresh seeded random order,
// gc() before every timed op, round trips verified, medians of the timed rounds.
// usage: node --expose-gc bench/child.js --dataset=A --scale=1 --warmup=2 --runs=7 --out=FILE
//        [--candidates=substr,substr]
//        node --expose-gc bench/child.js --dataset=A --ceiling=BINARY --ceilingOnly --out=FILE
//        (the binding against the C ceiling, in a process of its own)
const path = require('node:path');
const fs = require('node:fs');
const { PerformanceObserver, performance } = require('node:perf_hooks');
const { DATASETS, rng, messageBytes } = require('./datasets');
const { makeCandidates, takeRestore, PRESETS } = require('./candidates');

const args = require('./args').parseArgs();
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with node --expose-gc');

const name = args.dataset;
const spec = DATASETS[name];
if (!spec) throw new Error(`unknown dataset ${name}`);
const scale = Number(args.scale ?? 1);
const warmup = Number(args.warmup ?? 2);
const runs = Number(args.runs ?? 7);
const mode = args.mode ?? 'default';
const progress = (s) => process.stderr.write(`  [${mode}] ${name}: ${s}\n`);

function bytesOf(a) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function sameArray(a, b, Ctor) {
  return b instanceof Ctor && b.length === a.length && bytesOf(a).equals(bytesOf(b));
}

function sameMessage(a, b) {
  return b && b.id === a.id && b.name === a.name && b.t === a.t && sameArray(a.v, b.v, Float32Array);
}

function shuffled(list, seed) {
  const r = rng(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.u32() % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const isThenable = (x) => x !== null && typeof x === 'object' && typeof x.then === 'function';

/** Where the unpacked array's memory comes from. */
function classify(result, encoded, restoreHow) {
  if (encoded && ArrayBuffer.isView(encoded) && result.buffer === encoded.buffer) return 'view into encoded buffer';
  if (restoreHow) return `bytes -> restore: ${restoreHow}`;
  return 'own copy';
}

// gc() finishes with V8 sweeping on background threads for a few
// milliseconds. On 2 cores that takes a core from a multi-threaded codec
// (C-Blosc2 runs 2 threads) but not from single-threaded peers or the C
// ceiling: measured on F alone, compress right after gc() took 4.05 ms, after
// a 30 ms pause 2.36 ms. --settle=MS pauses after every gc(); it is off by
// default because a full run with 30 ms pauses came out much noisier (spreads
// up to ~300%: the idle VM's vCPUs seem to start cold after each pause).
const SETTLE_MS = Number(args.settle ?? 0);
function settle() {
  gc();
  return SETTLE_MS > 0 ? new Promise((r) => setTimeout(r, SETTLE_MS)) : Promise.resolve();
}

async function main() {
  const lib = require(path.resolve(__dirname, '..', 'dist', 'index.js'));
  const value = spec.make(scale);
  const kind = spec.kind;
  const Ctor = kind === 'array' ? value.constructor : kind === 'nd' ? value.data.constructor : Float32Array;
  if (args.ceilingOnly) {
    const ceiling = await measureCeiling(lib, value, Ctor);
    fs.writeFileSync(args.out, JSON.stringify({ dataset: name, mode, ceiling }, null, 1));
    return;
  }
  const items = kind === 'messages' ? value : null;
  const inputBytes =
    kind === 'messages' ? value.reduce((s, m) => s + messageBytes(m), 0) : kind === 'nd' ? value.data.byteLength : value.byteLength;
  let candidates = await makeCandidates(lib, kind);
  if (args.candidates) {
    const want = args.candidates.split(',');
    candidates = candidates.filter((c) => c.baseline || want.some((w) => c.name.includes(w)));
  }
  const src = kind === 'array' ? value : kind === 'nd' ? value.data : null;

  // Timed windows, matched against V8's GC entries at the end.
  const gcEntries = [];
  const obs = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });

  const stats = new Map();
  for (const c of candidates) {
    stats.set(c, { pack: [], unpack: [], rt: [], windows: [], faults: [], size: 0, result: '', error: null });
  }

  // One op of a candidate: returns the encoded form (pack) and the decoded value (unpack), timed.
  async function packOnce(c) {
    if (kind !== 'messages') {
      await settle();
      const t0 = performance.now();
      let enc = c.pack(value, kind);
      if (isThenable(enc)) enc = await enc;
      const t1 = performance.now();
      return { enc, ms: t1 - t0, t0, t1 };
    }
    await settle();
    const t0 = performance.now();
    let size = 0;
    for (let i = 0; i < items.length; i++) {
      let e = c.pack(items[i], kind);
      if (isThenable(e)) e = await e;
      size += e.byteLength;
    }
    const t1 = performance.now();
    return { enc: size, ms: t1 - t0, t0, t1 };
  }

  async function unpackOnce(c, enc) {
    if (kind !== 'messages') {
      await settle();
      const t0 = performance.now();
      let out = c.unpack(enc, Ctor, kind);
      if (isThenable(out)) out = await out;
      const t1 = performance.now();
      return { out, ms: t1 - t0, t0, t1, how: takeRestore() };
    }
    const encs = await prepare(c);
    takeRestore();
    await settle();
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < encs.length; i++) {
      let m = c.unpack(encs[i], Ctor, kind);
      if (isThenable(m)) m = await m;
      n += m.v.length;
    }
    const t1 = performance.now();
    return { out: n, ms: t1 - t0, t0, t1, how: takeRestore() };
  }

  // E: the encoded messages, made outside the timer just before a candidate's
  // unpack is timed, packed into one buffer (views into it), so that the heap
  // does not hold 100k separate buffers per candidate (which made every gc() slow).
  async function prepare(c) {
    const encs = new Array(items.length);
    let total = 0;
    for (let i = 0; i < items.length; i++) {
      let e = c.pack(items[i], kind);
      if (isThenable(e)) e = await e;
      encs[i] = e;
      total += c.baseline ? 0 : e.byteLength;
    }
    if (c.baseline) return encs;
    const all = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (let i = 0; i < encs.length; i++) {
      const e = encs[i];
      all.set(e, at);
      encs[i] = all.subarray(at, at + e.byteLength);
      at += e.byteLength;
    }
    return encs;
  }

  // Verification before anything is timed.
  for (const c of candidates) {
    const s = stats.get(c);
    try {
      if (c.roundTripOnly) {
        const out = c.roundTrip(value, kind);
        const ok = kind === 'messages' ? value.every((m) => sameMessage(m, c.roundTrip(m, kind))) : sameArray(src, out, Ctor);
        if (!ok) throw new Error('round trip differs');
        s.result = 'clone';
        continue;
      }
      if (kind === 'messages') {
        const encs = await prepare(c);
        for (let i = 0; i < value.length; i++) {
          takeRestore();
          let back = c.unpack(encs[i], Ctor, kind);
          if (isThenable(back)) back = await back;
          if (!sameMessage(value[i], back)) throw new Error(`message ${i} differs after the round trip`);
          if (i === 0) s.result = c.baseline ? 'copy' : classify(back.v, encs[i], takeRestore());
        }
        s.size = encs.reduce((a, e) => a + (c.baseline ? messageBytes(e) : e.byteLength), 0);
      } else {
        let enc = c.pack(value, kind);
        if (isThenable(enc)) enc = await enc;
        takeRestore();
        let out = c.unpack(enc, Ctor, kind);
        if (isThenable(out)) out = await out;
        if (!sameArray(src, out, Ctor)) throw new Error('round trip differs');
        s.result = c.baseline ? 'copy' : classify(out, enc, takeRestore());
        s.size = enc.byteLength;
      }
    } catch (err) {
      s.error = String(err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err);
      progress(`${c.name} FAILED verification: ${s.error}`);
    }
  }
  const live = candidates.filter((c) => !stats.get(c).error);

  const total = warmup + runs;
  for (let round = 0; round < total; round++) {
    const timed = round >= warmup;
    const t0 = performance.now();
    for (const c of shuffled([...live], 1000 + round * 7919 + name.charCodeAt(0))) {
      const s = stats.get(c);
      if (c.roundTripOnly) {
        await settle();
        const a = performance.now();
        let out;
        if (kind === 'messages') for (let i = 0; i < items.length; i++) out = c.roundTrip(items[i], kind);
        else out = c.roundTrip(value, kind);
        const b = performance.now();
        if (kind !== 'messages' && !sameArray(src, out, Ctor)) throw new Error(`${c.name}: round ${round} differs`);
        if (timed) {
          s.rt.push(b - a);
          s.windows.push([a, b]);
        }
        continue;
      }
      try {
        const f0 = process.resourceUsage().minorPageFault;
        const p = await packOnce(c);
        takeRestore();
        const u = await unpackOnce(c, p.enc);
        const f2 = process.resourceUsage().minorPageFault;
        if (kind !== 'messages' && !sameArray(src, u.out, Ctor)) throw new Error(`round ${round} differs`);
        if (timed) {
          s.pack.push(p.ms);
          s.unpack.push(u.ms);
          s.rt.push(p.ms + u.ms);
          s.windows.push([p.t0, p.t1], [u.t0, u.t1]);
          s.faults.push(f2 - f0);
        }
      } catch (err) {
        s.error = `round ${round}: ${String(err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err)}`;
        progress(`${c.name} FAILED: ${s.error}`);
        live.splice(live.indexOf(c), 1);
      }
    }
    progress(`round ${round + 1}/${total}${timed ? '' : ' (warm-up)'} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  // Let the GC entries arrive, then charge each to the window it fell in.
  await new Promise((r) => setTimeout(r, 50));
  gcEntries.push(...obs.takeRecords());
  obs.disconnect();
  const results = [];
  for (const c of candidates) {
    const s = stats.get(c);
    let gcMs = 0;
    for (const e of gcEntries) {
      if (s.windows.some(([a, b]) => e.startTime >= a && e.startTime < b)) gcMs += e.duration;
    }
    const packMs = median(s.pack);
    const unpackMs = median(s.unpack);
    const rtMs = c.roundTripOnly ? median(s.rt) : packMs + unpackMs;
    const rtAll = s.rt;
    results.push({
      name: c.name,
      note: c.note,
      ours: !!c.ours,
      error: s.error,
      roundTripOnly: !!c.roundTripOnly,
      packMs,
      unpackMs,
      rtMs,
      spread: rtAll.length ? (Math.max(...rtAll) - Math.min(...rtAll)) / median(rtAll) : NaN,
      size: s.size,
      ratio: s.size / inputBytes,
      result: s.result,
      gcMs,
      pageFaults: s.faults.length ? median(s.faults) : NaN,
    });
  }

  const out = {
    dataset: name,
    title: spec.title,
    kind,
    mode,
    scale,
    warmup,
    runs,
    inputBytes,
    messages: items ? items.length : 0,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    results,
  };
  fs.writeFileSync(args.out, JSON.stringify(out, null, 1));
}

// The ceiling runs in a process of its own, holding only its dataset, and
// both sides idle CEILING_PAUSE_MS before every timed op: the binding after a
// gc() (so V8's background sweeping is over and the previous output is freed,
// as C frees its own), the C program with a plain sleep (so its CPUs start as
// cold as the binding's). Without the pause the binding's two threads shared
// the two cores with V8's sweeper; without it on the C side, C alone ran hot.
const CEILING_PAUSE_MS = Number(args.pause ?? 30);
const CEILING_BLOCKS = 3;
function settleForCeiling() {
  gc();
  return new Promise((r) => setTimeout(r, CEILING_PAUSE_MS));
}

/**
 * The binding against the same C-Blosc2 called from C: core compress and
 * decompress with default cparams, fresh output per call (the binding's
 * policy) and decompress into a reused output; then per-call cost on 1 KB.
 */
async function measureCeiling(lib, arr, Ctor) {
  const settle = settleForCeiling;
  const { compress, decompress, getNthreads, Packer } = lib;
  const { runCeiling } = require('./native');
  const nthreads = getNthreads();
  const cw = Math.max(1, warmup),
    cr = Math.max(3, runs);
  // The rounds go in CEILING_BLOCKS blocks, each binding block followed by a
  // C invocation of as many rounds, and the medians pool all blocks: a machine
  // whose speed drifts over the minute then shifts both sides alike.
  const blocks = Math.min(CEILING_BLOCKS, cr);
  progress(`binding vs C ceiling (${cr} runs in ${blocks} blocks)`);
  const tc = [],
    td = [],
    tdr = [],
    tp = [],
    tu = [];
  const ct = { compressFresh: [], decompressFresh: [], compressReused: [], decompressReused: [] };
  let c = null;
  const reused = new Ctor(arr.length);
  reused.fill(1);
  const packer = new Packer();
  const binary = args.ceiling;
  for (let b = 0; b < blocks; b++) {
    const n = Math.floor(((b + 1) * cr) / blocks) - Math.floor((b * cr) / blocks);
    const w = b === 0 ? cw : 0;
    for (let r = 0; r < w + n; r++) {
      const timed = r >= w;
      // The core calls and the Packer calls take turns going first.
      const core = async () => {
        await settle();
        let t0 = performance.now();
        const chunk = compress(arr);
        let t1 = performance.now();
        await settle();
        const t2 = performance.now();
        const d = decompress(chunk);
        const t3 = performance.now();
        if (!bytesOf(arr).equals(d)) throw new Error('ceiling: core round trip differs');
        await settle();
        const t4 = performance.now();
        decompress(chunk, { out: reused });
        const t5 = performance.now();
        if (timed) {
          tc.push(t1 - t0);
          td.push(t3 - t2);
          tdr.push(t5 - t4);
        }
      };
      const packed = async () => {
        await settle();
        const t6 = performance.now();
        const p = packer.pack(arr);
        const t7 = performance.now();
        await settle();
        const t8 = performance.now();
        const u = packer.unpack(p);
        const t9 = performance.now();
        if (!sameArray(arr, u, Ctor)) throw new Error('ceiling: pack round trip differs');
        if (timed) {
          tp.push(t7 - t6);
          tu.push(t9 - t8);
        }
      };
      if (r % 2 === 0) {
        await core();
        await packed();
      } else {
        await packed();
        await core();
      }
    }
    c = runCeiling(binary, arr, {
      codec: 'lz4',
      clevel: 5,
      filter: 'shuffle',
      typesize: Ctor.BYTES_PER_ELEMENT,
      nthreads,
      warmup: w || 1,
      runs: n,
      smallIters: b === blocks - 1 ? Number(args.smallIters ?? 20000) : 10,
      pauseMs: CEILING_PAUSE_MS,
      env: process.env,
    });
    for (const k of Object.keys(ct)) ct[k].push(...c.times[k]);
  }
  const mbc = arr.byteLength / 1e6;
  const rate = (times) => mbc / (median(times) / 1e3);
  c.fresh = { compressMBs: rate(ct.compressFresh), decompressMBs: rate(ct.decompressFresh) };
  c.reused = { compressMBs: rate(ct.compressReused), decompressMBs: rate(ct.decompressReused) };
  delete c.times;
  // 1 KB: the first 1024 bytes of the same data.
  const small = new Ctor(arr.buffer.slice(0, 1024));
  const smallChunk = compress(small);
  const iters = Number(args.smallIters ?? 20000);
  const smallPacker = new Packer({ threshold: 0 });
  const smallPacked = smallPacker.pack(small);
  const time = (fn) => {
    for (let i = 0; i < Math.min(1000, iters); i++) fn();
    gc();
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    return ((performance.now() - t0) * 1e3) / iters;
  };
  const smallJs = {
    compressUs: time(() => compress(small)),
    decompressUs: time(() => decompress(smallChunk)),
    packUs: time(() => smallPacker.pack(small)),
    unpackUs: time(() => smallPacker.unpack(smallPacked)),
    compress1ThreadUs: time(() => compress(small, { nthreads: 1 })),
    decompress1ThreadUs: time(() => decompress(smallChunk, { nthreads: 1 })),
  };
  const c1 = runCeiling(binary, small, {
    codec: 'lz4',
    clevel: 5,
    filter: 'shuffle',
    typesize: Ctor.BYTES_PER_ELEMENT,
    nthreads: 1,
    warmup: 1,
    runs: 3,
    smallIters: iters,
    pauseMs: 0,
    env: process.env,
  });
  const mb = arr.byteLength / 1e6;
  return {
    nthreads,
    params: `lz4 clevel 5 shuffle typesize ${Ctor.BYTES_PER_ELEMENT}, ${nthreads} threads`,
    binding: {
      compressMBs: mb / (median(tc) / 1e3),
      decompressMBs: mb / (median(td) / 1e3),
      decompressReusedMBs: mb / (median(tdr) / 1e3),
      packMBs: mb / (median(tp) / 1e3),
      unpackMBs: mb / (median(tu) / 1e3),
      small: smallJs,
    },
    c,
    c1thread: c1.small,
    presets: PRESETS,
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

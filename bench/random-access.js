#!/usr/bin/env node
'use strict';
// Issue 13: random access and frames bigger than memory.
//   --part=read  A 1 GiB smooth Float64Array, viewed as 1,048,576 x 128 and framed by FrameWriter in
//                1 MiB chunks (8192 x 16; blocks 1024 x 1). Reading 1 % of it -- one contiguous slab of
//                rows, and one column (items 1 KiB apart) -- through get, against a full unpack of the
//                same frame; the same reads with C-Blosc2's block mask off (a child with
//                BLOSC2_BLOCK_MASK=0); then through a Redis range reader (GETRANGE): bytes fetched
//                against the chunks the reads touch plus the header, index and trailer.
//   --part=write A 4 GiB array ([unknown] x 512 float64) written by FrameWriter from a generator into a
//                file: time and peak RSS (this process holds nothing else), then read back (openFrame
//                through a file range reader, and python-blosc2's blosc2.open when .pydeps has it).
// usage: node --expose-gc bench/random-access.js --part=read|write [--quick] [--runs=N] [--out=FILE]
//        (npm run bench runs both parts; npm run bench:random-access only them)
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = path.resolve(__dirname, '..');
const lib = require(path.join(ROOT, 'dist', 'index.js'));
const { backend } = require(path.join(ROOT, 'dist', 'backend', 'index.js'));

const argv = process.argv.slice(2);
const opt = (n, d) => {
  const a = argv.find((x) => x.startsWith(`--${n}=`));
  return a ? a.slice(n.length + 3) : d;
};
const quick = argv.includes('--quick');
const part = opt('part', 'read');
const gc = global.gc ?? (() => undefined);
const MB = 1e6;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  gc();
  const t = performance.now();
  const r = fn();
  return [performance.now() - t, r];
}

async function timeAsync(fn) {
  gc();
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

/** The ext 42 record of a frame: a message unpack reads. */
function message(frame) {
  const head = Buffer.alloc(6);
  head[0] = 0xc9;
  head.writeUInt32BE(frame.length, 1);
  head[5] = 42;
  return Buffer.concat([head, frame]);
}

// ---------------------------------------------------------------------------
// read

const ROWS = quick ? 65_536 : 1_048_576;
const COLS = 128;
const CHUNK = [8192, 16];
const BLOCK = [1024, 1];
const SLAB = [Math.floor(ROWS * 0.4), Math.floor(ROWS * 0.4) + Math.round(ROWS / 100)];
const COLUMN = 17;
const READS = {
  slab: [[SLAB[0], SLAB[1]]],
  column: [null, COLUMN],
};

/** Dataset A's smooth ramp (linspace 0..1), at this size. */
function smooth(n) {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i / (n - 1);
  return a;
}

async function buildFrame() {
  const data = smooth(ROWS * COLS);
  const frame = await lib.packChunks([data], { shape: [ROWS, COLS], dtype: '<f8', chunkshape: CHUNK, blockshape: BLOCK });
  return { data, frame };
}

function checkRead(data, got, sel) {
  const [r0, r1] = sel[0] ?? [0, ROWS];
  const col = sel[1];
  let k = 0;
  for (let r = r0; r < r1; r++) {
    if (col === undefined || col === null) {
      for (let c = 0; c < COLS; c++) if (got[k++] !== data[r * COLS + c]) throw new Error(`wrong item at ${r},${c}`);
    } else if (got[k++] !== data[r * COLS + col]) throw new Error(`wrong item at ${r},${col}`);
  }
}

async function readPart() {
  const runs = Number(opt('runs', quick ? 5 : 7));
  const { data, frame } = await buildFrame();
  const msg = message(frame);
  // The same array as pack frames it (64 MiB contiguous chunks): the fastest full unpack.
  const packed = lib.pack(new lib.NDArray(data, [ROWS, COLS]), { threshold: 0 });
  const lazy = lib.openFrame(frame);
  const out = {
    shape: [ROWS, COLS],
    rawMB: (ROWS * COLS * 8) / MB,
    frameMB: frame.length / MB,
    packedMB: packed.length / MB,
    chunkshape: CHUNK,
    blockshape: BLOCK,
    nchunks: lazy.nchunks,
    reads: {},
  };
  // Verify every read first.
  for (const sel of Object.values(READS)) checkRead(data, lazy.get(sel).data, sel);
  const full = lib.unpack(msg);
  if (Buffer.compare(Buffer.from(full.data.buffer), Buffer.from(data.buffer)) !== 0) throw new Error('full unpack differs');
  const ops = {
    full: () => lib.unpack(msg),
    "full (pack's frame)": () => lib.unpack(packed),
    slab: () => lazy.get(READS.slab),
    column: () => lazy.get(READS.column),
    'slab (unpack lazy + get)': () => lib.unpack(msg, { lazy: true }).get(READS.slab),
    'column (unpack lazy + get)': () => lib.unpack(msg, { lazy: true }).get(READS.column),
  };
  const times = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
  const names = Object.keys(ops);
  for (let r = 0; r < runs + 1; r++) {
    // A fresh random order each round; the first round warms up.
    const order = [...names].sort(() => Math.random() - 0.5);
    for (const name of order) {
      const [ms] = time(ops[name]);
      if (r > 0) times[name].push(ms);
    }
  }
  out.ms = Object.fromEntries(names.map((k) => [k, median(times[k])]));
  out.speedup = {
    slab: out.ms.full / out.ms.slab,
    column: out.ms.full / out.ms.column,
    slabVsPackFrame: out.ms["full (pack's frame)"] / out.ms.slab,
    columnVsPackFrame: out.ms["full (pack's frame)"] / out.ms.column,
  };
  const { resolveSelection } = require(path.join(ROOT, 'dist', 'random-access', 'selection.js'));
  for (const [name, sel] of Object.entries(READS)) {
    const bytes = lazy.get(sel).data.byteLength;
    const plan = backend.frameSlicePlan({ handle: indexedHandle(lazy), ...resolveSelection(sel, [ROWS, COLS]) });
    out.reads[name] = {
      MB: bytes / MB,
      percent: (100 * bytes) / (ROWS * COLS * 8),
      touchedChunks: plan.chunks.length,
      touchedChunkMB: plan.lengths.reduce((a, b) => a + b, 0) / MB,
    };
  }
  out.redis = await redisReads(frame, data);
  if (!quick || argv.includes('--mask')) out.noMask = maskOff();
  return out;
}

/** The same reads in a child with the block mask off. */
function maskOff() {
  const file = path.join(os.tmpdir(), `blosc2-nomask-${process.pid}.json`);
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, '--part=nomask', `--out=${file}`, ...(quick ? ['--quick'] : [])], {
    env: { ...process.env, BLOSC2_BLOCK_MASK: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) return { error: `exit ${r.status}` };
  const res = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file, { force: true });
  return res;
}

async function noMaskPart() {
  const runs = Number(opt('runs', quick ? 5 : 7));
  const { data, frame } = await buildFrame();
  const lazy = lib.openFrame(frame);
  for (const sel of Object.values(READS)) checkRead(data, lazy.get(sel).data, sel);
  const ms = {};
  for (const [name, sel] of Object.entries(READS)) {
    const t = [];
    for (let r = 0; r < runs + 1; r++) {
      const [m] = time(() => lazy.get(sel));
      if (r > 0) t.push(m);
    }
    ms[name] = median(t);
  }
  return { ms };
}

// ---------------------------------------------------------------------------
// Redis

function findRedis() {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const f = path.join(dir, 'redis-server');
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

async function startRedis() {
  const bin = findRedis();
  if (!bin) return undefined;
  const net = require('node:net');
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  const p = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--proto-max-bulk-len', '2gb'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise((resolve, reject) => {
    const on = (d) => {
      log += d;
      if (log.includes('Ready to accept connections')) resolve();
    };
    p.stdout.on('data', on);
    p.stderr.on('data', on);
    p.once('exit', (c) => reject(new Error(`redis-server exited ${c}: ${log}`)));
  });
  return { port, stop: () => p.kill('SIGTERM') };
}

async function redisReads(frame, data) {
  const server = await startRedis();
  if (!server) return { error: 'redis-server not found' };
  const { createClient, RESP_TYPES } = require('redis');
  const client = createClient({ socket: { host: '127.0.0.1', port: server.port } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).set('frame', frame);
    const reader = lib.redisRangeReader(client, 'frame');
    const indexed = lib.openFrame(frame);
    const info = backend.frameOpen({ frame });
    const res = {};
    for (const [name, sel] of Object.entries(READS)) {
      const [openMs, lazy] = await timeAsync(() => lib.openFrame(reader));
      const opened = { bytes: lazy.bytesRead, reads: lazy.reads };
      const [getMs, got] = await timeAsync(() => lazy.get(sel));
      checkRead(data, got.data, sel);
      const { resolveSelection } = require(path.join(ROOT, 'dist', 'random-access', 'selection.js'));
      const plan = backend.frameSlicePlan({ handle: indexedHandle(indexed), ...resolveSelection(sel, [ROWS, COLS]) });
      const chunkBytes = plan.lengths.reduce((a, b) => a + b, 0);
      res[name] = {
        openMs,
        getMs,
        open: opened,
        getBytes: lazy.bytesRead - opened.bytes,
        getReads: lazy.reads - opened.reads,
        touchedChunks: plan.chunks.length,
        touchedChunkBytes: chunkBytes,
        headerIndexTrailer: info.headerLength + (info.frameLength - info.indexOffset),
        frameBytes: frame.length,
      };
    }
    return res;
  } finally {
    await client.close();
    server.stop();
  }
}

/** The handle of an in-memory lazy array (its index loaded). */
function indexedHandle(lazy) {
  return lazy.info.handle;
}

// ---------------------------------------------------------------------------
// write

async function writePart() {
  const cols = 512;
  const rows = quick ? 65_536 : 1_048_576; // 4 GiB at full size
  const slabRows = 2048; // 8 MiB slabs
  const file = path.join(opt('dir', os.tmpdir()), `blosc2-4gib-${process.pid}.b2nd`);
  // Smooth, and cheap to generate: the generator is part of the measured time.
  const value = (i) => i * 1e-6 + (i & 1023) * 1e-3;
  async function* slabs() {
    const slab = new Float64Array(slabRows * cols);
    for (let r = 0; r < rows; r += slabRows) {
      const n = Math.min(slabRows, rows - r);
      const base = r * cols;
      for (let i = 0; i < n * cols; i++) slab[i] = value(base + i);
      yield n === slabRows ? slab : slab.subarray(0, n * cols);
    }
  }
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const t = performance.now();
  const writer = new lib.FrameWriter(file, { shape: [null, cols], dtype: '<f8', async: argv.includes('--async') });
  await writer.writeAll(slabs());
  const done = await writer.close();
  const seconds = (performance.now() - t) / 1000;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const out = {
    rows,
    cols,
    rawGiB: (rows * cols * 8) / 2 ** 30,
    fileMB: fs.statSync(file).size / MB,
    chunkshape: done.chunkshape,
    blockshape: done.blockshape,
    seconds,
    MBs: (rows * cols * 8) / MB / seconds,
    peakRssMB: peakRss / MB,
    rssBeforeMB: rssBefore / MB,
  };
  // Read back a few rows through a file range reader.
  const fh = await fs.promises.open(file, 'r');
  try {
    const lazy = await lib.openFrame(lib.fileRangeReader(fh));
    if (lazy.shape[0] !== rows) throw new Error(`read back ${lazy.shape}`);
    for (const r of [0, rows >> 1, rows - 1]) {
      const got = (await lazy.get(r)).data;
      for (let c = 0; c < cols; c += 97) if (got[c] !== value(r * cols + c)) throw new Error(`row ${r} differs`);
    }
    out.readBack = 'ok';
  } finally {
    await fh.close();
  }
  // python-blosc2, when present.
  const py = spawnSync(
    'python3',
    ['-c', `import blosc2,sys; a=blosc2.open(sys.argv[1]); print(list(a.shape), float(a[${rows - 1}, ${cols - 1}]))`, file],
    {
      env: { ...process.env, PYTHONPATH: path.join(ROOT, '.pydeps') },
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  out.python = py.status === 0 ? py.stdout.trim() : `not checked (${(py.stderr || String(py.error)).trim().split('\n').pop()})`;
  out.pythonExpected = `[${rows}, ${cols}] ${value(rows * cols - 1)}`;
  fs.rmSync(file, { force: true });
  return out;
}

const f1 = (x) => x.toFixed(1);

/** The report's section (bench/run.js appends it to latest.md). */
function renderMarkdown(read, write) {
  const out = ['## Random access (issue 13)', ''];
  if (read && !read.error) {
    const r = read;
    out.push(
      `A ${f1(r.rawMB)} MB smooth Float64Array (linspace) as ${r.shape.join(' x ')}, framed by FrameWriter in 1 MiB chunks ` +
        `(${r.chunkshape.join(' x ')}, blocks ${r.blockshape.join(' x ')}): ${f1(r.frameMB)} MB (pack's own frame of it: ${f1(r.packedMB)} MB). ` +
        'Medians; reads verified first.',
      '',
      "| read | items | chunks touched | ms | full unpack / read | unpack of pack's frame / read | ms, block mask off |",
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const name of ['slab', 'column']) {
      const x = r.reads[name];
      out.push(
        `| ${name} | ${f1(x.percent)} % | ${x.touchedChunks} of ${r.nchunks} | ${r.ms[name].toFixed(2)} | ${f1(r.ms.full / r.ms[name])}x | ` +
          `${f1(r.ms["full (pack's frame)"] / r.ms[name])}x | ${r.noMask?.ms?.[name]?.toFixed(2) ?? '-'} |`,
      );
    }
    out.push('', `Full unpack: ${f1(r.ms.full)} ms (this frame), ${f1(r.ms["full (pack's frame)"])} ms (pack's frame).`);
    if (r.redis && !r.redis.error) {
      out.push(
        '',
        '| Redis (GETRANGE) | open: bytes / reads | get: bytes / reads | chunks touched: bytes | header + index + trailer | get ms |',
        '|---|---:|---:|---:|---:|---:|',
      );
      for (const [name, x] of Object.entries(r.redis)) {
        out.push(
          `| ${name} | ${x.open.bytes} / ${x.open.reads} | ${x.getBytes} / ${x.getReads} | ${x.touchedChunkBytes} | ${x.headerIndexTrailer} | ${f1(x.getMs)} |`,
        );
      }
    } else if (r.redis) out.push('', `Redis: ${r.redis.error}`);
  } else if (read) out.push(`read part failed: ${read.error}`);
  if (write && !write.error) {
    const w = write;
    out.push(
      '',
      `FrameWriter, ${f1(w.rawGiB)} GiB ([unknown] x ${w.cols} float64, 8 MiB slabs from a generator) into a file: ${f1(w.seconds)} s ` +
        `(${f1(w.MBs)} MB/s, generator included), file ${f1(w.fileMB)} MB, chunks ${w.chunkshape.join(' x ')}, ` +
        `peak RSS ${f1(w.peakRssMB)} MB (${f1(w.rssBeforeMB)} MB before writing); read back: ${w.readBack}; ` +
        `python-blosc2: ${w.python} (expected ${w.pythonExpected}).`,
    );
  } else if (write) out.push('', `write part failed: ${write.error}`);
  return out.join('\n') + '\n';
}

/** Target lines for bench/run.js. */
function targets(read, write) {
  const t = [];
  if (read?.speedup) {
    t.push({
      what: 'random access slab: full unpack / get',
      value: read.speedup.slab.toFixed(1),
      target: '>= 50',
      met: read.speedup.slab >= 50,
    });
    t.push({
      what: 'random access column: full unpack / get',
      value: read.speedup.column.toFixed(1),
      target: '>= 50',
      met: read.speedup.column >= 50,
    });
  }
  if (read?.redis && !read.redis.error) {
    for (const [name, x] of Object.entries(read.redis)) {
      const most = x.touchedChunkBytes + x.headerIndexTrailer + 1024;
      t.push({
        what: `Redis ${name}: bytes fetched (open + get)`,
        value: x.open.bytes + x.getBytes,
        target: `<= ${most} (chunks touched + header, index, trailer + the 1 KiB first read)`,
        met: x.open.bytes + x.getBytes <= most,
      });
    }
  }
  if (write?.peakRssMB)
    t.push({
      what: `FrameWriter ${f1(write.rawGiB)} GiB peak RSS MB`,
      value: f1(write.peakRssMB),
      target: '< 300',
      met: write.peakRssMB < 300,
    });
  return t;
}

async function main() {
  const result = part === 'write' ? await writePart() : part === 'nomask' ? await noMaskPart() : await readPart();
  const file = opt('out', '');
  if (file) fs.writeFileSync(file, JSON.stringify(result, null, 1));
  else console.log(JSON.stringify(result, null, 1));
}

module.exports = { renderMarkdown, targets };

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

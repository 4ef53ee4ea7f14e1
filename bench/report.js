'use strict';
// Renders the collected results as Markdown (tables like the reference's) and
// an SVG chart (grouped bars of round-trip MB/s per dataset per candidate).

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');
const mbs = (bytes, ms) => (ms > 0 ? bytes / 1e3 / ms : NaN);

/** "a / b" over the modes that ran. */
function cells(modes, fn) {
  return modes.map((m) => fn(m)).join(' / ');
}

function datasetTable(name, byMode, modes) {
  const first = byMode[modes.find((m) => byMode[m])];
  if (!first) return '';
  const present = modes.filter((m) => byMode[m]);
  const out = [];
  const isE = first.kind === 'messages';
  out.push(`## ${name}: ${first.title} — ${fmt(first.inputBytes / 1e6, 2)} MB input${isE ? `, ${fmt(first.messages)} messages` : ''}`);
  out.push('');
  out.push(
    `timed runs ${first.runs}, warm-up ${first.warmup}, scale ${first.scale}; peak RSS ${cells(present, (m) => fmt(byMode[m].maxRssMB))} MB (${present.join(' / ')})`,
  );
  out.push('');
  const row = (r, m) => byMode[m].results.find((x) => x.name === r.name);
  if (isE) {
    out.push(
      '| candidate | pack msg/s | unpack msg/s | round-trip msg/s | pack MB/s | unpack MB/s | size ratio | unpacked `v` | spread | GC ms | page faults |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|');
  } else {
    out.push('| candidate | pack MB/s | unpack MB/s | round-trip MB/s | size ratio | unpack result | spread | GC ms | page faults |');
    out.push('|---|---:|---:|---:|---:|---|---:|---:|---:|');
  }
  for (const r of first.results) {
    const name = r.ours ? `**${r.name}**` : r.name;
    if (r.error) {
      out.push(`| ${name} | FAILED: ${r.error.replace(/\|/g, '/')} |`);
      continue;
    }
    const get = (m, f) => {
      const x = row(r, m);
      return x ? f(x, byMode[m]) : NaN;
    };
    const rate = (key) =>
      cells(present, (m) =>
        r.roundTripOnly && key !== 'rtMs'
          ? '–'
          : fmt(get(m, (x, d) => (isE ? d.messages / (x[key] / 1e3) / 1e3 : mbs(d.inputBytes, x[key])))),
      );
    const rateMB = (key) => cells(present, (m) => (r.roundTripOnly ? '–' : fmt(get(m, (x, d) => mbs(d.inputBytes, x[key])))));
    const spread = cells(present, (m) => pct(get(m, (x) => x.spread)));
    const gcMs = cells(present, (m) => fmt(get(m, (x) => x.gcMs)));
    const ratio = r.roundTripOnly ? '–' : fmt(r.ratio, 3);
    const faults = cells(present, (m) => fmt(get(m, (x) => x.pageFaults)));
    if (isE) {
      out.push(
        `| ${name} | ${rate('packMs')}k | ${rate('unpackMs')}k | ${rate('rtMs')}k | ${rateMB('packMs')} | ${rateMB('unpackMs')} | ${ratio} | ${r.result} | ${spread} | ${gcMs} | ${faults} |`,
      );
    } else {
      out.push(
        `| ${name} | ${rate('packMs')} | ${rate('unpackMs')} | ${rate('rtMs')} | ${ratio} | ${r.result} | ${spread} | ${gcMs} | ${faults} |`,
      );
    }
  }
  out.push('');
  return out.join('\n');
}

const CEILING_DATASETS = ['A', 'B', 'C', 'D', 'F'];

function ceilingSection(all, modes) {
  const out = ['## Binding efficiency: this library vs C-Blosc2 called from C (same static build, same parameters)', ''];
  out.push(
    'Core = `compress`/`decompress` (one chunk, a fresh output per call, a context per call: the same policy in C). ' +
      'ratio = binding MB/s / C MB/s (target ≥ 0.9). pack/unpack = the full `Packer` path (b2nd frame, msgpack) against the same C numbers. ' +
      'Measured in a process of its own per dataset and mode; both sides idle the same pause before every timed op ' +
      '(the binding after `gc()`), see bench/README.md.',
  );
  out.push('');
  out.push(
    '| dataset | mode | params | C compress | binding compress | ratio | C decompress | binding decompress | ratio | C decompress (reused out) | binding decompress (reused out) | ratio | pack MB/s (vs C compress) | unpack MB/s (vs C decompress) |',
  );
  out.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const small = [];
  for (const m of modes) {
    for (const ds of CEILING_DATASETS) {
      const c = all[m]?.[ds]?.ceiling;
      if (!c) continue;
      const b = c.binding;
      const r = (x, y) => fmt(x / y, 2);
      out.push(
        `| ${ds} | ${m} | ${c.params} | ${fmt(c.c.fresh.compressMBs)} | ${fmt(b.compressMBs)} | ${r(b.compressMBs, c.c.fresh.compressMBs)} | ` +
          `${fmt(c.c.fresh.decompressMBs)} | ${fmt(b.decompressMBs)} | ${r(b.decompressMBs, c.c.fresh.decompressMBs)} | ` +
          `${fmt(c.c.reused.decompressMBs)} | ${fmt(b.decompressReusedMBs)} | ${r(b.decompressReusedMBs, c.c.reused.decompressMBs)} | ` +
          `${fmt(b.packMBs)} (${r(b.packMBs, c.c.fresh.compressMBs)}) | ${fmt(b.unpackMBs)} (${r(b.unpackMBs, c.c.fresh.decompressMBs)}) |`,
      );
      small.push({ ds, m, c });
    }
  }
  out.push('');
  out.push('### pack / unpack against the core, same process and protocol (issue 3)');
  out.push('');
  out.push(
    'The same rounds as above: `Packer.pack` / `Packer.unpack` of the lone array (b2nd frame in a msgpack ext record) ' +
      'against `compress` / `decompress` (one chunk), taking turns going first, the same pause before every op. ratio = pack (unpack) MB/s / core MB/s (target ≥ 0.9).',
  );
  out.push('');
  out.push('| dataset | mode | core compress | pack | ratio | core decompress | unpack | ratio |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const { ds, m, c } of small) {
    const b = c.binding;
    out.push(
      `| ${ds} | ${m} | ${fmt(b.compressMBs)} | ${fmt(b.packMBs)} | ${fmt(b.packMBs / b.compressMBs, 2)} | ` +
        `${fmt(b.decompressMBs)} | ${fmt(b.unpackMBs)} | ${fmt(b.unpackMBs / b.decompressMBs, 2)} |`,
    );
  }
  out.push('');
  out.push('### Per-call cost on 1 KB (µs per call)');
  out.push('');
  out.push(
    '| dataset | mode | C compress (ctx per call, N threads) | binding compress | C decompress (ctx per call) | binding decompress | C compress, 1 thread | binding compress, nthreads:1 | C decompress, 1 thread | binding decompress, nthreads:1 | C reused ctx compress / decompress | binding pack / unpack (threshold 0) |',
  );
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { ds, m, c } of small) {
    const s = c.c.small,
      b = c.binding.small,
      one = c.c1thread;
    out.push(
      `| ${ds} | ${m} | ${fmt(s.compressUs, 1)} | ${fmt(b.compressUs, 1)} | ${fmt(s.decompressUs, 1)} | ${fmt(b.decompressUs, 1)} | ` +
        `${fmt(one.compressUs, 1)} | ${fmt(b.compress1ThreadUs, 1)} | ${fmt(one.decompressUs, 1)} | ${fmt(b.decompress1ThreadUs, 1)} | ` +
        `${fmt(s.compressReusedCtxUs, 1)} / ${fmt(s.decompressReusedCtxUs, 1)} | ${fmt(b.packUs, 1)} / ${fmt(b.unpackUs, 1)} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

function ipcSection(ipc) {
  if (!ipc) return '';
  const out = ['## IPC: parent -> child -> parent (issue 4)', ''];
  out.push(`${ipc.note}`);
  out.push('');
  out.push(
    '| payload | transport | candidate | end-to-end ms (median) | MB/s of array moved | bytes on the wire (each way) | vs v8 / structured clone | spread |',
  );
  out.push('|---|---|---|---:|---:|---:|---:|---:|');
  for (const r of ipc.results) {
    out.push(
      `| ${r.payload} | ${r.transport} | ${r.ours ? `**${r.name}**` : r.name} | ${r.error ? `FAILED: ${r.error}` : fmt(r.ms, 1)} | ${fmt((r.arrayBytes * 2) / 1e3 / r.ms)} | ${fmt(r.wireBytes)} | ${r.vsBase ? `${fmt(r.vsBase, 2)}x` : '–'} | ${pct(r.spread)} |`,
    );
  }
  out.push('');
  if (ipc.targets) {
    out.push('Targets: ' + ipc.targets.map((t) => `${t.what}: ${t.value} (target ${t.target}) ${t.met ? 'MET' : 'NOT MET'}`).join('; '));
    out.push('');
  }
  return out.join('\n');
}

function summary(all, modes, order) {
  const out = ["## Summary: round trip, this library's default vs the fastest peer", ''];
  out.push(
    `| dataset | ${modes.map((m) => `fastest peer (${m})`).join(' | ')} | ${modes.map((m) => `blosc2 pack default (${m})`).join(' | ')} | blosc2 default size ratio | best peer size ratio |`,
  );
  out.push(`|---|${modes.map(() => '---|').join('')}${modes.map(() => '---:|').join('')}---:|---:|`);
  for (const ds of order) {
    const any = modes.map((m) => all[m]?.[ds]).find(Boolean);
    if (!any) continue;
    const isE = any.kind === 'messages';
    const unit = (d, r) => (isE ? `${fmt(d.messages / (r.rtMs / 1e3) / 1e3)}k msg/s` : `${fmt(mbs(d.inputBytes, r.rtMs))} MB/s`);
    const peerCells = modes.map((m) => {
      const d = all[m]?.[ds];
      if (!d) return '–';
      const peers = d.results.filter((r) => !r.ours && !r.error && r.name !== 'memcpy (slice)');
      const best = peers.reduce((a, b) => (b.rtMs < a.rtMs ? b : a), peers[0]);
      return best ? `${best.name}: ${unit(d, best)}` : '–';
    });
    const ourCells = modes.map((m) => {
      const d = all[m]?.[ds];
      const r = d?.results.find((x) => x.name.startsWith('blosc2 pack (default'));
      return r && !r.error ? unit(d, r) : '–';
    });
    const ours = any.results.find((x) => x.name.startsWith('blosc2 pack (default'));
    const peers = any.results.filter((r) => !r.ours && !r.roundTripOnly && !r.error && r.name !== 'memcpy (slice)');
    const bestRatio = Math.min(...peers.map((r) => r.ratio));
    out.push(`| ${ds} | ${peerCells.join(' | ')} | ${ourCells.join(' | ')} | ${ours ? fmt(ours.ratio, 3) : '–'} | ${fmt(bestRatio, 3)} |`);
  }
  out.push('');
  return out.join('\n');
}

function renderMarkdown({ all, modes, order, ipc, meta }) {
  const parts = [`# blosc2 benchmark — ${meta.date}`, ''];
  parts.push(`Command: \`${meta.command}\`. Machine: ${meta.machine}. Node ${process.version}; packages: ${meta.packages}.`);
  parts.push('');
  parts.push(
    'Every cell is **' +
      modes.join(' / ') +
      '** (each mode in its own child processes, one per dataset). ' +
      '**default**: Node as shipped (glibc mmaps buffers ≥ 32 MB afresh, so large outputs page-fault on first touch). ' +
      '**warm**: `GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736` keeps freed memory in the process.',
  );
  parts.push('');
  parts.push(
    'Method: all candidates of a dataset run in one process, interleaved round by round (fresh seeded random order each round); ' +
      '`gc()` before every timed op (outside the timer); each round trip verified byte-for-byte before timing (and every timed round of A–D, F and the N-d arrays after it); ' +
      'median of the timed rounds after warm-up. MB = 10^6 bytes of raw input (E: id 8 + t 8 + UTF-8 name + 64 bytes of v per message). ' +
      'E packs / unpacks each message by its own call. **unpack** = until a TypedArray of the original type is in hand: codecs that return bytes are charged for the restore. ' +
      'round-trip = input / (median pack + median unpack). spread = (max − min) / median of per-round pack+unpack time. GC ms = V8 GC time inside the timed windows, summed over the timed rounds. page faults = minor page faults of one pack + unpack (median): fresh memory touched. ' +
      'Rows in **bold** are this library.',
  );
  parts.push('');
  parts.push(summary(all, modes, order));
  for (const ds of order) {
    const byMode = Object.fromEntries(modes.map((m) => [m, all[m]?.[ds]]));
    parts.push(datasetTable(ds, byMode, modes));
  }
  parts.push(ceilingSection(all, modes));
  parts.push(ipcSection(ipc));
  parts.push('## Candidate notes', '');
  const seen = new Set();
  for (const m of modes) {
    for (const ds of order) {
      for (const r of all[m]?.[ds]?.results ?? []) {
        if (seen.has(r.name)) continue;
        seen.add(r.name);
        parts.push(`- **${r.name}**: ${r.note}`);
      }
    }
  }
  parts.push('');
  parts.push(`Total wall time: ${fmt(meta.wallSeconds, 1)} s.`);
  parts.push('');
  return parts.join('\n');
}

module.exports = { renderMarkdown };

'use strict';
// Charts and tables of bench results: the thread sweep (throughput against
// threads, the binding against the C program) and the main chart (per
// dataset, pack and unpack side by side, this library's default against the
// peers in grey, size ratios beside the bars).

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// ---------------------------------------------------------------------------
// Thread sweep

/** Markdown: MB/s per thread count, and binding / C ratios. */
function sweepMarkdown(sweeps) {
  const out = [];
  for (const s of sweeps) {
    out.push(`### ${s.dataset}: ${s.title}, ${fmt(s.bytes / 1e6)} MB (size ratio ${s.sizeRatio.toFixed(3)}), median of ${s.runs}`);
    out.push('');
    out.push(
      '| threads | pack | unpack | compress | decompress | C compress | C decompress | pack / C | unpack / C | compress / C | decompress / C |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const t of [...s.threads, 'default']) {
      const b = s.binding[t];
      const c = s.c[t] ?? {};
      const r = (x, y) => (Number.isFinite(x / y) ? (x / y).toFixed(2) : '–');
      out.push(
        `| ${t === 'default' ? 'default (by size)' : t} | ${fmt(b.pack)} | ${fmt(b.unpack)} | ${fmt(b.compress)} | ${fmt(b.decompress)} | ` +
          `${fmt(c.compress)} | ${fmt(c.decompress)} | ${r(b.pack, c.compress)} | ${r(b.unpack, c.decompress)} | ${r(b.compress, c.compress)} | ${r(b.decompress, c.decompress)} |`,
      );
    }
    out.push('');
    out.push(
      `References in the same process: v8.serialize ${fmt(s.peers['v8.serialize'].pack)} MB/s pack, structuredClone ${fmt(s.peers.structuredClone.roundTrip)} MB/s round trip.`,
    );
    out.push('');
  }
  return out.join('\n');
}

const SERIES = [
  { key: 'pack', label: 'pack', color: '#1f5fbf', from: (s, t) => s.binding[t]?.pack },
  { key: 'unpack', label: 'unpack', color: '#2ca02c', from: (s, t) => s.binding[t]?.unpack },
  { key: 'ccompress', label: 'C compress', color: '#1f5fbf', dash: '5,3', from: (s, t) => s.c[t]?.compress },
  { key: 'cdecompress', label: 'C decompress', color: '#2ca02c', dash: '5,3', from: (s, t) => s.c[t]?.decompress },
];

/** SVG: per dataset, MB/s against threads (log2 axis); references as grey lines. */
function sweepSvg(sweeps) {
  const w = 420,
    h = 260,
    left = 64,
    top = 48,
    gap = 40;
  const width = left + sweeps.length * (w + gap);
  const height = top + h + 90;
  const s = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`];
  s.push('<rect width="100%" height="100%" fill="white"/>');
  s.push(
    `<text x="${left}" y="20" font-size="14" font-weight="bold">MB/s against threads: pack and unpack (solid), the C program (dashed), references (grey)</text>`,
  );
  sweeps.forEach((sw, i) => {
    const ox = left + i * (w + gap);
    const ts = sw.threads;
    const x = (t) =>
      ox + (ts.length === 1 ? w / 2 : ((Math.log2(t) - Math.log2(ts[0])) / (Math.log2(ts[ts.length - 1]) - Math.log2(ts[0]))) * w);
    const refs = [
      ['v8.serialize pack', sw.peers['v8.serialize'].pack],
      ['structuredClone round trip', sw.peers.structuredClone.roundTrip],
    ];
    const all = [...ts.flatMap((t) => SERIES.map((se) => se.from(sw, t))), ...refs.map((r) => r[1])].filter(Number.isFinite);
    const max = Math.max(...all) * 1.1;
    const y = (v) => top + h - (v / max) * h;
    s.push(`<text x="${ox}" y="${top - 12}" font-weight="bold">${esc(`${sw.dataset}: ${sw.title}, ${fmt(sw.bytes / 1e6)} MB`)}</text>`);
    for (let k = 0; k <= 4; k++) {
      const v = (max / 4) * k;
      s.push(
        `<line x1="${ox}" x2="${ox + w}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${ox - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`,
      );
    }
    for (const t of ts) s.push(`<text x="${x(t)}" y="${top + h + 14}" text-anchor="middle">${t}</text>`);
    s.push(`<text x="${ox + w / 2}" y="${top + h + 28}" text-anchor="middle">threads</text>`);
    for (const [label, v] of refs) {
      if (!Number.isFinite(v)) continue;
      s.push(`<line x1="${ox}" x2="${ox + w}" y1="${y(v)}" y2="${y(v)}" stroke="#999" stroke-dasharray="2,2"/>`);
      s.push(`<text x="${ox + w - 2}" y="${y(v) - 3}" text-anchor="end" fill="#777">${esc(label)}</text>`);
    }
    for (const se of SERIES) {
      const pts = ts.map((t) => [x(t), se.from(sw, t)]).filter((p) => Number.isFinite(p[1]));
      if (pts.length === 0) continue;
      const d = pts.map((p, k) => `${k ? 'L' : 'M'}${p[0].toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      s.push(`<path d="${d}" fill="none" stroke="${se.color}" stroke-width="2"${se.dash ? ` stroke-dasharray="${se.dash}"` : ''}/>`);
      for (const p of pts) s.push(`<circle cx="${p[0].toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2.5" fill="${se.color}"/>`);
    }
  });
  const ly = top + h + 48;
  SERIES.forEach((se, k) => {
    const lx = left + k * 150;
    s.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${se.color}" stroke-width="2"${se.dash ? ` stroke-dasharray="${se.dash}"` : ''}/>`,
    );
    s.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(se.label)}</text>`);
  });
  s.push('</svg>');
  return s.join('\n');
}

// ---------------------------------------------------------------------------
// Main chart

const OURS = 'blosc2 pack (default = balanced)';

/**
 * SVG: one row per dataset, a pack panel and an unpack panel, one bar per
 * candidate (this library's default in blue, its other settings light blue,
 * peers grey), the size ratio beside each bar. MB/s of raw array (messages/s
 * for E) on a linear scale per dataset; bars past it are cut and labelled
 * (v8.deserialize returns views into its input: near-free).
 * @param {{ all: object, mode: string, order: string[], title: string }} opts
 */
function panelsSvg({ all, mode, order, title }) {
  const present = order.filter((ds) => all[mode]?.[ds]);
  const rowsOf = (ds) => all[mode][ds].results.filter((r) => !r.error && (r.roundTripOnly ? r.rtMs > 0 : r.packMs > 0));
  const barH = 11,
    labelW = 250,
    panelW = 300,
    gap = 120,
    left = 10,
    top = 44;
  const value = (d, r, op) => {
    const ms = r.roundTripOnly ? r.rtMs : op === 'pack' ? r.packMs : r.unpackMs;
    return d.kind === 'messages' ? d.messages / ms : d.inputBytes / 1e3 / ms;
  };
  // One scale per dataset, the same for its pack and unpack panels: the
  // largest bar, leaving out those over 4x this library's default (views into
  // the input, and the like), which are cut.
  const scaleOf = (ds) => {
    const d = all[mode][ds];
    const vals = [];
    let ours = 0;
    for (const r of rowsOf(ds)) {
      for (const op of ['pack', 'unpack']) {
        vals.push(value(d, r, op));
        if (r.name === OURS) ours = Math.max(ours, value(d, r, op));
      }
    }
    const kept = vals.filter((v) => ours === 0 || v <= 4 * ours);
    return kept.length ? 1.1 * Math.max(...kept) : 1;
  };
  let y = top;
  const s = [];
  for (const ds of present) {
    const d = all[mode][ds];
    const rows = rowsOf(ds);
    const unit = d.kind === 'messages' ? 'k msg/s' : 'MB/s';
    const max = scaleOf(ds);
    s.push(`<text x="${left}" y="${y + 12}" font-weight="bold" font-size="12">${esc(`${ds}: ${d.title ?? ''}`)}</text>`);
    y += 20;
    ['pack', 'unpack'].forEach((op, pi) => {
      const ox = left + labelW + pi * (panelW + gap);
      s.push(`<text x="${ox}" y="${y + 9}" font-weight="bold">${op} (${unit})</text>`);
      rows.forEach((r, ri) => {
        const by = y + 14 + ri * (barH + 3);
        const v = value(d, r, op);
        const ours = r.name === OURS;
        const fill = ours ? '#1f5fbf' : r.name.startsWith('blosc2') ? '#9ec0ec' : '#bbbbbb';
        const wv = Math.min(panelW, (v / max) * panelW);
        if (pi === 0)
          s.push(`<text x="${ox - 6}" y="${by + barH - 2}" text-anchor="end"${ours ? ' font-weight="bold"' : ''}>${esc(r.name)}</text>`);
        s.push(
          `<rect x="${ox}" y="${by}" width="${wv.toFixed(1)}" height="${barH}" fill="${fill}"><title>${esc(`${ds} ${op}: ${r.name}: ${fmt(v)} ${unit}`)}</title></rect>`,
        );
        const cut = v > max ? ' ▸' : '';
        const ratio = Number.isFinite(r.ratio) && !r.roundTripOnly ? `  ×${r.ratio.toFixed(3)}` : r.roundTripOnly ? '  (round trip)' : '';
        s.push(
          `<text x="${ox + wv + 4}" y="${by + barH - 2}" fill="#333"${ours ? ' font-weight="bold"' : ''}>${fmt(v)}${cut}${esc(ratio)}</text>`,
        );
      });
    });
    y += 14 + rows.length * (barH + 3) + 16;
  }
  const width = left + labelW + 2 * panelW + gap + 110;
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="10">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left}" y="34" fill="#555">This library's default in blue (its other settings light blue), peers in grey; ×n = packed size / raw size; MB/s of raw array (E: thousands of messages/s), linear, one scale per dataset; ▸ = beyond the scale.</text>`,
  ];
  return [...head, ...s, '</svg>'].join('\n');
}

module.exports = { sweepMarkdown, sweepSvg, panelsSvg };

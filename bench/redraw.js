'use strict';
// Redraws the main chart (charts.js panelsSvg) from a run's results: its
// latest.json, or the Markdown report of a run whose JSON was not kept (the
// per-dataset tables; the first figure of each "default / warm" cell).
// usage: node bench/redraw.js --json=bench/results/latest.json --out=FILE.svg [--mode=default]
//        node bench/redraw.js --md=docs/benchmarks/2026-11-26-b.md --out=FILE.svg
const fs = require('node:fs');
const { panelsSvg } = require('./charts');

const args = require('./args').parseArgs();
const ORDER = ['A', 'B', 'C', 'D', 'E', 'F', 'img', 'vol'];

/** The `all` structure of latest.json, for the default mode, from a report's tables. */
function fromMarkdown(md) {
  const all = { default: {} };
  const sections = md.split(/\n(?=## )/);
  for (const sec of sections) {
    const head = /^## (\w+): (.+?) — ([\d.,]+) MB input(?:, ([\d,]+) messages)?/.exec(sec);
    if (!head || !ORDER.includes(head[1])) continue;
    const messages = head[4] ? Number(head[4].replace(/,/g, '')) : 0;
    const d = {
      title: head[2],
      kind: messages ? 'messages' : 'array',
      inputBytes: Number(head[3].replace(/,/g, '')) * 1e6,
      messages,
      results: [],
    };
    for (const line of sec.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      if (cells.length < 6 || cells[1] === 'candidate' || cells[1].startsWith('---')) continue;
      const name = cells[1].replace(/\*\*/g, '');
      const first = (c) => {
        const v = Number(c.split('/')[0].replace(/[,k\s]/g, ''));
        return Number.isFinite(v) && c.split('/')[0].trim() !== '–' ? v : NaN;
      };
      const [pack, unpack, rt] = [first(cells[2]), first(cells[3]), first(cells[4])];
      const ratio = Number(cells[messages ? 7 : 5]);
      // Rates back to times: MB/s of the input for arrays, thousands of messages per second for E.
      const ms = (rate) => (messages ? messages / rate : d.inputBytes / 1e3 / rate);
      const roundTripOnly = !Number.isFinite(pack);
      d.results.push({ name, packMs: ms(pack), unpackMs: ms(unpack), rtMs: ms(rt), ratio, roundTripOnly });
    }
    all.default[head[1]] = d;
  }
  return all;
}

let all;
let title;
if (args.json) {
  const j = JSON.parse(fs.readFileSync(args.json, 'utf8'));
  all = j.all;
  title = `pack and unpack per dataset (${args.mode ?? 'default'} allocator mode), ${j.meta.date}, ${j.meta.machine}`;
} else if (args.md) {
  const md = fs.readFileSync(args.md, 'utf8');
  all = fromMarkdown(md);
  const date = /^# .* — (\S+)/m.exec(md)?.[1] ?? '';
  const machine = /Machine: (.+?)\. Node/.exec(md)?.[1] ?? '';
  title = `pack and unpack per dataset (default allocator mode), ${date}, ${machine}`;
} else {
  throw new Error('usage: node bench/redraw.js --json=FILE | --md=FILE --out=FILE.svg');
}
const mode = args.mode ?? 'default';
fs.writeFileSync(args.out, panelsSvg({ all, mode, order: ORDER.filter((d) => all[mode]?.[d]), title }));

#!/usr/bin/env node
'use strict';
// How the presets in candidates.js were picked: candidate cparams through
// Packer.pack / unpack on A, B, C, F (and the N-d image), interleaved, best of
// N rounds (min time, robust to a noisy machine), with the exact size ratio.
// usage: node --expose-gc bench/presets.js [--scale=0.2] [--rounds=5]
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { DATASETS } = require('./datasets');
const lib = require(path.resolve(__dirname, '..', 'dist', 'index.js'));

const arg = (n, d) => Number((process.argv.find((a) => a.startsWith(`--${n}=`)) ?? `=${d}`).split('=')[1]);
const scale = arg('scale', 0.2);
const rounds = arg('rounds', 5);
const gc = globalThis.gc ?? (() => {});

const CANDIDATES = [
  { codec: 'lz4', clevel: 1, filters: ['shuffle'] },
  { codec: 'lz4', clevel: 3, filters: ['shuffle'] },
  { codec: 'lz4', clevel: 5, filters: ['shuffle'] },
  { codec: 'blosclz', clevel: 1, filters: ['shuffle'] },
  { codec: 'blosclz', clevel: 3, filters: ['shuffle'] },
  { codec: 'blosclz', clevel: 5, filters: ['shuffle'] },
  { codec: 'lz4', clevel: 5, filters: ['bitshuffle'] },
  { codec: 'zstd', clevel: 1, filters: ['shuffle'] },
  { codec: 'zstd', clevel: 3, filters: ['shuffle'] },
  { codec: 'zstd', clevel: 5, filters: ['shuffle'] },
  { codec: 'zstd', clevel: 5, filters: ['bitshuffle'] },
  { codec: 'zstd', clevel: 7, filters: ['shuffle'] },
  { codec: 'zstd', clevel: 5, filters: ['bytedelta'] },
  { codec: 'blosclz', clevel: 1, filters: ['nofilter'] },
  { codec: 'lz4', clevel: 1, filters: ['nofilter'] },
];
// bytedelta needs a shuffle before it: try the python-blosc2 pairing too.
CANDIDATES.push({ codec: 'zstd', clevel: 5, filters: ['shuffle', 'bytedelta'] });

const label = (c) => `${c.codec} ${c.clevel} ${c.filters.join('+')}`;
const sets = ['A', 'B', 'C', 'F', 'img'].map((k) => {
  const v = DATASETS[k].make(scale);
  return { k, arr: v.data ? new lib.NDArray(v.data, v.shape, v.dtype) : v, bytes: v.data ? v.data.byteLength : v.byteLength };
});
console.log(`scale ${scale}, best of ${rounds}; per dataset: pack MB/s / unpack MB/s / ratio`);
console.log('candidate'.padEnd(30) + sets.map((s) => s.k.padStart(22)).join(''));
for (const c of CANDIDATES) {
  let packer;
  try {
    packer = new lib.Packer(c);
  } catch (err) {
    console.log(`${label(c).padEnd(30)} refused: ${err.message}`);
    continue;
  }
  const cells = [];
  for (const s of sets) {
    let bp = Infinity,
      bu = Infinity,
      size = 0;
    try {
      packer.pack(s.arr);
    } catch (err) {
      cells.push(`error ${err.code} ${err.errno ?? ''}`.padStart(22));
      continue;
    }
    for (let r = 0; r < rounds; r++) {
      gc();
      const t0 = performance.now();
      const p = packer.pack(s.arr);
      const t1 = performance.now();
      gc();
      const t2 = performance.now();
      packer.unpack(p);
      const t3 = performance.now();
      bp = Math.min(bp, t1 - t0);
      bu = Math.min(bu, t3 - t2);
      size = p.byteLength;
    }
    cells.push(`${(s.bytes / 1e3 / bp).toFixed(0)}/${(s.bytes / 1e3 / bu).toFixed(0)}/${(size / s.bytes).toFixed(3)}`.padStart(22));
  }
  console.log(label(c).padEnd(30) + cells.join(''));
}

'use strict';
// Any shape as fast and as small as its bytes (issue 12): awkward N-d shapes
// (prime extents, a long axis after a short one, 1-sized axes) packed and
// unpacked against the same bytes as a 1-D array, interleaved in one process,
// gc() before each timed op, medians. Prints a table; --out=FILE writes JSON.
// usage: node --expose-gc bench/shapes.js [--runs=9] [--mb=24] [--out=FILE]
const path = require('node:path');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const args = require('./args').parseArgs();
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
const runs = Number(args.runs ?? 9);
const mb = Number(args.mb ?? 24);

/** Shapes of about `mb` MB of float64, each with its awkward part. */
function shapes() {
  const items = Math.round((mb * 1e6) / 8);
  const p = (n) => {
    // the largest prime <= n
    for (let k = Math.floor(n); k > 2; k--) {
      let prime = true;
      for (let d = 2; d * d <= k; d++) if (k % d === 0) prime = false;
      if (prime) return k;
    }
    return 2;
  };
  const a = p(items / 3);
  const b = p(Math.sqrt(items));
  return [
    { name: 'prime columns after 3 rows', shape: [3, a] },
    { name: 'prime rows of 3', shape: [a, 3] },
    { name: 'square of primes', shape: [b, p(items / b)] },
    { name: '1-sized axes', shape: [1, 3, 1, a, 1] },
    { name: 'prime x 5 x 2355 (rows of 94 KB)', shape: [p(items / (5 * 2355)), 5, 2355] },
    { name: 'long axis after two short', shape: [2, 7, p(items / 14)] },
  ];
}

function median(v) {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main() {
  const lib = require(path.resolve(__dirname, '..', 'dist', 'index.js'));
  const rows = [];
  for (const { name, shape } of shapes()) {
    const n = shape.reduce((x, y) => x * y, 1);
    const data = new Float64Array(n);
    let x = 1;
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      data[i] = Math.sin(i / 5000) * 100 + (x >>> 8) / 2 ** 24 / 100;
    }
    const nd = new lib.NDArray(data, shape);
    const sides = { nd: () => lib.pack(nd), flat: () => lib.pack(data) };
    const packed = { nd: sides.nd(), flat: sides.flat() };
    // Verified before timing.
    const back = lib.unpack(packed.nd);
    if (!Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(data.buffer))) {
      throw new Error(`${name}: round trip differs`);
    }
    const t = { nd: { pack: [], unpack: [] }, flat: { pack: [], unpack: [] } };
    for (let r = -1; r < runs; r++) {
      const order = r % 2 ? ['nd', 'flat'] : ['flat', 'nd'];
      for (const side of order) {
        gc();
        let t0 = performance.now();
        sides[side]();
        let t1 = performance.now();
        gc();
        const t2 = performance.now();
        lib.unpack(packed[side]);
        const t3 = performance.now();
        if (r >= 0) {
          t[side].pack.push(t1 - t0);
          t[side].unpack.push(t3 - t2);
        }
      }
    }
    const g = lib.unpack(packed.nd);
    const row = {
      name,
      shape,
      mb: (n * 8) / 1e6,
      sizeRatio: packed.nd.length / packed.flat.length,
      packSpeed: median(t.flat.pack) / median(t.nd.pack),
      unpackSpeed: median(t.flat.unpack) / median(t.nd.unpack),
      ndPackMs: median(t.nd.pack),
      flatPackMs: median(t.flat.pack),
      ndUnpackMs: median(t.nd.unpack),
      flatUnpackMs: median(t.flat.unpack),
      ok: g.shape.join() === shape.join(),
    };
    rows.push(row);
    process.stderr.write(
      `  ${name}: size ${row.sizeRatio.toFixed(3)}, pack ${row.packSpeed.toFixed(2)}x, unpack ${row.unpackSpeed.toFixed(2)}x\n`,
    );
  }
  console.log(`| shape (float64, ${mb} MB) | N-d size / 1-D | N-d pack speed / 1-D | N-d unpack speed / 1-D | pack ms N-d / 1-D |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.name} ${JSON.stringify(r.shape)} | ${r.sizeRatio.toFixed(3)} | ${r.packSpeed.toFixed(2)} | ${r.unpackSpeed.toFixed(2)} | ${r.ndPackMs.toFixed(1)} / ${r.flatPackMs.toFixed(1)} |`,
    );
  }
  if (args.out) fs.writeFileSync(args.out, JSON.stringify({ runs, mb, rows }, null, 1));
}

main();

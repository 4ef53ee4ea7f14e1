'use strict';
// Deterministic, seeded benchmark datasets. Every generator takes a scale
// (1 = full size; --quick uses a fraction) and returns the same bytes for the
// same seed and scale on every run.

/** xorshift128+ -style 32-bit generator (sfc32), seeded: fast and reproducible. */
function rng(seed) {
  let a = 0x9e3779b9 ^ seed,
    b = 0x243f6a88 ^ (seed * 31),
    c = 0xb7e15162 ^ (seed * 131),
    d = 1;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) next();
  return { u32: next, float: () => next() / 4294967296 };
}

function count(full, scale) {
  return Math.max(1024, Math.round(full * scale));
}

/** Datasets A-F of the brief plus the two N-d arrays (img, vol). */
const DATASETS = {
  A: {
    title: 'Float64Array 12.5M linspace 0..1',
    kind: 'array',
    make(scale) {
      const n = count(12.5e6, scale);
      const a = new Float64Array(n);
      const step = 1 / (n - 1);
      for (let i = 0; i < n; i++) a[i] = i * step;
      return a;
    },
  },
  B: {
    title: 'Float32Array 25M uniform [0,1)',
    kind: 'array',
    make(scale) {
      const n = count(25e6, scale);
      const r = rng(2);
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = r.float();
      return a;
    },
  },
  C: {
    title: 'Int32Array 25M ramp + noise(+-3)',
    kind: 'array',
    make(scale) {
      const n = count(25e6, scale);
      const r = rng(3);
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = i + (r.u32() % 7) - 3;
      return a;
    },
  },
  D: {
    title: 'Uint8Array 100M random bytes',
    kind: 'array',
    make(scale) {
      const n = count(100e6, scale) & ~3;
      const r = rng(4);
      const a = new Uint8Array(n);
      const w = new Uint32Array(a.buffer);
      for (let i = 0; i < w.length; i++) w[i] = r.u32();
      return a;
    },
  },
  E: {
    title: '100k msgs {id,name,t,v:Float32Array(16)}',
    kind: 'messages',
    make(scale) {
      const n = count(100e3, scale);
      const r = rng(5);
      const msgs = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = new Float32Array(16);
        for (let j = 0; j < 16; j++) v[j] = r.float();
        msgs[i] = { id: i, name: `sensor-${i % 1000}`, t: 1.7e12 + i * 10.5, v };
      }
      return msgs;
    },
  },
  F: {
    title: 'Float64Array 1M sine + noise(1e-4)',
    kind: 'array',
    make(scale) {
      const n = count(1e6, Math.min(1, scale * 4));
      const r = rng(6);
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.001) + (r.float() - 0.5) * 2e-4;
      return a;
    },
  },
  img: {
    title: 'NDArray 2048x2048 float32 image (smooth + noise)',
    kind: 'nd',
    make(scale) {
      const side = Math.max(64, Math.round(2048 * Math.sqrt(Math.min(1, scale * 4))));
      const r = rng(7);
      const a = new Float32Array(side * side);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          a[y * side + x] = Math.sin(x / 97) * Math.cos(y / 61) + 0.01 * (r.float() - 0.5);
        }
      }
      return { data: a, shape: [side, side], dtype: '<f4' };
    },
  },
  vol: {
    title: 'NDArray 256^3 int16 volume',
    kind: 'nd',
    make(scale) {
      const side = Math.max(16, Math.round(256 * Math.cbrt(Math.min(1, scale * 4))));
      const r = rng(8);
      const a = new Int16Array(side * side * side);
      let i = 0;
      for (let z = 0; z < side; z++) {
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) {
            const dx = x - side / 2,
              dy = y - side / 2,
              dz = z - side / 2;
            a[i++] = Math.round(1000 * Math.exp(-(dx * dx + dy * dy + dz * dz) / ((side * side) / 8))) + (r.u32() % 5) - 2;
          }
        }
      }
      return { data: a, shape: [side, side, side], dtype: '<i2' };
    },
  },
};

/** Raw input bytes of one message of E (id 8 + t 8 + UTF-8 name + 64 bytes of v), as the reference counts them. */
function messageBytes(m) {
  return 16 + Buffer.byteLength(m.name) + m.v.byteLength;
}

module.exports = { DATASETS, rng, messageBytes };

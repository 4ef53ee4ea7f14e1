// The values the browser tests move between Node and Chromium, made the same
// way on both sides (a seeded PRNG, no runtime-specific API), and a bit-exact
// comparison. Loaded by test/browser.test.ts in Node and by checks.mjs in the
// page and its Web Worker; `lib` is the blosc2 module of that side.

/** mulberry32: a small seeded PRNG, identical in every JavaScript runtime. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random bytes (floats get arbitrary bit patterns, NaN payloads included). */
function randomBytes(n, seed) {
  const next = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 256) | 0;
  return out;
}

/** Smooth data that compresses: a ramp with a little noise, written as bytes of the type. */
function smooth(Ctor, n, seed) {
  const next = prng(seed);
  const a = new Ctor(n);
  const big = Ctor === BigInt64Array || Ctor === BigUint64Array;
  for (let i = 0; i < n; i++) {
    const v = (i % 1000) + Math.floor(next() * 4);
    a[i] = big ? BigInt(v) : v;
  }
  return a;
}

const CTORS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

/** 100 MB of a smooth Float64Array (12.5 M items). */
export const BIG_ITEMS = 12_500_000;

/**
 * The named values. Each dtype twice (small: a raw record; 64 KiB of random
 * bits and of smooth data: frames), N-d arrays, DataView, ArrayBuffer, a
 * nested object, and with `big` the 100 MB array.
 */
export function makeValues(lib, { big = false } = {}) {
  const values = {};
  CTORS.forEach((Ctor, k) => {
    const n = 65536 / Ctor.BYTES_PER_ELEMENT;
    const bits = randomBytes(65536, 1000 + k);
    values[`${Ctor.name}-random`] = new Ctor(bits.buffer);
    values[`${Ctor.name}-smooth`] = smooth(Ctor, n, 2000 + k);
    values[`${Ctor.name}-small`] = new Ctor(randomBytes(64, 3000 + k).buffer);
  });
  values['ndarray-3d-f32'] = new lib.NDArray(smooth(Float32Array, 16 * 32 * 64, 1), [16, 32, 64]);
  values['ndarray-2d-i16'] = new lib.NDArray(new Int16Array(randomBytes(2 * 300 * 70, 2).buffer), [300, 70]);
  values['ndarray-0d-f64'] = new lib.NDArray(new Float64Array([Math.PI]), []);
  values['ndarray-empty'] = new lib.NDArray(new Int32Array(0), [0, 5]);
  values['dataview'] = new DataView(randomBytes(20000, 3).buffer, 8, 19000);
  values['arraybuffer'] = randomBytes(30000, 4).buffer;
  values['nested'] = {
    id: 42,
    name: 'run 42 ✓',
    when: 1.5,
    tags: ['a', 'b'],
    t: smooth(Float64Array, 5000, 5),
    inner: { mask: new Uint8Array(randomBytes(100, 6)), grid: new lib.NDArray(smooth(Int32Array, 64 * 64, 7), [64, 64]) },
  };
  if (big) {
    const t = new Float64Array(BIG_ITEMS);
    // Exact arithmetic only (Math.sin differs in the last bit between V8 releases).
    for (let i = 0; i < BIG_ITEMS; i++) t[i] = (i % 100_003) / 128 + Math.floor(i / 100_003) + (i % 7) / 8;
    values['big-100mb'] = t;
  }
  return values;
}

function bytesOf(v) {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The differences between what was expected and what came back (empty when bit-exact). */
export function compare(expected, actual, path = 'value', lib) {
  const out = [];
  const kind = (v) => (v === null ? 'null' : typeof v !== 'object' ? typeof v : (v.constructor?.name ?? 'Object'));
  if (expected instanceof lib.NDArray) {
    if (!(actual instanceof lib.NDArray)) return [`${path}: expected an NDArray, got ${kind(actual)}`];
    if (JSON.stringify(expected.shape) !== JSON.stringify(actual.shape)) out.push(`${path}: shape ${actual.shape} != ${expected.shape}`);
    if (expected.dtype !== actual.dtype) out.push(`${path}: dtype ${actual.dtype} != ${expected.dtype}`);
    return out.concat(compare(expected.data, actual.data, `${path}.data`, lib));
  }
  if (ArrayBuffer.isView(expected) || expected instanceof ArrayBuffer) {
    if (kind(expected) !== kind(actual)) return [`${path}: expected ${kind(expected)}, got ${kind(actual)}`];
    if (!sameBytes(bytesOf(expected), bytesOf(actual))) out.push(`${path}: bytes differ`);
    return out;
  }
  if (expected !== null && typeof expected === 'object') {
    if (kind(actual) !== kind(expected)) return [`${path}: expected ${kind(expected)}, got ${kind(actual)}`];
    const keys = Object.keys(expected);
    if (JSON.stringify(keys) !== JSON.stringify(Object.keys(actual))) out.push(`${path}: keys differ`);
    for (const k of keys) out.push(...compare(expected[k], actual[k], `${path}.${k}`, lib));
    return out;
  }
  return Object.is(expected, actual) ? out : [`${path}: ${String(actual)} != ${String(expected)}`];
}

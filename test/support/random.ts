/**
 * The one seeded PRNG of the tests (mulberry32): every pseudo-random input of
 * test/, property-tests/ and the child programs comes from here, so a seed
 * reproduces a failure in any process. (fast-check draws its own values; the
 * benchmarks keep their own generator in bench/datasets.js.)
 */

/** A generator of uint32s from `seed` (mulberry32). */
export function uint32s(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A generator of floats in [0, 1) from `seed`. */
export function prng(seed: number): () => number {
  const next = uint32s(seed);
  return () => next() / 4294967296;
}

/** Fills `bytes` with pseudo-random bits (every byte value, so NaN payloads too) from `seed`. */
export function fillRandom(bytes: Uint8Array, seed: number): void {
  const next = uint32s(seed);
  const words = bytes.byteLength >>> 2;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) dv.setUint32(i * 4, next(), true);
  let w = next();
  for (let i = words * 4; i < bytes.byteLength; i++, w >>>= 8) bytes[i] = w & 0xff;
}

/** `n` pseudo-random (incompressible) bytes from `seed`. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  fillRandom(out, seed);
  return out;
}

/**
 * Deterministic test inputs built on the one PRNG (./random): sample bytes
 * that compress, large fillers, and TypedArrays of every class with random bits.
 */
import { fillRandom, prng, uint32s } from './random';

/** Constructors of every TypedArray class of Node 20. */
export const TYPED_CTORS = [
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
] as const;

/** One of {@link TYPED_CTORS}. */
export type TypedCtor = (typeof TYPED_CTORS)[number];
/** An instance of one of {@link TYPED_CTORS}. */
export type AnyTyped = InstanceType<TypedCtor>;

/** A TypedArray of `length` items with pseudo-random bits (every bit pattern, NaNs included). */
export function makeTyped<C extends TypedCtor>(ctor: C, length: number, seed = 1): InstanceType<C> {
  const a = new ctor(length) as InstanceType<C>;
  fillRandom(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), seed);
  return a;
}

/**
 * `nbytes` of compressible but not trivial data: a slowly varying signal in
 * 8-byte words with a noisy low byte, so codecs, shuffles and delta all have
 * something to do and no chunk degenerates into a special (all-equal) one.
 */
export function sampleBytes(nbytes: number, seed = 1): Uint8Array {
  const out = new Uint8Array(nbytes);
  const rand = prng(seed);
  const words = Math.ceil(nbytes / 8);
  const tmp = new DataView(new ArrayBuffer(8));
  for (let w = 0; w < words; w++) {
    tmp.setFloat64(0, Math.sin((w + seed) / 97) * 1000 + ((w * 7) % 13), true);
    const base = w * 8;
    const take = Math.min(8, nbytes - base);
    for (let k = 0; k < take; k++) out[base + k] = tmp.getUint8(k);
    if (take > 0 && rand() < 0.5) out[base] = (rand() * 256) | 0;
  }
  return out;
}

/**
 * Fast filler for large inputs (100 MB+): 8-byte words of a ramp with a
 * pseudo-random low byte; deterministic in `seed`.
 */
export function largeSample(nbytes: number, seed = 7): Uint8Array {
  const words = new Float64Array(Math.ceil(nbytes / 8));
  const next = uint32s(seed);
  for (let i = 0; i < words.length; i++) words[i] = (i >>> 4) + (next() >>> 24) / 256;
  return new Uint8Array(words.buffer, 0, nbytes);
}

/**
 * Fills `bytes` with compressible runs that take every byte value: a ramp that
 * steps every 64 bytes plus two pseudo-random bits redrawn every 64 bytes.
 */
export function fillCompressible(bytes: Uint8Array, seed: number): void {
  const next = uint32s(seed);
  let x = 0;
  for (let i = 0; i < bytes.length; i++) {
    if ((i & 63) === 0) x = next();
    bytes[i] = ((i >>> 6) + ((x >>> (i & 24)) & 3)) & 0xff;
  }
}

/** `n` bytes of {@link fillCompressible}. */
export function compressibleBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  fillCompressible(out, seed);
  return out;
}

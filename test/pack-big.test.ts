// Arrays beyond one 2 GiB C-Blosc2 chunk (issue 3): a 2.5 GiB Uint8Array and
// a 2.2 GiB Float64Array pack and unpack bit-exact. The data is a cheap,
// position-dependent pattern (every 64 KiB block stamped with its index, so a
// misplaced chunk cannot go unnoticed) that compresses well, which keeps the
// message small; the check compares 64 MiB slices with Buffer.compare. The two
// run one after the other and memory is released in between (peak ~6 GiB).
import { afterEach, describe, expect, it } from 'vitest';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { B2ND_EXT, Packer } from '../src/index';
import { extTypesIn } from './support/bytes';
import { fillRandom } from './support/random';

const GiB = 2 ** 30;
const SLICE = 64 * 2 ** 20;
const BLOCK = 64 * 1024;

// A way to collect the previous test's arrays before the next allocates its own.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Fills bytes with BLOCK-sized blocks: 61 variants (mostly repeats, some noise), each stamped with its block index. */
function fillBlocks(bytes: Uint8Array): void {
  const variants: Uint8Array[] = [];
  for (let v = 0; v < 61; v++) {
    const block = new Uint8Array(BLOCK);
    const noise = new Uint8Array(512);
    fillRandom(noise, v + 1);
    for (let p = 0; p < BLOCK; p += noise.length) block.set(noise.subarray(0, Math.min(noise.length, BLOCK - p) - (v % 7)), p);
    variants.push(block);
  }
  const stamp = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0, k = 0; at < bytes.byteLength; at += BLOCK, k++) {
    const v = variants[k % variants.length] as Uint8Array;
    bytes.set(at + BLOCK <= bytes.byteLength ? v : v.subarray(0, bytes.byteLength - at), at);
    if (at + 8 <= bytes.byteLength) stamp.setFloat64(at, k, true);
  }
}

/** Compares two equally long byte ranges slice by slice; returns the first differing slice's offset, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.byteLength !== b.byteLength) return 0;
  for (let at = 0; at < a.byteLength; at += SLICE) {
    const n = Math.min(SLICE, a.byteLength - at);
    const x = Buffer.from(a.buffer, a.byteOffset + at, n);
    const y = Buffer.from(b.buffer, b.byteOffset + at, n);
    if (Buffer.compare(x, y) !== 0) return at;
  }
  return -1;
}

const packer = new Packer({ maxOutputBytes: 3 * GiB });

afterEach(() => {
  gc();
});

describe('arrays beyond 2 GiB', () => {
  it('a 2.5 GiB Uint8Array packs and unpacks bit-exact', () => {
    const n = 2.5 * GiB;
    const original = new Uint8Array(n);
    fillBlocks(original);
    const message = packer.pack({ big: original, tail: 'after the array' });
    expect(extTypesIn(message)).toEqual([B2ND_EXT]);
    expect(message.byteLength).toBeLessThan(n / 4);
    const result = packer.unpack(message) as { big: Uint8Array; tail: string };
    expect(result.tail).toBe('after the array');
    expect(Object.getPrototypeOf(result.big)).toBe(Uint8Array.prototype);
    expect(result.big.byteLength).toBe(n);
    expect(firstDifference(result.big, original)).toBe(-1);
    // The default limit (1 GiB) refuses it.
    expect(() => new Packer().unpack(message)).toThrow(expect.objectContaining({ code: 'ERR_MAX_OUTPUT' }));
  });

  it('a 2.2 GiB Float64Array packs and unpacks bit-exact, async', async () => {
    const items = Math.floor((2.2 * GiB) / 8);
    const original = new Float64Array(items);
    for (let i = 0; i < items; i++) original[i] = (i % 65536) * 0.25 + Math.floor(i / 65536);
    // Bit patterns that must survive: NaN payloads, -0, subnormals, spread across chunks.
    const bits = new BigUint64Array(original.buffer);
    for (let i = 12345; i < items; i += 40_000_000) {
      bits[i] = 0x7ff8000000000001n;
      bits[i + 1] = 0x8000000000000000n;
      bits[i + 2] = 0x0000000000000001n;
    }
    const message = await packer.packAsync(original);
    expect(extTypesIn(message)).toEqual([B2ND_EXT]);
    expect(message.byteLength).toBeLessThan(original.byteLength / 4);
    const result = (await packer.unpackAsync(message)) as Float64Array;
    expect(result).toBeInstanceOf(Float64Array);
    expect(result.length).toBe(items);
    const a = new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
    const b = new Uint8Array(original.buffer);
    expect(firstDifference(a, b)).toBe(-1);
    // The sync decoder agrees.
    const sync = packer.unpack(message) as Float64Array;
    expect(firstDifference(new Uint8Array(sync.buffer), b)).toBe(-1);
  });

  it('stays within the memory budget (peak resident set under 12 GiB)', () => {
    const peakKiB = process.resourceUsage().maxRSS;
    expect(peakKiB * 1024).toBeLessThan(12 * GiB);
  });
});

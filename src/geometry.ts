/**
 * Chunk and block shapes of the b2nd frames we write (FORMAT.md, "Chunk
 * geometry"). Chosen so that every chunk is a contiguous slice of the C-order
 * array and its blocks follow each other in C order: chunks compress straight
 * from the array's memory and decompress straight into the result.
 * @internal
 */
import type { CParamArgs } from './native';
import { native } from './native';

/** Target bytes of one chunk: large enough that per-chunk costs vanish, far below C-Blosc2's 2 GiB limit. */
export const CHUNK_TARGET_BYTES = 64 * 2 ** 20;

/** Chunk bytes for clevel 0: as large as C-Blosc2 allows (2 GiB less its header), rounded down to 1 MiB. */
export const STORE_CHUNK_BYTES = 2 ** 31 - 2 ** 20;

export interface Geometry {
  chunkshape: number[];
  blockshape: number[];
}

const blocksizeCache = new Map<string, number>();

/** The block size C-Blosc2 itself would pick for these parameters (cached). */
export function blockTarget(args: CParamArgs): number {
  const key = args.join(',');
  let b = blocksizeCache.get(key);
  if (b === undefined) {
    if (args[4] > 0) b = args[4];
    else {
      const sample = native.suggestBlocksize(8 * 2 ** 20, ...args);
      b = sample > 0 ? sample : 256 * 1024;
    }
    blocksizeCache.set(key, b);
  }
  return b;
}

// The largest divisor of n in [lo, hi], or 0 when there is none; divisors
// avoid padding, and padding costs a bounce copy of the edge chunk.
function divisorIn(n: number, lo: number, hi: number): number {
  for (let d = Math.min(hi, n); d >= Math.max(1, lo); d--) if (n % d === 0) return d;
  return 0;
}

/**
 * @param shape - C-order shape (at least one dimension, none of them zero)
 * @param itemsize - bytes per item
 * @param blockBytes - target block size in bytes
 */
export function chooseGeometry(shape: readonly number[], itemsize: number, blockBytes: number, chunkBytes = CHUNK_TARGET_BYTES): Geometry {
  const nd = shape.length;
  if (nd === 0) return { chunkshape: [], blockshape: [] };
  if (shape.some((d) => d === 0)) {
    const ones = shape.map((d) => Math.max(1, d));
    return { chunkshape: ones, blockshape: ones.map(() => 1) };
  }
  // step[i]: bytes of one step along axis i (the product of later extents).
  const step: number[] = new Array<number>(nd);
  let acc = itemsize;
  for (let i = nd - 1; i >= 0; i--) {
    step[i] = acc;
    acc *= shape[i] as number;
  }
  const total = acc;
  const s = (i: number) => shape[i] as number;
  const st = (i: number) => step[i] as number;

  // Block axis j: the first whose step fits in a block.
  let j = 0;
  while (j < nd - 1 && st(j) > blockBytes) j++;
  let bj = Math.max(1, Math.min(s(j), Math.floor(blockBytes / st(j))));

  // Chunk axis k <= j: whole array if it fits, else the first axis whose step fits.
  let k: number;
  let ck: number;
  if (total <= chunkBytes) {
    k = 0;
    ck = s(0);
  } else {
    k = 0;
    while (k < j && st(k) > chunkBytes) k++;
    ck = Math.max(1, Math.min(s(k), Math.floor(chunkBytes / st(k))));
    if (k === j) {
      // Equal chunks that tile axis k exactly, with blocks that tile the
      // chunks, need no padding and so no bounce copy: look for a chunk count
      // near the minimum that divides the axis.
      const minChunks = Math.ceil(s(k) / ck);
      for (let nc = minChunks; nc < minChunks + 16 && nc <= s(k); nc++) {
        if (s(k) % nc !== 0) continue;
        const even = s(k) / nc;
        const d = divisorIn(even, Math.ceil(bj / 2), bj);
        if (d > 0) {
          ck = even;
          bj = d;
          break;
        }
      }
    }
  }
  if (k < j) {
    // The chunk spans axis j whole, so blocks must divide it exactly.
    bj = divisorIn(s(j), 1, bj);
  } else {
    // Same axis: prefer a block that divides the chunk extent, else round the chunk up.
    const d = divisorIn(ck, Math.ceil(bj / 2), bj);
    if (d > 0) bj = d;
    else ck = Math.ceil(ck / bj) * bj;
  }
  const chunkshape = shape.map((d, i) => (i < k ? 1 : i === k ? ck : d));
  const blockshape = shape.map((d, i) => (i < j ? 1 : i === j ? bj : d));
  return { chunkshape, blockshape };
}

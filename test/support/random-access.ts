/**
 * Random access (test/random-access*.test.ts, property-tests/random-access*): frames of every geometry (ours through the
 * product's assembler with small chunks, python-blosc2's tiled ones through
 * C-Blosc2's own b2nd route, FrameWriter's), selections as python-blosc2 takes
 * them, the same selection taken from the whole array by brute force, and a
 * range reader that counts what it serves.
 */
import fc from 'fast-check';
import { type Range, type Selection, type SelectionItem, packChunks } from '../../src/index';
import { resolveSelection } from '../../src/random-access/selection';
import type { Codec } from '../../src/params';
import type { DType } from '../../src/dtypes';
import { coreCParams, referenceAddon } from './reference-addon';
import { sampleBytes } from './data';

export const DTYPES: ReadonlyArray<readonly [DType, number]> = [
  ['|u1', 1],
  ['|i1', 1],
  ['<i2', 2],
  ['<u2', 2],
  ['<i4', 4],
  ['<f4', 4],
  ['<f8', 8],
  ['<i8', 8],
];

export type FrameKind = 'ours' | 'tiled' | 'writer';

export interface ArrayCase {
  kind: FrameKind;
  shape: number[];
  chunkshape: number[];
  blockshape: number[];
  dtype: DType;
  itemsize: number;
  codec: Codec;
  /** Rows per slab fed to FrameWriter. */
  slabRows: number;
  seed: number;
  zeros: boolean;
}

/** 1 to 8 dimensions, at most a few thousand items; chunk and block extents of any size. */
export const arrayCaseArb: fc.Arbitrary<ArrayCase> = fc
  .record({
    kind: fc.constantFrom<FrameKind>('ours', 'tiled', 'writer'),
    ndim: fc.integer({ min: 1, max: 8 }),
    dtype: fc.constantFrom(...DTYPES),
    codec: fc.constantFrom<Codec>('lz4', 'zstd', 'blosclz'),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    zeros: fc.boolean(),
    dims: fc.array(fc.record({ n: fc.integer({ min: 1, max: 9 }), c: fc.integer({ min: 1, max: 9 }), b: fc.integer({ min: 1, max: 9 }) }), {
      minLength: 8,
      maxLength: 8,
    }),
    slabRows: fc.integer({ min: 1, max: 7 }),
  })
  .map(({ kind, ndim, dtype, codec, seed, zeros, dims, slabRows }) => {
    // Keep the array small: later dimensions shrink as the count grows.
    let items = 1;
    const axes = dims.slice(0, ndim).map((d) => {
      const n = items > 2000 ? 1 : Math.min(d.n, Math.max(1, Math.floor(4000 / items)));
      items *= n;
      return { n, c: d.c, b: Math.min(d.b, d.c) };
    });
    return {
      kind,
      shape: axes.map((a) => a.n),
      chunkshape: axes.map((a) => a.c),
      blockshape: axes.map((a) => a.b),
      dtype: dtype[0],
      itemsize: dtype[1],
      codec,
      slabRows,
      seed,
      zeros,
    };
  });

/** The array's bytes: sample data, or zeros in places (special chunks). */
export function caseBytes(c: ArrayCase): Uint8Array {
  const n = c.shape.reduce((p, d) => p * d, 1) * c.itemsize;
  const bytes = sampleBytes(n, c.seed);
  if (c.zeros) bytes.fill(0, 0, Math.floor(n / 2));
  return bytes;
}

/** The frame of a case, written by the route its kind names. */
export async function caseFrame(c: ArrayCase, bytes: Uint8Array): Promise<Uint8Array> {
  const cparams = coreCParams({ codec: c.codec, clevel: 5, nthreads: 1 }, c.itemsize);
  const req = { data: bytes, shape: c.shape, itemsize: c.itemsize, dtype: c.dtype, jsKind: '', cparams };
  if (c.kind === 'tiled') return referenceAddon.encodeTiledReference({ ...req, chunkshape: c.chunkshape, blockshape: c.blockshape });
  if (c.kind === 'ours') {
    // Our contiguous geometry, with chunks small enough that there are several.
    const chunkBytes = Math.max(c.itemsize, Math.floor(bytes.byteLength / 3));
    return referenceAddon.assembleFrame({ ...req, ...referenceAddon.planGeometry({ ...req, chunkBytes }) });
  }
  const rowBytes = bytes.byteLength / (c.shape[0] as number);
  const slabs: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += c.slabRows * rowBytes) slabs.push(bytes.subarray(at, at + c.slabRows * rowBytes));
  return packChunks(slabs, {
    shape: [null, ...c.shape.slice(1)],
    dtype: c.dtype,
    codec: c.codec,
    nthreads: 1,
    chunkshape: c.chunkshape,
    blockshape: c.blockshape,
  });
}

const indexArb = (n: number): fc.Arbitrary<number> => fc.integer({ min: -n, max: n - 1 });
const boundArb = (n: number): fc.Arbitrary<number | null> =>
  fc.oneof(fc.constant(null), fc.integer({ min: -n - 3, max: n + 3 }), fc.constantFrom(-1e9, 1e9));
const rangeArb = (n: number): fc.Arbitrary<Range> =>
  fc
    .tuple(
      boundArb(n),
      boundArb(n),
      fc.oneof(
        fc.constant(null),
        fc.integer({ min: -5, max: 5 }).filter((s) => s !== 0),
      ),
    )
    .map(([a, b, s]) => [a, b, s] as Range);

/** A selection of a shape: per leading dimension an index, a range or null. */
export function selectionArb(shape: readonly number[]): fc.Arbitrary<Selection> {
  const item = (n: number): fc.Arbitrary<SelectionItem> => fc.oneof(indexArb(n), rangeArb(n), fc.constant(null));
  return fc.integer({ min: 0, max: shape.length }).chain((k) => fc.tuple(...shape.slice(0, k).map(item)));
}

/** The selection taken from the whole array, item by item. */
export function referenceSelect(bytes: Uint8Array, shape: readonly number[], itemsize: number, selection: Selection): Uint8Array {
  const r = resolveSelection(selection, shape);
  const out = new Uint8Array(r.count.reduce((p, n) => p * n, 1) * itemsize);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, n) => p * n, 1));
  const k = r.count.map(() => 0);
  for (let o = 0; o * itemsize < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++)
      src += ((r.start[d] as number) + (k[d] as number) * (r.step[d] as number)) * (strides[d] as number);
    out.set(bytes.subarray(src * itemsize, (src + 1) * itemsize), o * itemsize);
    for (let d = shape.length - 1; d >= 0; d--) {
      k[d] = (k[d] as number) + 1;
      if ((k[d] as number) < (r.count[d] as number)) break;
      k[d] = 0;
    }
  }
  return out;
}

/** How many chunks a selection touches, counted from the chunk grid. */
export function touchedChunks(shape: readonly number[], chunkshape: readonly number[], selection: Selection): number {
  const r = resolveSelection(selection, shape);
  let n = 1;
  for (let d = 0; d < shape.length; d++) {
    const seen = new Set<number>();
    for (let k = 0; k < (r.count[d] as number); k++)
      seen.add(Math.floor(((r.start[d] as number) + k * (r.step[d] as number)) / (chunkshape[d] as number)));
    n *= seen.size;
  }
  return n;
}

/** A range reader over bytes in memory that counts what it serves. */
export function countingReader(bytes: Uint8Array): { read: (offset: number, length: number) => Promise<Uint8Array>; served: () => number } {
  let served = 0;
  return {
    read: (offset, length) => {
      const part = bytes.subarray(offset, offset + length);
      served += part.byteLength;
      return Promise.resolve(part);
    },
    served: () => served,
  };
}

/** The items of a view as numbers (tests hold no 64-bit integers here). */
export function nums(view: ArrayLike<number | bigint>): number[] {
  return Array.from(view as ArrayLike<number>);
}

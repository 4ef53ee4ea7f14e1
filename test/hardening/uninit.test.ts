// "Uninitialized" special chunks (python-blosc2's blosc2.empty / uninit) carry
// no data: every decode path must hand back zeros for them, never whatever the
// memory held before.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NDArray, compress, decompress, decompressAsync, unpack, unpackAsync, cbufferInfo } from '../../src/index';
import { ext42, specialChunk } from '../support/bytes';
import { FIXTURES } from '../support/child';

const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

/**
 * Leaves freed heap blocks full of 0xAB (native scratch buffers of the same
 * sizes the decoders use), so stale memory would show up as non-zero bytes.
 */
function dirtyTheHeap(): void {
  const junk = new Uint8Array(64 * 1024).fill(0xab);
  for (let i = 0; i < 20; i++) decompress(compress(junk.subarray(0, 1024 * (1 + i)), { clevel: 1 }));
}

/**
 * A chunk header claiming `nbytes` of the "uninitialized" special kind
 * (FORMAT.md; C-Blosc2 README_CHUNK_FORMAT), on the header our own compress
 * writes for a few zero items.
 */
function uninitChunk(nbytes: number, typesize = 4): Buffer {
  return specialChunk('uninit', nbytes, { template: compress(new Uint8Array(typesize * 4), { typesize }) });
}

describe('uninitialized special chunks decode to zeros', () => {
  it('a non-contiguous b2nd frame (python-blosc2 geometry) of uninit chunks', () => {
    // Regression: b2nd_to_cbuffer copied its never-written scratch buffer out
    // (heap bytes in the result); DecodeTiled decodes uninit chunks as zeros (DoDecompress).
    for (let round = 0; round < 5; round++) {
      dirtyTheHeap();
      const value = unpack(ext42(fixture('hardening-uninit-2d.b2frame')));
      expect(value).toBeInstanceOf(NDArray);
      const arr = value as NDArray<Int32Array>;
      expect(arr.shape).toEqual([30, 50]);
      expect(arr.data.every((x) => x === 0)).toBe(true);
    }
  });

  it('the same frame through unpackAsync', async () => {
    dirtyTheHeap();
    const arr = (await unpackAsync(ext42(fixture('hardening-uninit-2d.b2frame')))) as NDArray<Int32Array>;
    expect(arr.data.length).toBe(1500);
    expect(arr.data.every((x) => x === 0)).toBe(true);
  });

  it('a contiguous-geometry frame of uninit chunks (padded edge chunk)', () => {
    dirtyTheHeap();
    const arr = unpack(ext42(fixture('hardening-uninit-1d.b2frame'))) as NDArray<Float64Array>;
    expect(arr.shape).toEqual([1000]);
    expect(arr.data.every((x) => x === 0)).toBe(true);
  });

  it('frames with real data next to them still decode exactly', () => {
    const arr = unpack(ext42(fixture('hardening-arange-2d.b2frame'))) as NDArray<Int32Array>;
    expect(Array.from(arr.data)).toEqual(Array.from({ length: 1500 }, (_, i) => i));
  });

  it('a plain uninit chunk into a fresh Buffer and into a dirty out buffer', async () => {
    const chunk = uninitChunk(4000);
    expect(cbufferInfo(chunk).special).toBe('uninit');
    dirtyTheHeap();
    expect(decompress(chunk).every((x) => x === 0)).toBe(true);
    const out = new Uint8Array(5000).fill(0xcd);
    decompress(chunk, { out });
    expect(out.subarray(0, 4000).every((x) => x === 0)).toBe(true);
    expect(out.subarray(4000).every((x) => x === 0xcd)).toBe(true);
    const outAsync = new Uint8Array(4000).fill(0xcd);
    await decompressAsync(chunk, { out: outAsync });
    expect(outAsync.every((x) => x === 0)).toBe(true);
  });
});

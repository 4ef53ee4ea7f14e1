// Random access and the chunk-by-chunk writer on the WebAssembly backend
// (src/backend/wasm-random-access.ts over native/wasm/random_access.cc),
// request by request beside the addon: frames opened in pieces, slices from
// chunks read apart that write only their parts of out (the wasm side copies
// back only those), a writer's chunk row kept across calls, handles refused
// once finished or of the wrong kind, requests built wrongly, and memory that
// does not grow over many opened frames and writers.
import { describe, expect, it } from 'vitest';
import { type Backend, type FrameSliceFromChunks, backend as native } from '../src/backend';
import { WASM_FILE, loadWasm } from '../src/backend/load-wasm';
import type { WasmBackend } from '../src/backend/wasm';
import { packChunks } from '../src/index';
import { coreCParams } from './support/reference-addon';
import { catchBlosc2Error } from './support/errors';

const wasm = loadWasm(WASM_FILE) as WasmBackend;
const backends: Array<[string, Backend]> = [
  ['native', native],
  ['wasm', wasm],
];

// 12 x 100 float64 in chunks of 4 rows: three chunks.
const grid = Float64Array.from({ length: 1200 }, (_, i) => i);
const gridFrame = () =>
  packChunks([grid], { shape: [12, 100], dtype: '<f8', chunkshape: [4, 100], blockshape: [1, 100], nthreads: 1, codec: 'zstd' });

/** The failure of fn as code and message, the backend's name in bad-request messages made alike. */
function failure(fn: () => unknown): string {
  const err = catchBlosc2Error(fn);
  return `${err.code}: ${err.message.replace('the native addon', 'the wasm core')}`;
}

/** A frame opened from its pieces and indexed, as openFrame(reader) does. */
function openInPieces(b: Backend, frame: Uint8Array) {
  const layout = b.frameProbe({ prefix: frame.subarray(0, 1024) });
  const tail = frame.subarray(layout.indexOffset);
  const info = b.frameOpenParts({ header: frame.subarray(0, layout.headerLength), tail, frameLength: layout.frameLength });
  b.frameIndex({ handle: info.handle, index: tail, maxChunks: 1000 });
  return { layout, info };
}

describe('random access on the wasm backend, beside the addon', () => {
  it('frames opened in pieces: the same layout, attributes, plan and slices; decoded whole from the bytes given', async () => {
    const frame = await gridFrame();
    const seen = backends.map(([, b]) => {
      const { layout, info } = openInPieces(b, frame);
      const plan = b.frameSlicePlan({ handle: info.handle, start: [1, 0], step: [4, 1], count: [3, 100] });
      const chunks = plan.offsets.map((o, i) => frame.subarray(o, o + (plan.lengths[i] as number)));
      const out = new Float64Array(300);
      b.frameSlice({
        handle: info.handle,
        chunkIds: plan.chunks,
        chunks,
        start: [1, 0],
        step: [4, 1],
        count: [3, 100],
        out,
        nthreads: 1,
        threadsBySize: false,
      });
      const whole = new Float64Array(1200);
      b.frameDecode({ frame, handle: info.handle, out: whole, nthreads: 1, threadsBySize: false });
      b.frameClose(info.handle);
      const attributes = { ...info, handle: undefined, b2o: Array.from(info.b2o) };
      return { layout, attributes, plan, out: Array.from(out), whole: Array.from(whole) };
    });
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[1]?.plan.chunks).toEqual([0, 1, 2]);
    expect(seen[1]?.out.slice(0, 3)).toEqual([100, 101, 102]);
    expect(seen[1]?.whole).toEqual(Array.from(grid));
  });

  it('a slice from chunks read apart writes only the parts of out those chunks hold', async () => {
    const frame = await gridFrame();
    const outs = backends.map(([, b]) => {
      const { info } = openInPieces(b, frame);
      const sel = { start: [11, 10], step: [-1, 3], count: [12, 10] };
      const plan = b.frameSlicePlan({ handle: info.handle, ...sel });
      const out = new Float64Array(120).fill(-1);
      // Only chunk 1 (rows 4 to 7): rows 7..4 of the result, reversed.
      const at = plan.chunks.indexOf(1);
      const bytes = frame.subarray(plan.offsets[at], (plan.offsets[at] as number) + (plan.lengths[at] as number));
      const req: FrameSliceFromChunks = {
        handle: info.handle,
        chunkIds: [1],
        chunks: [bytes],
        ...sel,
        out,
        nthreads: 1,
        threadsBySize: false,
      };
      b.frameSlice(req);
      return Array.from(out);
    });
    expect(outs[1]).toEqual(outs[0]);
    const wasmOut = outs[1] as number[];
    const rows = Array.from({ length: 12 }, (_, r) => wasmOut.slice(r * 10, r * 10 + 10));
    expect(rows.filter((r) => r.every((v) => v === -1))).toHaveLength(8);
    expect(rows[4]).toEqual(Array.from({ length: 10 }, (_, k) => 700 + 10 + 3 * k)); // result row 4 is array row 7
    expect(rows[7]?.[0]).toBe(410);
  });

  it('frame writers: a chunk row over several calls, the same frame as the addon, refused once finished', () => {
    const cparams = coreCParams({ codec: 'lz4', clevel: 5, nthreads: 1 }, 4);
    const data = Float32Array.from({ length: 6 * 8 }, (_, i) => i % 13);
    const written = backends.map(([, b]) => {
      const w = b.frameWriterOpen({
        shape: [-1, 8],
        itemsize: 4,
        dtype: '<f4',
        jsKind: '',
        cparams,
        chunkshape: [4, 2],
        blockshape: [2, 2],
      });
      expect([w.chunksPerRow, w.chunkRows, w.rowBytes]).toEqual([4, 4, 32]);
      const out = new Uint8Array(w.chunkBound);
      const chunks: Uint8Array[] = [];
      const errors: string[] = [];
      for (const rows of [new Uint8Array(data.buffer, 0, 128), new Uint8Array(data.buffer, 128, 64)]) {
        for (let call = 0; call < 4; call++) {
          const n = b.frameWriterAppend({ handle: w.handle, rows, out });
          chunks.push(out.slice(0, n));
          // Mid-row, other rows (the same bytes, another view) are refused.
          if (call === 1) errors.push(failure(() => b.frameWriterAppend({ handle: w.handle, rows: rows.slice(), out })));
        }
      }
      const done = b.frameWriterFinish({ handle: w.handle });
      errors.push(failure(() => b.frameWriterAppend({ handle: w.handle, rows: new Uint8Array(32), out })));
      errors.push(failure(() => b.frameWriterFinish({ handle: w.handle })));
      const frame = Buffer.concat([done.header, ...chunks, done.tail]);
      const info = b.frameOpen({ frame });
      const back = new Float32Array(48);
      b.frameDecode({ frame, handle: info.handle, out: back, nthreads: 1, threadsBySize: false });
      b.frameClose(info.handle);
      return {
        placeholder: w.header.length,
        rows: done.rows,
        frameLength: done.frameLength,
        frame: frame.length,
        back: Array.from(back),
        errors,
      };
    });
    expect(written[1]).toEqual(written[0]);
    expect(written[1]?.back).toEqual(Array.from(data));
    expect(written[1]?.errors).toEqual([
      'ERR_INVALID_ARG: the chunk row in progress must be passed again until it is done',
      'ERR_INVALID_ARG: the chunk row in progress must be passed again until it is done',
      'ERR_INVALID_ARG: the writer is not open',
      'ERR_INVALID_ARG: the writer is not open',
    ]);
  });

  it('requests built wrongly are the addon ERR_INVALID_ARG, with its message', async () => {
    const frame = await gridFrame();
    const cparams = coreCParams({ codec: 'lz4' }, 8);
    const seen = backends.map(([, b]) => {
      const { info } = openInPieces(b, frame);
      const sel = { start: [0, 0], step: [1, 1], count: [1, 100] };
      const out = new Float64Array(100);
      const writer = b.frameWriterOpen({ shape: [-1, 4], itemsize: 8, dtype: '<f8', jsKind: '', cparams });
      return [
        failure(() => b.frameSlice({ handle: info.handle, ...sel, out, nthreads: 1, threadsBySize: false } as never)),
        failure(() =>
          b.frameSlice({ handle: info.handle, ...sel, chunkIds: ['0'], chunks: [frame], out, nthreads: 1, threadsBySize: false } as never),
        ),
        failure(() => b.frameSlicePlan({ handle: info.handle, start: [0, 0], step: [1], count: [1, 1] })),
        failure(() => b.frameSlicePlan({ handle: info.handle, start: [0, 'a'], step: [1, 1], count: [1, 1] } as never)),
        failure(() => b.frameSlicePlan({ handle: {}, ...sel })),
        failure(() =>
          b.frameSlice({ handle: info.handle, ...sel, chunkIds: [7], chunks: [frame], out, nthreads: 1, threadsBySize: false }),
        ),
        failure(() =>
          b.frameSlice({
            handle: info.handle,
            ...sel,
            chunkIds: [0],
            chunks: [frame],
            out: new Float64Array(3),
            nthreads: 1,
            threadsBySize: false,
          }),
        ),
        failure(() => b.frameIndex({ handle: info.handle, index: frame, maxChunks: 10 })),
        failure(() => b.frameWriterOpen({ shape: [-1, 4], itemsize: 8, dtype: '<f8', jsKind: '', cparams, chunkshape: [2] })),
        failure(() => b.frameWriterOpen({ shape: [-1, 4], itemsize: 8, dtype: '<f8', jsKind: '', cparams, chunkshape: [2, 0] })),
        failure(() =>
          b.frameWriterOpen({ shape: [-1, 4], itemsize: 8, dtype: '<f8', jsKind: '', cparams, chunkshape: [2, 4], blockshape: [4, 4] }),
        ),
        failure(() => b.frameWriterAppend({ handle: writer.handle, rows: new Uint8Array(33), out: new Uint8Array(writer.chunkBound) })),
        failure(() => b.frameWriterAppend({ handle: writer.handle, rows: new Uint8Array(32), out: new Uint8Array(8) })),
        failure(() => b.frameProbe({ prefix: frame.subarray(0, 40) })),
        failure(() => b.frameOpenParts({ header: frame.subarray(0, 100), tail: frame.subarray(200), frameLength: frame.length })),
      ];
    });
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[1]?.every((s) => /^ERR_(INVALID_ARG|CORRUPT|OUTPUT_TOO_SMALL): /.test(s))).toBe(true);
    // A handle of the other kind (the addon cannot tell its Externals apart: not asked of it here).
    const { info } = openInPieces(wasm, frame);
    expect(failure(() => wasm.frameWriterAppend({ handle: info.handle, rows: new Uint8Array(32), out: new Uint8Array(1024) }))).toBe(
      'ERR_INVALID_ARG: internal: bad request to the wasm core: handle must come from frameWriterOpen',
    );
    wasm.frameClose(info.handle);
    expect(failure(() => wasm.frameSlicePlan({ handle: info.handle, start: [0, 0], step: [1, 1], count: [1, 1] }))).toMatch(
      /handle must come from frameOpen or frameOpenParts \(this one is closed\)$/,
    );
  });

  it('memory does not grow over many frames opened, sliced and closed, and writers finished', async () => {
    const frame = await gridFrame();
    const cparams = coreCParams({ codec: 'zstd', nthreads: 1 }, 8);
    const cycle = () => {
      const whole = wasm.frameOpen({ frame });
      wasm.frameIndex({ handle: whole.handle, index: frame.subarray(whole.indexOffset), maxChunks: 100 });
      wasm.frameSlice({
        handle: whole.handle,
        frame,
        start: [3, 0],
        step: [2, 7],
        count: [4, 10],
        out: new Float64Array(40),
        nthreads: 1,
        threadsBySize: false,
      });
      wasm.frameClose(whole.handle);
      const { info } = openInPieces(wasm, frame);
      wasm.frameSlicePlan({ handle: info.handle, start: [0, 0], step: [1, 1], count: [12, 100] });
      wasm.frameClose(info.handle);
      const w = wasm.frameWriterOpen({ shape: [12, 100], itemsize: 8, dtype: '<f8', jsKind: '', cparams, chunkshape: [4, 50] });
      const out = new Uint8Array(w.chunkBound);
      for (let r = 0; r < 3; r++) {
        const rows = new Uint8Array(grid.buffer, r * 3200, 3200);
        for (let c = 0; c < w.chunksPerRow; c++) wasm.frameWriterAppend({ handle: w.handle, rows, out });
      }
      wasm.frameWriterFinish({ handle: w.handle });
    };
    for (let i = 0; i < 20; i++) cycle();
    const warm = wasm.memoryBytes();
    for (let i = 0; i < 300; i++) cycle();
    expect(wasm.memoryBytes()).toBe(warm);
  });
});

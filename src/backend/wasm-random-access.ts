/**
 * Random access and the chunk-by-chunk writer on the WebAssembly core
 * (native/wasm/random_access.cc): the calls src/backend/wasm.ts makes inside
 * one instance, with the requests already checked. What differs from the
 * addon is memory: a frame opened by frameOpen is sliced from the copy the
 * handle keeps; chunks read apart are copied in and only the parts of `out`
 * they fill are copied back (a `get` over a range reader fills `out` in
 * several calls); the chunk row a writer is working through is copied in once
 * and kept until the core is done with it.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import type {
  FinishedFrame,
  FrameIndexRequest,
  FrameLayout,
  FrameOpenPartsRequest,
  FrameProbeRequest,
  FrameSlicePlanRequest,
  FrameSliceRequest,
  FrameWriterAppendRequest,
  FrameWriterOpenRequest,
  OpenedFrame,
  OpenedFrameWriter,
  SlicePlan,
  SliceSelection,
} from './types';
import { type WasmFrame, type WasmWriter, closeWriter, liveFrame, liveWriter, newWriter, openedFrame } from './wasm-handles';
import type { Heap } from './wasm-heap';
import {
  FINISHED,
  FRAME,
  type StreamSpec,
  WRITER,
  WRITER2,
  badRequest,
  bytesOf,
  num,
  readSelection,
  readStreamSpec,
  threads,
  view,
  writeSelection,
  writeStreamSpec,
} from './wasm-requests';

/** What these calls need of the backend: a call on its live instance, and that instance (for handles). */
export interface Core {
  run<T>(fn: (heap: Heap) => T): T;
  live(): Heap | null;
}

// The requests, checked in the order native/addon/random_access.cc checks them.

export function frameProbe(core: Core, req: FrameProbeRequest): FrameLayout {
  const prefix = view(req, 'prefix');
  return core.run((heap) => probe(heap, prefix));
}

export function frameOpenParts(core: Core, req: FrameOpenPartsRequest): OpenedFrame {
  const header = view(req, 'header');
  const tail = view(req, 'tail');
  const frameLength = num(req, 'frameLength');
  return core.run((heap) => openParts(heap, header, tail, frameLength));
}

export function frameIndex(core: Core, req: FrameIndexRequest): void {
  const frame = liveFrame(req.handle, core.live());
  const maxChunks = num(req, 'maxChunks');
  const index = view(req, 'index');
  core.run((heap) => loadIndex(heap, frame, index, maxChunks));
}

export function frameSlicePlan(core: Core, req: FrameSlicePlanRequest): SlicePlan {
  const frame = liveFrame(req.handle, core.live());
  const sel = readSelection(req);
  return core.run((heap) => slicePlan(heap, frame, sel));
}

export function frameSlice(core: Core, req: FrameSliceRequest): void {
  const frame = liveFrame(req.handle, core.live());
  const sel = readSelection(req);
  const out = view(req, 'out');
  threads(req);
  if ((req as { frame?: unknown }).frame !== undefined) {
    const bytes = view(req, 'frame');
    core.run((heap) => sliceInMemory(heap, frame, bytes, sel, out));
    return;
  }
  const { chunkIds, chunks } = req as { chunkIds?: unknown; chunks?: unknown };
  if (!Array.isArray(chunkIds) || !Array.isArray(chunks) || chunkIds.length !== chunks.length) {
    throw badRequest('frameSlice needs frame, or chunkIds and chunks of one length');
  }
  const ids: number[] = [];
  const views: Uint8Array[] = [];
  chunkIds.forEach((id: unknown, i) => {
    if (typeof id !== 'number') throw badRequest('chunkIds must hold numbers');
    ids.push(id);
    views.push(bytesOf(chunks[i], 'chunks[i]'));
  });
  core.run((heap) => sliceChunks(heap, frame, sel, ids, views, out));
}

export function frameWriterOpen(core: Core, req: FrameWriterOpenRequest): OpenedFrameWriter {
  const spec = readStreamSpec(req);
  return core.run((heap) => writerOpen(heap, spec));
}

export function frameWriterAppend(core: Core, req: FrameWriterAppendRequest): number {
  const writer = liveWriter(req.handle, core.live());
  const rows = view(req, 'rows');
  const out = view(req, 'out');
  if (writer.finished) throw notOpen();
  return core.run((heap) => writerAppend(heap, writer, rows, out));
}

export function frameWriterFinish(core: Core, req: { handle: unknown }): FinishedFrame {
  const writer = liveWriter(req.handle, core.live());
  if (writer.finished) throw notOpen();
  return core.run((heap) => writerFinish(heap, writer));
}

/** What the core says of a writer it has finished (its StreamWriter is freed here by then). */
function notOpen(): Blosc2Error {
  return new Blosc2Error('the writer is not open', 'ERR_INVALID_ARG');
}

// The calls, on the live instance.

function probe(heap: Heap, prefix: Uint8Array): FrameLayout {
  const layout = heap.scratch(24);
  heap.check(heap.ex.b2_frame_probe(heap.copyIn(prefix), prefix.byteLength, layout));
  return { headerLength: heap.f64(layout), frameLength: heap.f64(layout + 8), indexOffset: heap.f64(layout + 16) };
}

function openParts(heap: Heap, header: Uint8Array, tail: Uint8Array, frameLength: number): OpenedFrame {
  const info = heap.scratch(FRAME.size);
  const h = heap.copyIn(header);
  const t = heap.copyIn(tail);
  heap.check(heap.ex.b2_frame_open_parts(h, header.byteLength, t, tail.byteLength, frameLength, info));
  return openedFrame(heap, info, 0, frameLength);
}

function loadIndex(heap: Heap, frame: WasmFrame, index: Uint8Array, maxChunks: number): void {
  heap.check(heap.ex.b2_frame_index(frame.meta, heap.copyIn(index), index.byteLength, maxChunks));
}

function slicePlan(heap: Heap, frame: WasmFrame, sel: SliceSelection): SlicePlan {
  const result = heap.scratch(8);
  heap.check(heap.ex.b2_frame_slice_plan(frame.meta, writeSelection(heap, sel), result, result + 4));
  const data = heap.u32(result);
  heap.own(data);
  const n = heap.u32(result + 4);
  const column = (i: number) => Array.from({ length: n }, (_, k) => heap.f64(data + 8 * (i * n + k)));
  return { chunks: column(0), offsets: column(1), lengths: column(2) };
}

/** From the frame in memory: the handle's copy when it is that frame's (else bytes, copied in); all of out is written. */
function sliceInMemory(heap: Heap, frame: WasmFrame, bytes: Uint8Array, sel: SliceSelection, out: Uint8Array): void {
  const s = writeSelection(heap, sel);
  const outPtr = heap.alloc(out.byteLength);
  const src = frame.framePtr !== 0 && bytes.byteLength === frame.length ? frame.framePtr : heap.copyIn(bytes);
  heap.check(heap.ex.b2_frame_slice(frame.meta, src, bytes.byteLength, s, outPtr, out.byteLength));
  out.set(heap.bytes(outPtr, out.byteLength));
}

/** From chunks read apart: only the boxes of out that they fill are copied back. */
function sliceChunks(heap: Heap, frame: WasmFrame, sel: SliceSelection, ids: number[], chunks: Uint8Array[], out: Uint8Array): void {
  const n = ids.length;
  const s = writeSelection(heap, sel);
  const idsPtr = heap.scratch(8 * n);
  const views = heap.scratch(8 * n);
  const boxes = heap.scratch(8 * 16 * n + 4);
  const outPtr = heap.alloc(out.byteLength);
  chunks.forEach((c, i) => {
    heap.setF64(idsPtr + 8 * i, ids[i] as number);
    const p = heap.copyIn(c);
    heap.setU32(views + 8 * i, p);
    heap.setU32(views + 8 * i + 4, c.byteLength);
  });
  const ndimPtr = boxes + 8 * 16 * n;
  heap.check(heap.ex.b2_frame_slice_chunks(frame.meta, s, idsPtr, views, n, outPtr, out.byteLength, boxes, ndimPtr));
  const nd = heap.i32(ndimPtr);
  const counts = sel.count.length > 0 ? [...sel.count] : [1];
  const items = counts.reduce((a, b) => a * b, 1);
  if (items === 0 || counts.length !== nd) return;
  const from = heap.bytes(outPtr, out.byteLength);
  const item = out.byteLength / items;
  for (let i = 0; i < n; i++) {
    const at = boxes + 8 * 2 * nd * i;
    const k0 = Array.from({ length: nd }, (_, d) => heap.f64(at + 8 * d));
    const k1 = Array.from({ length: nd }, (_, d) => heap.f64(at + 8 * (nd + d)));
    copyBox(from, out, counts, k0, k1, item);
  }
}

/**
 * Copies the box [k0, k1) of a C-order array of `counts` items (`item` bytes
 * each) from one buffer to the same place in another: one run per position of
 * the outer axes, the inner axes that the box spans whole merged into it.
 */
function copyBox(from: Uint8Array, to: Uint8Array, counts: number[], k0: number[], k1: number[], item: number): void {
  const nd = counts.length;
  const stride = new Array<number>(nd);
  for (let d = nd - 1, s = item; d >= 0; d--) {
    stride[d] = s;
    s *= counts[d] as number;
  }
  if (k0.some((k, d) => k >= (k1[d] as number))) return;
  let inner = nd - 1;
  while (inner > 0 && k0[inner] === 0 && k1[inner] === counts[inner]) inner--;
  const run = ((k1[inner] as number) - (k0[inner] as number)) * (stride[inner] as number);
  const at = k0.slice(0, inner);
  for (;;) {
    let offset = (k0[inner] as number) * (stride[inner] as number);
    for (let d = 0; d < inner; d++) offset += (at[d] as number) * (stride[d] as number);
    to.set(from.subarray(offset, offset + run), offset);
    let d = inner - 1;
    for (; d >= 0; d--) {
      at[d] = (at[d] as number) + 1;
      if ((at[d] as number) < (k1[d] as number)) break;
      at[d] = k0[d] as number;
    }
    if (d < 0) return;
  }
}

function writerOpen(heap: Heap, spec: StreamSpec): OpenedFrameWriter {
  const info = heap.scratch(WRITER.size);
  heap.check(heap.ex.b2_frame_writer_open(writeStreamSpec(heap, spec), info));
  const handle = newWriter(heap, heap.u32(info + WRITER.handle));
  const ndim = heap.i32(info + WRITER.ndim);
  const dims = (at: number) => Array.from({ length: ndim }, (_, i) => heap.i32(info + at + 4 * i));
  return {
    chunkshape: dims(WRITER.chunkshape),
    blockshape: dims(WRITER.blockshape),
    rowBytes: heap.f64(info + WRITER2.rowBytes),
    chunkRows: heap.f64(info + WRITER2.chunkRows),
    chunksPerRow: heap.f64(info + WRITER2.chunksPerRow),
    chunkBound: heap.f64(info + WRITER2.chunkBound),
    header: heap.bytes(heap.u32(info + WRITER.header), heap.u32(info + WRITER.headerLength)).slice(),
    handle,
  };
}

/**
 * The core keeps a pointer to the chunk row in progress and wants the same
 * one again until the row is done: the row is copied in on the call that
 * starts it and kept (writer.memory.row) until a call ends it.
 */
function writerAppend(heap: Heap, writer: WasmWriter, rows: Uint8Array, out: Uint8Array): number {
  const src = writer.rowSource;
  const same = src !== null && src.buffer === rows.buffer && src.byteOffset === rows.byteOffset && src.byteLength === rows.byteLength;
  const outPtr = heap.alloc(out.byteLength);
  const result = heap.scratch(16);
  const memory = writer.memory;
  let fresh = same ? 0 : heap.copyIn(rows, true);
  const status = heap.ex.b2_frame_writer_append(
    memory.writer,
    same ? memory.row : fresh,
    rows.byteLength,
    outPtr,
    out.byteLength,
    result,
    result + 8,
  );
  const inRow = heap.i32(result + 8) !== 0;
  if (inRow && memory.row === 0) {
    // This call started a row: the core holds the fresh copy.
    memory.row = fresh;
    writer.rowSource = { buffer: rows.buffer, byteOffset: rows.byteOffset, byteLength: rows.byteLength };
    fresh = 0;
  } else if (!inRow && memory.row !== 0) {
    heap.ex.free(memory.row);
    memory.row = 0;
    writer.rowSource = null;
  }
  heap.ex.free(fresh);
  heap.check(status);
  const written = heap.f64(result);
  out.set(heap.bytes(outPtr, written));
  return written;
}

/** The real header and the tail; the writer's memory is freed once it is finished. */
function writerFinish(heap: Heap, writer: WasmWriter): FinishedFrame {
  const r = heap.scratch(FINISHED.size);
  heap.check(heap.ex.b2_frame_writer_finish(writer.memory.writer, r));
  const data = heap.u32(r + FINISHED.data);
  heap.own(data);
  const headerLength = heap.u32(r + FINISHED.headerLength);
  const done = {
    header: heap.bytes(data, headerLength).slice(),
    tail: heap.bytes(data + headerLength, heap.u32(r + FINISHED.tailLength)).slice(),
    frameLength: heap.f64(r + FINISHED.frameLength),
    cbytes: heap.f64(r + FINISHED.cbytes),
    rows: heap.f64(r + FINISHED.rows),
  };
  closeWriter(writer);
  return done;
}

/**
 * The handles the WebAssembly backend gives out, and what each holds in wasm
 * memory: an opened frame (its FrameMeta, and for frameOpen a copy of the
 * frame's bytes) and a frame writer (its StreamWriter, and a copy of the chunk
 * row in progress). Each is freed by frameClose or frameWriterFinish, or when
 * it is collected unclosed (a FinalizationRegistry), and counts as open in its
 * instance until then (an instance holding open handles is never dropped).
 * @internal
 * @packageDocumentation
 */
import type { OpenedFrame } from './types';
import type { Heap } from './wasm-heap';
import { FRAME, FRAME2, FRAME3, badRequest } from './wasm-requests';

/** The handle of an opened frame. */
export class WasmFrame {
  closed = false;
  constructor(
    readonly heap: Heap,
    /** The frame's bytes in wasm memory; 0 for frameOpenParts (no bytes: the caller passes them). */
    readonly framePtr: number,
    readonly length: number,
    readonly meta: number,
  ) {}
}

/** What a frame writer holds in wasm memory (shared with its FinalizationRegistry entry). */
interface WriterMemory {
  readonly writer: number;
  /** The copy of the chunk row in progress, or 0. */
  row: number;
}

/** The handle of a frame writer. */
export class WasmWriter {
  /** Finished (or closed): its StreamWriter is freed. */
  finished = false;
  /** The view the row copy was made from: the rows the core wants again until the row is done. */
  rowSource: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } | null = null;
  constructor(
    readonly heap: Heap,
    readonly memory: WriterMemory,
  ) {}
}

const frames = new FinalizationRegistry<{ heap: Heap; framePtr: number; meta: number }>(({ heap, framePtr, meta }) => {
  heap.release(framePtr, meta);
});

const writers = new FinalizationRegistry<{ heap: Heap; memory: WriterMemory }>(({ heap, memory }) => {
  heap.releaseWriter(memory.writer, memory.row);
});

/** The OpenedFrame the core wrote at info, with a new handle over meta (and the frame's bytes at framePtr, kept). */
export function openedFrame(heap: Heap, info: number, framePtr: number, length: number): OpenedFrame {
  const handle = new WasmFrame(heap, framePtr, length, heap.u32(info + FRAME.handle));
  heap.openHandles++;
  frames.register(handle, { heap, framePtr, meta: handle.meta }, handle);
  const ndim = heap.i32(info + FRAME.ndim);
  const dims = (at: number, f: (p: number) => number, size: number) => Array.from({ length: ndim }, (_, i) => f(info + at + size * i));
  return {
    shape: dims(FRAME.shape, (p) => heap.f64(p), 8),
    chunkshape: dims(FRAME.chunkshape, (p) => heap.i32(p), 4),
    blockshape: dims(FRAME.blockshape, (p) => heap.i32(p), 4),
    typesize: heap.i32(info + FRAME.typesize),
    dtype: heap.string(heap.u32(info + FRAME2.dtype)),
    jsKind: heap.string(heap.u32(info + FRAME2.jsKind)),
    b2nd: heap.i32(info + FRAME2.b2nd) !== 0,
    nchunks: heap.f64(info + FRAME2.nchunks),
    chunksize: heap.i32(info + FRAME.chunksize),
    nbytes: heap.f64(info + FRAME2.nbytes),
    contiguous: heap.i32(info + FRAME2.contiguous) !== 0,
    rawOffset: heap.f64(info + FRAME2.rawOffset),
    cbytes: heap.f64(info + FRAME3.cbytes),
    frameLength: heap.f64(info + FRAME3.frameLength),
    headerLength: heap.f64(info + FRAME3.headerLength),
    indexOffset: heap.f64(info + FRAME3.indexOffset),
    metalayers: names(heap, handle.meta, 0),
    vlmetalayers: names(heap, handle.meta, 1),
    b2o: b2o(heap, handle.meta),
    handle,
  };
}

/** A frame handle that may be used on heap (the live instance), or the addon's bad-request error. */
export function liveFrame(handle: unknown, heap: Heap | null): WasmFrame {
  if (!(handle instanceof WasmFrame) || handle.closed || handle.heap !== heap || handle.heap.broken) {
    const closed = handle instanceof WasmFrame && handle.closed ? ' (this one is closed)' : '';
    throw badRequest(`handle must come from frameOpen or frameOpenParts${closed}`);
  }
  return handle;
}

export function closeFrame(handle: unknown): void {
  if (!(handle instanceof WasmFrame) || handle.closed) return;
  handle.closed = true;
  frames.unregister(handle);
  handle.heap.release(handle.framePtr, handle.meta);
}

/** A new writer handle over the core's StreamWriter. */
export function newWriter(heap: Heap, writer: number): WasmWriter {
  const handle = new WasmWriter(heap, { writer, row: 0 });
  heap.openHandles++;
  writers.register(handle, { heap, memory: handle.memory }, handle);
  return handle;
}

/** A writer handle that may be used on heap (finished ones too: the core's "not open" is theirs). */
export function liveWriter(handle: unknown, heap: Heap | null): WasmWriter {
  if (!(handle instanceof WasmWriter) || (!handle.finished && (handle.heap !== heap || handle.heap.broken))) {
    throw badRequest('handle must come from frameWriterOpen');
  }
  return handle;
}

/** Frees what a writer holds once it is finished. */
export function closeWriter(handle: WasmWriter): void {
  if (handle.finished) return;
  handle.finished = true;
  writers.unregister(handle);
  handle.heap.releaseWriter(handle.memory.writer, handle.memory.row);
  handle.memory.row = 0;
  handle.rowSource = null;
}

/** The names of an opened frame's fixed (vl 0) or variable-length (vl 1) metalayers. */
function names(heap: Heap, meta: number, vl: number): string[] {
  const out: string[] = [];
  for (let p = heap.ex.b2_frame_metalayer(meta, vl, 0); p !== 0; p = heap.ex.b2_frame_metalayer(meta, vl, out.length)) {
    out.push(heap.string(p));
  }
  return out;
}

/** A copy of an opened frame's "b2o" metalayer (empty without one). */
function b2o(heap: Heap, meta: number): Uint8Array {
  const length = heap.scratch(4);
  const p = heap.ex.b2_frame_b2o(meta, length);
  return heap.bytes(p, heap.u32(length)).slice();
}

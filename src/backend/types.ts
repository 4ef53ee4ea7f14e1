/**
 * The seam between the TypeScript layer and the compiled core: one interface,
 * one named request type per call, so that the Node-API addon and any other
 * build of the same C/C++ core (WebAssembly) are interchangeable. Requests are
 * validated once, before they are made (src/params.ts, src/views.ts); a backend
 * checks only what memory safety needs.
 * @internal
 * @packageDocumentation
 */

/** Compression parameters as the core reads them: every field set, filters as C-Blosc2's six pipeline slots. */
export interface CoreCParams {
  clevel: number;
  /** C-Blosc2 codec id (BLOSC_LZ4 = 1, ...). */
  codec: number;
  typesize: number;
  /** Threads: exactly this many, or with {@link CoreCParams.threadsBySize} at most this many. */
  nthreads: number;
  /** The caller gave no count: the core picks one by the size of each call (native/threads.cc). */
  threadsBySize: boolean;
  /** 0: C-Blosc2 chooses. */
  blocksize: number;
  splitmode: number;
  /** Six filter ids, in pipeline order (0 = none). */
  filters: readonly number[];
  /** Six metadata bytes, one per slot. */
  filtersMeta: readonly number[];
}

/** compress: `src` into `out` (at least `src.byteLength + maxOverhead` bytes). */
export interface CompressRequest {
  src: ArrayBufferView;
  out: ArrayBufferView;
  cparams: CoreCParams;
}

/** decompress: exactly one chunk in `src`, into `out` (at least its nbytes). */
export interface DecompressRequest {
  src: ArrayBufferView;
  out: ArrayBufferView;
  /** As in {@link CoreCParams}. */
  nthreads: number;
  threadsBySize: boolean;
}

/** How much of a chunk `src` must hold: its header, the whole chunk, or exactly the chunk. */
export const HeaderCheck = { HeaderOnly: 0, Within: 1, Exact: 2 } as const;
export type HeaderCheck = (typeof HeaderCheck)[keyof typeof HeaderCheck];

/** chunkInfo: what a chunk header says. */
export interface ChunkInfoRequest {
  src: ArrayBufferView;
  check: HeaderCheck;
}

export interface ChunkInfo {
  nbytes: number;
  cbytes: number;
  blocksize: number;
  typesize: number;
  flags: number;
  /** 0 none, 1 zeros, 2 NaN, 3 repeated value, 4 uninitialized. */
  special: number;
  /** Six filter ids (empty for a header without the extended part). */
  filters: number[];
  filtersMeta: number[];
  /** C-Blosc2's name of the codec's format, or null. */
  complib: string | null;
}

/** An array to frame; the core chooses its chunk and block geometry. */
export interface FrameEncodeRequest {
  /** The array's bytes, in C order. */
  data: ArrayBufferView;
  shape: readonly number[];
  itemsize: number;
  /** NumPy dtype string of the b2nd metalayer. */
  dtype: string;
  /** Our "js" metalayer: the JS class to rebuild, or '' for none. */
  jsKind: string;
  cparams: CoreCParams;
}

/** frameEncode: the frame is copied into allocate(length)'s view once built... */
export interface FrameEncodeAllocate extends FrameEncodeRequest {
  allocate(length: number): Uint8Array;
}

/** ...or its chunks are compressed straight into place(capacity)'s view (at least the worst case). */
export interface FrameEncodePlace extends FrameEncodeRequest {
  place(capacity: number): Uint8Array;
}

/** frameEncodeAsync: the frame is written on the pool into `into` (at least frameCapacity bytes). */
export interface FrameEncodeInto extends FrameEncodeRequest {
  into: Uint8Array;
}

/** What a frame's header and metalayers say, and the handle to decode it with. */
export interface OpenedFrame {
  shape: number[];
  chunkshape: number[];
  blockshape: number[];
  typesize: number;
  dtype: string;
  jsKind: string;
  /** Has the b2nd metalayer (else a plain super-chunk: 1-D bytes). */
  b2nd: boolean;
  nchunks: number;
  chunksize: number;
  nbytes: number;
  /** One of our contiguous geometries. */
  contiguous: boolean;
  /** Offset in the frame of the items stored verbatim, or -1. */
  rawOffset: number;
  /** Compressed bytes of the chunks (the frame header's cbytes). */
  cbytes: number;
  /** Bytes of the whole frame. */
  frameLength: number;
  /** Bytes of the header (metalayers included): the chunks start here. */
  headerLength: number;
  /** Where the offsets index starts; the trailer follows it to the end. */
  indexOffset: number;
  /** Names of the frame's fixed metalayers (`b2nd`, `js`, python-blosc2's `b2o`, ...). */
  metalayers: string[];
  /** Names of the frame's variable-length metalayers (python-blosc2's `vlmeta`). */
  vlmetalayers: string[];
  /** The content of a `b2o` metalayer (at most 256 bytes), empty without one. */
  b2o: Uint8Array;
  /** The backend's own record of the parsed header. */
  readonly handle: unknown;
}

/** frameDecode: the opened frame's bytes into `out` (exactly the array's size). */
export interface FrameDecodeRequest {
  frame: Uint8Array;
  handle: unknown;
  out: ArrayBufferView;
  /** As in {@link CoreCParams}. */
  nthreads: number;
  threadsBySize: boolean;
}

/** frameProbe: where the parts of a frame lie, from its first 87 bytes or more. */
export interface FrameProbeRequest {
  prefix: Uint8Array;
}

export interface FrameLayout {
  headerLength: number;
  frameLength: number;
  /** The offsets index, then the trailer: [indexOffset, frameLength). */
  indexOffset: number;
}

/** frameOpenParts: a frame opened from its header and its tail (the bytes from indexOffset to the end). */
export interface FrameOpenPartsRequest {
  header: Uint8Array;
  tail: Uint8Array;
  frameLength: number;
}

/** frameIndex: decodes the offsets index (the frame's bytes from indexOffset on) into the handle, once. */
export interface FrameIndexRequest {
  handle: unknown;
  index: Uint8Array;
  /** The most chunks the index may list (16 bytes of memory each). */
  maxChunks: number;
}

/** Items start + k * step, k in [0, count), per dimension (none for a 0-d array). */
export interface SliceSelection {
  start: readonly number[];
  step: readonly number[];
  count: readonly number[];
}

/** frameSlicePlan: the chunks a selection touches. */
export interface FrameSlicePlanRequest extends SliceSelection {
  handle: unknown;
}

/** Ascending chunk numbers, and where each one's bytes lie in the frame (offset -1, length 0: none to read). */
export interface SlicePlan {
  chunks: number[];
  offsets: number[];
  lengths: number[];
}

/** frameSlice: the selected items into `out` (exactly their bytes), from the in-memory frame... */
export interface FrameSliceInMemory extends SliceSelection {
  handle: unknown;
  frame: Uint8Array;
  out: ArrayBufferView;
  /** As in {@link CoreCParams}: per chunk, by the bytes it decodes. */
  nthreads: number;
  threadsBySize: boolean;
}

/** ...or from chunks read apart: chunks[i] holds the bytes SlicePlan gave for chunkIds[i]; only their parts of out are written. */
export interface FrameSliceFromChunks extends SliceSelection {
  handle: unknown;
  chunkIds: readonly number[];
  chunks: readonly Uint8Array[];
  out: ArrayBufferView;
  nthreads: number;
  threadsBySize: boolean;
}

export type FrameSliceRequest = FrameSliceInMemory | FrameSliceFromChunks;

/** frameWriterOpen: a frame to write chunk by chunk, rows along the first dimension. */
export interface FrameWriterOpenRequest {
  /** The first extent -1 when it is unknown until the end. */
  shape: readonly number[];
  itemsize: number;
  dtype: string;
  jsKind: string;
  cparams: CoreCParams;
  /** Omitted: chosen as pack chooses it. */
  chunkshape?: readonly number[];
  /** Omitted: chosen inside the chunk. */
  blockshape?: readonly number[];
}

export interface OpenedFrameWriter {
  chunkshape: number[];
  blockshape: number[];
  /** Bytes of one step along the first dimension. */
  rowBytes: number;
  /** Rows of one chunk row. */
  chunkRows: number;
  /** Chunks in one chunk row. */
  chunksPerRow: number;
  /** The most bytes one compressed chunk takes. */
  chunkBound: number;
  /** A placeholder of the final header's exact length: write it first, and the real one over it. */
  header: Uint8Array;
  readonly handle: unknown;
}

/**
 * frameWriterAppend: compresses the next chunks of a chunk row (chunkRows whole rows, fewer only for the last)
 * into `out`, as many as fit at chunkBound each; the same `rows` is passed again until all chunksPerRow are done.
 */
export interface FrameWriterAppendRequest {
  handle: unknown;
  rows: Uint8Array;
  out: Uint8Array;
}

/** What goes over the placeholder header and after the chunks. */
export interface FinishedFrame {
  header: Uint8Array;
  /** The offsets index and the trailer. */
  tail: Uint8Array;
  frameLength: number;
  /** Bytes of the chunks. */
  cbytes: number;
  /** Rows written: the first extent. */
  rows: number;
}

/** The compiled core, as the TypeScript layer uses it. */
export interface Backend {
  /** 'native' (the Node-API addon) or 'wasm'. */
  readonly name: string;
  /** C-Blosc2's version. */
  readonly version: string;
  /** The codecs compiled in, comma-separated (C-Blosc2's list). */
  readonly compressors: string;
  /** Most bytes one chunk holds. */
  readonly maxBufferSize: number;
  /** Bytes a chunk may take beyond its data. */
  readonly maxOverhead: number;
  /** Whether an ArrayBuffer is detached. */
  isDetached(buffer: ArrayBufferLike): boolean;
  compress(req: CompressRequest): number;
  compressAsync(req: CompressRequest): Promise<number>;
  decompress(req: DecompressRequest): void;
  decompressAsync(req: DecompressRequest): Promise<void>;
  chunkInfo(req: ChunkInfoRequest): ChunkInfo;
  /** A new byte array holding src's bytes (on huge pages where it is large). */
  copy(src: ArrayBufferView): Uint8Array;
  /** The worst-case length of the frame for this request. */
  frameCapacity(req: FrameEncodeRequest): number;
  /** Writes the frame; returns its length. */
  frameEncode(req: FrameEncodeAllocate | FrameEncodePlace): number;
  /** Writes the frame on the pool: into `into`, or built apart and copied into allocate(length)'s view on this thread. */
  frameEncodeAsync(req: FrameEncodeInto | FrameEncodeAllocate): Promise<number>;
  frameOpen(req: { frame: Uint8Array }): OpenedFrame;
  frameDecode(req: FrameDecodeRequest): void;
  frameDecodeAsync(req: FrameDecodeRequest): Promise<void>;
  /**
   * Releases what frameOpen holds for a handle once it will not be decoded
   * (again): the wasm backend's copy of the frame in its memory. Optional to
   * call (unclosed handles are released when collected); a no-op for the addon.
   */
  frameClose(handle: unknown): void;
  frameProbe(req: FrameProbeRequest): FrameLayout;
  frameOpenParts(req: FrameOpenPartsRequest): OpenedFrame;
  frameIndex(req: FrameIndexRequest): void;
  frameSlicePlan(req: FrameSlicePlanRequest): SlicePlan;
  frameSlice(req: FrameSliceRequest): void;
  frameSliceAsync(req: FrameSliceRequest): Promise<void>;
  frameWriterOpen(req: FrameWriterOpenRequest): OpenedFrameWriter;
  /** Returns the bytes of compressed chunks written to out. */
  frameWriterAppend(req: FrameWriterAppendRequest): number;
  frameWriterAppendAsync(req: FrameWriterAppendRequest): Promise<number>;
  frameWriterFinish(req: { handle: unknown }): FinishedFrame;
  /** What the core's cache of C-Blosc2 contexts has done (tests and benchmarks). */
  contextPoolStats(): ContextPoolStats;
}

/** The core's cache of C-Blosc2 contexts (native/context_pool.h). */
export interface ContextPoolStats {
  /** False under BLOSC2_CONTEXT_POOL=0: every call makes its own context. */
  enabled: boolean;
  created: number;
  reused: number;
  /** Freed after a failed call, or because a call changed their block size. */
  discarded: number;
  /** Freed when idle for a second or over the cache's bounds. */
  evicted: number;
  idle: number;
  idleThreads: number;
  /** The process's thread budget: the CPUs it may run on. */
  cpuBudget: number;
}

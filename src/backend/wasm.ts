/**
 * The WebAssembly core (wasm/blosc2.wasm, native/wasm/exports.cc) as a
 * {@link Backend}: the same C++ core and C-Blosc2 as the Node-API addon, on
 * one thread, in a linear memory of its own. Inputs are copied into that
 * memory and results copied out (WebAssembly cannot read or write a
 * JavaScript ArrayBuffer in place), through buffers from the module's
 * malloc/free. Requests are written as the structs of exports.cc; failures
 * come back as a code and message and are thrown as the same Blosc2Error the
 * addon throws. A module that traps (out of memory inside C++) is replaced by
 * a fresh instance, and so is one whose memory grew large, once idle (a
 * WebAssembly memory never shrinks).
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { platform } from '../platform';
import type {
  Backend,
  ChunkInfo,
  ChunkInfoRequest,
  ContextPoolStats,
  CompressRequest,
  DecompressRequest,
  FinishedFrame,
  FrameDecodeRequest,
  FrameEncodeAllocate,
  FrameEncodeInto,
  FrameEncodePlace,
  FrameEncodeRequest,
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
} from './types';
import { isDetached } from './detached';
import { WasiExit, wasiImports } from './wasi';
import { closeFrame, liveFrame, openedFrame } from './wasm-handles';
import { type Exports, Heap } from './wasm-heap';
import * as ra from './wasm-random-access';
import {
  ABI,
  ABI_RANDOM_ACCESS,
  CPARAMS,
  FRAME,
  HEADER_BYTES,
  INFO,
  SPEC,
  badRequest,
  bytesOf,
  callbackView,
  encode,
  int,
  threads,
  readCParams,
  readSpec,
  view,
  writeCParams,
  writeSpec,
} from './wasm-requests';

// A memory grown past this is dropped (with its instance) once idle for
// idleMs: long enough that a steady stream of large messages keeps its warm
// memory (fresh pages cost a page fault each), short enough that a page or
// server that handled one large array gives the memory back.
const KEEP_BYTES = 64 << 20;
const IDLE_MS = 10_000;

/** Options of {@link WasmBackend}. */
export interface WasmOptions {
  /** Milliseconds without a call after which a memory over 64 MiB is given back. Default 10 s. */
  idleMs?: number;
}

/** The Backend over a compiled wasm/blosc2.wasm. */
export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly version: string;
  readonly compressors: string;
  readonly maxBufferSize: number;
  readonly maxOverhead: number;
  readonly #module: WebAssembly.Module;
  readonly #idleMs: number;
  #heap: Heap | null = null;
  #lastUse = 0;
  #idleCheck = false;
  /** What wasm-random-access.ts calls through. */
  readonly #core: ra.Core = { run: (fn) => this.#run(fn), live: () => this.#heap };

  constructor(module: WebAssembly.Module, options: WasmOptions = {}) {
    this.#module = module;
    this.#idleMs = options.idleMs ?? IDLE_MS;
    const heap = this.#current();
    this.version = heap.string(heap.ex.b2_version());
    this.compressors = heap.string(heap.ex.b2_compressors());
    this.maxBufferSize = heap.ex.b2_max_buffer_size();
    this.maxOverhead = heap.ex.b2_max_overhead();
  }

  /** The live instance, made when there is none (first use, after a trap, after an idle drop). */
  #current(): Heap {
    if (this.#heap && !this.#heap.broken) return this.#heap;
    const made: { memory?: WebAssembly.Memory } = {};
    const instance = new WebAssembly.Instance(
      this.#module,
      wasiImports(this.#module, () => made.memory as WebAssembly.Memory),
    );
    const ex = instance.exports as unknown as Exports;
    made.memory = ex.memory;
    ex._initialize();
    if ((ex.b2_abi() & ~0xffn) !== ABI || Number(ex.b2_abi() & 0xffn) !== FRAME.size || ex.b2_abi_random_access() !== ABI_RANDOM_ACCESS) {
      throw new Blosc2Error(
        'wasm/blosc2.wasm does not match this version of the package (rebuild it: npm run build:wasm)',
        'ERR_NATIVE_LOAD',
      );
    }
    this.#heap = new Heap(ex);
    return this.#heap;
  }

  /** Runs one call on the instance; a trap discards the instance and becomes a Blosc2Error. */
  #run<T>(fn: (heap: Heap) => T): T {
    const heap = this.#current();
    try {
      return fn(heap);
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError || err instanceof WasiExit || isStackOverflow(err)) throw heap.trapped(err);
      throw err;
    } finally {
      heap.freeAll();
      this.#afterCall(heap);
    }
  }

  // A memory that grew for a large array stays that large; drop the instance
  // once nothing has used it for idleMs and no opened frame or writer lives in it.
  #afterCall(heap: Heap): void {
    this.#lastUse = Date.now();
    if (heap.memoryBytes() <= KEEP_BYTES || this.#idleCheck) return;
    this.#idleCheck = true;
    const check = () => {
      const idle = Date.now() - this.#lastUse;
      if (this.#heap !== heap || heap.openHandles > 0 || idle < this.#idleMs) {
        if (this.#heap === heap && heap.memoryBytes() > KEEP_BYTES) {
          platform.later(check, Math.max(this.#idleMs - idle, 100));
          return;
        }
      } else {
        heap.broken = true;
        this.#heap = null;
      }
      this.#idleCheck = false;
    };
    platform.later(check, this.#idleMs);
  }

  /** Bytes of WebAssembly memory the live instance holds (0 when there is none): for tests. */
  memoryBytes(): number {
    return this.#heap && !this.#heap.broken ? this.#heap.memoryBytes() : 0;
  }

  /** No cache of contexts here: each call makes its own one-thread context (native/wasm/single_thread.cc). */
  contextPoolStats(): ContextPoolStats {
    return { enabled: false, created: 0, reused: 0, discarded: 0, evicted: 0, idle: 0, idleThreads: 0, cpuBudget: 1 };
  }

  isDetached(buffer: ArrayBufferLike): boolean {
    return buffer instanceof ArrayBuffer && isDetached(buffer);
  }

  compress(req: CompressRequest): number {
    const src = view(req, 'src');
    const out = view(req, 'out');
    const cparams = readCParams(req);
    return this.#run((heap) => {
      const cp = heap.scratch(CPARAMS.size + 4);
      writeCParams(heap, cp, cparams);
      const srcPtr = heap.copyIn(src);
      const cap = Math.min(out.byteLength, src.byteLength + this.maxOverhead);
      const outPtr = heap.alloc(cap);
      heap.check(heap.ex.b2_compress(cp, srcPtr, src.byteLength, outPtr, cap, cp + CPARAMS.size));
      const cbytes = heap.i32(cp + CPARAMS.size);
      out.set(heap.bytes(outPtr, cbytes));
      return cbytes;
    });
  }

  compressAsync(req: CompressRequest): Promise<number> {
    return settle(() => this.compress(req));
  }

  decompress(req: DecompressRequest): void {
    const src = view(req, 'src');
    const out = view(req, 'out');
    threads(req);
    this.#run((heap) => {
      // The header's nbytes sizes the wasm output; a lying header fails in
      // the core before anything is written.
      const nbytes = src.byteLength >= 16 ? new DataView(src.buffer, src.byteOffset, 16).getInt32(4, true) : 0;
      const cap = Math.max(0, Math.min(out.byteLength, nbytes));
      const srcPtr = heap.copyIn(src);
      const outPtr = heap.alloc(cap);
      heap.check(heap.ex.b2_decompress(srcPtr, src.byteLength, outPtr, cap));
      out.set(heap.bytes(outPtr, cap));
    });
  }

  decompressAsync(req: DecompressRequest): Promise<void> {
    return settle(() => this.decompress(req));
  }

  chunkInfo(req: ChunkInfoRequest): ChunkInfo {
    const src = view(req, 'src');
    const check = int(req, 'check');
    return this.#run((heap) => {
      // Only the header is read (b2_chunk_info): copy at most its 32 bytes.
      const header = heap.scratch(HEADER_BYTES + INFO.size);
      heap.u8().set(src.subarray(0, HEADER_BYTES), header);
      const info = header + HEADER_BYTES;
      heap.check(heap.ex.b2_chunk_info(header, src.byteLength, check, info));
      const extended = heap.i32(info + INFO.extended) !== 0;
      const complib = heap.u32(info + INFO.complib);
      return {
        nbytes: heap.i32(info + INFO.nbytes),
        cbytes: heap.i32(info + INFO.cbytes),
        blocksize: heap.i32(info + INFO.blocksize),
        typesize: heap.i32(info + INFO.typesize),
        flags: heap.i32(info + INFO.flags),
        special: heap.i32(info + INFO.special),
        filters: extended ? Array.from(heap.bytes(info + 32, 6)) : [],
        filtersMeta: extended ? Array.from(heap.bytes(info + 38, 6)) : [],
        complib: complib === 0 ? null : heap.string(complib),
      };
    });
  }

  copy(src: ArrayBufferView): Uint8Array {
    const bytes = bytesOf(src, 'src');
    const out = platform.allocOwn(bytes.byteLength);
    out.set(bytes);
    return out;
  }

  frameCapacity(req: FrameEncodeRequest): number {
    const spec = readSpec(req);
    return this.#run((heap) => {
      // The capacity depends on the shape and parameters only: the data stays out.
      const p = writeSpec(heap, spec, 0);
      heap.check(heap.ex.b2_frame_capacity(p, p + SPEC.size));
      return heap.f64(p + SPEC.size);
    });
  }

  frameEncode(req: FrameEncodeAllocate | FrameEncodePlace): number {
    const spec = readSpec(req);
    const place = (req as Partial<FrameEncodePlace>).place;
    const allocate = (req as Partial<FrameEncodeAllocate>).allocate;
    if (typeof place !== 'function' && typeof allocate !== 'function') throw badRequest('frameEncode needs allocate or place');
    return this.#run((heap) => {
      const { ptr, length, capacity } = encode(heap, spec);
      const target =
        typeof place === 'function'
          ? callbackView(() => place(capacity), capacity, 'place(capacity)')
          : callbackView(() => (allocate as (n: number) => Uint8Array)(length), length, 'allocate(length)');
      target.set(heap.bytes(ptr, length));
      return length;
    });
  }

  frameEncodeAsync(req: FrameEncodeInto | FrameEncodeAllocate): Promise<number> {
    return settle(() => {
      const spec = readSpec(req);
      if ((req as Partial<FrameEncodeInto>).into === undefined) {
        const allocate = (req as Partial<FrameEncodeAllocate>).allocate;
        if (typeof allocate !== 'function') throw badRequest('frameEncodeAsync needs into or allocate');
        return this.frameEncode({ ...spec, allocate });
      }
      const into = view(req, 'into');
      return this.#run((heap) => {
        const { ptr, length, capacity } = encode(heap, spec);
        if (capacity > into.byteLength) throw new Blosc2Error('into is shorter than frameCapacity', 'ERR_OUTPUT_TOO_SMALL');
        into.set(heap.bytes(ptr, length));
        return length;
      });
    });
  }

  frameOpen(req: { frame: Uint8Array }): OpenedFrame {
    const frame = view(req, 'frame');
    return this.#run((heap) => {
      const framePtr = heap.copyIn(frame, true);
      const info = heap.scratch(FRAME.size);
      try {
        heap.check(heap.ex.b2_frame_open(framePtr, frame.byteLength, info));
      } catch (err) {
        heap.ex.free(framePtr);
        throw err;
      }
      return openedFrame(heap, info, framePtr, frame.byteLength);
    });
  }

  frameDecode(req: FrameDecodeRequest): void {
    const frame = view(req, 'frame');
    const out = view(req, 'out');
    threads(req);
    const handle = liveFrame(req.handle, this.#heap);
    if (frame.byteLength !== handle.length) throw new Blosc2Error('the frame is not the one that was opened', 'ERR_INVALID_ARG');
    this.#run((heap) => {
      const outPtr = heap.alloc(out.byteLength);
      // A handle of frameOpenParts holds no bytes: the caller's are copied in.
      const framePtr = handle.framePtr !== 0 ? handle.framePtr : heap.copyIn(frame);
      heap.check(heap.ex.b2_frame_decode(handle.meta, framePtr, handle.length, outPtr, out.byteLength));
      out.set(heap.bytes(outPtr, out.byteLength));
    });
  }

  frameDecodeAsync(req: FrameDecodeRequest): Promise<void> {
    return settle(() => this.frameDecode(req));
  }

  frameClose(handle: unknown): void {
    closeFrame(handle);
  }

  // Random access and the chunk-by-chunk writer: src/backend/wasm-random-access.ts.
  frameProbe(req: FrameProbeRequest): FrameLayout {
    return ra.frameProbe(this.#core, req);
  }
  frameOpenParts(req: FrameOpenPartsRequest): OpenedFrame {
    return ra.frameOpenParts(this.#core, req);
  }
  frameIndex(req: FrameIndexRequest): void {
    ra.frameIndex(this.#core, req);
  }
  frameSlicePlan(req: FrameSlicePlanRequest): SlicePlan {
    return ra.frameSlicePlan(this.#core, req);
  }
  frameSlice(req: FrameSliceRequest): void {
    ra.frameSlice(this.#core, req);
  }
  frameSliceAsync(req: FrameSliceRequest): Promise<void> {
    return settle(() => this.frameSlice(req));
  }
  frameWriterOpen(req: FrameWriterOpenRequest): OpenedFrameWriter {
    return ra.frameWriterOpen(this.#core, req);
  }
  frameWriterAppend(req: FrameWriterAppendRequest): number {
    return ra.frameWriterAppend(this.#core, req);
  }
  frameWriterAppendAsync(req: FrameWriterAppendRequest): Promise<number> {
    return settle(() => this.frameWriterAppend(req));
  }
  frameWriterFinish(req: { handle: unknown }): FinishedFrame {
    return ra.frameWriterFinish(this.#core, req);
  }
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/** The async form of a call: the work runs now, on this thread; the promise carries its result or error. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * One instance of the WebAssembly core and its linear memory: allocations
 * made for one call and freed together after it, views over the memory that
 * are made again whenever it has grown (growth replaces `memory.buffer`),
 * C strings, and the core's failures as Blosc2Errors.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error, type Blosc2ErrorCode } from '../errors';

/** What native/wasm/exports.cc exports (pointers and lengths are u32 offsets into memory). */
export interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(n: number): number;
  free(p: number): void;
  b2_abi(): bigint;
  b2_error_code(): number;
  b2_error_message(): number;
  b2_error_errno(): number;
  b2_version(): number;
  b2_compressors(): number;
  b2_max_buffer_size(): number;
  b2_max_overhead(): number;
  b2_compress(cparams: number, src: number, srcLength: number, out: number, outLength: number, cbytes: number): number;
  b2_decompress(src: number, srcLength: number, out: number, outLength: number): number;
  b2_chunk_info(src: number, srcLength: number, check: number, info: number): number;
  b2_frame_capacity(spec: number, capacity: number): number;
  b2_frame_encode(spec: number, out: number): number;
  b2_frame_open(frame: number, length: number, info: number): number;
  b2_frame_decode(meta: number, frame: number, length: number, out: number, outLength: number): number;
  b2_frame_close(meta: number): void;
  b2_frame_metalayer(meta: number, vl: number, i: number): number;
  b2_frame_b2o(meta: number, length: number): number;
  // native/wasm/random_access.cc
  b2_abi_random_access(): bigint;
  b2_frame_probe(prefix: number, length: number, layout: number): number;
  b2_frame_open_parts(header: number, headerLength: number, tail: number, tailLength: number, frameLength: number, info: number): number;
  b2_frame_index(meta: number, index: number, length: number, maxChunks: number): number;
  b2_frame_slice_plan(meta: number, selection: number, data: number, count: number): number;
  b2_frame_slice(meta: number, frame: number, length: number, selection: number, out: number, outLength: number): number;
  b2_frame_slice_chunks(
    meta: number,
    selection: number,
    ids: number,
    chunks: number,
    n: number,
    out: number,
    outLength: number,
    boxes: number,
    ndim: number,
  ): number;
  b2_frame_writer_open(spec: number, info: number): number;
  b2_frame_writer_append(
    writer: number,
    rows: number,
    rowsLength: number,
    out: number,
    outLength: number,
    written: number,
    inRow: number,
  ): number;
  b2_frame_writer_finish(writer: number, finished: number): number;
  b2_frame_writer_close(writer: number): void;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class Heap {
  /** Set after a trap or an idle drop: the instance must not be called again. */
  broken = false;
  /** Frames opened and frame writers not yet closed (their bytes and state live in this memory). */
  openHandles = 0;
  readonly #pending: number[] = [];
  #buffer: ArrayBuffer | null = null;
  #u8: Uint8Array = new Uint8Array(0);
  #dv: DataView = new DataView(new ArrayBuffer(0));

  constructor(readonly ex: Exports) {}

  /** The memory as bytes (made again after growth). */
  u8(): Uint8Array {
    const buffer = this.ex.memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#u8 = new Uint8Array(buffer);
      this.#dv = new DataView(buffer);
    }
    return this.#u8;
  }

  #view(): DataView {
    this.u8();
    return this.#dv;
  }

  memoryBytes(): number {
    return this.ex.memory.buffer.byteLength;
  }

  /** n bytes of wasm memory, freed after the call. */
  alloc(n: number): number {
    const p = this.ex.malloc(Math.max(1, n));
    if (p === 0) {
      throw new Blosc2Error(
        `cannot allocate ${n} bytes in WebAssembly memory (it holds the input and output of a call, 4 GiB at most)`,
        'ERR_NO_MEMORY',
      );
    }
    this.#pending.push(p);
    return p;
  }

  /** Memory the core malloc'd for this call, to be freed after it. */
  own(p: number): void {
    if (p !== 0) this.#pending.push(p);
  }

  /** Room for a request or result struct (zeroed), freed after the call. */
  scratch(n: number): number {
    const p = this.alloc(n);
    this.u8().fill(0, p, p + n);
    return p;
  }

  /** A copy of bytes in wasm memory; kept past the call when keep is set (the caller frees it). */
  copyIn(bytes: Uint8Array, keep = false): number {
    const p = this.alloc(bytes.byteLength);
    if (keep) this.#pending.pop();
    this.u8().set(bytes, p);
    return p;
  }

  /** A view of wasm memory; valid until the next allocation. */
  bytes(p: number, n: number): Uint8Array {
    return this.u8().subarray(p, p + n);
  }

  cString(s: string): number {
    const b = encoder.encode(s);
    const p = this.scratch(b.byteLength + 1);
    this.u8().set(b, p);
    return p;
  }

  string(p: number): string {
    const u8 = this.u8();
    const end = u8.indexOf(0, p);
    return decoder.decode(u8.subarray(p, end < 0 ? p : end));
  }

  i32(p: number): number {
    return this.#view().getInt32(p, true);
  }
  u32(p: number): number {
    return this.#view().getUint32(p, true);
  }
  f64(p: number): number {
    return this.#view().getFloat64(p, true);
  }
  setI32(p: number, v: number): void {
    this.#view().setInt32(p, v, true);
  }
  setU32(p: number, v: number): void {
    this.#view().setUint32(p, v, true);
  }
  setF64(p: number, v: number): void {
    this.#view().setFloat64(p, v, true);
  }

  /** Throws the core's last failure when a call returned 1. */
  check(status: number): void {
    if (status === 0) return;
    const err = new Blosc2Error(this.string(this.ex.b2_error_message()), this.string(this.ex.b2_error_code()) as Blosc2ErrorCode);
    const errno = this.ex.b2_error_errno();
    if (errno !== 0) err.errno = errno;
    throw err;
  }

  /** Frees the allocations of the call that just ended. */
  freeAll(): void {
    if (this.broken) {
      this.#pending.length = 0;
      return;
    }
    for (const p of this.#pending) this.ex.free(p);
    this.#pending.length = 0;
  }

  /** Frees an opened frame's bytes (0 for none) and FrameMeta. */
  release(framePtr: number, meta: number): void {
    this.openHandles--;
    if (this.broken) return;
    this.ex.free(framePtr);
    this.ex.b2_frame_close(meta);
  }

  /** Frees a frame writer's StreamWriter and its copy of the chunk row in progress (0 for none). */
  releaseWriter(writer: number, row: number): void {
    this.openHandles--;
    if (this.broken) return;
    this.ex.free(row);
    this.ex.b2_frame_writer_close(writer);
  }

  /**
   * A trap (C++ out of memory aborts; anything else would be a bug) leaves the
   * instance's state unknown: it is never called again, and the error says what happened.
   */
  trapped(err: unknown): Blosc2Error {
    this.broken = true;
    const what = err instanceof Error ? err.message : String(err);
    const oom = /unreachable/i.test(what);
    const e = new Blosc2Error(
      oom ? `the WebAssembly core ran out of memory (${what})` : `the WebAssembly core failed (${what})`,
      oom ? 'ERR_NO_MEMORY' : 'ERR_CORRUPT',
    );
    (e as Error & { cause?: unknown }).cause = err;
    return e;
  }
}

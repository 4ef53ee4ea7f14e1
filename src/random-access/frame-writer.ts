/**
 * FrameWriter: an array written as a standard b2nd frame chunk by chunk, slab
 * by slab along its first dimension (whose extent may be unknown until the
 * end), to a file, a Writable or memory. It holds at most one chunk row of
 * pending rows and the compressed output of a few chunks.
 * @packageDocumentation
 */
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Blosc2Error, invalidArg } from '../errors';
import { type CoreCParams, type OpenedFrameWriter, backend } from '../backend';
import { type DType, ctorForDtype } from '../dtypes';
import { MAX_DIM, NDArray } from '../ndarray';
import { CPARAM_KEYS, type CParams, checkInt, checkObject, resolveCParams } from '../params';
import { checkKnownKeys } from '../names';
import { asView, checkStableForAsync } from '../views';
import { platform } from '../platform';
import { type FrameSink, sinkFor } from './sinks';

/** Options of {@link FrameWriter} and {@link packChunks}: the array, its geometry and how to compress it. */
export interface FrameWriterOptions extends CParams {
  /** Extent of each dimension (1 to 8); the first may be `null`: unknown until {@link FrameWriter.close}. */
  shape: readonly (number | null)[];
  /** NumPy dtype string of the items, e.g. `'<f8'`. */
  dtype: DType;
  /** Extent of a chunk per dimension: the unit of random access (see README). Default: as `pack` chooses. */
  chunkshape?: readonly number[];
  /** Extent of a block inside a chunk. Default: chosen inside the chunk. */
  blockshape?: readonly number[];
  /** Compress on the libuv thread pool instead of the calling thread. */
  async?: boolean;
}

/** Where a FrameWriter writes: a file path, an open file, a Writable, or `null` for memory. */
export type FrameTarget = string | FileHandle | Writable | null;

/** What {@link FrameWriter.close} reports. */
export interface WrittenFrame {
  shape: number[];
  chunkshape: number[];
  blockshape: number[];
  /** Bytes of the items. */
  nbytes: number;
  /** Compressed bytes of the chunks. */
  cbytes: number;
  /** Bytes of the frame. */
  frameLength: number;
  /** The frame, when written to memory. */
  frame?: Buffer;
}

/** A slab: whole rows of the array, in C order. */
export type Slab = ArrayBufferView | NDArray;

const OWN_KEYS = ['shape', 'dtype', 'chunkshape', 'blockshape', 'async'];
/** Compressed output buffered per call into the core, at most (at least one chunk's worth). */
const OUT_BYTES = 16 << 20;

function dims(name: string, value: unknown, ndim: number): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== ndim) throw invalidArg(name, `an array of ${ndim} positive integers`, value);
  return value.map((d: unknown, i) => checkInt(`${name}[${i}]`, d, 1, 2 ** 31 - 1));
}

/**
 * Writes one array as a b2nd frame (what `pack` writes for an array, read by
 * `unpack`, `openFrame`, python-blosc2's `blosc2.open` and
 * `blosc2.ndarray_from_cframe`), chunk by chunk as its rows arrive.
 *
 * ```js
 * const w = new FrameWriter('/data/run.b2nd', { shape: [null, 64], dtype: '<f4', chunkshape: [4096, 64] });
 * for await (const block of recording) await w.write(block); // Float32Arrays of whole rows
 * const { shape } = await w.close();
 * ```
 *
 * Memory held: one chunk row of pending rows (only when slabs do not end on
 * chunk rows) and the compressed output of a few chunks. A slab is read in
 * place: do not change it until its `write` resolves.
 */
export class FrameWriter {
  /** The chunk and block geometry in use. */
  readonly chunkshape: readonly number[];
  readonly blockshape: readonly number[];
  readonly #opened: OpenedFrameWriter;
  readonly #sink: FrameSink;
  readonly #shape: Array<number | null>;
  readonly #itemsize: number;
  readonly #async: boolean;
  readonly #rowBytes: number;
  readonly #chunkRowBytes: number;
  readonly #chunksPerCall: number;
  #out: Buffer | undefined;
  #pending: Buffer | undefined;
  #pendingBytes = 0;
  #rows = 0;
  #started = false;
  #queue: Promise<unknown> = Promise.resolve();
  #failed: unknown;
  #closed = false;

  /**
   * @param target - a file path (created or truncated), an open FileHandle (written from offset 0, left open),
   *   a Writable (written at close, from a temporary file; not ended), or `null` (the frame comes back from close)
   * @param options - shape, dtype, geometry and compression parameters
   */
  constructor(target: FrameTarget, options: FrameWriterOptions) {
    const o = checkObject('options', options);
    if (!o) throw invalidArg('options', 'an object with shape and dtype', options);
    const shape = o['shape'];
    if (!Array.isArray(shape) || shape.length < 1 || shape.length > MAX_DIM) {
      throw invalidArg('options.shape', `an array of 1 to ${MAX_DIM} dimensions`, shape);
    }
    this.#shape = shape.map((d: unknown, i) =>
      i === 0 && d === null ? null : checkInt(`options.shape[${i}]`, d, i === 0 ? 0 : 1, Number.MAX_SAFE_INTEGER),
    );
    const dtype = o['dtype'];
    let ctor;
    try {
      ctor = ctorForDtype(dtype as DType);
    } catch {
      throw invalidArg('options.dtype', 'a NumPy dtype string this package reads (e.g. <f8)', dtype);
    }
    if (o['async'] !== undefined && typeof o['async'] !== 'boolean') throw invalidArg('options.async', 'a boolean', o['async']);
    this.#async = o['async'] === true;
    this.#itemsize = ctor.BYTES_PER_ELEMENT;
    checkKnownKeys('options', o, [...CPARAM_KEYS, ...OWN_KEYS]);
    const cparams: CoreCParams = resolveCParams(o, this.#itemsize, 'options', new Set(OWN_KEYS));
    const chunkshape = dims('options.chunkshape', o['chunkshape'], shape.length);
    const blockshape = dims('options.blockshape', o['blockshape'], shape.length);
    if (blockshape && !chunkshape) throw invalidArg('options.blockshape', 'to come with a chunkshape', blockshape);
    this.#opened = backend.frameWriterOpen({
      shape: this.#shape.map((d) => d ?? -1),
      itemsize: this.#itemsize,
      dtype: dtype as DType,
      jsKind: '',
      cparams,
      ...(chunkshape ? { chunkshape } : {}),
      ...(blockshape ? { blockshape } : {}),
    });
    this.#sink = sinkFor(target);
    this.chunkshape = Object.freeze(this.#opened.chunkshape);
    this.blockshape = Object.freeze(this.#opened.blockshape);
    this.#rowBytes = this.#opened.rowBytes;
    this.#chunkRowBytes = this.#opened.chunkRows * this.#rowBytes;
    const { chunkBound, chunksPerRow } = this.#opened;
    this.#chunksPerCall = Math.max(1, Math.min(chunksPerRow, Math.floor(OUT_BYTES / chunkBound)));
  }

  /** Rows written so far (the first extent once closed). */
  get rows(): number {
    return this.#rows;
  }

  /**
   * Appends whole rows: a TypedArray (or NDArray, Buffer, DataView) in C order whose bytes are a
   * multiple of one row's. Writes are applied in call order.
   * @throws {@link Blosc2Error} ERR_INVALID_ARG (partial rows, more rows than the shape, wrong item size)
   */
  async write(slab: Slab): Promise<void> {
    // Checked and queued before the first await, so writes keep their call order.
    if (this.#closed) throw new Blosc2Error('the frame writer is closed', 'ERR_INVALID_ARG');
    const bytes = this.#slabBytes(slab);
    return this.#enqueue(() => this.#write(bytes));
  }

  /** Writes every slab of a sync or async iterable, in order. */
  async writeAll(slabs: Iterable<Slab> | AsyncIterable<Slab>): Promise<void> {
    for await (const slab of slabs as AsyncIterable<Slab>) await this.write(slab);
  }

  /** Writes what is pending, the offsets index, the trailer and the real header; the frame's sizes (and bytes, in memory). */
  close(): Promise<WrittenFrame> {
    if (this.#closed) return Promise.reject(new Blosc2Error('the frame writer is closed', 'ERR_INVALID_ARG'));
    this.#closed = true;
    return this.#enqueue(async () => {
      if (this.#pendingBytes > 0) {
        await this.#emitRow((this.#pending as Uint8Array).subarray(0, this.#pendingBytes));
        this.#pendingBytes = 0;
      }
      const done = backend.frameWriterFinish({ handle: this.#opened.handle });
      await this.#ensureStarted();
      const frame = await this.#sink.finish(done.header, done.tail);
      const shape = [done.rows, ...(this.#shape.slice(1) as number[])];
      const written: WrittenFrame = {
        shape,
        chunkshape: [...this.chunkshape],
        blockshape: [...this.blockshape],
        nbytes: done.rows * this.#rowBytes,
        cbytes: done.cbytes,
        frameLength: done.frameLength,
      };
      if (frame) written.frame = frame;
      return written;
    });
  }

  /** Gives up: nothing more is written, a file path or temporary file is closed (the partial file stays). */
  async abort(): Promise<void> {
    this.#closed = true;
    this.#failed ??= new Blosc2Error('the frame writer was aborted', 'ERR_INVALID_ARG');
    await this.#queue.catch(() => undefined);
    await this.#sink.abort();
  }

  #slabBytes(slab: Slab): Uint8Array {
    const data = slab instanceof NDArray ? slab.data : slab;
    const view = asView(data, 'slab');
    const per = (view as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT;
    if (per !== undefined && per !== 1 && per !== this.#itemsize) {
      throw invalidArg('slab', `items of ${this.#itemsize} bytes (or bytes)`, slab);
    }
    if (view.byteLength % this.#rowBytes !== 0) {
      throw invalidArg('slab', `whole rows of ${this.#rowBytes} bytes`, `${view.byteLength} bytes`);
    }
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }

  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#failed !== undefined) throw this.#failed as Error;
      return job();
    });
    this.#queue = run.catch((err: unknown) => {
      this.#failed ??= err;
    });
    return run;
  }

  async #ensureStarted(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#sink.start(this.#opened.header);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    const first = this.#shape[0];
    const rows = bytes.byteLength / this.#rowBytes;
    if (first !== null && first !== undefined && this.#rows + this.#pendingBytes / this.#rowBytes + rows > first) {
      throw invalidArg('slab', `at most ${first} rows in all (the shape's first extent)`, `${rows} more rows`);
    }
    await this.#ensureStarted();
    let at = 0;
    const size = this.#chunkRowBytes;
    if (this.#pendingBytes > 0) {
      at = Math.min(bytes.byteLength, size - this.#pendingBytes);
      this.#stash(bytes.subarray(0, at));
      if (this.#pendingBytes === size) {
        await this.#emitRow((this.#pending as Buffer).subarray(0, size));
        this.#pendingBytes = 0;
      }
    }
    // Whole chunk rows straight from the slab, the rest kept for later.
    for (; bytes.byteLength - at >= size; at += size) await this.#emitRow(bytes.subarray(at, at + size));
    if (at < bytes.byteLength) this.#stash(bytes.subarray(at));
  }

  /** Keeps rows until a chunk row is full; the buffer grows with them, up to one chunk row. */
  #stash(bytes: Uint8Array): void {
    const want = this.#pendingBytes + bytes.byteLength;
    if (!this.#pending || this.#pending.byteLength < want) {
      const grown = platform.allocOwn(Math.min(this.#chunkRowBytes, Math.max(want, 2 * (this.#pending?.byteLength ?? 0))));
      if (this.#pending) grown.set(this.#pending.subarray(0, this.#pendingBytes));
      this.#pending = grown;
    }
    this.#pending.set(bytes, this.#pendingBytes);
    this.#pendingBytes = want;
  }

  /** One chunk row through the core, its compressed chunks to the sink. */
  async #emitRow(rows: Uint8Array): Promise<void> {
    const { handle, chunksPerRow, chunkBound } = this.#opened;
    this.#out ??= platform.allocOwn(this.#chunksPerCall * chunkBound);
    const out = this.#out;
    const request = { handle, rows, out };
    if (this.#async) checkStableForAsync(rows, 'slab');
    for (let left = chunksPerRow; left > 0; left -= this.#chunksPerCall) {
      const n = this.#async ? await backend.frameWriterAppendAsync(request) : backend.frameWriterAppend(request);
      if (n > 0) await this.#sink.append(out.subarray(0, n));
    }
    this.#rows += rows.byteLength / this.#rowBytes;
  }
}

/** Writes the slabs as one frame in memory: `FrameWriter(null, options)` fed with `slabs`. */
export async function packChunks(slabs: Iterable<Slab> | AsyncIterable<Slab>, options: FrameWriterOptions): Promise<Buffer> {
  const writer = new FrameWriter(null, options);
  try {
    await writer.writeAll(slabs);
    return (await writer.close()).frame as Buffer;
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

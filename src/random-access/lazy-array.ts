/**
 * Lazy arrays: a framed array whose chunks stay compressed until a `get`
 * names the items it wants. {@link LazyArray} reads a frame in memory (from
 * `unpack(bytes, { lazy: true })` or `openFrame(bytes)`); the base class holds
 * what both it and the range-read {@link AsyncLazyArray} show.
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { type OpenedFrame, backend } from '../backend';
import type { DType } from '../dtypes';
import { NDArray } from '../ndarray';
import { type FrameRecord, checkChunkSize, frameRecord } from '../records/frame';
import { build, newBacking } from '../records/values';
import { Kind } from '../records/types';
import { type ResolvedSelection, type Selection, resolveSelection } from './selection';

/** Limits of the reads of a lazy array. */
export interface LazySettings {
  /** The most bytes one `get` (or `toArray`) may return; also bounds a chunk and the offsets index. */
  maxOutputBytes: number;
  /** Decoding threads per chunk: exactly this many, or with threadsBySize at most this many, by its size. */
  nthreads: number;
  threadsBySize: boolean;
}

/** Bytes of memory the offsets index takes per chunk (two int64 in the core). */
const INDEX_BYTES_PER_CHUNK = 16;

/** What every lazy array shows: python-blosc2's NDArray attributes. */
export abstract class LazyArrayBase {
  /** Extent of each dimension (`[]` for 0-d; a super-chunk reads as its bytes). */
  readonly shape: readonly number[];
  /** NumPy dtype string of the items. */
  readonly dtype: string;
  /** Extent of a chunk in each dimension: the unit of reading. */
  readonly chunkshape: readonly number[];
  /** Extent of a block (the unit of decoding inside a chunk). */
  readonly blockshape: readonly number[];
  /** Bytes of the items when decoded. */
  readonly nbytes: number;
  /** Compressed bytes of the chunks. */
  readonly cbytes: number;
  /** Chunks in the frame. */
  readonly nchunks: number;
  /** @internal */
  protected readonly info: OpenedFrame;
  /** @internal */
  protected readonly record: FrameRecord;
  /** @internal */
  protected readonly settings: LazySettings;

  /** @internal */
  protected constructor(info: OpenedFrame, settings: LazySettings) {
    this.info = info;
    this.settings = settings;
    this.record = frameRecord(info);
    checkChunkSize(info, settings.maxOutputBytes);
    const maxChunks = Math.floor(settings.maxOutputBytes / INDEX_BYTES_PER_CHUNK);
    if (info.nchunks > maxChunks) {
      throw new Blosc2Error(
        `the frame has ${info.nchunks} chunks; their index needs more than maxOutputBytes (${settings.maxOutputBytes})`,
        'ERR_MAX_OUTPUT',
      );
    }
    this.shape = Object.freeze(info.b2nd ? [...info.shape] : [this.record.nbytes]);
    this.dtype = info.b2nd ? info.dtype : '|u1';
    this.chunkshape = Object.freeze(info.b2nd ? [...info.chunkshape] : [Math.max(info.chunksize, 0)]);
    this.blockshape = Object.freeze(info.b2nd ? [...info.blockshape] : [(info.blockshape[0] ?? 0) * info.typesize]);
    this.nbytes = this.record.nbytes;
    this.cbytes = info.cbytes;
    this.nchunks = info.nchunks;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of items. */
  get size(): number {
    return this.nbytes / this.record.h.entry.itemsize;
  }

  /** The offsets index, decoded into the handle: index holds the frame's bytes from indexOffset on. @internal */
  protected loadIndex(index: Uint8Array): void {
    backend.frameIndex({ handle: this.info.handle, index, maxChunks: Math.floor(this.settings.maxOutputBytes / INDEX_BYTES_PER_CHUNK) });
  }

  /** The selection resolved, and memory for its items, within maxOutputBytes. @internal */
  protected prepare(selection: Selection | undefined): { sel: ResolvedSelection; ab: ArrayBufferLike; out: Uint8Array } {
    const sel = resolveSelection(selection, this.shape);
    const bytes = sel.items * this.record.h.entry.itemsize;
    this.checkOutput(bytes, 'the selection');
    const ab = newBacking(Kind.Typed, bytes);
    return { sel, ab, out: new Uint8Array(ab, 0, bytes) };
  }

  /** @internal */
  protected checkOutput(bytes: number, what: string): void {
    if (bytes > this.settings.maxOutputBytes) {
      throw new Blosc2Error(
        `${what} decodes to ${bytes} bytes, over maxOutputBytes (${this.settings.maxOutputBytes}); raise maxOutputBytes to accept it`,
        'ERR_MAX_OUTPUT',
      );
    }
  }

  /** The selected items as an NDArray. @internal */
  protected wrap(sel: ResolvedSelection, ab: ArrayBufferLike): NDArray {
    const { entry } = this.record.h;
    return new NDArray(new entry.ctor(ab, 0, sel.items), sel.shape, this.dtype as DType);
  }

  /** The whole array as `unpack` returns it, from memory the decoder filled. @internal */
  protected whole(ab: ArrayBufferLike): unknown {
    return build(this.record.h, ab, 0, this.nbytes);
  }
}

/**
 * A framed array in memory, decoded a selection at a time. It reads the bytes
 * it was opened on: keep them unchanged while you use it.
 */
export class LazyArray extends LazyArrayBase {
  readonly #frame: Uint8Array;

  /** @internal Use {@link openFrame} or `unpack(bytes, { lazy: true })`. */
  constructor(frame: Uint8Array, info: OpenedFrame, settings: LazySettings) {
    super(info, settings);
    this.#frame = frame;
    this.loadIndex(frame.subarray(Math.min(info.indexOffset, frame.byteLength)));
  }

  /**
   * The selected items (python-blosc2's `array[selection]`), decoding only the
   * chunks they lie in and, within those, only the blocks that hold them.
   * @throws {@link Blosc2Error} ERR_INVALID_ARG (a selection out of bounds), ERR_MAX_OUTPUT, ERR_CORRUPT
   */
  get(selection?: Selection): NDArray {
    const { sel, ab, out } = this.prepare(selection);
    backend.frameSlice({
      handle: this.info.handle,
      frame: this.#frame,
      start: sel.start,
      step: sel.step,
      count: sel.count,
      out,
      nthreads: this.settings.nthreads,
      threadsBySize: this.settings.threadsBySize,
    });
    return this.wrap(sel, ab);
  }

  /** Everything, as `unpack` would have returned it. */
  toArray(): unknown {
    this.checkOutput(this.nbytes, 'the array');
    const ab = newBacking(this.record.h.kind, this.nbytes);
    const { nthreads, threadsBySize } = this.settings;
    backend.frameDecode({ frame: this.#frame, handle: this.info.handle, out: new Uint8Array(ab), nthreads, threadsBySize });
    return this.whole(ab);
  }
}

/**
 * Lazy arrays over a range reader: a frame read in pieces (a file, Redis,
 * HTTP Range requests). Opening reads the header, then the offsets index and
 * trailer; each `get` reads only the chunks the selection touches (adjacent
 * chunks in one read) and decodes them on the libuv pool.
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { type OpenedFrame, type SlicePlan, backend } from '../backend';
import type { NDArray } from '../ndarray';
import { newBacking } from '../records/values';
import { checkStableForAsync } from '../views';
import { LazyArrayBase, type LazySettings } from './lazy-array';
import type { ResolvedSelection, Selection } from './selection';

/**
 * Reads `length` bytes at `offset` of a source: all of them, or fewer only
 * where the source ends. A file, a Redis string (GETRANGE), an HTTP resource
 * (Range requests): see fileRangeReader, redisRangeReader and the README.
 */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

/** Reads of adjacent chunks are merged up to this many bytes. */
const MAX_MERGED_READ = 8 << 20;
/** Reads (and decodes) in flight at once for one `get`. */
const READS_IN_FLIGHT = 4;
const EMPTY = new Uint8Array(0);

/** A range reader at an offset, with its reads checked and counted. @internal */
export class RangeSource {
  /** Bytes the reader returned. */
  bytesRead = 0;
  /** Calls to the reader. */
  reads = 0;

  constructor(
    private readonly reader: RangeReader,
    /** Where offset 0 of reads lies in the source. */
    public base: number,
  ) {}

  /** Bytes [offset, offset + length): exactly that many, or with `short`, fewer where the source ends. */
  async read(offset: number, length: number, short = false): Promise<Uint8Array> {
    if (length === 0) return EMPTY;
    const at = this.base + offset;
    this.reads++;
    const got: unknown = await this.reader(at, length);
    if (!(got instanceof Uint8Array)) {
      throw new Blosc2Error(`the range reader returned ${typeof got} for ${length} bytes at ${at}, not a Uint8Array`, 'ERR_CORRUPT');
    }
    this.bytesRead += got.byteLength;
    if (got.byteLength > length || (!short && got.byteLength !== length)) {
      throw new Blosc2Error(`the range reader returned ${got.byteLength} bytes for a read of ${length} at ${at}`, 'ERR_CORRUPT');
    }
    return got;
  }
}

/** One read: chunks whose bytes lie back to back. */
interface ReadGroup {
  offset: number;
  length: number;
  ids: number[];
  /** Each chunk's bytes within the read: [start, end). */
  spans: Array<[number, number]>;
}

function groupReads(plan: SlicePlan): ReadGroup[] {
  const groups: ReadGroup[] = [];
  let g: ReadGroup | undefined;
  for (let i = 0; i < plan.chunks.length; i++) {
    const offset = plan.offsets[i] as number;
    const length = plan.lengths[i] as number;
    const id = plan.chunks[i] as number;
    if (length === 0) {
      // A chunk kept in its offset: nothing to read.
      groups.push({ offset: 0, length: 0, ids: [id], spans: [[0, 0]] });
      continue;
    }
    if (!g || g.length === 0 || offset !== g.offset + g.length || g.length + length > MAX_MERGED_READ) {
      g = { offset, length: 0, ids: [], spans: [] };
      groups.push(g);
    }
    g.ids.push(id);
    g.spans.push([g.length, g.length + length]);
    g.length += length;
  }
  return groups;
}

/**
 * A framed array read through a {@link RangeReader}: `get` fetches only the
 * chunks the selection touches. Made by `openFrame(reader)`.
 */
export class AsyncLazyArray extends LazyArrayBase {
  readonly #source: RangeSource;

  /** @internal Use {@link openFrame}. */
  constructor(source: RangeSource, info: OpenedFrame, tail: Uint8Array, settings: LazySettings) {
    super(info, settings);
    this.#source = source;
    this.loadIndex(tail);
  }

  /** Bytes the range reader has returned so far (opening included). */
  get bytesRead(): number {
    return this.#source.bytesRead;
  }

  /** Calls to the range reader so far. */
  get reads(): number {
    return this.#source.reads;
  }

  /**
   * The selected items (python-blosc2's `array[selection]`), reading only the
   * chunks they lie in (adjacent ones in one read).
   * @throws {@link Blosc2Error} ERR_INVALID_ARG, ERR_MAX_OUTPUT, ERR_CORRUPT (among them a reader's short or wrong bytes)
   */
  async get(selection?: Selection): Promise<NDArray> {
    const { sel, ab, out } = this.prepare(selection);
    await this.#fill(sel, out);
    return this.wrap(sel, ab);
  }

  /** Everything, as `unpack` would have returned it. */
  async toArray(): Promise<unknown> {
    this.checkOutput(this.nbytes, 'the array');
    const ab = newBacking(this.record.h.kind, this.nbytes);
    const shape = [...this.shape];
    const all: ResolvedSelection = { start: shape.map(() => 0), step: shape.map(() => 1), count: shape, shape, items: this.size };
    await this.#fill(all, new Uint8Array(ab, 0, this.nbytes));
    return this.whole(ab);
  }

  async #fill(sel: ResolvedSelection, out: Uint8Array): Promise<void> {
    if (out.byteLength === 0) return;
    const handle = this.info.handle;
    const plan = backend.frameSlicePlan({ handle, start: sel.start, step: sel.step, count: sel.count });
    const groups = groupReads(plan);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < groups.length) {
        const g = groups[next++] as ReadGroup;
        const bytes = await this.#source.read(g.offset, g.length);
        if (bytes.byteLength > 0) checkStableForAsync(bytes, 'a range read');
        const chunks = g.spans.map(([a, b]) => bytes.subarray(a, b));
        const request = { handle, chunkIds: g.ids, chunks, start: sel.start, step: sel.step, count: sel.count, out };
        await backend.frameSliceAsync({ ...request, nthreads: this.settings.nthreads, threadsBySize: this.settings.threadsBySize });
      }
    };
    const workers = Array.from({ length: Math.min(READS_IN_FLIGHT, groups.length) }, worker);
    const results = await Promise.allSettled(workers);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }
}

/**
 * Packer: one configured msgpackr instance with the blosc2 extension, and the
 * pack/unpack paths (sync, async on the libuv pool, out of band).
 * @packageDocumentation
 */
import type { Packr } from 'msgpackr';
import { Blosc2Error, invalidArg, withCallerStack } from './errors';
import { type CheckRules, checkPlain } from './clone/check';
import { toWire } from './clone/encode';
import { Envelope } from './clone/wire';
import { readFailure } from './msgpack/failures';
import { MSGPACKR_KEYS, type PassedMsgpackrOptions, checkRules, cloneUnpackr, makePackr } from './msgpack/options';
import { configure, install } from './msgpack/registration';
import { platform } from './platform';
import { type DecodeState, swapDecodeState } from './records/decode-state';
import { describe } from './records/describe';
import { encodeFrameAsync, packSingle, packSingleAsync } from './records/frame';
import { spliceOutOfBand } from './records/out-of-band';
import { ENVELOPE_EXT } from './records/clone';
import type { OutOfBandSink, PackConfig, SmallArrays } from './records/types';
import { CPARAM_KEYS, type CParams, DEFAULT_MAX_OUTPUT_BYTES, checkInt, checkObject, getNthreads, resolveCParams } from './params';
import { checkKnownKeys } from './names';
import { lazyFrame } from './random-access/open';
import { type BinaryLike, asView, checkStableForAsync, checkStillAttached } from './views';

/** Default of {@link PackOptions.threshold}: arrays under 8 KiB are stored raw. */
export const DEFAULT_THRESHOLD = 8192;

/** Options of {@link Packer}, {@link pack} and {@link unpack}. */
export interface PackOptions extends CParams, PassedMsgpackrOptions {
  /** Arrays of fewer bytes are stored raw (uncompressed record). Default {@link DEFAULT_THRESHOLD}; 0 compresses every array. */
  threshold?: number;
  /**
   * The record of arrays under `threshold`: `'numpy'`, python-blosc2's own NumPy
   * record (ext 46), which python-blosc2's `msgpack_unpackb` reads as a
   * `numpy.ndarray`; or `'compact'`, this package's raw record (ext 80), a few
   * dozen bytes smaller, which python-blosc2 does not read. Default `'numpy'`
   * (`'compact'` with `structuredClone`, whose messages python cannot read anyway).
   */
  smallArrays?: SmallArrays;
  /**
   * A faithful structured clone: `unpack` gives what `structuredClone` gives
   * (cycles, shared references, -0, BigInt, boxed primitives, Date, RegExp,
   * Errors with cause, Maps and Sets of any keys, arrays with holes, views over
   * one buffer at their offsets), and what `structuredClone` refuses is refused
   * with ERR_DATA_CLONE. The message is readable by this package only (README,
   * "What pack writes"). Default false: plain MessagePack, which Python reads.
   */
  structuredClone?: boolean;
  /** The most bytes the arrays of one message may decode to. Default 1 GiB. */
  maxOutputBytes?: number;
  /** When decoding, return views into the input where the bytes are stored raw and aligned, instead of copies. */
  zeroCopy?: boolean;
  /**
   * When decoding, return each framed array as a {@link LazyArray} that decodes only what `get(selection)`
   * asks for (arrays under `threshold`, which are not framed, come back as arrays). It reads the input: keep it unchanged.
   */
  lazy?: boolean;
}

/** Per-call options of {@link Packer.unpack}. */
export interface UnpackOptions {
  /** Overrides {@link PackOptions.maxOutputBytes} for this call. */
  maxOutputBytes?: number;
  /** Overrides {@link PackOptions.zeroCopy} for this call. */
  zeroCopy?: boolean;
  /** Overrides the decoding thread count for this call. */
  nthreads?: number;
  /** Overrides {@link PackOptions.lazy} for this call. */
  lazy?: boolean;
}

/** What {@link Packer.packOutOfBand} returns. */
export interface OutOfBand {
  /** The MessagePack message, with small placeholders where the large arrays were. */
  message: Buffer;
  /** The large arrays: compressed frames, or with `clevel: 0` the arrays' own bytes (views, not copies). */
  buffers: Uint8Array[];
}

const OWN_KEYS = new Set(['threshold', 'smallArrays', 'structuredClone', 'maxOutputBytes', 'zeroCopy', 'lazy', ...MSGPACKR_KEYS]);
const UNPACK_KEYS = ['maxOutputBytes', 'zeroCopy', 'nthreads', 'lazy'];

/** Every key of {@link PackOptions}, for the wrappers that take Packer options beside their own. @internal */
export const PACK_OPTION_KEYS: readonly string[] = [...CPARAM_KEYS, ...OWN_KEYS];

/** The `smallArrays` option, checked (its default depends on structuredClone). @internal */
export function resolveSmallArrays(o: Record<string, unknown>, structuredClone: boolean): SmallArrays {
  const v = o['smallArrays'];
  if (v === undefined) return structuredClone ? 'compact' : 'numpy';
  if (v !== 'numpy' && v !== 'compact') throw invalidArg('options.smallArrays', "'numpy' or 'compact'", v);
  return v;
}

/** The `threshold` option, checked. @internal */
export function resolveThreshold(o: Record<string, unknown>): number {
  return o['threshold'] === undefined ? DEFAULT_THRESHOLD : checkInt('options.threshold', o['threshold'], 0, Number.MAX_SAFE_INTEGER);
}

/**
 * A configured packer: one msgpackr instance with the blosc2 extension, for
 * repeated use. `pack`/`unpack` of the module use a shared default Packer.
 */
export class Packer {
  readonly #packr: Packr;
  readonly #config: PackConfig;
  readonly #maxOutputBytes: number;
  readonly #zeroCopy: boolean;
  readonly #lazy: boolean;
  readonly #nthreads: number | undefined;
  // Tags packAsync's placeholders. They never leave the process and only this
  // Packer's own skeletons are searched for them, so one random value per
  // Packer is as good as one per call, and saves a random draw per call.
  readonly #nonce = platform.randomBytes(16);
  // The settings of a plain unpack() call: one object per Packer, reset per
  // call (sync unpacks never overlap, and only they use it).
  readonly #plainState: DecodeState;
  // What the default mode's msgpackr options make of values: what pack refuses.
  readonly #rules: CheckRules;

  /** @param options - compression parameters, threshold, limits and msgpackr options */
  constructor(options?: PackOptions) {
    install();
    const o = checkObject('options', options) ?? {};
    const cparams = resolveCParams(o, 1, 'options', OWN_KEYS);
    const threshold = resolveThreshold(o);
    const sc = o['structuredClone'];
    if (sc !== undefined && typeof sc !== 'boolean') throw invalidArg('options.structuredClone', 'a boolean', sc);
    const zc = o['zeroCopy'];
    if (zc !== undefined && typeof zc !== 'boolean') throw invalidArg('options.zeroCopy', 'a boolean', zc);
    const lazy = o['lazy'];
    if (lazy !== undefined && typeof lazy !== 'boolean') throw invalidArg('options.lazy', 'a boolean', lazy);
    this.#lazy = lazy === true;
    this.#maxOutputBytes =
      o['maxOutputBytes'] === undefined
        ? DEFAULT_MAX_OUTPUT_BYTES
        : checkInt('options.maxOutputBytes', o['maxOutputBytes'], 0, Number.MAX_SAFE_INTEGER);
    this.#zeroCopy = zc === true;
    this.#nthreads = o['nthreads'] === undefined ? undefined : cparams.nthreads;
    this.#plainState = {
      nthreads: 1,
      threadsBySize: this.#nthreads === undefined,
      maxOutputBytes: this.#maxOutputBytes,
      remaining: 0,
      zeroCopy: this.#zeroCopy,
      lazy: this.#lazy ? lazyFrame : undefined,
    };
    this.#packr = makePackr(o, sc === true);
    this.#rules = checkRules(o);
    const small = resolveSmallArrays(o, sc === true);
    this.#config = { cparams, threshold, small, structuredClone: sc === true, typesizeHint: 0 };
    configure(this.#packr, this.#config);
  }

  /**
   * Packs a value; every TypedArray, Buffer, DataView, ArrayBuffer and NDArray
   * in it becomes one ext record, compressed from its own memory.
   */
  pack(value: unknown): Buffer {
    if (!this.#config.structuredClone && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const d = describe(value);
      if (d) return packSingle(d, this.#config);
    }
    return this.#write(this.#prepare(value));
  }

  /**
   * What msgpackr is given for a value: with structuredClone its wire tree in
   * an envelope (src/clone/encode.ts), else the value once checked
   * (src/clone/check.ts). Both refuse with ERR_DATA_CLONE naming the path.
   */
  #prepare(value: unknown): unknown {
    if (this.#config.structuredClone) return new Envelope(toWire(value));
    checkPlain(value, this.#rules);
    return value;
  }

  // msgpackr's write; what it throws itself (a stack overflow, an error of a
  // user's toJSON) becomes an ERR_DATA_CLONE.
  #write(prepared: unknown): Buffer {
    try {
      return this.#packr.pack(prepared);
    } catch (err) {
      if (err instanceof Blosc2Error) throw err;
      const e = new Blosc2Error(`cannot pack the value: msgpackr failed (${(err as Error)?.message ?? String(err)})`, 'ERR_DATA_CLONE');
      (e as Error & { cause?: unknown }).cause = err;
      throw e;
    }
  }

  #state(options: UnpackOptions | undefined, extra?: Partial<DecodeState>): DecodeState {
    if (options === undefined && extra === undefined) {
      const s = this.#plainState;
      s.nthreads = this.#nthreads ?? getNthreads();
      s.remaining = this.#maxOutputBytes;
      return s;
    }
    const o = checkObject('options', options) ?? {};
    checkKnownKeys('options', o, UNPACK_KEYS);
    const max =
      o['maxOutputBytes'] === undefined
        ? this.#maxOutputBytes
        : checkInt('options.maxOutputBytes', o['maxOutputBytes'], 0, Number.MAX_SAFE_INTEGER);
    const zc = o['zeroCopy'] === undefined ? this.#zeroCopy : o['zeroCopy'];
    if (typeof zc !== 'boolean') throw invalidArg('options.zeroCopy', 'a boolean', zc);
    const nthreads = o['nthreads'] === undefined ? (this.#nthreads ?? getNthreads()) : checkInt('options.nthreads', o['nthreads'], 1, 256);
    const threadsBySize = o['nthreads'] === undefined && this.#nthreads === undefined;
    const lazy = o['lazy'] === undefined ? this.#lazy : o['lazy'];
    if (typeof lazy !== 'boolean') throw invalidArg('options.lazy', 'a boolean', lazy);
    return { nthreads, threadsBySize, maxOutputBytes: max, remaining: max, zeroCopy: zc, lazy: lazy ? lazyFrame : undefined, ...extra };
  }

  #unpack(bytes: BinaryLike, state: DecodeState): unknown {
    const view = bytes instanceof Uint8Array ? bytes : asView(bytes, 'bytes');
    return this.#run(view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength), state);
  }

  #run(u8: Uint8Array, state: DecodeState): unknown {
    const prev = swapDecodeState(state);
    const clone = (state.clone = { made: 0, resolved: 0, envelope: false });
    // A structuredClone message (its envelope, d4 53) is read with records and
    // Maps as Maps, whatever this Packer writes.
    const packr = !this.#config.structuredClone && u8[0] === 0xd4 && u8[1] === ENVELOPE_EXT ? cloneUnpackr() : this.#packr;
    try {
      const value: unknown = packr.unpack(u8);
      if (clone.made !== clone.resolved)
        throw new Blosc2Error('structuredClone records outside the envelope of a structuredClone message', 'ERR_CORRUPT');
      return value;
    } catch (err) {
      throw readFailure(err, u8);
    } finally {
      swapDecodeState(prev);
    }
  }

  /**
   * Rebuilds the value packed by {@link Packer.pack} (or by python-blosc2's
   * msgpack helpers). Arrays are decompressed once, straight into their memory.
   * @throws {@link Blosc2Error} `ERR_CORRUPT`, `ERR_MAX_OUTPUT`, `ERR_UNSUPPORTED`
   */
  unpack(bytes: BinaryLike, options?: UnpackOptions): unknown;
  /** `unpack<T>(bytes)`: the result typed as `T`, as msgpackr's generics do; nothing checks that the message holds a `T`. */
  unpack<T>(bytes: BinaryLike, options?: UnpackOptions): T;
  unpack(bytes: BinaryLike, options?: UnpackOptions): unknown {
    // The common call (small messages in a loop) goes straight to msgpackr.
    if (options === undefined && bytes instanceof Uint8Array) return this.#run(bytes, this.#state(undefined));
    return this.#unpack(bytes, this.#state(options));
  }

  /**
   * Like {@link Packer.pack}, but large arrays (at least `threshold` bytes) are
   * not copied into the message: they travel in `buffers`, compressed, or with
   * `clevel: 0` as the arrays' own memory, untouched (pickle protocol 5's idea).
   */
  packOutOfBand(value: unknown): OutOfBand {
    const sink: OutOfBandSink = { minBytes: Math.max(1, this.#config.threshold), buffers: [] };
    this.#config.outOfBand = sink;
    try {
      return { message: this.#write(this.#prepare(value)), buffers: sink.buffers };
    } finally {
      this.#config.outOfBand = undefined;
    }
  }

  /** Rebuilds a value from {@link Packer.packOutOfBand}'s message and buffers. */
  unpackOutOfBand(message: BinaryLike, buffers: readonly Uint8Array[], options?: UnpackOptions): unknown;
  /** The result typed as `T` (unchecked). */
  unpackOutOfBand<T>(message: BinaryLike, buffers: readonly Uint8Array[], options?: UnpackOptions): T;
  unpackOutOfBand(message: BinaryLike, buffers: readonly Uint8Array[], options?: UnpackOptions): unknown {
    if (!Array.isArray(buffers)) throw invalidArg('buffers', 'an array of Uint8Arrays', buffers);
    return this.#unpack(message, this.#state(options, { buffers }));
  }

  /**
   * {@link Packer.pack} with every large array compressed on the libuv thread
   * pool, concurrently: the event loop keeps running. The arrays are read in
   * place: do not write, transfer or detach them until the promise settles.
   */
  async packAsync(value: unknown): Promise<Buffer> {
    const caller = new Error();
    if ((this.#packr as { bundleStrings?: boolean }).bundleStrings) {
      throw invalidArg('options.bundleStrings', 'false with packAsync (bundled strings store offsets)', true);
    }
    if (!this.#config.structuredClone && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // A lone large array: its frame is written on the pool straight into the message.
      const d = describe(value);
      if (d) {
        try {
          const single = await packSingleAsync(d, this.#config);
          if (single) return single;
        } catch (err) {
          throw withCallerStack(err, caller);
        }
      }
    }
    const nonce = this.#nonce;
    const sink: OutOfBandSink = { minBytes: Math.max(1, this.#config.threshold), buffers: [], pending: [], nonce };
    this.#config.outOfBand = sink;
    let skeleton: Buffer;
    try {
      skeleton = this.#write(this.#prepare(value));
    } finally {
      this.#config.outOfBand = undefined;
    }
    const jobs = sink.pending ?? [];
    let frames: Buffer[];
    try {
      for (const d of jobs) checkStableForAsync(d.bytes, 'an array in value');
      frames = await Promise.all(jobs.map((d) => encodeFrameAsync(d, this.#config.cparams)));
    } catch (err) {
      throw withCallerStack(err, caller);
    }
    return spliceOutOfBand(skeleton, frames, nonce);
  }

  /**
   * {@link Packer.unpack} with every compressed array decoded on the libuv
   * thread pool, concurrently. `bytes` must stay untouched until it settles.
   */
  unpackAsync(bytes: BinaryLike, options?: UnpackOptions): Promise<unknown>;
  /** The result typed as `T` (unchecked). */
  unpackAsync<T>(bytes: BinaryLike, options?: UnpackOptions): Promise<T>;
  async unpackAsync(bytes: BinaryLike, options?: UnpackOptions): Promise<unknown> {
    const caller = new Error();
    const view = asView(bytes, 'bytes');
    checkStableForAsync(view, 'bytes');
    const deferred: Array<Promise<void>> = [];
    let value: unknown;
    try {
      value = this.#unpack(view, this.#state(options, { deferred }));
    } catch (err) {
      // Decodes already queued for earlier arrays must not reject unobserved.
      await Promise.allSettled(deferred);
      throw err;
    }
    try {
      await Promise.all(deferred);
      checkStillAttached(view, 'bytes');
    } catch (err) {
      throw withCallerStack(err, caller);
    }
    return value;
  }

  /** The msgpackr instance behind this Packer (configured with the extension). */
  get packr(): Packr {
    return this.#packr;
  }
}

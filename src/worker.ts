/**
 * Moving values between worker threads without copying their arrays.
 *
 * `postMessage` copies every typed array it is given unless its ArrayBuffer is
 * in the transfer list; {@link postValue} builds the message and the transfer
 * list for you, in one of two modes:
 *
 * - `'transfer'` (default): {@link Packer.packOutOfBand} with `clevel: 0`: the
 *   object graph becomes a small MessagePack message, and every array of at
 *   least `threshold` bytes travels as its own memory, moved to the receiver.
 *   No byte of those arrays is copied or compressed; the sender's ArrayBuffers
 *   are detached (byteLength 0) after the call. The receiver's arrays are views
 *   over the moved memory.
 * - `'compress'`: `packOutOfBand` with the given compression: each large array
 *   becomes one C-Blosc2 frame in a fresh buffer, and those buffers are moved.
 *   The sender keeps its arrays; the receiver decompresses. For data that
 *   compresses well and crosses a thread boundary to be stored or forwarded.
 *
 * The receiving thread calls {@link receiveValue} (the addon loads once per
 * thread: each worker that imports this package gets its own instance).
 *
 * Whole ArrayBuffers move: a view over part of an ArrayBuffer takes the rest of
 * it along, and every other view over it is detached too. SharedArrayBuffer
 * memory is shared, never moved. Arrays under `threshold` bytes (default 8 KiB)
 * are copied inside the message.
 *
 * @example
 * ```ts
 * // main thread
 * postValue(worker, { id: 7, frame: new Float32Array(1 << 20) });
 * // worker
 * parentPort.on('message', (m) => { const value = receiveValue(m); ... });
 * ```
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg, invalidInput } from './errors';
import { checkName } from './names';
import { Packer, type PackOptions, type UnpackOptions } from './packer';
import { splitPackerOptions } from './packer-options';
import { checkObject } from './params';
import { platform } from './platform';

/** How {@link postValue} moves the arrays of a value. */
export type TransferMode = 'transfer' | 'compress';

/** Options of {@link postValue} and {@link encodeValue}. */
export interface PostValueOptions extends PackOptions {
  /** `'transfer'` (default): move the arrays' own memory; `'compress'`: move compressed frames. */
  mode?: TransferMode;
  /** Use this Packer for the object graph (in `'transfer'` mode it must have been made with `clevel: 0`). */
  packer?: Packer;
}

/** The structured-clone-safe message {@link postValue} posts and {@link receiveValue} reads. */
export interface ValueMessage {
  /** Marks the message (format version 1). */
  blosc2Value: 1;
  /** How the arrays travel: their own memory (`'transfer'`) or compressed frames (`'compress'`). */
  mode: TransferMode;
  /** The MessagePack skeleton (an exact-size copy: small). */
  message: Uint8Array;
  /** The out-of-band buffers the skeleton refers to by index. */
  buffers: Uint8Array[];
}

/**
 * Something with `postMessage(value, transferList)`: a Worker, a MessagePort, `parentPort`.
 * The list is always given and holds only ArrayBuffers: written so, Worker and MessagePort fit it
 * under every @types/node release (their element type and overloads differ between releases).
 */
export interface PostTarget {
  postMessage(value: unknown, transferList: ArrayBuffer[]): void;
}

const MODES: readonly TransferMode[] = ['transfer', 'compress'];
const OWN_KEYS: ReadonlySet<string> = new Set(['mode']);

let transferPacker: Packer | undefined;
let compressPacker: Packer | undefined;
const packers = new WeakMap<object, Packer>();

function packerFor(options: PostValueOptions | undefined): { packer: Packer; mode: TransferMode } {
  const split = splitPackerOptions(options, OWN_KEYS);
  const mode = checkName('options.mode', split.own['mode'] ?? 'transfer', MODES);
  if (split.packer) return { packer: split.packer, mode };
  const clevel = split.packerOptions?.clevel;
  if (mode === 'transfer' && clevel !== undefined && clevel !== 0) {
    throw invalidArg('options.clevel', "0 or absent in 'transfer' mode (use mode 'compress' to compress)", clevel);
  }
  if (split.packerOptions === undefined) {
    const packer = mode === 'transfer' ? (transferPacker ??= new Packer({ clevel: 0 })) : (compressPacker ??= new Packer());
    return { packer, mode };
  }
  let packer = packers.get(split.own);
  if (!packer) {
    packer = new Packer(mode === 'transfer' ? { ...split.packerOptions, clevel: 0 } : split.packerOptions);
    packers.set(split.own, packer);
  }
  return { packer, mode };
}

/**
 * Builds the message and transfer list {@link postValue} would post, for
 * channels that take them separately.
 * @returns `message` for `postMessage`, and `transferList`: the ArrayBuffers that will move
 */
export function encodeValue(value: unknown, options?: PostValueOptions): { message: ValueMessage; transferList: ArrayBuffer[] } {
  const { packer, mode } = packerFor(options);
  const oob = packer.packOutOfBand(value);
  const transferList: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  for (const b of oob.buffers) {
    const ab = b.buffer;
    if (!(ab instanceof ArrayBuffer) || seen.has(ab)) continue;
    seen.add(ab);
    // Node >= 21 throws on an untransferable ArrayBuffer (such as the pool
    // behind small Buffers) in a transfer list; Node 20 silently copies it.
    if (platform.isUntransferable(ab)) continue;
    transferList.push(ab);
  }
  // msgpackr writes messages into a large shared buffer; structured clone would
  // copy all of it, so send an exact copy of the (small) skeleton instead.
  const message: ValueMessage = { blosc2Value: 1, mode, message: new Uint8Array(oob.message), buffers: oob.buffers };
  return { message, transferList };
}

/**
 * Posts a value to a worker or port, moving its large arrays instead of
 * copying them (see the module notes for the two modes).
 * @param target - a Worker, MessagePort or `parentPort`
 * @param value - any value {@link Packer.pack} accepts
 * @param options - `mode` (`'transfer'` | `'compress'`), Packer options, or a `packer`
 * @throws {@link Blosc2Error} `ERR_INVALID_ARG` (bad target or options), or what {@link Packer.pack} throws
 */
export function postValue(target: PostTarget, value: unknown, options?: PostValueOptions): void {
  if (target === null || typeof target !== 'object' || typeof (target as { postMessage?: unknown }).postMessage !== 'function') {
    throw invalidArg('target', 'a Worker, MessagePort or other object with postMessage', target);
  }
  const { message, transferList } = encodeValue(value, options);
  target.postMessage(message, transferList);
}

/** True when `data` looks like a message from {@link postValue} (for channels that carry other messages too). */
export function isValueMessage(data: unknown): data is ValueMessage {
  return data !== null && typeof data === 'object' && (data as { blosc2Value?: unknown }).blosc2Value === 1;
}

let receivePacker: Packer | undefined;

/**
 * Rebuilds the value posted by {@link postValue}. In `'transfer'` mode the
 * arrays are views over the moved memory (no copy); in `'compress'` mode they
 * are decompressed into new memory, bounded by `maxOutputBytes`.
 * @param data - the `data` of the 'message' event
 * @throws {@link Blosc2Error} `ERR_INVALID_ARG` if `data` is not such a message; `ERR_CORRUPT`, `ERR_MAX_OUTPUT`
 */
export function receiveValue(data: unknown, options?: UnpackOptions & { packer?: Packer }): unknown;
/** The value typed as `T` (unchecked). */
export function receiveValue<T>(data: unknown, options?: UnpackOptions & { packer?: Packer }): T;
export function receiveValue(data: unknown, options?: UnpackOptions & { packer?: Packer }): unknown {
  if (!isValueMessage(data)) throw invalidInput('data', 'a message posted by postValue', data);
  const { message, buffers } = data;
  if (!(message instanceof Uint8Array) || !Array.isArray(buffers) || !buffers.every((b) => b instanceof Uint8Array)) {
    throw new Blosc2Error('a postValue message has a bad message or buffers field', 'ERR_CORRUPT');
  }
  // Every option but `packer` is an unpack option, checked by unpackOutOfBand.
  const o = checkObject('options', options) ?? {};
  const unpackOptions: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (k !== 'packer' && o[k] !== undefined) unpackOptions[k] = o[k];
  const given = o['packer'];
  if (given !== undefined && !(given instanceof Packer)) throw invalidArg('options.packer', 'a Packer', given);
  const packer = given ?? (receivePacker ??= new Packer());
  return packer.unpackOutOfBand(message, buffers, unpackOptions);
}

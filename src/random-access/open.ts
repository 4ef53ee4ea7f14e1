/**
 * openFrame: a lazy array over a frame in memory, or over a range reader;
 * and the hook that makes `unpack(bytes, { lazy: true })` return lazy arrays.
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { checkKnownKeys } from '../names';
import { backend, type OpenedFrame } from '../backend';
import { DEFAULT_MAX_OUTPUT_BYTES, checkInt, checkObject, getNthreads } from '../params';
import type { DecodeState } from '../records/decode-state';
import { B2ND_EXT } from '../records/types';
import { type BinaryLike, asView } from '../views';
import { LazyArray, type LazySettings } from './lazy-array';
import { AsyncLazyArray, type RangeReader, RangeSource } from './range-array';

/** Options of {@link openFrame}. */
export interface OpenFrameOptions {
  /** The most bytes one `get` or `toArray` may return (also bounds a chunk, a read and the index). Default 1 GiB. */
  maxOutputBytes?: number;
  /** Decoding threads per chunk. Default: as many as each chunk's size is worth, up to {@link getNthreads}. */
  nthreads?: number;
  /** Where the frame (or the message holding it) starts in the source. Default 0. */
  offset?: number;
}

const OPTION_KEYS = ['maxOutputBytes', 'nthreads', 'offset'];
/** The first read of a range source: the header of most frames fits in it. */
const PROBE_BYTES = 1024;

function resolve(options: OpenFrameOptions | undefined): LazySettings & { offset: number } {
  const o = checkObject('options', options) ?? {};
  checkKnownKeys('options', o, OPTION_KEYS);
  return {
    maxOutputBytes:
      o['maxOutputBytes'] === undefined
        ? DEFAULT_MAX_OUTPUT_BYTES
        : checkInt('options.maxOutputBytes', o['maxOutputBytes'], 0, Number.MAX_SAFE_INTEGER),
    nthreads: o['nthreads'] === undefined ? getNthreads() : checkInt('options.nthreads', o['nthreads'], 1, 256),
    threadsBySize: o['nthreads'] === undefined,
    offset: o['offset'] === undefined ? 0 : checkInt('options.offset', o['offset'], 0, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * The MessagePack ext header in front of a frame in a message that is one
 * array (what `pack(array)` writes): its size and the payload length. None
 * for a bare frame (which starts with 0x9e).
 */
function extHeader(bytes: Uint8Array): { size: number; length: number } | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size: number;
  let length: number;
  if (bytes[0] === 0xc7 && bytes.length >= 3) [size, length] = [3, dv.getUint8(1)];
  else if (bytes[0] === 0xc8 && bytes.length >= 4) [size, length] = [4, dv.getUint16(1)];
  else if (bytes[0] === 0xc9 && bytes.length >= 6) [size, length] = [6, dv.getUint32(1)];
  else return undefined;
  const type = dv.getInt8(size - 1);
  if (type !== B2ND_EXT) throw new Blosc2Error(`the source holds an ext ${type} record, not a frame (ext ${B2ND_EXT})`, 'ERR_CORRUPT');
  return { size, length };
}

/**
 * A lazy array over a frame: `get(selection)` decodes only what it selects.
 *
 * - `openFrame(bytes)`: a frame in memory (a Blosc2 b2nd CFrame, python-blosc2's
 *   `to_cframe()`, or a message that is one array, as `pack(array)` writes it);
 *   returns a {@link LazyArray} at once. It reads those bytes: keep them unchanged.
 * - `openFrame(reader)`: a {@link RangeReader} `(offset, length) => Promise<Uint8Array>`;
 *   reads the header, the offsets index and the trailer (two or three reads), then only
 *   the chunks each `get` touches. Resolves to an {@link AsyncLazyArray}.
 * @throws {@link Blosc2Error} ERR_CORRUPT (not a frame, a lying index, a reader's short reads),
 *   ERR_MAX_OUTPUT (chunks or index over maxOutputBytes), ERR_UNSUPPORTED (a dtype this runtime lacks)
 */
export function openFrame(source: BinaryLike, options?: OpenFrameOptions): LazyArray;
export function openFrame(source: RangeReader, options?: OpenFrameOptions): Promise<AsyncLazyArray>;
export function openFrame(source: BinaryLike | RangeReader, options?: OpenFrameOptions): LazyArray | Promise<AsyncLazyArray> {
  const settings = resolve(options);
  if (typeof source === 'function') return openRange(source, settings);
  const view = asView(source, 'source');
  let bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).subarray(settings.offset);
  const ext = extHeader(bytes);
  if (ext) {
    if (ext.size + ext.length !== bytes.byteLength) throw new Blosc2Error('the message holds more than one array frame', 'ERR_CORRUPT');
    bytes = bytes.subarray(ext.size);
  }
  return new LazyArray(bytes, backend.frameOpen({ frame: bytes }), settings);
}

async function openRange(reader: RangeReader, settings: LazySettings & { offset: number }): Promise<AsyncLazyArray> {
  const source = new RangeSource(reader, settings.offset);
  const probe = await source.read(0, PROBE_BYTES, true);
  const ext = extHeader(probe);
  const prefix = probe.subarray(ext?.size ?? 0);
  source.base += ext?.size ?? 0;
  const layout = backend.frameProbe({ prefix });
  if (ext && ext.length !== layout.frameLength) throw new Blosc2Error('the ext record and the frame disagree on its length', 'ERR_CORRUPT');
  const tailLength = layout.frameLength - layout.indexOffset;
  for (const [what, bytes] of [
    ['header', layout.headerLength],
    ['offsets index and trailer', tailLength],
  ] as const) {
    if (bytes > settings.maxOutputBytes) {
      throw new Blosc2Error(
        `the frame's ${what} claims ${bytes} bytes, over maxOutputBytes (${settings.maxOutputBytes})`,
        'ERR_MAX_OUTPUT',
      );
    }
  }
  const within = (offset: number, length: number): Promise<Uint8Array> =>
    offset + length <= prefix.byteLength ? Promise.resolve(prefix.subarray(offset, offset + length)) : source.read(offset, length);
  const header = await within(0, layout.headerLength);
  const tail = await within(layout.indexOffset, tailLength);
  const info = backend.frameOpenParts({ header, tail, frameLength: layout.frameLength });
  return new AsyncLazyArray(source, info, tail, settings);
}

/** unpack(bytes, { lazy: true }): each frame of the message becomes a {@link LazyArray}. @internal */
export function lazyFrame(frame: Uint8Array, info: OpenedFrame, state: DecodeState): LazyArray {
  return new LazyArray(frame, info, { maxOutputBytes: state.maxOutputBytes, nthreads: state.nthreads, threadsBySize: state.threadsBySize });
}

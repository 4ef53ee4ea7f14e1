/**
 * Options of the stream classes, checked: limits, framing version, when
 * values are packed, and the Packer they use.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg } from './errors';
import type { Packer, PackOptions } from './packer';
import { packerFromOptions } from './packer-options';
import { DEFAULT_MAX_OUTPUT_BYTES, checkInt } from './params';
import { STREAM_FRAMING_VERSION } from './stream-framing';

/** The largest length a frame header can state (2^32 - 1). */
export const MAX_FRAME_BYTES = 0xffff_ffff;

/**
 * Default of {@link StreamOptions.maxMessageBytes}: 1 GiB, the same as the
 * default `maxOutputBytes`. A message whose arrays may decode to 1 GiB can take
 * about that much on the wire when its data does not compress, so the two
 * limits agree; it is also the most memory one frame may pin in a receiver.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = DEFAULT_MAX_OUTPUT_BYTES;

/** Options of {@link PackStream} and {@link UnpackStream}. */
export interface StreamOptions extends PackOptions {
  /**
   * The largest message, in bytes (the frame length, header excluded), that the
   * stream sends or accepts. An {@link UnpackStream} refuses a frame header
   * stating more with `ERR_MAX_OUTPUT` as soon as that header arrives,
   * before buffering or allocating anything for the message. Default
   * {@link DEFAULT_MAX_MESSAGE_BYTES}; at most {@link MAX_FRAME_BYTES}.
   */
  maxMessageBytes?: number;
  /**
   * Compress ({@link PackStream}) or decompress ({@link UnpackStream}) the
   * arrays of each message on the libuv pool ({@link Packer.packAsync} /
   * {@link Packer.unpackAsync}), so large messages do not block the event loop.
   * Messages stay in order. Default false.
   */
  async?: boolean;
  /** Use this Packer instead of making one from the other options (which must then be absent). */
  packer?: Packer;
  /**
   * The framing written ({@link PackStream}) or read ({@link UnpackStream}):
   * 2 (default) checks every frame header and starts with a stream header; 1
   * is what this package wrote before 0.2 (a bare 4-byte length per message),
   * for peers that still write or read it.
   */
  framing?: 1 | 2;
  /**
   * {@link PackStream} only. false (default, unless `async`): each value is
   * packed inside `write()`, so the stream holds a snapshot and the caller may
   * change or reuse its arrays as soon as `write()` returns (as with
   * `postMessage` and `v8.serialize`). true: a value is packed when the stream
   * reaches it, which may be after `write()` returns (queued writes; with
   * `async`, on the libuv pool); its arrays must not change until its write
   * callback has run. `async: true` implies it.
   */
  deferred?: boolean;
}

const STREAM_KEYS = new Set(['maxMessageBytes', 'async', 'packer', 'framing', 'deferred']);

export interface Resolved {
  packer: Packer;
  maxMessageBytes: number;
  async: boolean;
  framing: 1 | 2;
  deferred: boolean;
}

export function resolve(options: StreamOptions | undefined): Resolved {
  const { packer, own } = packerFromOptions(options, STREAM_KEYS);
  const maxMessageBytes =
    own['maxMessageBytes'] === undefined
      ? DEFAULT_MAX_MESSAGE_BYTES
      : checkInt('options.maxMessageBytes', own['maxMessageBytes'], 1, MAX_FRAME_BYTES);
  const async = own['async'] ?? false;
  if (typeof async !== 'boolean') throw invalidArg('options.async', 'a boolean', async);
  const framing = own['framing'] ?? STREAM_FRAMING_VERSION;
  if (framing !== 1 && framing !== 2) throw invalidArg('options.framing', '1 or 2', framing);
  const deferred = own['deferred'] ?? async;
  if (typeof deferred !== 'boolean') throw invalidArg('options.deferred', 'a boolean', deferred);
  if (async && !deferred)
    throw invalidArg('options.deferred', 'true or absent with async: true (the pool reads arrays after write() returns)', false);
  return { packer, maxMessageBytes, async, framing, deferred };
}

/** ERR_MAX_OUTPUT for a message over maxMessageBytes. */
export function tooLarge(n: number, limit: number, side: string): Blosc2Error {
  return new Blosc2Error(
    `${side} a message of ${n} bytes, over maxMessageBytes (${limit}); raise maxMessageBytes on both ends to allow it`,
    'ERR_MAX_OUTPUT',
  );
}

/**
 * Stream framing (FORMAT.md, "Stream framing"), shared by Node's stream
 * classes (stream.ts) and the Web Streams ones (stream.web.ts): the options,
 * the 4-byte big-endian length header, and the splitting of received chunks
 * into whole messages under a size limit.
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg } from './errors';
import type { Packer, PackOptions } from './packer';
import { packerFromOptions } from './packer-options';
import { DEFAULT_MAX_OUTPUT_BYTES, checkInt } from './params';
import { type Bytes, platform } from './platform';

/** Bytes of the length prefix in front of each message. */
export const FRAME_HEADER_BYTES = 4;

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
   * stating more with `ERR_MAX_OUTPUT` as soon as the 4 header bytes arrive,
   * before buffering or allocating anything for the message. Default
   * {@link DEFAULT_MAX_MESSAGE_BYTES}; at most {@link MAX_FRAME_BYTES}.
   */
  maxMessageBytes?: number;
  /**
   * Compress ({@link PackStream}) or decompress ({@link UnpackStream}) the
   * arrays of each message with {@link Packer.packAsync} /
   * {@link Packer.unpackAsync} (under Node's addon: on the libuv pool, so large
   * messages do not block the event loop). Messages stay in order. Default false.
   */
  async?: boolean;
  /** Use this Packer instead of making one from the other options (which must then be absent). */
  packer?: Packer;
}

const STREAM_KEYS = new Set(['maxMessageBytes', 'async', 'packer']);

/** Stream options, checked. @internal */
export interface ResolvedStreamOptions {
  packer: Packer;
  maxMessageBytes: number;
  async: boolean;
}

/** @internal */
export function resolveStreamOptions(options: StreamOptions | undefined): ResolvedStreamOptions {
  const { packer, own } = packerFromOptions(options, STREAM_KEYS);
  const maxMessageBytes =
    own['maxMessageBytes'] === undefined
      ? DEFAULT_MAX_MESSAGE_BYTES
      : checkInt('options.maxMessageBytes', own['maxMessageBytes'], 1, MAX_FRAME_BYTES);
  const async = own['async'] ?? false;
  if (typeof async !== 'boolean') throw invalidArg('options.async', 'a boolean', async);
  return { packer, maxMessageBytes, async };
}

/** @internal */
export function tooLarge(n: number, limit: number, side: string): Blosc2Error {
  return new Blosc2Error(
    `${side} a message of ${n} bytes, over maxMessageBytes (${limit}); raise maxMessageBytes on both ends to allow it`,
    'ERR_MAX_OUTPUT',
  );
}

/** The 4-byte header of a message of n bytes. @internal */
export function frameHeader(n: number): Bytes {
  const header = platform.alloc(FRAME_HEADER_BYTES);
  new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES).setUint32(0, n, false);
  return header;
}

/**
 * Received bytes, split anywhere, into whole messages. A partial message is
 * kept as the list of chunks received so far and joined (one allocation of
 * the stated length) only once it is complete, so a peer that states a large
 * length and then trickles bytes costs only what it actually sent.
 * @internal
 */
export class FrameSplitter {
  readonly #maxMessageBytes: number;
  readonly #chunks: Uint8Array[] = [];
  /** Bytes of #chunks not yet consumed (the first chunk starts at #offset). */
  #buffered = 0;
  #offset = 0;
  /** Length of the frame being received, or -1 while waiting for a header. */
  #need = -1;

  constructor(maxMessageBytes: number) {
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Bytes received but not yet handed out as a message. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * The next whole message (a view where it lies in one chunk), or undefined
   * until more bytes arrive.
   * @throws {@link Blosc2Error} `ERR_CORRUPT` (a zero length), `ERR_MAX_OUTPUT` (over maxMessageBytes)
   */
  next(): Bytes | undefined {
    if (this.#need < 0) {
      if (this.#buffered < FRAME_HEADER_BYTES) return undefined;
      const h = this.#take(FRAME_HEADER_BYTES);
      const n = ((h[0] as number) * 2 ** 24 + (((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number))) >>> 0;
      if (n === 0) throw new Blosc2Error('a frame states a zero-length message', 'ERR_CORRUPT');
      if (n > this.#maxMessageBytes) throw tooLarge(n, this.#maxMessageBytes, 'the peer sent a frame header stating');
      this.#need = n;
    }
    if (this.#buffered < this.#need) return undefined;
    const message = this.#take(this.#need);
    this.#need = -1;
    return message;
  }

  /** The error of an input that ends here (inside a frame), or undefined. */
  endError(): Blosc2Error | undefined {
    if (this.#buffered === 0 && this.#need < 0) return undefined;
    const what =
      this.#need < 0 ? `${this.#buffered} of the ${FRAME_HEADER_BYTES} header bytes` : `${this.#buffered} of ${this.#need} message bytes`;
    return new Blosc2Error(`the stream ended inside a frame (${what})`, 'ERR_CORRUPT');
  }

  // Removes n bytes (n <= #buffered) from the front: a view when they lie in one
  // chunk, else new Bytes of exactly n bytes.
  #take(n: number): Bytes {
    const first = this.#chunks[0] as Uint8Array;
    if (first.length - this.#offset >= n) {
      const out = first.subarray(this.#offset, this.#offset + n);
      this.#offset += n;
      if (this.#offset === first.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
      this.#buffered -= n;
      return out as Bytes;
    }
    const out = platform.alloc(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0] as Uint8Array;
      const count = Math.min(n - filled, chunk.length - this.#offset);
      out.set(chunk.subarray(this.#offset, this.#offset + count), filled);
      filled += count;
      this.#offset += count;
      if (this.#offset === chunk.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    this.#buffered -= n;
    return out;
  }
}

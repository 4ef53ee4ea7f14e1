/**
 * Streams of packed values: {@link PackStream} turns values into framed bytes,
 * {@link UnpackStream} turns those bytes back into values, for sockets, pipes
 * and child-process stdio.
 *
 * Framing (FORMAT.md, "Stream framing"): a stream is a sequence of frames, each
 * a 4-byte unsigned big-endian length `N` (1 <= N <= 2^32 - 1) followed by
 * exactly `N` bytes holding one message of {@link Packer.pack}. Nothing else
 * travels between frames: no stream header, no padding, no trailer. A stream
 * that ends inside a frame is corrupt.
 * @packageDocumentation
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Blosc2Error, invalidArg, invalidInput } from './errors';
import type { Packer, PackOptions } from './packer';
import { packerFromOptions } from './packer-options';
import { DEFAULT_MAX_OUTPUT_BYTES, checkInt } from './params';

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
   * arrays of each message on the libuv pool ({@link Packer.packAsync} /
   * {@link Packer.unpackAsync}), so large messages do not block the event loop.
   * Messages stay in order. Default false.
   */
  async?: boolean;
  /** Use this Packer instead of making one from the other options (which must then be absent). */
  packer?: Packer;
}

const STREAM_KEYS = new Set(['maxMessageBytes', 'async', 'packer']);

interface Resolved {
  packer: Packer;
  maxMessageBytes: number;
  async: boolean;
}

function resolve(options: StreamOptions | undefined): Resolved {
  const { packer, own } = packerFromOptions(options, STREAM_KEYS);
  const maxMessageBytes =
    own['maxMessageBytes'] === undefined
      ? DEFAULT_MAX_MESSAGE_BYTES
      : checkInt('options.maxMessageBytes', own['maxMessageBytes'], 1, MAX_FRAME_BYTES);
  const async = own['async'] ?? false;
  if (typeof async !== 'boolean') throw invalidArg('options.async', 'a boolean', async);
  return { packer, maxMessageBytes, async };
}

function tooLarge(n: number, limit: number, side: string): Blosc2Error {
  return new Blosc2Error(
    `${side} a message of ${n} bytes, over maxMessageBytes (${limit}); raise maxMessageBytes on both ends to allow it`,
    'ERR_MAX_OUTPUT',
  );
}

/**
 * Values in, framed bytes out: each value written is packed into one message
 * and pushed as a 4-byte big-endian length followed by the message (two
 * chunks, so the message itself is never copied). The writable side is in
 * object mode; the readable side yields Buffers. Back-pressure is Node's:
 * `write()` returns false while the readable side is over its high-water mark.
 *
 * Top-level `null` and `undefined` cannot be written (Node's object-mode
 * streams reserve them); put them inside an object or array.
 *
 * A written value is packed when the stream reaches it, which may be after
 * `write()` returns (queued writes; with `async`, on the libuv pool): do not
 * change, transfer or detach its arrays until the stream has read them (its
 * write callback has run).
 *
 * @example
 * ```ts
 * const out = new PackStream({ codec: 'zstd', clevel: 5 });
 * out.pipe(socket);
 * out.write({ id: 1, samples: new Float64Array(1 << 20) });
 * ```
 */
export class PackStream extends Transform {
  readonly #packer: Packer;
  readonly #maxMessageBytes: number;
  readonly #async: boolean;

  /** @param options - Packer options (codec, clevel, threshold...), `maxMessageBytes`, `async` or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    super({ writableObjectMode: true, readableObjectMode: false });
    this.#packer = r.packer;
    this.#maxMessageBytes = r.maxMessageBytes;
    this.#async = r.async;
  }

  /** The Packer that packs each value. */
  get packer(): Packer {
    return this.#packer;
  }

  override _transform(value: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#async) {
      let message: Buffer;
      try {
        message = this.#packer.pack(value);
      } catch (err) {
        callback(err as Error);
        return;
      }
      this.#emitFrame(message, callback);
      return;
    }
    this.#packer.packAsync(value).then(
      (message) => this.#emitFrame(message, callback),
      (err: unknown) => callback(err as Error),
    );
  }

  #emitFrame(message: Buffer, callback: TransformCallback): void {
    if (message.length > this.#maxMessageBytes) {
      callback(tooLarge(message.length, this.#maxMessageBytes, 'refusing to send'));
      return;
    }
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    header.writeUInt32BE(message.length, 0);
    this.push(header);
    this.push(message);
    callback();
  }
}

/**
 * Framed bytes in, values out: the inverse of {@link PackStream}. The writable
 * side takes Buffers (or Uint8Arrays) split anywhere; the readable side is in
 * object mode and yields one value per message, in order.
 *
 * Memory: a partial message is kept as the list of chunks received so far and
 * joined (one allocation of the stated length) only once it is complete, so a
 * peer that states a large length and then trickles bytes costs only what it
 * actually sent. A stated length over `maxMessageBytes` fails the stream with
 * `ERR_MAX_OUTPUT` as soon as the header arrives. Arrays in each message are
 * further bounded by `maxOutputBytes`, as in {@link Packer.unpack}.
 *
 * Errors (the stream is destroyed with a {@link Blosc2Error}): `ERR_MAX_OUTPUT`
 * (a frame or its arrays over the limits), `ERR_CORRUPT` (a zero length, a bad
 * message, or the input ending inside a frame), `ERR_UNSUPPORTED` (a message
 * holding a top-level `null` or `undefined`, which an object-mode stream cannot
 * deliver).
 *
 * With `zeroCopy: true`, arrays stored raw may be views into the received
 * chunks: the upstream must not reuse its chunk memory (sockets, pipes and
 * file streams do not).
 */
export class UnpackStream extends Transform {
  readonly #packer: Packer;
  readonly #maxMessageBytes: number;
  readonly #async: boolean;
  readonly #chunks: Buffer[] = [];
  /** Bytes of #chunks not yet consumed (the first chunk starts at #offset). */
  #buffered = 0;
  #offset = 0;
  /** Length of the frame being received, or -1 while waiting for a header. */
  #need = -1;

  /** @param options - unpack limits (`maxOutputBytes`, `maxMessageBytes`), `zeroCopy`, `async`, or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    super({ writableObjectMode: false, readableObjectMode: true });
    this.#packer = r.packer;
    this.#maxMessageBytes = r.maxMessageBytes;
    this.#async = r.async;
  }

  /** Bytes received but not yet delivered as a value (a partial frame). */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    let buf: Buffer;
    if (Buffer.isBuffer(chunk)) buf = chunk;
    else if (chunk instanceof Uint8Array) buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else if (typeof chunk === 'string') buf = Buffer.from(chunk, encoding);
    else {
      callback(invalidInput('chunk', 'a Buffer or Uint8Array', chunk));
      return;
    }
    if (buf.length > 0) {
      this.#chunks.push(buf);
      this.#buffered += buf.length;
    }
    this.#drain(callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#buffered > 0 || this.#need >= 0) {
      const what =
        this.#need < 0 ? `${this.#buffered} of the ${FRAME_HEADER_BYTES} header bytes` : `${this.#buffered} of ${this.#need} message bytes`;
      callback(new Blosc2Error(`the stream ended inside a frame (${what})`, 'ERR_CORRUPT'));
      return;
    }
    callback();
  }

  // Delivers every complete frame now buffered, then calls back. In async mode
  // each message is decoded before the next is started, so values stay in order.
  #drain(callback: TransformCallback): void {
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < FRAME_HEADER_BYTES) break;
        const n = this.#take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (n === 0) {
          callback(new Blosc2Error('a frame states a zero-length message', 'ERR_CORRUPT'));
          return;
        }
        if (n > this.#maxMessageBytes) {
          callback(tooLarge(n, this.#maxMessageBytes, 'the peer sent a frame header stating'));
          return;
        }
        this.#need = n;
      }
      if (this.#buffered < this.#need) break;
      const message = this.#take(this.#need);
      this.#need = -1;
      if (this.#async) {
        this.#packer.unpackAsync(message).then(
          (value) => {
            const err = this.#deliver(value);
            if (err) callback(err);
            else this.#drain(callback);
          },
          (err: unknown) => callback(err as Error),
        );
        return;
      }
      let value: unknown;
      try {
        value = this.#packer.unpack(message);
      } catch (err) {
        callback(err as Error);
        return;
      }
      const err = this.#deliver(value);
      if (err) {
        callback(err);
        return;
      }
    }
    callback();
  }

  #deliver(value: unknown): Blosc2Error | undefined {
    if (value === null || value === undefined) {
      return new Blosc2Error(`a message holds a top-level ${String(value)}, which an object-mode stream cannot deliver`, 'ERR_UNSUPPORTED');
    }
    this.push(value);
    return undefined;
  }

  // Removes n bytes (n <= #buffered) from the front: a view when they lie in one
  // chunk, else one new Buffer of exactly n bytes.
  #take(n: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    if (first.length - this.#offset >= n) {
      const out = first.subarray(this.#offset, this.#offset + n);
      this.#offset += n;
      if (this.#offset === first.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
      this.#buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0] as Buffer;
      const count = Math.min(n - filled, chunk.length - this.#offset);
      chunk.copy(out, filled, this.#offset, this.#offset + count);
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

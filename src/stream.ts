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
import { Blosc2Error, invalidInput } from './errors';
import { type StreamOptions, FrameSplitter, frameHeader, resolveStreamOptions as resolve, tooLarge } from './framing';
import type { Packer } from './packer';

export { type StreamOptions, FRAME_HEADER_BYTES, MAX_FRAME_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './framing';

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
    this.push(frameHeader(message.length));
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
  readonly #async: boolean;
  readonly #frames: FrameSplitter;

  /** @param options - unpack limits (`maxOutputBytes`, `maxMessageBytes`), `zeroCopy`, `async`, or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    super({ writableObjectMode: false, readableObjectMode: true });
    this.#packer = r.packer;
    this.#async = r.async;
    this.#frames = new FrameSplitter(r.maxMessageBytes);
  }

  /** Bytes received but not yet delivered as a value (a partial frame). */
  get bufferedBytes(): number {
    return this.#frames.bufferedBytes;
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
    this.#frames.push(buf);
    this.#drain(callback);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#frames.endError());
  }

  // Delivers every complete frame now buffered, then calls back. In async mode
  // each message is decoded before the next is started, so values stay in order.
  #drain(callback: TransformCallback): void {
    for (;;) {
      let message: Buffer | undefined;
      try {
        message = this.#frames.next();
      } catch (err) {
        callback(err as Error);
        return;
      }
      if (message === undefined) break;
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
}

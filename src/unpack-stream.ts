/**
 * UnpackStream: framed bytes in, values out (the inverse of PackStream), with
 * bytes that are not a blosc2 stream refused as soon as they arrive.
 * @packageDocumentation
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Blosc2Error, invalidInput } from './errors';
import type { Packer } from './packer';
import { type StreamOptions, resolve } from './stream-options';
import { StreamReader } from './stream-reader';

/**
 * Framed bytes in, values out: the inverse of {@link PackStream}. The writable
 * side takes Buffers (or Uint8Arrays) split anywhere; the readable side is in
 * object mode and yields one value per message, in order.
 *
 * Bytes that are not a blosc2 stream (no stream header, a frame header whose
 * marker or CRC-32C is wrong: a stray log line, JSON, another protocol) fail
 * the stream with `ERR_CORRUPT` as soon as they arrive, never waiting for a
 * length they seem to state. Memory: a partial message is kept as the list of
 * chunks received so far and joined (one allocation of the stated length)
 * only once it is complete, so a peer that states a large length and then
 * trickles bytes costs only what it actually sent. A stated length over
 * `maxMessageBytes` fails the stream with `ERR_MAX_OUTPUT` as soon as the
 * header arrives. Arrays in each message are further bounded by
 * `maxOutputBytes`, as in {@link Packer.unpack}.
 *
 * Errors (the stream is destroyed with a {@link Blosc2Error}): `ERR_CORRUPT`
 * (not a blosc2 stream, a zero length, a bad message, or the input ending
 * inside a frame: a peer that died mid-message), `ERR_MAX_OUTPUT` (a frame or
 * its arrays over the limits), `ERR_UNSUPPORTED` (a framing version from the
 * future, or a message holding a top-level `null` or `undefined`, which an
 * object-mode stream cannot deliver).
 *
 * With `zeroCopy: true`, arrays stored raw may be views into the received
 * chunks: the upstream must not reuse its chunk memory (sockets, pipes and
 * file streams do not).
 */
export class UnpackStream extends Transform {
  readonly #packer: Packer;
  readonly #async: boolean;
  readonly #reader: StreamReader;

  /** @param options - unpack limits (`maxOutputBytes`, `maxMessageBytes`), `zeroCopy`, `framing`, `async`, or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    super({ writableObjectMode: false, readableObjectMode: true });
    this.#packer = r.packer;
    this.#async = r.async;
    this.#reader = new StreamReader(r.maxMessageBytes, r.framing);
  }

  /** Bytes received but not yet delivered as a value (a partial frame). */
  get bufferedBytes(): number {
    return this.#reader.bufferedBytes;
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
    this.#reader.push(buf);
    this.#drain(callback);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#reader.endError());
  }

  // Delivers every complete frame now buffered, then calls back. In async mode
  // each message is decoded before the next is started, so values stay in order.
  #drain(callback: TransformCallback): void {
    for (;;) {
      let message: Buffer | undefined;
      try {
        message = this.#reader.next();
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

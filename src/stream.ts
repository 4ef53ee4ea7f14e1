/**
 * Streams of packed values: {@link PackStream} turns values into framed bytes,
 * {@link UnpackStream} turns those bytes back into values, for sockets, pipes
 * and child-process stdio.
 *
 * Framing (FORMAT.md, "Stream framing"; the bytes in stream-framing.ts):
 * version 2, the default, starts with an 8-byte stream header and puts a
 * 10-byte checked header (marker, flags, length, CRC-32C) before each
 * message, so that bytes that are not ours (a stray log line, JSON, another
 * protocol) are refused as soon as they arrive, whatever length they seem to
 * state. Version 1 (`framing: 1`, what this package wrote before 0.2) is a
 * bare 4-byte length before each message.
 * @packageDocumentation
 */
import { Transform, type TransformCallback } from 'node:stream';
import { invalidArg } from './errors';
import type { Packer } from './packer';
import { type StreamOptions, resolve, tooLarge } from './stream-options';
import { STREAM_HEADER, frameHeader, legacyFrameHeader } from './stream-framing';

export { FRAME_HEADER_BYTES, STREAM_FRAMING_VERSION, STREAM_HEADER } from './stream-framing';
export { DEFAULT_MAX_MESSAGE_BYTES, MAX_FRAME_BYTES, type StreamOptions } from './stream-options';
export { UnpackStream } from './unpack-stream';

/** A value packed inside write(): the message, or why it could not be packed. */
class Packed {
  constructor(
    readonly message: Buffer | undefined,
    readonly error: unknown,
  ) {}
}

type WriteCallback = (error: Error | null | undefined) => void;

/**
 * Values in, framed bytes out: each value written is packed into one message
 * and pushed behind its frame header (two chunks, so the message itself is
 * never copied), after the stream header. The writable side is in object
 * mode; the readable side yields Buffers. Back-pressure is Node's: `write()`
 * returns false while the readable side is over its high-water mark.
 *
 * Each value is packed inside `write()` (a snapshot: its arrays may change as
 * soon as `write()` returns), unless `deferred` or `async` (see
 * {@link StreamOptions.deferred}). A value that cannot be packed fails the
 * stream with its Blosc2Error, in order. Top-level `null` and `undefined`
 * cannot be written (an object-mode reader cannot deliver them): `write()`
 * throws ERR_INVALID_ARG; put them inside an object or array.
 *
 * Use `stream.pipeline()`: a destination that fails (a peer that died: EPIPE,
 * ECONNRESET) then destroys this stream with that error, so later writes and
 * their callbacks report it.
 *
 * @example
 * ```ts
 * const out = new PackStream({ codec: 'zstd', clevel: 5 });
 * pipeline(out, socket, (err) => err && console.error(err));
 * out.write({ id: 1, samples: new Float64Array(1 << 20) });
 * ```
 */
export class PackStream extends Transform {
  readonly #packer: Packer;
  readonly #maxMessageBytes: number;
  readonly #async: boolean;
  readonly #framing: 1 | 2;
  readonly #deferred: boolean;

  /** @param options - Packer options (codec, clevel, threshold...), `maxMessageBytes`, `framing`, `deferred`, `async` or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    super({ writableObjectMode: true, readableObjectMode: false });
    this.#packer = r.packer;
    this.#maxMessageBytes = r.maxMessageBytes;
    this.#async = r.async;
    this.#framing = r.framing;
    this.#deferred = r.deferred;
    if (this.#framing === 2) this.push(Buffer.from(STREAM_HEADER));
  }

  /** The Packer that packs each value. */
  get packer(): Packer {
    return this.#packer;
  }

  /** Writes one value (see the class comment for when it is packed). */
  override write(value: unknown, callback?: WriteCallback): boolean;
  override write(value: unknown, encoding: BufferEncoding, callback?: WriteCallback): boolean;
  override write(value: unknown, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    if (value === null || value === undefined) {
      throw invalidArg('value', 'a value other than null or undefined (wrap it in an object or array)', value);
    }
    let chunk: unknown = value;
    if (!this.#deferred && !this.destroyed && !this.writableEnded) {
      try {
        chunk = new Packed(this.#packer.pack(value), undefined);
      } catch (err) {
        chunk = new Packed(undefined, err);
      }
    }
    return super.write(chunk, encoding as BufferEncoding, callback);
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (chunk instanceof Packed) {
      if (chunk.message) this.#emitFrame(chunk.message, callback);
      else callback(chunk.error as Error);
      return;
    }
    if (!this.#async) {
      let message: Buffer;
      try {
        message = this.#packer.pack(chunk);
      } catch (err) {
        callback(err as Error);
        return;
      }
      this.#emitFrame(message, callback);
      return;
    }
    this.#packer.packAsync(chunk).then(
      (message) => this.#emitFrame(message, callback),
      (err: unknown) => callback(err as Error),
    );
  }

  #emitFrame(message: Buffer, callback: TransformCallback): void {
    if (message.length > this.#maxMessageBytes) {
      callback(tooLarge(message.length, this.#maxMessageBytes, 'refusing to send'));
      return;
    }
    this.push(this.#framing === 2 ? frameHeader(message.length) : legacyFrameHeader(message.length));
    this.push(message);
    callback();
  }
}

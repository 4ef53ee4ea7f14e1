/**
 * Streams of packed values over Web Streams (replaces stream.ts in the browser
 * bundle, see scripts/build-browser.js): {@link PackStream} is a
 * `TransformStream` of values to framed bytes, {@link UnpackStream} one of
 * bytes back to values, with the framing, options and errors of Node's
 * classes (FORMAT.md, "Stream framing"; src/framing.ts).
 *
 * @example
 * ```ts
 * const response = await fetch('/frames');
 * for await (const value of response.body.pipeThrough(new UnpackStream())) draw(value);
 * ```
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg } from './errors';
import { type StreamOptions, FrameSplitter, frameHeader, resolveStreamOptions, tooLarge } from './framing';
import type { Packer } from './packer';

export { type StreamOptions, FRAME_HEADER_BYTES, MAX_FRAME_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from './framing';

/**
 * Values in, framed bytes out: each value written becomes one message, enqueued
 * as its 4-byte big-endian length and the message (two chunks). Top-level
 * `null` and `undefined` are refused, as by Node's PackStream (wrap them).
 */
export class PackStream extends TransformStream<unknown, Uint8Array> {
  readonly #packer: Packer;

  /** @param options - Packer options (codec, clevel, threshold...), `maxMessageBytes`, `async` or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolveStreamOptions(options);
    super({
      transform: async (value, controller) => {
        if (value === null || value === undefined) {
          throw new Blosc2Error(`a top-level ${String(value)} cannot be written to a PackStream (wrap it)`, 'ERR_UNSUPPORTED');
        }
        const message = r.async ? await r.packer.packAsync(value) : r.packer.pack(value);
        if (message.length > r.maxMessageBytes) throw tooLarge(message.length, r.maxMessageBytes, 'refusing to send');
        controller.enqueue(frameHeader(message.length));
        controller.enqueue(message);
      },
    });
    this.#packer = r.packer;
  }

  /** The Packer that packs each value. */
  get packer(): Packer {
    return this.#packer;
  }
}

/**
 * Framed bytes in (Uint8Arrays or ArrayBuffers, split anywhere), values out,
 * in order. A stated length over `maxMessageBytes` errors the stream with
 * `ERR_MAX_OUTPUT` as soon as its header arrives; an input that ends inside a
 * frame errors it with `ERR_CORRUPT`.
 */
export class UnpackStream extends TransformStream<Uint8Array | ArrayBuffer, unknown> {
  readonly #frames: FrameSplitter;

  /** @param options - unpack limits (`maxOutputBytes`, `maxMessageBytes`), `zeroCopy`, `async`, or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolveStreamOptions(options);
    const frames = new FrameSplitter(r.maxMessageBytes);
    super({
      transform: async (chunk, controller) => {
        if (chunk instanceof ArrayBuffer) frames.push(new Uint8Array(chunk));
        else if (chunk instanceof Uint8Array) frames.push(chunk);
        else throw invalidArg('chunk', 'a Uint8Array or ArrayBuffer', chunk);
        for (let message = frames.next(); message !== undefined; message = frames.next()) {
          const value = r.async ? await r.packer.unpackAsync(message) : r.packer.unpack(message);
          if (value === null || value === undefined) {
            throw new Blosc2Error(`a message holds a top-level ${String(value)}, which a stream cannot deliver`, 'ERR_UNSUPPORTED');
          }
          controller.enqueue(value);
        }
      },
      flush: () => {
        const err = frames.endError();
        if (err) throw err;
      },
    });
    this.#frames = frames;
  }

  /** Bytes received but not yet delivered as a value (a partial frame). */
  get bufferedBytes(): number {
    return this.#frames.bufferedBytes;
  }
}

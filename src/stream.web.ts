/**
 * Streams of packed values over Web Streams (replaces stream.ts in the browser
 * bundle, see scripts/build-browser.js): {@link PackStream} is a
 * `TransformStream` of values to framed bytes, {@link UnpackStream} one of
 * bytes back to values, with the framing, options and errors of Node's
 * classes (FORMAT.md, "Stream framing"; stream-framing.ts, stream-reader.ts).
 *
 * @example
 * ```ts
 * const response = await fetch('/frames');
 * for await (const value of response.body.pipeThrough(new UnpackStream())) draw(value);
 * ```
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg, invalidInput } from './errors';
import type { Packer } from './packer';
import { STREAM_HEADER, frameHeader, legacyFrameHeader } from './stream-framing';
import { type StreamOptions, resolve, tooLarge } from './stream-options';
import { StreamReader } from './stream-reader';

export { FRAME_HEADER_BYTES, STREAM_FRAMING_VERSION, STREAM_HEADER } from './stream-framing';
export { DEFAULT_MAX_MESSAGE_BYTES, MAX_FRAME_BYTES, type StreamOptions } from './stream-options';

/**
 * Values in, framed bytes out: the stream header (framing 2), then per value
 * its frame header and message (two chunks). Values are packed when the
 * stream reaches them (Web Streams queue writes; `deferred` is accepted and
 * changes nothing here). Top-level `null` and `undefined` are refused, as by
 * Node's PackStream (wrap them).
 */
export class PackStream extends TransformStream<unknown, Uint8Array> {
  readonly #packer: Packer;

  /** @param options - Packer options (codec, clevel, threshold...), `maxMessageBytes`, `framing`, `async` or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    super({
      start: (controller) => {
        if (r.framing === 2) controller.enqueue(Uint8Array.from(STREAM_HEADER));
      },
      transform: async (value, controller) => {
        if (value === null || value === undefined) {
          throw invalidArg('value', 'a value other than null or undefined (wrap it in an object or array)', value);
        }
        const message = r.async ? await r.packer.packAsync(value) : r.packer.pack(value);
        if (message.length > r.maxMessageBytes) throw tooLarge(message.length, r.maxMessageBytes, 'refusing to send');
        controller.enqueue(r.framing === 2 ? frameHeader(message.length) : legacyFrameHeader(message.length));
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
 * in order. Errors the stream as Node's UnpackStream fails it: `ERR_CORRUPT`
 * for bytes that are not a blosc2 stream (as soon as they arrive) or an input
 * ending inside a frame, `ERR_MAX_OUTPUT` for a frame over `maxMessageBytes`
 * (as soon as its header arrives), `ERR_UNSUPPORTED` for a framing version
 * from the future or a top-level `null`/`undefined`.
 */
export class UnpackStream extends TransformStream<Uint8Array | ArrayBuffer, unknown> {
  readonly #reader: StreamReader;

  /** @param options - unpack limits (`maxOutputBytes`, `maxMessageBytes`), `zeroCopy`, `framing`, `async`, or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    const reader = new StreamReader(r.maxMessageBytes, r.framing);
    super({
      transform: async (chunk, controller) => {
        if (chunk instanceof ArrayBuffer) reader.push(new Uint8Array(chunk));
        else if (chunk instanceof Uint8Array) reader.push(chunk);
        else throw invalidInput('chunk', 'a Uint8Array or ArrayBuffer', chunk);
        for (let message = reader.next(); message !== undefined; message = reader.next()) {
          const value = r.async ? await r.packer.unpackAsync(message) : r.packer.unpack(message);
          if (value === null || value === undefined) {
            throw new Blosc2Error(`a message holds a top-level ${String(value)}, which a stream cannot deliver`, 'ERR_UNSUPPORTED');
          }
          controller.enqueue(value);
        }
      },
      flush: () => {
        const err = reader.endError();
        if (err) throw err;
      },
    });
    this.#reader = reader;
  }

  /** Bytes received but not yet delivered as a value (a partial frame). */
  get bufferedBytes(): number {
    return this.#reader.bufferedBytes;
  }
}

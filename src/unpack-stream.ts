/**
 * UnpackStream: framed bytes in, values out (the inverse of PackStream), with
 * bytes that are not a blosc2 stream refused as soon as they arrive.
 * @packageDocumentation
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Blosc2Error, invalidInput } from './errors';
import type { Packer } from './packer';
import { type StreamOptions, resolve, tooLarge } from './stream-options';
import {
  FRAME_HEADER_BYTES,
  FRAME_MARKER,
  LEGACY_FRAME_HEADER_BYTES,
  STREAM_FRAMING_VERSION,
  STREAM_HEADER,
  checkFrameHeader,
  looksLike,
} from './stream-framing';

function notAStream(what: string, at: number, bytes: Uint8Array): Blosc2Error {
  return new Blosc2Error(
    `the bytes are not a blosc2 stream: ${what} at byte ${at}; they look like ${looksLike(bytes)} (a blosc2 stream of framing version ${STREAM_FRAMING_VERSION} starts with the bytes 89 62 32 73 0d 0a 1a 02)`,
    'ERR_CORRUPT',
  );
}

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
  readonly #maxMessageBytes: number;
  readonly #async: boolean;
  readonly #framing: 1 | 2;
  readonly #chunks: Buffer[] = [];
  /** Bytes of #chunks not yet consumed (the first chunk starts at #offset). */
  #buffered = 0;
  #offset = 0;
  /** Bytes consumed so far, for error messages. */
  #consumed = 0;
  /** Bytes of the stream header matched so far (version 2). */
  #streamHeader = 0;
  /** Length of the frame being received, or -1 while waiting for a header. */
  #need = -1;

  /** @param options - unpack limits (`maxOutputBytes`, `maxMessageBytes`), `zeroCopy`, `framing`, `async`, or a `packer` */
  constructor(options?: StreamOptions) {
    const r = resolve(options);
    super({ writableObjectMode: false, readableObjectMode: true });
    this.#packer = r.packer;
    this.#maxMessageBytes = r.maxMessageBytes;
    this.#async = r.async;
    this.#framing = r.framing;
    this.#streamHeader = r.framing === 2 ? 0 : STREAM_HEADER.length;
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
    if (this.#streamHeader > 0 && this.#streamHeader < STREAM_HEADER.length) {
      callback(
        new Blosc2Error(
          `the stream ended inside its stream header (${this.#streamHeader} of ${STREAM_HEADER.length} bytes)`,
          'ERR_CORRUPT',
        ),
      );
      return;
    }
    if (this.#buffered > 0 || this.#need >= 0) {
      const headerBytes = this.#framing === 2 ? FRAME_HEADER_BYTES : LEGACY_FRAME_HEADER_BYTES;
      const what =
        this.#need < 0 ? `${this.#buffered} of the ${headerBytes} header bytes` : `${this.#buffered} of ${this.#need} message bytes`;
      callback(new Blosc2Error(`the stream ended inside a frame (${what}): the peer stopped mid-message`, 'ERR_CORRUPT'));
      return;
    }
    callback();
  }

  /** Up to 64 bytes from the front, not consumed: what error messages describe. */
  #peek(): Uint8Array {
    const parts: Buffer[] = [];
    let n = 0;
    for (let i = 0; i < this.#chunks.length && n < 64; i++) {
      const c = (this.#chunks[i] as Buffer).subarray(i === 0 ? this.#offset : 0);
      parts.push(c.subarray(0, 64 - n));
      n += Math.min(c.length, 64 - n);
    }
    return Buffer.concat(parts, n);
  }

  // Matches the stream header byte by byte as it arrives: a stream that does
  // not start with it is refused at its first wrong byte. Undefined when all
  // 8 bytes matched (or more are needed), else the error.
  #readStreamHeader(): Blosc2Error | undefined {
    while (this.#streamHeader < STREAM_HEADER.length && this.#buffered > 0) {
      const b = (this.#chunks[0] as Buffer)[this.#offset] as number;
      const at = this.#streamHeader;
      if (b !== STREAM_HEADER[at]) {
        if (at === STREAM_HEADER.length - 1) {
          return new Blosc2Error(
            `the stream uses framing version ${b}; this reads version ${STREAM_FRAMING_VERSION} (and version 1 with framing: 1)`,
            'ERR_UNSUPPORTED',
          );
        }
        const bytes = this.#peek();
        const hint = at === 0 ? '; a peer using this package before 0.2 writes framing version 1: pass framing: 1 for it' : '';
        return notAStream(`it does not start with the stream header${hint}`, this.#consumed, bytes);
      }
      this.#take(1);
      this.#streamHeader++;
    }
    return undefined;
  }

  // The length the next frame header states, -1 when more bytes are needed,
  // or the error. Version 2 refuses a wrong marker at its first byte.
  #readFrameHeader(): number | Blosc2Error {
    if (this.#framing === 1) {
      return this.#buffered < LEGACY_FRAME_HEADER_BYTES ? -1 : this.#take(LEGACY_FRAME_HEADER_BYTES).readUInt32BE(0);
    }
    if (this.#buffered === 0) return -1;
    // The marker and the flags are checked as soon as each arrives, the CRC once all 10 bytes are in.
    const head = this.#peek();
    if (head[0] !== FRAME_MARKER) return notAStream('no frame header (its marker byte is missing)', this.#consumed, head);
    if (head.length > 1 && head[1] !== 0)
      return notAStream(`no frame header (unknown frame flags ${head[1] as number})`, this.#consumed, head);
    if (this.#buffered < FRAME_HEADER_BYTES) return -1;
    const at = this.#consumed;
    const check = checkFrameHeader(this.#take(FRAME_HEADER_BYTES));
    return check.bad === undefined ? check.length : notAStream(`no frame header (${check.bad})`, at, head);
  }

  // Delivers every complete frame now buffered, then calls back. In async mode
  // each message is decoded before the next is started, so values stay in order.
  #drain(callback: TransformCallback): void {
    const headerError = this.#readStreamHeader();
    if (headerError) {
      callback(headerError);
      return;
    }
    if (this.#streamHeader < STREAM_HEADER.length) {
      callback();
      return;
    }
    for (;;) {
      if (this.#need < 0) {
        const n = this.#readFrameHeader();
        if (n instanceof Blosc2Error) {
          callback(n);
          return;
        }
        if (n < 0) break;
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
    this.#consumed += n;
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

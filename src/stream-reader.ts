/**
 * The reading side of stream framing, on plain byte chunks: what Node's
 * UnpackStream (unpack-stream.ts) and the Web Streams one (stream.web.ts)
 * share. Chunks go in as they arrive; whole messages come out; bytes that are
 * not a blosc2 stream are refused as soon as they arrive.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from './errors';
import { type Bytes, platform } from './platform';
import { tooLarge } from './stream-options';
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
 * Received chunks into whole messages. A partial message is kept as the list
 * of chunks received so far and joined (one allocation of the stated length)
 * only once it is complete, so a peer that states a large length and then
 * trickles bytes costs only what it actually sent.
 * @internal
 */
export class StreamReader {
  readonly #maxMessageBytes: number;
  readonly #framing: 1 | 2;
  readonly #chunks: Uint8Array[] = [];
  /** Bytes of #chunks not yet consumed (the first chunk starts at #offset). */
  #buffered = 0;
  #offset = 0;
  /** Bytes consumed so far, for error messages. */
  #consumed = 0;
  /** Bytes of the stream header matched so far (version 2). */
  #streamHeader: number;
  /** Length of the frame being received, or -1 while waiting for a header. */
  #need = -1;

  constructor(maxMessageBytes: number, framing: 1 | 2) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#framing = framing;
    this.#streamHeader = framing === 2 ? 0 : STREAM_HEADER.length;
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
   * @throws {@link Blosc2Error} `ERR_CORRUPT` (not a blosc2 stream, a zero length), `ERR_MAX_OUTPUT`, `ERR_UNSUPPORTED` (a framing version from the future)
   */
  next(): Bytes | undefined {
    const headerError = this.#readStreamHeader();
    if (headerError) throw headerError;
    if (this.#streamHeader < STREAM_HEADER.length) return undefined;
    if (this.#need < 0) {
      const n = this.#readFrameHeader();
      if (n instanceof Blosc2Error) throw n;
      if (n < 0) return undefined;
      if (n === 0) throw new Blosc2Error('a frame states a zero-length message', 'ERR_CORRUPT');
      if (n > this.#maxMessageBytes) throw tooLarge(n, this.#maxMessageBytes, 'the peer sent a frame header stating');
      this.#need = n;
    }
    if (this.#buffered < this.#need) return undefined;
    const message = this.#take(this.#need);
    this.#need = -1;
    return message;
  }

  /** The error of an input that ends here (inside the stream header or a frame), or undefined. */
  endError(): Blosc2Error | undefined {
    if (this.#streamHeader > 0 && this.#streamHeader < STREAM_HEADER.length) {
      return new Blosc2Error(
        `the stream ended inside its stream header (${this.#streamHeader} of ${STREAM_HEADER.length} bytes)`,
        'ERR_CORRUPT',
      );
    }
    if (this.#buffered > 0 || this.#need >= 0) {
      const headerBytes = this.#framing === 2 ? FRAME_HEADER_BYTES : LEGACY_FRAME_HEADER_BYTES;
      const what =
        this.#need < 0 ? `${this.#buffered} of the ${headerBytes} header bytes` : `${this.#buffered} of ${this.#need} message bytes`;
      return new Blosc2Error(`the stream ended inside a frame (${what}): the peer stopped mid-message`, 'ERR_CORRUPT');
    }
    return undefined;
  }

  /** Up to 64 bytes from the front, not consumed: what error messages describe. */
  #peek(): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (let i = 0; i < this.#chunks.length && n < 64; i++) {
      const c = (this.#chunks[i] as Uint8Array).subarray(i === 0 ? this.#offset : 0);
      parts.push(c.subarray(0, 64 - n));
      n += Math.min(c.length, 64 - n);
    }
    return platform.concat(parts, n);
  }

  // Matches the stream header byte by byte as it arrives: a stream that does
  // not start with it is refused at its first wrong byte. Undefined when all
  // 8 bytes matched (or more are needed), else the error.
  #readStreamHeader(): Blosc2Error | undefined {
    while (this.#streamHeader < STREAM_HEADER.length && this.#buffered > 0) {
      const b = (this.#chunks[0] as Uint8Array)[this.#offset] as number;
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
      if (this.#buffered < LEGACY_FRAME_HEADER_BYTES) return -1;
      const h = this.#take(LEGACY_FRAME_HEADER_BYTES);
      return new DataView(h.buffer, h.byteOffset, LEGACY_FRAME_HEADER_BYTES).getUint32(0);
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

  // Removes n bytes (n <= #buffered) from the front: a view when they lie in one
  // chunk, else new Bytes of exactly n bytes.
  #take(n: number): Bytes {
    this.#consumed += n;
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

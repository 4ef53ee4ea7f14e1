/**
 * The sink of a FrameWriter that writes to memory (target null), and what
 * every sink does: no Node built-ins, so that browsers have it too (see
 * sinks.ts for files and Writables, sinks.web.ts for the browser bundle).
 * @packageDocumentation
 */
import { platform } from '../platform';

/** Where a FrameWriter writes. @internal */
export interface FrameSink {
  /** Writes the placeholder header: the first bytes. */
  start(header: Uint8Array): Promise<void>;
  /** Appends chunk bytes; resolves once `bytes` may be reused. */
  append(bytes: Uint8Array): Promise<void>;
  /** Appends the tail, puts the real header in front; the frame for a memory sink. */
  finish(header: Uint8Array, tail: Uint8Array): Promise<Buffer | undefined>;
  /** Gives up: closes what it opened, removes what it made. */
  abort(): Promise<void>;
}

/** Memory: one growing buffer, the frame returned at the end. */
export class MemorySink implements FrameSink {
  #buffer = platform.allocOwn(0);
  #length = 0;

  #reserve(more: number): void {
    if (this.#length + more <= this.#buffer.byteLength) return;
    const grown = platform.allocOwn(Math.max(this.#length + more, this.#buffer.byteLength * 2, 4096));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  start(header: Uint8Array): Promise<void> {
    return this.append(header);
  }

  append(bytes: Uint8Array): Promise<void> {
    this.#reserve(bytes.byteLength);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.byteLength;
    return Promise.resolve();
  }

  async finish(header: Uint8Array, tail: Uint8Array): Promise<Buffer> {
    await this.append(tail);
    this.#buffer.set(header, 0);
    // Keep the slack only when it is small.
    const frame = this.#buffer.subarray(0, this.#length);
    if (this.#length * 2 >= this.#buffer.byteLength) return frame;
    const copy = platform.allocOwn(this.#length);
    copy.set(frame);
    return copy;
  }

  abort(): Promise<void> {
    this.#buffer = platform.allocOwn(0);
    return Promise.resolve();
  }
}

/**
 * Where a FrameWriter's bytes go. A frame's header comes first but holds sizes
 * known only at the end, so every sink writes a placeholder header, the
 * chunks as they come, then the offsets index and trailer, and finally the
 * real header (same length) in the placeholder's place: in place for a file
 * and for memory; for a Writable, which cannot go back, the chunks wait in a
 * temporary file and the frame is streamed out, header first, at the end.
 * @packageDocumentation
 */
import { once } from 'node:events';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { invalidArg } from '../errors';
import { type FrameSink, MemorySink } from './memory-sink';

export { type FrameSink, MemorySink } from './memory-sink';

async function writeAll(file: fs.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await file.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** A file: a path (created or truncated, closed at the end) or an open FileHandle (written from offset 0, left open). */
export class FileSink implements FrameSink {
  #file: fs.FileHandle | undefined;
  #position = 0;
  readonly #path: string | undefined;

  constructor(target: string | fs.FileHandle) {
    if (typeof target === 'string') this.#path = target;
    else this.#file = target;
  }

  async #handle(): Promise<fs.FileHandle> {
    this.#file ??= await fs.open(this.#path as string, 'w+');
    return this.#file;
  }

  /** Bytes written so far. */
  get position(): number {
    return this.#position;
  }

  async start(header: Uint8Array): Promise<void> {
    await writeAll(await this.#handle(), header, 0);
    this.#position = header.byteLength;
  }

  async append(bytes: Uint8Array): Promise<void> {
    await writeAll(await this.#handle(), bytes, this.#position);
    this.#position += bytes.byteLength;
  }

  async finish(header: Uint8Array, tail: Uint8Array): Promise<undefined> {
    const file = await this.#handle();
    await writeAll(file, tail, this.#position);
    this.#position += tail.byteLength;
    await writeAll(file, header, 0);
    if (this.#path !== undefined) await file.close();
    return undefined;
  }

  async abort(): Promise<void> {
    if (this.#path !== undefined && this.#file) await this.#file.close().catch(() => undefined);
  }

  /** Reads [offset, offset + length) back (for WritableSink). */
  async read(offset: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    const file = await this.#handle();
    for (let got = 0; got < length;) {
      const { bytesRead } = await file.read(buffer, got, length - got, offset + got);
      if (bytesRead === 0) throw new Error('the temporary file ended early');
      got += bytesRead;
    }
    return buffer;
  }
}

/** A Writable: chunks spooled to a temporary file, the frame streamed out by finish (the stream is not ended). */
export class WritableSink implements FrameSink {
  readonly #out: Writable;
  #dir: string | undefined;
  #spool: FileSink | undefined;
  #headerLength = 0;

  constructor(out: Writable) {
    this.#out = out;
  }

  async start(header: Uint8Array): Promise<void> {
    this.#dir = await fs.mkdtemp(path.join(os.tmpdir(), 'blosc2-frame-'));
    this.#spool = new FileSink(path.join(this.#dir, 'chunks'));
    this.#headerLength = header.byteLength;
    await this.#spool.start(header);
  }

  append(bytes: Uint8Array): Promise<void> {
    return (this.#spool as FileSink).append(bytes);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    if (!this.#out.write(bytes)) await once(this.#out, 'drain');
  }

  async finish(header: Uint8Array, tail: Uint8Array): Promise<undefined> {
    const spool = this.#spool as FileSink;
    try {
      await this.#write(header);
      const end = spool.position;
      for (let at = this.#headerLength; at < end;) {
        const n = Math.min(1 << 20, end - at);
        await this.#write(await spool.read(at, n));
        at += n;
      }
      await new Promise<void>((resolve, reject) => this.#out.write(tail, (err) => (err ? reject(err) : resolve())));
    } finally {
      await this.abort();
    }
    return undefined;
  }

  async abort(): Promise<void> {
    const spool = this.#spool;
    this.#spool = undefined;
    if (spool) await spool.abort();
    if (this.#dir) await fs.rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}

/** The sink for a FrameWriter's target (see FrameTarget). @internal */
export function sinkFor(target: unknown): FrameSink {
  if (target === null) return new MemorySink();
  if (typeof target === 'string') return new FileSink(target);
  if (target instanceof Writable) return new WritableSink(target);
  const t = target as Partial<fs.FileHandle> | undefined;
  if (typeof t === 'object' && typeof t.write === 'function' && typeof t.fd === 'number') {
    return new FileSink(t as fs.FileHandle);
  }
  throw invalidArg('target', 'a file path, an fs.promises.FileHandle, a Writable or null', target);
}

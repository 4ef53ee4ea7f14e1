/**
 * The bytes of any input, in place: views over TypedArrays, DataViews,
 * Buffers, ArrayBuffers and SharedArrayBuffers, and the rules that keep memory
 * still while async calls work on it.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg } from './errors';
import { backend } from './backend';
import { platform } from './platform';

/** What the functions of this package read bytes from. */
export type BinaryLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

/**
 * The bytes of `src` as a view over the same memory (no copy).
 * @internal
 */
export function asView(src: unknown, name: string): ArrayBufferView {
  if (ArrayBuffer.isView(src)) {
    // Before anything reads byteLength: a DataView over a detached buffer throws a TypeError there.
    if (src.buffer instanceof ArrayBuffer && backend.isDetached(src.buffer)) {
      throw new Blosc2Error(`${name} is backed by a detached ArrayBuffer`, 'ERR_DETACHED');
    }
    return src;
  }
  if (src instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && src instanceof SharedArrayBuffer)) {
    if (src instanceof ArrayBuffer && src.byteLength === 0 && backend.isDetached(src)) {
      throw new Blosc2Error(`${name} is a detached ArrayBuffer`, 'ERR_DETACHED');
    }
    return new Uint8Array(src);
  }
  throw invalidArg(name, 'a TypedArray, DataView, Buffer, ArrayBuffer or SharedArrayBuffer', src);
}

/**
 * Async calls read and write memory on another thread, so it must stay put
 * until they finish. Resizable buffers are refused. Fixed-length
 * ArrayBuffers are marked untransferable (worker_threads.markAsUntransferable):
 * a transfer while the pool works on one would hand its memory to a receiver
 * that may free it under the pool thread. Node-API cannot hold the memory
 * alive, so the mark is the only safe way that keeps zero copies; it is
 * permanent (Node 20 then clones the buffer instead of moving it; Node 21+
 * throws DataCloneError). SharedArrayBuffers need no mark: they never detach.
 * @internal
 */
export function checkStableForAsync(view: ArrayBufferView, name: string): void {
  const buffer = view.buffer as ArrayBufferLike & { resizable?: boolean };
  if (buffer.resizable === true) {
    throw invalidArg(name, 'a view over a fixed-length ArrayBuffer (async calls cannot read resizable memory)', view);
  }
  if (buffer instanceof ArrayBuffer) {
    if (backend.isDetached(buffer)) {
      throw new Blosc2Error(`${name} is backed by a detached ArrayBuffer`, 'ERR_DETACHED');
    }
    platform.markUntransferable(buffer);
  }
}

/**
 * After an async call: an input detached in flight by a route the mark does
 * not cover (ArrayBuffer.prototype.transfer on newer runtimes) makes the
 * result untrustworthy.
 * @internal
 */
export function checkStillAttached(view: ArrayBufferView, name: string): void {
  if (view.buffer instanceof ArrayBuffer && backend.isDetached(view.buffer)) {
    throw new Blosc2Error(`${name} was detached while the call worked on it`, 'ERR_DETACHED');
  }
}

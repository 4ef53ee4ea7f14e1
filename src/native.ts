/**
 * Loads the addon and describes its (thin, positional) interface. Nothing here
 * validates: src/params.ts and the callers do, before any call reaches C++.
 * @internal
 */
import * as path from 'node:path';
import { Blosc2Error } from './errors';

/** Positional compression parameters, in the order the addon reads them. */
export type CParamArgs = [
  clevel: number,
  codec: number,
  typesize: number,
  nthreads: number,
  blocksize: number,
  splitmode: number,
  filters: number,
  filtersMeta: number,
];

export interface FrameInfo {
  shape: number[];
  chunkshape: number[];
  blockshape: number[];
  typesize: number;
  dtype: string;
  jsKind: string;
  b2nd: boolean;
  nchunks: number;
  chunksize: number;
  nbytes: number;
  contiguous: boolean;
  /** Offset in the frame of the items stored verbatim (one memcpyed chunk), or -1. */
  rawOffset: number;
}

export interface NativeBinding {
  setErrorClass(cls: typeof Blosc2Error): void;
  isDetached(buffer: ArrayBufferLike): boolean;
  /** Compresses src into out (at least compressBound(src) bytes); returns the chunk's length. */
  compress(src: ArrayBufferView, out: ArrayBufferView, ...cparams: CParamArgs): number;
  compressAsync(src: ArrayBufferView, out: ArrayBufferView, ...cparams: CParamArgs): Promise<number>;
  /** A new Buffer with the bytes of src, on huge pages where it is large. */
  copy(src: ArrayBufferView): Buffer;
  decompress(src: ArrayBufferView, out: ArrayBufferView, nthreads: number): void;
  decompressAsync(src: ArrayBufferView, out: ArrayBufferView, nthreads: number): Promise<void>;
  /** [nbytes, cbytes, blocksize, typesize, flags, special, filters, filtersMeta, complib] */
  chunkInfo(src: ArrayBufferView, mode: 0 | 1 | 2): [number, number, number, number, number, number, number[], number[], string | null];
  suggestBlocksize(nbytes: number, ...cparams: CParamArgs): number;
  b2ndEncode(
    data: ArrayBufferView, typesize: number, dtype: string, jsKind: string,
    shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[],
    ...rest: [...CParamArgs, ((length: number) => Uint8Array)?]
  ): Uint8Array;
  /** The frame written straight into place(capacity)'s view; returns its length. */
  b2ndEncode(
    data: ArrayBufferView, typesize: number, dtype: string, jsKind: string,
    shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[],
    ...rest: [...CParamArgs, undefined, (capacity: number) => Uint8Array]
  ): number;
  /** The same frame built through C-Blosc2's super-chunk API (tests compare the two). */
  b2ndEncodeReference(
    data: ArrayBufferView, typesize: number, dtype: string, jsKind: string,
    shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[],
    ...cparams: CParamArgs
  ): Buffer;
  /** A frame of any (tiled) geometry through C-Blosc2's b2nd API: the tests' reference for python-blosc2's frames. */
  b2ndEncodeTiledReference(
    data: ArrayBufferView, typesize: number, dtype: string, jsKind: string,
    shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[],
    ...cparams: CParamArgs
  ): Buffer;
  b2ndEncodeAsync(
    data: ArrayBufferView, typesize: number, dtype: string, jsKind: string,
    shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[],
    ...cparams: CParamArgs
  ): Promise<Buffer>;
  /** The frame written on the pool straight into `into` (at least b2ndFrameCapacity bytes); resolves with its length. */
  b2ndEncodeAsync(
    data: ArrayBufferView, typesize: number, dtype: string, jsKind: string,
    shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[],
    ...rest: [...CParamArgs, ArrayBufferView]
  ): Promise<number>;
  /** The worst-case length of the frame b2ndEncode writes for these arguments. */
  b2ndFrameCapacity(
    data: ArrayBufferView, typesize: number, dtype: string, jsKind: string,
    shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[],
    ...cparams: CParamArgs
  ): number;
  b2ndInfo(frame: ArrayBufferView): FrameInfo;
  b2ndDecode(frame: ArrayBufferView, out: ArrayBufferView, nthreads: number): void;
  b2ndDecodeAsync(frame: ArrayBufferView, out: ArrayBufferView, nthreads: number): Promise<void>;
  version: string;
  compressors: string;
  maxBufferSize: number;
  maxOverhead: number;
}

function load(): NativeBinding {
  const file = path.join(__dirname, '..', 'build', 'Release', 'blosc2.node');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = require(file) as NativeBinding;
    binding.setErrorClass(Blosc2Error);
    return binding;
  } catch (cause) {
    const err = new Blosc2Error(
      `Could not load the blosc2 native addon from ${file}: ${(cause as Error).message}\n` +
        'It is built by `npm install` (deps/build.js fetches and builds C-Blosc2, then cmake-js builds the addon).\n' +
        'To rebuild it: `npm run build:native` (needs cmake, a C/C++ compiler and make). ' +
        'To link an installed C-Blosc2 >= 2.17 instead: `BLOSC2_USE_SYSTEM=1 npm run build:native`.',
      'ERR_NATIVE_LOAD',
    );
    (err as Error & { cause?: unknown }).cause = cause;
    throw err;
  }
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Blosc2Error('blosc2 supports little-endian platforms only', 'ERR_UNSUPPORTED');
}

/** The addon, loaded once per thread (it is context-aware, so workers load their own instance). */
export const native: NativeBinding = load();

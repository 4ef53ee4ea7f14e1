/**
 * blosc2 for Node.js: serialize values holding big TypedArrays and N-d arrays
 * with MessagePack (msgpackr) for the object graph and C-Blosc2 for the arrays,
 * interoperable with python-blosc2.
 * @packageDocumentation
 */
export { Blosc2Error, type Blosc2ErrorCode } from './errors';
export {
  type Codec,
  type Filter,
  type SplitMode,
  type CParams,
  type DParams,
  DEFAULT_MAX_OUTPUT_BYTES,
  defaultCParams,
  getNthreads,
  setNthreads,
} from './params';
export type { BinaryLike } from './views';
export {
  type CbufferSizes,
  type CbufferInfo,
  type DecompressOptions,
  compress,
  compressAsync,
  decompress,
  decompressAsync,
  getCbufferSizes,
  cbufferInfo,
} from './core';
export { type DType, type TypedArray, ctorForDtype } from './dtypes';
export { NDArray, MAX_DIM } from './ndarray';
export { type PackOptions, type UnpackOptions, type OutOfBand, DEFAULT_THRESHOLD, Packer } from './packer';
export {
  type MsgpackrInstance,
  type UseBlosc2Options,
  pack,
  unpack,
  packAsync,
  unpackAsync,
  packOutOfBand,
  unpackOutOfBand,
  useBlosc2,
} from './pack';
export type { MsgpackrModule } from './msgpack/instances';
export { B2ND_EXT, NUMPY_EXT, RAW_EXT, VIEW_EXT, OOB_EXT, type SmallArrays } from './records/types';
export { type Range, type Selection, type SelectionItem } from './random-access/selection';
export { type LazyArrayBase, LazyArray } from './random-access/lazy-array';
export { type RangeReader, AsyncLazyArray } from './random-access/range-array';
export { type OpenFrameOptions, openFrame } from './random-access/open';
export { type RedisRangeClient, fileRangeReader, redisRangeReader } from './random-access/range-readers';
export {
  type FrameWriterOptions,
  type FrameTarget,
  type WrittenFrame,
  type Slab,
  FrameWriter,
  packChunks,
} from './random-access/frame-writer';

import { backend } from './backend';
/**
 * Versions of the compiled parts: C-Blosc2, its compiled-in codecs, and which
 * build of the core runs: `'native'` (the Node-API addon, C-Blosc2's threads)
 * or `'wasm'` (the WebAssembly module, one thread).
 */
export const versions: Readonly<{ cblosc2: string; codecs: readonly string[]; backend: 'native' | 'wasm' }> = Object.freeze({
  cblosc2: backend.version,
  codecs: Object.freeze(backend.compressors.split(',')),
  backend: backend.name === 'wasm' ? 'wasm' : 'native',
});
export {
  type StreamOptions,
  FRAME_HEADER_BYTES,
  MAX_FRAME_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  STREAM_FRAMING_VERSION,
  STREAM_HEADER,
  PackStream,
  UnpackStream,
} from './stream';
export {
  type TransferMode,
  type PostValueOptions,
  type ValueMessage,
  type PostTarget,
  encodeValue,
  postValue,
  isValueMessage,
  receiveValue,
} from './worker';
export {
  type SerializerOptions,
  type CacheSerializer,
  type KeyvEntry,
  type KeyvStringSerializer,
  type BufferBackend,
  createSerializer,
  serializer,
  keyvSerializer,
  KeyvBufferStore,
} from './serializer';

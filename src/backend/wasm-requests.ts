/**
 * The requests of the WebAssembly core's C ABI (native/wasm/exports.cc), as
 * src/backend/wasm.ts writes and reads them: the struct layouts (checked
 * against the module's b2_abi() when an instance is made), the fields of the
 * JS request objects checked as the addon checks them (native/addon/
 * requests.cc: the same codes and messages), and the structs written into
 * wasm memory.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import type { CoreCParams, FrameEncodeRequest, FrameWriterOpenRequest, SliceSelection } from './types';
import { isDetached } from './detached';
import type { Heap } from './wasm-heap';

// Struct layouts of native/wasm/exports.cc (byte offsets), checked against
// b2_abi() when an instance is made.
export const CPARAMS = { size: 32, clevel: 0, codec: 4, typesize: 8, blocksize: 12, splitmode: 16, filters: 20, filtersMeta: 26 };
export const SPEC = { size: 120, data: 0, dataLength: 4, ndim: 8, itemsize: 12, dtype: 16, jsKind: 20, shape: 24, cparams: 88 };
export const INFO = { size: 44, nbytes: 0, cbytes: 4, blocksize: 8, typesize: 12, flags: 16, special: 20, extended: 24, complib: 28 };
export const OUT = { size: 24, data: 0, length: 8, capacity: 16 };
export const FRAME = { size: 216, handle: 0, ndim: 4, shape: 8, chunkshape: 72, blockshape: 104, typesize: 136, chunksize: 140 };
export const FRAME2 = { nchunks: 144, nbytes: 152, rawOffset: 160, b2nd: 168, contiguous: 172, dtype: 176, jsKind: 180 };
export const FRAME3 = { cbytes: 184, frameLength: 192, headerLength: 200, indexOffset: 208 };
export const ABI = (BigInt(CPARAMS.size) << 32n) | (BigInt(SPEC.size) << 24n) | (BigInt(INFO.size) << 16n) | (BigInt(OUT.size) << 8n);
// native/wasm/random_access.cc's, checked against b2_abi_random_access().
export const SELECTION = { size: 200, ndim: 0, start: 8, step: 72, count: 136 };
export const STREAM = { size: 176, ndim: 0, itemsize: 4, dtype: 8, jsKind: 12, shape: 16, chunkshape: 80, blockshape: 112, cparams: 144 };
export const WRITER = { size: 112, handle: 0, header: 4, headerLength: 8, ndim: 12, chunkshape: 16, blockshape: 48 };
export const WRITER2 = { rowBytes: 80, chunkRows: 88, chunksPerRow: 96, chunkBound: 104 };
export const FINISHED = { size: 40, data: 0, headerLength: 4, tailLength: 8, frameLength: 16, cbytes: 24, rows: 32 };
export const ABI_RANDOM_ACCESS =
  (BigInt(SELECTION.size) << 24n) | (BigInt(STREAM.size) << 16n) | (BigInt(WRITER.size) << 8n) | BigInt(FINISHED.size);
export const HEADER_BYTES = 32; // BLOSC_EXTENDED_HEADER_LENGTH: all b2_chunk_info reads
export function badRequest(what: string): Blosc2Error {
  return new Blosc2Error(`internal: bad request to the wasm core: ${what}`, 'ERR_INVALID_ARG');
}

export function int(req: object, name: string): number {
  const v = (req as Record<string, unknown>)[name];
  if (typeof v !== 'number') throw badRequest(`${name} must be a number`);
  return v | 0;
}

/** { nthreads, threadsBySize }, checked as the addon checks them (and then ignored: one thread here). */
export function threads(req: object): void {
  int(req, 'nthreads');
  if (typeof (req as Record<string, unknown>)['threadsBySize'] !== 'boolean') throw badRequest('threadsBySize must be a boolean');
}

/** A number as it is (the addon's AttrAsInt64; the core saturates it to int64). */
export function num(req: object, name: string): number {
  const v = (req as Record<string, unknown>)[name];
  if (typeof v !== 'number') throw badRequest(`${name} must be a number`);
  return v;
}

export function str(req: object, name: string): string {
  const v = (req as Record<string, unknown>)[name];
  if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
  return v;
}

/** A field that must be a view: its bytes, checked attached (the addon's AsView). */
export function bytesOf(value: unknown, name: string): Uint8Array {
  if (!ArrayBuffer.isView(value)) throw badRequest(`${name} must be an ArrayBufferView`);
  if (value.buffer instanceof ArrayBuffer && isDetached(value.buffer)) {
    throw new Blosc2Error(`${name} is backed by a detached ArrayBuffer`, 'ERR_DETACHED');
  }
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export function view(req: object, name: string): Uint8Array {
  return bytesOf((req as Record<string, unknown>)[name], name);
}

/** The addon's CallbackView: the callback's view, at least atLeast bytes. */
export function callbackView(fn: () => unknown, atLeast: number, name: string): Uint8Array {
  const target = bytesOf(fn(), name);
  if (target.byteLength < atLeast) throw new Blosc2Error(`${name} returned a short view`, 'ERR_OUTPUT_TOO_SMALL');
  return target;
}

export function readCParams(req: object): CoreCParams {
  const c = (req as Record<string, unknown>)['cparams'];
  if (c === null || typeof c !== 'object') throw badRequest('cparams must be an object');
  const cp = c as CoreCParams;
  for (const name of ['clevel', 'codec', 'typesize', 'blocksize', 'splitmode']) int(cp, name);
  threads(cp);
  if (!Array.isArray(cp.filters) || !Array.isArray(cp.filtersMeta) || cp.filters.length !== 6 || cp.filtersMeta.length !== 6) {
    throw badRequest('cparams.filters and .filtersMeta must be arrays of 6 slots');
  }
  return cp;
}

export function writeCParams(heap: Heap, p: number, cp: CoreCParams): void {
  heap.setI32(p + CPARAMS.clevel, cp.clevel);
  heap.setI32(p + CPARAMS.codec, cp.codec);
  heap.setI32(p + CPARAMS.typesize, cp.typesize);
  heap.setI32(p + CPARAMS.blocksize, cp.blocksize);
  heap.setI32(p + CPARAMS.splitmode, cp.splitmode);
  const u8 = heap.u8();
  for (let i = 0; i < 6; i++) {
    u8[p + CPARAMS.filters + i] = (cp.filters[i] as number) & 0xff;
    u8[p + CPARAMS.filtersMeta + i] = (cp.filtersMeta[i] as number) & 0xff;
  }
}

export interface Spec {
  data: Uint8Array;
  shape: readonly number[];
  itemsize: number;
  dtype: string;
  jsKind: string;
  cparams: CoreCParams;
}

export function readSpec(req: FrameEncodeRequest): Spec {
  const data = view(req, 'data');
  const shape = (req as unknown as Record<string, unknown>)['shape'];
  if (!Array.isArray(shape) || shape.length > 8) throw badRequest('shape must be an array of at most 8');
  return {
    data,
    shape: shape as number[],
    itemsize: int(req, 'itemsize'),
    dtype: str(req, 'dtype'),
    jsKind: str(req, 'jsKind'),
    cparams: readCParams(req),
  };
}

/** Writes a FrameSpecAbi (data copied in when withData) and returns it, with room for 8 result bytes after it. */
export function writeSpec(heap: Heap, spec: Spec, dataPtr: number): number {
  const dtype = heap.cString(spec.dtype);
  const jsKind = heap.cString(spec.jsKind);
  const p = heap.scratch(SPEC.size + 8);
  heap.setU32(p + SPEC.data, dataPtr);
  heap.setU32(p + SPEC.dataLength, spec.data.byteLength);
  heap.setI32(p + SPEC.ndim, spec.shape.length);
  heap.setI32(p + SPEC.itemsize, spec.itemsize);
  heap.setU32(p + SPEC.dtype, dtype);
  heap.setU32(p + SPEC.jsKind, jsKind);
  spec.shape.forEach((d, i) => heap.setF64(p + SPEC.shape + 8 * i, Number(d)));
  writeCParams(heap, p + SPEC.cparams, spec.cparams);
  return p;
}

/** Encodes a frame in wasm memory: where it is, its length and the worst case it was given. */
export function encode(heap: Heap, spec: Spec): { ptr: number; length: number; capacity: number } {
  const p = writeSpec(heap, spec, heap.copyIn(spec.data));
  const out = heap.scratch(OUT.size);
  heap.check(heap.ex.b2_frame_encode(p, out));
  const ptr = heap.u32(out + OUT.data);
  heap.own(ptr);
  return { ptr, length: heap.f64(out + OUT.length), capacity: heap.f64(out + OUT.capacity) };
}

/** The addon's ReadDims: an array of at most 8 numbers. */
function dims(req: object, name: string): number[] {
  const v = (req as Record<string, unknown>)[name];
  if (!Array.isArray(v) || v.length > 8) throw badRequest(`${name} must be an array of at most 8`);
  for (const x of v) if (typeof x !== 'number') throw badRequest(`${name} must hold numbers`);
  return v as number[];
}

/** The addon's ReadSelection. */
export function readSelection(req: object): SliceSelection {
  const start = dims(req, 'start');
  if (dims(req, 'step').length !== start.length || dims(req, 'count').length !== start.length) {
    throw badRequest('start, step and count must have one entry per dimension');
  }
  const r = req as SliceSelection;
  return { start, step: r.step, count: r.count };
}

/** Writes a SelectionAbi and returns it. */
export function writeSelection(heap: Heap, sel: SliceSelection): number {
  const p = heap.scratch(SELECTION.size);
  heap.setI32(p + SELECTION.ndim, sel.start.length);
  for (let d = 0; d < sel.start.length; d++) {
    heap.setF64(p + SELECTION.start + 8 * d, sel.start[d] as number);
    heap.setF64(p + SELECTION.step + 8 * d, sel.step[d] as number);
    heap.setF64(p + SELECTION.count + 8 * d, sel.count[d] as number);
  }
  return p;
}

export interface StreamSpec {
  shape: number[];
  chunkshape: number[] | undefined;
  blockshape: number[] | undefined;
  itemsize: number;
  dtype: string;
  jsKind: string;
  cparams: CoreCParams;
}

/** The addon's ReadStreamSpec: the same checks, in the same order. */
export function readStreamSpec(req: FrameWriterOpenRequest): StreamSpec {
  const shape = dims(req, 'shape');
  const given: Array<number[] | undefined> = [];
  for (const name of ['chunkshape', 'blockshape'] as const) {
    if (req[name] === undefined) {
      given.push(undefined);
      continue;
    }
    const sizes = dims(req, name);
    if (sizes.length !== shape.length) throw badRequest(`${name} must have one entry per dimension`);
    // As Node-API's Int64Value: NaN is 0, fractions truncated.
    const ints = sizes.map((x) => (Number.isNaN(x) ? 0 : Math.trunc(x)));
    if (ints.some((x) => x <= 0 || x > 2 ** 31 - 1)) throw badRequest(`${name} must hold positive 32-bit sizes`);
    given.push(ints);
  }
  return {
    shape,
    chunkshape: given[0],
    blockshape: given[1],
    itemsize: int(req, 'itemsize'),
    dtype: str(req, 'dtype'),
    jsKind: str(req, 'jsKind'),
    cparams: readCParams(req),
  };
}

/** Writes a StreamSpecAbi and returns it. */
export function writeStreamSpec(heap: Heap, spec: StreamSpec): number {
  const dtype = heap.cString(spec.dtype);
  const jsKind = heap.cString(spec.jsKind);
  const p = heap.scratch(STREAM.size);
  heap.setI32(p + STREAM.ndim, spec.shape.length);
  heap.setI32(p + STREAM.itemsize, spec.itemsize);
  heap.setU32(p + STREAM.dtype, dtype);
  heap.setU32(p + STREAM.jsKind, jsKind);
  spec.shape.forEach((d, i) => heap.setF64(p + STREAM.shape + 8 * i, d));
  spec.chunkshape?.forEach((d, i) => heap.setI32(p + STREAM.chunkshape + 4 * i, d));
  spec.blockshape?.forEach((d, i) => heap.setI32(p + STREAM.blockshape + 4 * i, d));
  writeCParams(heap, p + STREAM.cparams, spec.cparams);
  return p;
}

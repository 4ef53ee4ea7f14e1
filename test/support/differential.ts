/**
 * The differential test's shared pieces (test/differential.test.ts and its
 * child, test/children/differential.ts): the form of its inputs and a
 * canonical digest of a decoded value.
 */
import { createHash } from 'node:crypto';
import { type FrameWriterOptions, NDArray, type PackOptions, type Selection } from '../../src/index';

/**
 * One input for both backends: decoded with unpack (and unpackAsync) or
 * decompress; or (lazy) a frame opened with openFrame, in memory and through a
 * range reader, and read with get(selection) for each selection and toArray;
 * or (write) the bytes written with packChunks (a FrameWriter to memory) in
 * slabs of the given byte lengths.
 */
export interface DiffInput {
  op: 'unpack' | 'decompress' | 'lazy' | 'write';
  what: string;
  base64: string;
  selections?: Selection[];
  writer?: { options: FrameWriterOptions; slabs: number[] };
}

/**
 * A value both children pack with `options`: it travels to them packed with
 * structuredClone and every array stored raw (`transport`), which rebuilds
 * it exactly without involving either backend.
 */
export interface DiffValue {
  transport: string;
  options: PackOptions;
}

/** A canonical description of a decoded value. */
export function digest(v: unknown): string {
  if (v instanceof NDArray) return `NDArray(${v.shape.join('x')},${v.dtype},${digest(v.data)})`;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer)) {
    const bytes = ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
    return `${(v as object).constructor.name}[${bytes.byteLength}]:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
  }
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${digest(k)}=>${digest(x)}`).join(',')}}`;
  if (v instanceof Set) return `Set{${[...v].map(digest).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(digest).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}:${digest(x)}`)
      .join(',')}}`;
  return typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && Number.isNaN(v) ? 'NaN' : `${typeof v}:${String(v)}`;
}

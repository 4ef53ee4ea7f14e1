/**
 * The one byte builder of the tests: msgpack ext records (ext 42 frames, ext 80
 * raw records, ext 81 view tags, ext 82 out-of-band placeholders) made by hand
 * after FORMAT.md, hand-made C-Blosc2 special chunks, stream framing, and the
 * small readers the tests use to find their way in a message.
 * Imports nothing from the library, so any process can load it.
 */

/** The ext types of FORMAT.md. */
export const EXT = { frame: 42, raw: 80, view: 81, oob: 82 } as const;

/** An unsigned big-endian integer of `n` bytes at `at`. */
export function readUintBE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + (b[at + i] as number);
  return v;
}

/** An unsigned little-endian integer of `n` bytes at `at`. */
export function readUintLE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[at + i] as number);
  return v;
}

/** 4 bytes, little-endian: the uint32 fields of FORMAT.md's records. */
export function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/**
 * A msgpack ext record of `type` around `payload`: ext8, ext16 or ext32, the
 * smallest that holds it unless `lengthBytes` asks for a wider one.
 */
export function ext(type: number, payload: Uint8Array | readonly number[], lengthBytes?: 1 | 2 | 4): Buffer {
  const p = Buffer.from(payload as Uint8Array);
  const n = p.byteLength;
  const width = lengthBytes ?? (n < 0x100 ? 1 : n < 0x10000 ? 2 : 4);
  const head = Buffer.alloc(2 + width);
  head[0] = width === 1 ? 0xc7 : width === 2 ? 0xc8 : 0xc9;
  head.writeUIntBE(n, 1, width);
  head[1 + width] = type;
  return Buffer.concat([head, p]);
}

/** A frame as the ext 42 record python-blosc2's msgpack helpers write. */
export function ext42(frame: Uint8Array, lengthBytes?: 1 | 2 | 4): Buffer {
  return ext(EXT.frame, frame, lengthBytes);
}

/** Where the ext8/16/32 record at `at` keeps its type and payload. */
export function extAt(m: Uint8Array, at = 0): { type: number; start: number; length: number } {
  const head = m[at];
  const lengthBytes = head === 0xc7 ? 1 : head === 0xc8 ? 2 : head === 0xc9 ? 4 : 0;
  if (lengthBytes === 0) throw new Error(`extAt: no ext8/16/32 record at ${at} (byte 0x${(head ?? 0).toString(16)})`);
  return { type: m[at + 1 + lengthBytes] as number, start: at + 2 + lengthBytes, length: readUintBE(m, at + 1, lengthBytes) };
}

/** An NDArray header of a raw record: shape (varint dimensions) and dtype; `ndim` overrides the count written. */
export interface RawNd {
  shape: readonly number[];
  dtype: string;
  ndim?: number;
}

/** An ext 80 raw record: the kind/code byte, the NDArray header (if any), the data. */
export function rawRecord(kind: number, code: number, data: Uint8Array | readonly number[], nd?: RawNd): Buffer {
  const parts: number[] = [(kind << 4) | code];
  if (nd) {
    parts.push(nd.ndim ?? nd.shape.length);
    for (let dim of nd.shape) {
      while (dim >= 0x80) {
        parts.push((dim % 128) | 0x80);
        dim = Math.floor(dim / 128);
      }
      parts.push(dim);
    }
    parts.push(nd.dtype.length, ...Buffer.from(nd.dtype, 'latin1'));
  }
  return ext(EXT.raw, Buffer.concat([Buffer.from(parts), Buffer.from(data as Uint8Array)]));
}

/** The ext 81 tag (fixext1, payload 0) that comes before a view's packed description. */
export function viewTag(): Buffer {
  return Buffer.from([0xd4, EXT.view, 0]);
}

/** A msgpack fixarray of up to 15 already-packed items. */
export function fixarray(...items: Uint8Array[]): Buffer {
  return Buffer.concat([Buffer.from([0x90 | items.length]), ...items]);
}

/** A message framed as the streams frame it: a 4-byte big-endian length, then the message. */
export function lengthPrefixed(message: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(message.length, 0);
  return Buffer.concat([h, message]);
}

/** Which C-Blosc2 special value a chunk claims (byte 31, bits 4-6). */
export const SPECIAL = { zeros: 1, nan: 2, value: 3, uninit: 4 } as const;
/** A special kind by name. */
export type SpecialKind = keyof typeof SPECIAL;

/** How {@link specialChunk} builds its header. */
export interface SpecialChunkOptions {
  /** Bytes per item (header byte 3). Default: the template's, else 1. */
  typesize?: number;
  /** The repeated value of a 'value' chunk, written after the header. */
  value?: Uint8Array;
  /** A real chunk whose first 32 bytes (flags, filters, codec) the header starts from. */
  template?: Uint8Array;
  /** Header blocksize. Default: the template's, else nbytes clamped to 1..64 KiB. */
  blocksize?: number;
}

/**
 * A chunk made of a 32-byte extended Blosc2 header (and, for 'value', the
 * value), as C-Blosc2's `blosc2_chunk_zeros` / `_nans` / `_uninit` write it:
 * by default version 5, versionlz 1, flags 0x05 (both shuffle bits set = the
 * extended header), codec bits 0 (BloscLZ), and the special kind in byte 31;
 * cbytes is 32 plus the value's length.
 */
export function specialChunk(kind: SpecialKind, nbytes: number, options: SpecialChunkOptions = {}): Buffer {
  const extra = options.value?.length ?? 0;
  const h = Buffer.alloc(32 + extra);
  if (options.template) {
    Buffer.from(options.template.buffer, options.template.byteOffset, 32).copy(h, 0);
  } else {
    h[0] = 5; // BLOSC2_VERSION_FORMAT
    h[1] = 1; // BloscLZ format version
    h[2] = 0x05; // DOSHUFFLE | DOBITSHUFFLE: the extended header
  }
  if (options.typesize !== undefined || !options.template) h[3] = options.typesize ?? 1;
  h.writeInt32LE(nbytes, 4);
  // C-Blosc2 wants 0 < blocksize <= nbytes even for a header-only chunk.
  if (options.blocksize !== undefined) h.writeInt32LE(options.blocksize, 8);
  else if (!options.template) h.writeInt32LE(Math.max(1, Math.min(nbytes, 1 << 16)), 8);
  h.writeInt32LE(32 + extra, 12);
  h[31] = ((h[31] as number) & 0x0f) | (SPECIAL[kind] << 4);
  if (options.value) h.set(options.value, 32);
  return h;
}

/** The ext types of a message's ext records, in order (walks the msgpack structure; ext payloads are not entered). */
export function extTypesIn(message: Uint8Array): number[] {
  const types: number[] = [];
  walk(message, 0, types);
  return types;
}

// A minimal msgpack walker: returns the position after the item at p.
function walk(m: Uint8Array, p: number, types: number[]): number {
  const b = m[p] as number;
  const u8 = (i: number) => m[i] as number;
  const be = (i: number, n: number) => readUintBE(m, i, n);
  if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return p + 1;
  if ((b & 0xe0) === 0xa0) return p + 1 + (b & 0x1f);
  if ((b & 0xf0) === 0x90 || (b & 0xf0) === 0x80) {
    let n = (b & 0x0f) * ((b & 0xf0) === 0x80 ? 2 : 1);
    let q = p + 1;
    while (n-- > 0) q = walk(m, q, types);
    return q;
  }
  switch (b) {
    case 0xc4:
      return p + 2 + u8(p + 1);
    case 0xc5:
      return p + 3 + be(p + 1, 2);
    case 0xc6:
      return p + 5 + be(p + 1, 4);
    case 0xc7:
      types.push(u8(p + 2));
      return p + 3 + u8(p + 1);
    case 0xc8:
      types.push(u8(p + 3));
      return p + 4 + be(p + 1, 2);
    case 0xc9:
      types.push(u8(p + 5));
      return p + 6 + be(p + 1, 4);
    case 0xca:
      return p + 5;
    case 0xcb:
      return p + 9;
    case 0xcc:
    case 0xd0:
      return p + 2;
    case 0xcd:
    case 0xd1:
      return p + 3;
    case 0xce:
    case 0xd2:
      return p + 5;
    case 0xcf:
    case 0xd3:
      return p + 9;
    case 0xd4:
      types.push(u8(p + 1));
      return p + 3;
    case 0xd5:
      types.push(u8(p + 1));
      return p + 4;
    case 0xd6:
      types.push(u8(p + 1));
      return p + 6;
    case 0xd7:
      types.push(u8(p + 1));
      return p + 10;
    case 0xd8:
      types.push(u8(p + 1));
      return p + 18;
    case 0xd9:
      return p + 2 + u8(p + 1);
    case 0xda:
      return p + 3 + be(p + 1, 2);
    case 0xdb:
      return p + 5 + be(p + 1, 4);
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      const wide = b === 0xdd || b === 0xdf;
      let n = be(p + 1, wide ? 4 : 2) * (b >= 0xde ? 2 : 1);
      let q = p + (wide ? 5 : 3);
      while (n-- > 0) q = walk(m, q, types);
      return q;
    }
    default:
      throw new Error(`extTypesIn: unexpected byte 0x${b.toString(16)} at ${p}`);
  }
}

/**
 * The one MessagePack byte writer: the headers this package writes itself
 * (ext and bin records, varints), on any byte array, at a position.
 * @internal
 * @packageDocumentation
 */

/**
 * A run of bytes reserved in an output for one record, as msgpackr's
 * extension protocol hands it out: write from `target[position]` on.
 */
export interface Reserved {
  target: Uint8Array;
  position: number;
}

/** Reserves `size` bytes in the output (msgpackr's `allocateForWrite`). */
export type Reserve = (size: number) => Reserved;

function putUint32BE(target: Uint8Array, p: number, n: number): number {
  target[p] = n >>> 24;
  target[p + 1] = (n >>> 16) & 0xff;
  target[p + 2] = (n >>> 8) & 0xff;
  target[p + 3] = n & 0xff;
  return p + 4;
}

/** Bytes of the ext header (ext8/16/32) for a payload of this length. */
export function extHeaderSize(length: number): number {
  return length < 0x100 ? 3 : length < 0x10000 ? 4 : 6;
}

/** Writes an ext8/16/32 header at p; returns where the payload starts. */
export function writeExtHeader(target: Uint8Array, p: number, length: number, type: number): number {
  if (length < 0x100) {
    target[p++] = 0xc7;
    target[p++] = length;
  } else if (length < 0x10000) {
    target[p++] = 0xc8;
    target[p++] = length >> 8;
    target[p++] = length & 0xff;
  } else {
    target[p++] = 0xc9;
    p = putUint32BE(target, p, length);
  }
  target[p++] = type;
  return p;
}

/** Reserves room for an ext record of this payload length and writes its header; returns the payload's start. */
export function reserveExt(reserve: Reserve, length: number, type: number): { target: Uint8Array; at: number } {
  const t = reserve(extHeaderSize(length) + length);
  return { target: t.target, at: writeExtHeader(t.target, t.position, length, type) };
}

/** A new byte array holding the ext header for a payload of this length. */
export function extHeader(length: number, type: number): Uint8Array {
  const head = new Uint8Array(extHeaderSize(length));
  writeExtHeader(head, 0, length, type);
  return head;
}

/** Bytes of the bin header (bin8/16/32) for this length. */
export function binHeaderSize(length: number): number {
  return length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}

/** Writes a bin8/16/32 header at p; returns where the bytes start. */
export function writeBinHeader(target: Uint8Array, p: number, length: number): number {
  if (length < 0x100) {
    target[p++] = 0xc4;
    target[p++] = length;
  } else if (length < 0x10000) {
    target[p++] = 0xc5;
    target[p++] = length >> 8;
    target[p++] = length & 0xff;
  } else {
    target[p++] = 0xc6;
    p = putUint32BE(target, p, length);
  }
  return p;
}

/** Bytes of n as an unsigned LEB128 varint (FORMAT.md, "Raw record"). */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes n as an unsigned LEB128 varint at p; returns the next position. */
export function writeVarint(target: Uint8Array, p: number, n: number): number {
  while (n >= 0x80) {
    target[p++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  target[p++] = n;
  return p;
}

/** Writes a little-endian uint32 at p; returns the next position. */
export function writeUint32LE(target: Uint8Array, p: number, n: number): number {
  target[p] = n & 0xff;
  target[p + 1] = (n >>> 8) & 0xff;
  target[p + 2] = (n >>> 16) & 0xff;
  target[p + 3] = n >>> 24;
  return p + 4;
}

/**
 * The bytes of stream framing (FORMAT.md, "Stream framing"): the stream
 * header, the checked frame header of version 2 and the bare length of
 * version 1, and what to say of bytes that are neither.
 * @packageDocumentation
 */
import { type Bytes, platform } from './platform';

/** The framing PackStream writes and UnpackStream reads by default. */
export const STREAM_FRAMING_VERSION = 2;

/**
 * The 8 bytes a version-2 stream starts with: 0x89 (not text), "b2s", CR LF
 * (spoiled by line-ending conversion), 0x1A (end of text), then the version.
 */
export const STREAM_HEADER: Readonly<Uint8Array> = Uint8Array.from([0x89, 0x62, 0x32, 0x73, 0x0d, 0x0a, 0x1a, STREAM_FRAMING_VERSION]);

/** The first byte of every version-2 frame header. */
export const FRAME_MARKER = 0xb2;

/**
 * Bytes of a version-2 frame header: marker, flags (0), the message length
 * (u32 big-endian), and a CRC-32C of those 6 bytes (u32 big-endian).
 */
export const FRAME_HEADER_BYTES = 10;

/** Bytes of a version-1 frame header: the length alone. */
export const LEGACY_FRAME_HEADER_BYTES = 4;

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven: the
// check iSCSI, ext4 and Snappy framing use.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of bytes[start, end). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The version-2 header of a message of n bytes. */
export function frameHeader(n: number): Bytes {
  const h = platform.alloc(FRAME_HEADER_BYTES);
  const view = new DataView(h.buffer, h.byteOffset, FRAME_HEADER_BYTES);
  h[0] = FRAME_MARKER;
  h[1] = 0;
  view.setUint32(2, n);
  view.setUint32(6, crc32c(h, 0, 6));
  return h;
}

/** The version-1 header of a message of n bytes. */
export function legacyFrameHeader(n: number): Bytes {
  const h = platform.alloc(LEGACY_FRAME_HEADER_BYTES);
  new DataView(h.buffer, h.byteOffset, LEGACY_FRAME_HEADER_BYTES).setUint32(0, n);
  return h;
}

/**
 * What checking a version-2 frame header found: the length it states, or
 * why the bytes are no header (`bad`).
 */
export type HeaderCheck = { length: number; bad?: undefined } | { length?: undefined; bad: string };

/** Checks the 10 bytes of a version-2 frame header at h[0..10). */
export function checkFrameHeader(h: Uint8Array): HeaderCheck {
  if (h[0] !== FRAME_MARKER) return { bad: 'no frame marker' };
  const view = new DataView(h.buffer, h.byteOffset, FRAME_HEADER_BYTES);
  if (view.getUint32(6) !== crc32c(h, 0, 6)) return { bad: 'the frame header check (CRC-32C) fails' };
  if (h[1] !== 0) return { bad: `unknown frame flags ${h[1] as number}` };
  return { length: view.getUint32(2) };
}

/**
 * What some bytes that are not our framing look like, for the error message:
 * never the bytes themselves (they may be anyone's data).
 */
export function looksLike(bytes: Uint8Array): string {
  const n = Math.min(bytes.length, 64);
  let text = n > 0;
  for (let i = 0; i < n && text; i++) {
    const b = bytes[i] as number;
    text = (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d || b >= 0xc2;
  }
  if (!text) return 'binary data of another kind';
  const head = String.fromCharCode(...bytes.subarray(0, Math.min(n, 8))).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON';
  if (/^(GET|POST|PUT|HEAD|HTTP\/)/.test(head)) return 'HTTP';
  return 'text (a stray log line on the channel?)';
}

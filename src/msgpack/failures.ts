/**
 * msgpackr's failures to read a message, as Blosc2Errors (ERR_CORRUPT) that
 * say what went wrong and what the bytes look like instead (a bare chunk,
 * JSON, text...), without ever quoting the decoded data: msgpackr's own
 * "Data read, but end of buffer not reached" message carries a JSON view of
 * the value it read.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { HeaderCheck, backend } from '../backend';
import { FRAME_HEADER_BYTES, STREAM_HEADER, checkFrameHeader } from '../stream-framing';

/** msgpackr's messages that we recognize, and what we say instead. */
const KNOWN: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^Data read, but end of buffer not reached/, () => 'one MessagePack value ends before the input does (a message is exactly one value)'],
  [/^Unexpected end of (MessagePack data|buffer)/, () => 'the input ends inside a MessagePack value (truncated)'],
  [/^Unknown extension type (\d+)/, (m) => `it holds an ext record of type ${m[1]}, which neither msgpackr nor this package reads`],
  [/^Unknown extension (\d+)/, (m) => `it holds an ext record of type ${m[1]}, which neither msgpackr nor this package reads`],
  [/^Unknown MessagePack token (\d+)/, (m) => `it holds the byte 0x${Number(m[1]).toString(16)}, which MessagePack never uses`],
  [
    /^Record id is not defined for (\d+)/,
    (m) => `it refers to msgpackr record structure ${m[1]}, which it does not define (packed with shared structures?)`,
  ],
  [/^Structured clone extension is disabled/, () => "it uses msgpackr's structured clone: unpack it with structuredClone: true"],
  [/^Invalid property type for record/, () => 'a msgpackr record holds a key that is not a string'],
];

// Text holds no control characters but tab, line feed and carriage return.
// eslint-disable-next-line no-control-regex
const TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** What `bytes` look like, when it is something recognizable that is not a message; '' otherwise. */
export function lookOf(bytes: Uint8Array): string {
  const n = bytes.byteLength;
  if (n === 0) return 'the input is empty';
  if (n >= 10 && bytes[0] === 0x9e && bytes[1] === 0xa8 && String.fromCharCode(...bytes.subarray(2, 10)) === 'b2frame\0') {
    return 'the bytes are a bare C-Blosc2 frame (CFrame), not a message: a message holds each frame in an ext 42 record (FORMAT.md); packOutOfBand buffers are such frames, read with unpackOutOfBand';
  }
  if (isChunk(bytes)) return 'the bytes are a bare C-Blosc2 chunk, as compress() writes: read it with decompress()';
  if (
    n >= 4 &&
    bytes[0] === STREAM_HEADER[0] &&
    bytes[1] === STREAM_HEADER[1] &&
    bytes[2] === STREAM_HEADER[2] &&
    bytes[3] === STREAM_HEADER[3]
  ) {
    return 'the bytes are a blosc2 stream (its stream header), not a message: read streams with UnpackStream';
  }
  if (n > FRAME_HEADER_BYTES && checkFrameHeader(bytes).length === n - FRAME_HEADER_BYTES) {
    return 'the bytes look like one stream frame (a frame header, then a message): read streams with UnpackStream';
  }
  if (n > 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) === n - 4) {
    return 'the bytes look like one stream frame of framing version 1 (a 4-byte length, then a message): read streams with UnpackStream';
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'the bytes look like gzip data';
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'the bytes look like a Zstandard frame';
  const text = utf8(bytes);
  if (text === undefined || TEXT_CONTROL.test(text)) return '';
  return isJson(text) ? `the bytes are JSON text (${n} bytes), not MessagePack` : `the bytes are UTF-8 text (${n} bytes), not MessagePack`;
}

function isChunk(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 16 || bytes[0] === undefined || bytes[0] < 1 || bytes[0] > 5) return false;
  try {
    backend.chunkInfo({ src: bytes, check: HeaderCheck.Exact });
    return true;
  } catch {
    return false;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
  // Enough to tell text from binary; JSON.parse below needs the whole text only when it is small.
  try {
    return decoder.decode(bytes.byteLength > 1 << 20 ? bytes.subarray(0, 1 << 20) : bytes, { stream: bytes.byteLength > 1 << 20 });
  } catch {
    return undefined;
  }
}

function isJson(text: string): boolean {
  const t = text.trimStart();
  if (!/^[[{"\-0-9tfn]/.test(t)) return false;
  if (text.length >= 1 << 20) return t[0] === '{' || t[0] === '[';
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A failure of msgpackr (or of our code under it) while reading `bytes`, as a
 * Blosc2Error. Our own errors pass through. msgpackr's parse errors become
 * ERR_CORRUPT with our wording; their text, which may quote the data, is
 * dropped, and so is the error itself (a logged `cause` would print it).
 * Anything else (a TypeError: a bug) is kept as the `cause`.
 */
export function readFailure(err: unknown, bytes: Uint8Array | undefined, what = 'not a valid message'): Blosc2Error {
  if (err instanceof Blosc2Error) return err;
  const text = err instanceof Error ? err.message : '';
  let why = '';
  for (const [re, say] of KNOWN) {
    const m = re.exec(text);
    if (m) {
      why = say(m);
      break;
    }
  }
  const plain = err instanceof Error && err.constructor === Error;
  if (!why) why = plain ? 'msgpackr cannot parse it' : `msgpackr failed (${err instanceof Error ? err.name : typeof err})`;
  const look = bytes ? lookOf(bytes) : '';
  const e = new Blosc2Error(`${what}: ${why}${look ? `; ${look}` : ''}`, 'ERR_CORRUPT');
  if (!plain) (e as Error & { cause?: unknown }).cause = err;
  return e;
}

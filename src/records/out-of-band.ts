/**
 * The out-of-band placeholder (ext 82, FORMAT.md "Out-of-band record"): a
 * u32 index into a side list of buffers and a flag: 0 the buffer is a frame;
 * 1 the buffer is the array's raw bytes, described by a raw-record header; 2 a
 * packAsync placeholder (a 16-byte nonce) that never leaves this process and
 * is replaced by its frame record before packAsync returns.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { type Bytes, platform } from '../platform';
import { type Reserve, extHeader, reserveExt, writeUint32LE } from '../msgpack/writer';
import { charge, decodeState } from './decode-state';
import { encodeFrame, unpackFrame } from './frame';
import { rawFits, rawHeaderSize, readRawHeader, writeRawHeader } from './raw';
import { B2ND_EXT, type Described, Kind, OOB_EXT, type OutOfBandSink, type PackConfig } from './types';
import { build, buildCopy, corrupt } from './values';

const FRAME = 0;
const RAW = 1;
const PENDING = 2;
const NONCE_BYTES = 16;

/** Puts d in the sink and writes its placeholder. */
export function writeOutOfBand(d: Described, cfg: PackConfig, sink: OutOfBandSink, reserve: Reserve): void {
  let flag: number;
  let index: number;
  if (sink.pending && sink.nonce) {
    flag = PENDING;
    index = sink.pending.length;
    sink.pending.push(d);
  } else {
    flag = cfg.cparams.clevel === 0 ? RAW : FRAME;
    index = sink.buffers.length;
    sink.buffers.push(flag === RAW ? d.bytes : encodeFrame(d, cfg.cparams));
  }
  const length = 5 + (flag === RAW ? rawHeaderSize(d) : flag === PENDING ? NONCE_BYTES : 0);
  const { target, at } = reserveExt(reserve, length, OOB_EXT);
  let p = writeUint32LE(target, at, index);
  target[p++] = flag;
  if (flag === RAW) writeRawHeader(target, p, d);
  else if (flag === PENDING) target.set(sink.nonce as Uint8Array, p);
}

/** Reads an ext 82 record against the buffers of the unpackOutOfBand call in progress. */
export function unpackOutOfBand(data: Uint8Array): unknown {
  const state = decodeState();
  if (!state.buffers) throw corrupt('an out-of-band record met outside unpackOutOfBand (pass the buffers)');
  if (data.length < 5) throw corrupt('out-of-band record: truncated');
  const index = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  const buf = state.buffers[index];
  if (!buf) throw corrupt(`out-of-band record: no buffer #${index} (${state.buffers.length} given)`);
  if (!ArrayBuffer.isView(buf)) throw corrupt(`out-of-band buffer #${index} is not a Uint8Array`);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (data[4] === FRAME) return unpackFrame(bytes);
  if (data[4] !== RAW) throw corrupt(`out-of-band record: unknown flag ${data[4]}`);
  const pos = { p: 5 };
  const h = readRawHeader(data, pos);
  if (pos.p !== data.length) throw corrupt('out-of-band record: trailing bytes');
  const nbytes = bytes.byteLength;
  if (!rawFits(h, nbytes)) throw corrupt(`out-of-band buffer #${index} has ${nbytes} bytes, which disagrees with its record`);
  // The caller handed us these bytes: view them in place when aligned (the
  // zero-copy path of clevel 0), else copy into aligned memory.
  if (h.kind !== Kind.ArrayBuffer && h.kind !== Kind.SharedArrayBuffer && bytes.byteOffset % h.entry.itemsize === 0) {
    return build(h, bytes.buffer, bytes.byteOffset, nbytes);
  }
  charge(state, nbytes, 'an out-of-band buffer');
  return buildCopy(h, bytes);
}

/**
 * Replaces packAsync's placeholders in the skeleton by their frame records:
 * c7 15 52 <u32 index LE> 02 <16-byte nonce> becomes the ext 42 record of
 * frames[index]. The nonce is random per Packer and only this Packer's own
 * skeletons are searched for it, so no other bytes of the message can match.
 * (bundleStrings is refused: it stores offsets that this would move.)
 */
export function spliceOutOfBand(skeleton: Bytes, frames: readonly Uint8Array[], nonce: Uint8Array): Bytes {
  if (frames.length === 0) return skeleton;
  const pieces: Uint8Array[] = [];
  let last = 0;
  let total = 0;
  const needle = new Uint8Array(8 + NONCE_BYTES);
  const index32 = new DataView(needle.buffer, 3, 4);
  needle.set([0xc7, 5 + NONCE_BYTES, OOB_EXT]);
  needle[7] = PENDING;
  needle.set(nonce, 8);
  for (let index = 0; index < frames.length; index++) {
    index32.setUint32(0, index, true);
    const at = platform.indexOf(skeleton, needle, last);
    if (at < 0) throw new Blosc2Error('internal: a packAsync placeholder went missing', 'ERR_CORRUPT');
    const frame = frames[index] as Uint8Array;
    const head = extHeader(frame.byteLength, B2ND_EXT);
    pieces.push(skeleton.subarray(last, at), head, frame);
    total += at - last + head.length + frame.byteLength;
    last = at + needle.length;
  }
  pieces.push(skeleton.subarray(last));
  total += skeleton.length - last;
  return platform.concat(pieces, total);
}

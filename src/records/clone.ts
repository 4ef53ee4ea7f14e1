/**
 * The records of a structuredClone message (FORMAT.md, "structuredClone
 * messages"), each a one-byte-tag extension (`d4 TT 00`) followed by one
 * msgpack value, as msgpackr's own Set and Error records are:
 * ext 83 the envelope `[version, value]`, ext 84 a reference (an id), ext 85
 * an identity record (the next object gets the next id), ext 86 an object
 * record `[tag, ...fields]`; and -0 as a float64. Writers take the markers of
 * src/clone/wire.ts; readers make the markers src/clone/decode.ts resolves.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import type { Reserve } from '../msgpack/writer';
import { rebuild } from '../clone/decode';
import {
  CLONE_FORMAT_VERSION,
  type CloneRecord,
  type Envelope,
  type IdTag,
  IdWire,
  NegativeZero,
  RecordWire,
  type RefTag,
  RefWire,
} from '../clone/wire';
import { countCloneMarker, decodeState } from './decode-state';
import { corrupt } from './values';
import type { InnerPack } from './view';

/** Extension type of the structuredClone envelope. */
export const ENVELOPE_EXT = 83;
/** Extension type of a reference to an earlier object. */
export const REF_EXT = 84;
/** Extension type of an identity record (an object referred to later). */
export const ID_EXT = 85;
/** Extension type of an object record (boxed primitives, Errors, arrays with holes, ...). */
export const OBJECT_EXT = 86;

function writeTag(reserve: Reserve, type: number): void {
  const t = reserve(3);
  t.target[t.position] = 0xd4; // fixext1: a tag, its value follows
  t.target[t.position + 1] = type;
  t.target[t.position + 2] = 0;
}

/** Writes the envelope and the message's value. */
export function packEnvelope(e: Envelope, reserve: Reserve, pack: InnerPack): void {
  writeTag(reserve, ENVELOPE_EXT);
  pack([CLONE_FORMAT_VERSION, e.value]);
}

/** Writes an object: behind an identity record (the next id) when something refers to it, else alone. */
export function packIdTag(tag: IdTag, reserve: Reserve, pack: InnerPack): void {
  if (tag.refs === 0) {
    reserve(0);
  } else {
    tag.id = tag.counter.next++;
    writeTag(reserve, ID_EXT);
  }
  pack(tag.value);
}

/** Writes a reference to an object written earlier in the message. */
export function packRefTag(ref: RefTag, reserve: Reserve, pack: InnerPack): void {
  if (ref.target.id < 0) throw new Blosc2Error('internal: a reference written before its object', 'ERR_DATA_CLONE');
  writeTag(reserve, REF_EXT);
  pack(ref.target.id);
}

/** Writes an object record, or -0 as a float64 (msgpackr writes it as the integer 0). */
export function packCloneRecord(r: CloneRecord, reserve: Reserve, pack: InnerPack): void {
  if (r instanceof NegativeZero) {
    const t = reserve(9);
    t.target[t.position] = 0xcb;
    t.target[t.position + 1] = 0x80;
    t.target.fill(0, t.position + 2, t.position + 9);
    return;
  }
  writeTag(reserve, OBJECT_EXT);
  pack(r.fields);
}

/** Reads an identity record. */
export function readId(value: unknown): IdWire {
  countCloneMarker();
  return new IdWire(value);
}

/** Reads a reference. */
export function readRef(value: unknown): RefWire {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw corrupt('structuredClone message: a reference is not an id');
  countCloneMarker();
  return new RefWire(value);
}

/** Reads an object record. */
export function readCloneRecord(value: unknown): RecordWire {
  if (!Array.isArray(value) || value.length < 2) throw corrupt('structuredClone message: an object record is not [tag, ...fields]');
  countCloneMarker();
  return new RecordWire(value);
}

/** Reads the envelope: resolves the markers of its value into the value. */
export function readEnvelope(data: unknown): unknown {
  if (!Array.isArray(data) || data.length !== 2 || typeof data[0] !== 'number') {
    throw corrupt('structuredClone message: the envelope is not [version, value]');
  }
  if (data[0] !== CLONE_FORMAT_VERSION) {
    throw new Blosc2Error(
      `structuredClone message of format version ${data[0]}; this reads version ${CLONE_FORMAT_VERSION}`,
      'ERR_UNSUPPORTED',
    );
  }
  const c = decodeState().clone;
  if (c) {
    if (c.envelope) throw corrupt('structuredClone message: more than one envelope');
    c.envelope = true;
  }
  const { value, resolved } = rebuild(data[1]);
  if (c) c.resolved += resolved;
  return value;
}

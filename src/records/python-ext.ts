/**
 * python-blosc2's other msgpack extensions (FORMAT.md, "Extension types"):
 * ext 43 (a structured reference: a lazy expression, a UDF, a remote array)
 * and ext 44 (a complex number) have no JS value and are refused naming what
 * they are; ext 45 (a Python set) is read as a Set.
 * @internal
 * @packageDocumentation
 */
import { unpack as msgpackUnpack } from 'msgpackr';
import { Blosc2Error } from '../errors';
import { readFailure } from '../msgpack/failures';
import { corrupt } from './values';

/** python-blosc2's structured-reference extension. */
export const PY_STRUCTURED_EXT = 43;
/** python-blosc2's complex-number extension. */
export const PY_COMPLEX_EXT = 44;
/** python-blosc2's set extension. */
export const PY_SET_EXT = 45;

/** Reads an ext 43 record: always refused, naming its kind. */
export function unpackStructured(data: Uint8Array): never {
  let kind = 'structured reference';
  try {
    const payload = msgpackUnpack(data) as { kind?: unknown } | null;
    if (typeof payload?.kind === 'string' && /^[A-Za-z0-9_]{1,32}$/.test(payload.kind)) kind = `'${payload.kind}'`;
  } catch {
    // Unreadable: still a python-blosc2 structured reference.
  }
  throw new Blosc2Error(
    `ext 43: a python-blosc2 ${kind} object (a structured reference, e.g. a lazy expression), which holds no array data; evaluate it in python-blosc2 and send the result`,
    'ERR_UNSUPPORTED',
  );
}

/** Reads an ext 44 record: a complex number has no JS value. */
export function unpackComplex(): never {
  throw new Blosc2Error('ext 44: a python complex number, which has no JS value', 'ERR_UNSUPPORTED');
}

/** Reads an ext 45 record (the msgpack array of the set's items) as a Set. */
export function unpackPySet(data: Uint8Array): Set<unknown> {
  let items: unknown;
  try {
    items = msgpackUnpack(data);
  } catch (err) {
    throw readFailure(err, undefined, 'ext 45 (python set): not a MessagePack array');
  }
  if (!Array.isArray(items)) throw corrupt('ext 45 (python set): not a MessagePack array');
  return new Set(items);
}

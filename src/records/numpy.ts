/**
 * python-blosc2's plain NumPy array record (ext 46, read only; python-blosc2
 * 4.14+): the msgpack map {dtype: {str: '<f8'}, shape: [...], data: <bytes>},
 * read as an NDArray. Object arrays ({values, shape}) are refused.
 * @internal
 * @packageDocumentation
 */
import { unpack as msgpackUnpack } from 'msgpackr';
import { Blosc2Error } from '../errors';
import { readFailure } from '../msgpack/failures';
import { BY_CODE, type DTypeEntry, ctorForDtype } from '../dtypes';
import { charge, decodeState } from './decode-state';
import { Kind } from './types';
import { buildCopy, corrupt } from './values';

/** Reads an ext 46 record. */
export function unpackNumpy(data: Uint8Array): unknown {
  const state = decodeState();
  let payload: unknown;
  try {
    payload = msgpackUnpack(data);
  } catch (err) {
    throw readFailure(err, undefined, 'ext 46 (NumPy array): not a MessagePack map');
  }
  const p = payload as { dtype?: { str?: unknown }; shape?: unknown; data?: unknown; values?: unknown } | null;
  if (p === null || typeof p !== 'object') throw corrupt('ext 46 (NumPy array): not a map');
  if (p.values !== undefined) throw new Blosc2Error('ext 46: NumPy object arrays have no JS array type', 'ERR_UNSUPPORTED');
  const dtype = p.dtype?.str;
  if (typeof dtype !== 'string') throw corrupt('ext 46 (NumPy array): no dtype string');
  const ctor = ctorForDtype(dtype);
  const entry = BY_CODE.find((x) => x?.ctor === ctor) as DTypeEntry;
  if (!Array.isArray(p.shape) || p.shape.length > 32 || !p.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw corrupt('ext 46 (NumPy array): bad shape');
  }
  const shape = p.shape as number[];
  if (!(p.data instanceof Uint8Array)) throw corrupt('ext 46 (NumPy array): no data bytes');
  const nbytes = shape.reduce((a, b) => a * b, 1) * entry.itemsize;
  if (p.data.byteLength !== nbytes) throw corrupt('ext 46 (NumPy array): the shape disagrees with the data');
  if (shape.length > 8) throw new Blosc2Error(`ext 46: ${shape.length} dimensions (an NDArray has at most 8)`, 'ERR_UNSUPPORTED');
  charge(state, nbytes, 'a NumPy array record');
  return buildCopy({ entry, kind: Kind.NDArray, shape, dtype }, p.data);
}

/**
 * The view tag (ext 81, structuredClone only; FORMAT.md "View record"): a
 * one-byte tag followed by `[buffer, byteOffset, length, kind, code, shape?,
 * dtype?]`, so that views over one ArrayBuffer come back over one ArrayBuffer
 * (msgpackr's structured clone packs the buffer once and refers to it after).
 * @internal
 * @packageDocumentation
 */
import { BY_CODE, type DTypeEntry, type TypedArray, entryOf } from '../dtypes';
import { NDArray } from '../ndarray';
import { platform } from '../platform';
import type { Reserve } from '../msgpack/writer';
import { IdWire, RefWire, ViewWire } from '../clone/wire';
import { countCloneMarker } from './decode-state';
import { U8 } from './describe';
import { type Described, Kind, type PackConfig, VIEW_EXT } from './types';
import { build, corrupt } from './values';

/** Packs a value through msgpackr from an extension. */
export type InnerPack = (value: unknown) => void;

/**
 * Writes the tag, then lets msgpackr pack the description, whose first slot is
 * `buffer`: the view's own buffer (msgpackr's structured clone writes it once
 * and refers to it after), or with a Packer's structuredClone its wire value
 * (an identity record or a reference, src/clone/wire.ts).
 */
export function packViewTag(value: unknown, buffer: unknown, cfg: PackConfig, reserve: Reserve, pack: InnerPack): void {
  const t = reserve(3);
  t.target[t.position] = 0xd4; // fixext1
  t.target[t.position + 1] = VIEW_EXT;
  t.target[t.position + 2] = 0;
  if (value instanceof NDArray) {
    const nd = value as NDArray;
    const data = nd.data;
    cfg.typesizeHint = data.BYTES_PER_ELEMENT;
    pack([buffer, data.byteOffset, data.length, Kind.NDArray, (entryOf(data) as DTypeEntry).code, [...nd.shape], nd.dtype]);
  } else {
    const view = value as ArrayBufferView;
    const entry = entryOf(view) ?? U8;
    const kind = view instanceof DataView ? Kind.DataView : platform.isBuffer(view) ? Kind.Buffer : Kind.Typed;
    cfg.typesizeHint = kind === Kind.Typed ? entry.itemsize : 1;
    const length = kind === Kind.Typed ? (view as TypedArray).length : view.byteLength;
    pack([buffer, view.byteOffset, length, kind, entry.code]);
  }
  // Used up by the buffer's own record, or left over when msgpackr wrote a
  // reference to an already packed buffer instead: never let it outlive this view.
  cfg.typesizeHint = 0;
}

function entryForItemsize(size: number): DTypeEntry {
  const code = size === 2 ? 5 : size === 4 ? 7 : size === 8 ? 11 : 2;
  return BY_CODE[code] as DTypeEntry;
}

/**
 * An ArrayBuffer reached through a view of wider items is framed with that
 * item size, which shuffles better; its kind still says ArrayBuffer, so it
 * comes back as one. Raw records keep bytes as bytes.
 */
export function withItemsizeHint(d: Described, hint: number): Described {
  if (hint <= 1 || d.kind < Kind.ArrayBuffer || d.bytes.byteLength % hint !== 0) return d;
  const entry = entryForItemsize(hint);
  return { ...d, entry, shape: [d.bytes.byteLength / hint], dtype: entry.dtype };
}

/**
 * Reads the description that follows a view tag (msgpackr has already unpacked
 * it). In a structuredClone message of ours the buffer may be an identity
 * record or a reference: the view is then built once those are resolved.
 */
export function readViewTag(data: unknown): unknown {
  if (!Array.isArray(data) || data.length < 5) throw corrupt('view record: not a view description');
  if (data[0] instanceof IdWire || data[0] instanceof RefWire) {
    countCloneMarker();
    return new ViewWire(data);
  }
  return buildView(data, data[0]);
}

/** The view a view description says, over `ab` (its resolved first slot). */
export function buildView(data: readonly unknown[], ab: unknown): unknown {
  if (data.length < 5) throw corrupt('view record: not a view description');
  const [, byteOffset, length, kind, code] = data as [unknown, unknown, unknown, unknown, unknown];
  const isShared = typeof SharedArrayBuffer === 'function' && ab instanceof SharedArrayBuffer;
  if (!(ab instanceof ArrayBuffer) && !isShared) throw corrupt('view record: no ArrayBuffer');
  const entry = typeof code === 'number' ? BY_CODE[code] : undefined;
  const buffer = ab;
  if (!entry || typeof byteOffset !== 'number' || typeof length !== 'number' || typeof kind !== 'number') {
    throw corrupt('view record: bad fields');
  }
  const byteLength = kind === Kind.Typed || kind === Kind.NDArray ? length * entry.itemsize : length;
  if (
    !Number.isSafeInteger(byteOffset) ||
    !Number.isSafeInteger(byteLength) ||
    byteOffset < 0 ||
    byteLength < 0 ||
    byteOffset + byteLength > buffer.byteLength ||
    byteOffset % entry.itemsize !== 0
  ) {
    throw corrupt('view record: the view lies outside its buffer');
  }
  const shape = kind === Kind.NDArray ? (data[5] as number[]) : null;
  const dtype = kind === Kind.NDArray ? (data[6] as string) : null;
  if (kind === Kind.NDArray && (!Array.isArray(shape) || typeof dtype !== 'string')) throw corrupt('view record: bad NDArray fields');
  if (kind !== Kind.Typed && kind !== Kind.NDArray && kind !== Kind.Buffer && kind !== Kind.DataView)
    throw corrupt('view record: bad kind');
  return build({ entry, kind: kind, shape, dtype }, buffer, byteOffset, byteLength);
}

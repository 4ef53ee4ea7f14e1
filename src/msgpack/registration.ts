/**
 * The msgpackr registration: the one place that touches msgpackr's extension
 * machinery. msgpackr's extensions are module state, one set per loaded
 * instance of msgpackr (see ./instances.ts), called with the Packr as `this`;
 * ours act only for Packrs that carry a blosc2 configuration (under
 * {@link kConfig}), and any other Packr of the same instance gets msgpackr's
 * own encoding of typed arrays, exactly as if this package were not loaded.
 * Reading needs no configuration: our records are decoded by any Unpackr of
 * an instance the extension is registered on.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { BY_CTOR, type TypedArray } from '../dtypes';
import { NDArray } from '../ndarray';
import { platform } from '../platform';
import { describe } from '../records/describe';
import { unpackFrame, writeFrame } from '../records/frame';
import { writeNumpy, writeNumpyTyped } from '../records/numpy';
import { unpackNumpy } from '../records/numpy-read';
import { unpackOutOfBand, writeOutOfBand } from '../records/out-of-band';
import { PY_COMPLEX_EXT, PY_SET_EXT, PY_STRUCTURED_EXT, unpackComplex, unpackPySet, unpackStructured } from '../records/python-ext';
import { unpackRaw, writeRaw, writeRawTyped } from '../records/raw';
import { B2ND_EXT, NUMPY_EXT, OOB_EXT, type PackConfig, RAW_EXT, VIEW_EXT } from '../records/types';
import { type InnerPack, packViewTag, readViewTag, withItemsizeHint } from '../records/view';
import { type MsgpackrModule, onEachMsgpackr } from './instances';
import { type Reserve, binHeaderSize, reserveExt, writeBinHeader } from './writer';
import { CloneRecord, Envelope, IdTag, RefTag, WireView } from '../clone/wire';
import {
  ENVELOPE_EXT,
  ID_EXT,
  OBJECT_EXT,
  REF_EXT,
  packCloneRecord,
  packEnvelope,
  packIdTag,
  packRefTag,
  readCloneRecord,
  readEnvelope,
  readId,
  readRef,
} from '../records/clone';

/** Where a Packr carries its blosc2 configuration. */
export const kConfig = Symbol('blosc2.packConfig');

type PackrLike = { [kConfig]?: PackConfig; moreTypes?: boolean };

/** Gives a Packr the blosc2 configuration its pack calls use. */
export function configure(packr: object, config: PackConfig): void {
  (packr as PackrLike)[kConfig] = config;
}

// msgpackr calls this for every value of a registered class, with the Packr as `this`.
function packExtension(this: PackrLike, value: unknown, reserve: Reserve, pack: InnerPack): void {
  const cfg = this[kConfig];
  if (!cfg) {
    // Wire views come only from a Packer's structuredClone encoder, into its own Packr.
    if (value instanceof WireView) throw new Blosc2Error('internal: a structuredClone view packed by a foreign Packr', 'ERR_DATA_CLONE');
    return packLikeMsgpackr(this, value, reserve, pack);
  }
  // A view in a structuredClone message: of a Packer (its buffer already a wire
  // value), or of a structuredClone Packr given to useBlosc2 (msgpackr's references).
  if (value instanceof WireView) return packViewTag(value.view, value.buffer, cfg, reserve, pack);
  const isShared = typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer;
  // A Buffer travels as its own bytes, never its whole ArrayBuffer: small Buffers
  // live in Node's shared 8 KiB pool, full of other data.
  if (cfg.structuredClone && !(value instanceof ArrayBuffer) && !isShared && !platform.isBuffer(value)) {
    const v = value as ArrayBufferView | NDArray;
    return packViewTag(v, v instanceof NDArray ? v.data.buffer : v.buffer, cfg, reserve, pack);
  }
  // Fast path for the most common small value: a plain TypedArray (its own
  // class, not Buffer or a subclass) below the threshold, as one raw record.
  if (!cfg.outOfBand) {
    const entry = BY_CTOR.get((value as { constructor?: unknown }).constructor);
    if (entry !== undefined) {
      const view = value as TypedArray;
      const n = view.byteLength;
      if (n > 0 && n < cfg.threshold) {
        cfg.typesizeHint = 0;
        const bytes = new Uint8Array(view.buffer, view.byteOffset, n);
        return cfg.small === 'numpy' ? writeNumpyTyped(bytes, entry, reserve) : writeRawTyped(bytes, entry, reserve);
      }
    }
  }
  const d = describe(value);
  const hint = cfg.typesizeHint;
  cfg.typesizeHint = 0;
  if (!d) return packLikeMsgpackr(this, value, reserve, pack);
  const n = d.bytes.byteLength;
  if (cfg.outOfBand && n >= cfg.outOfBand.minBytes) return writeOutOfBand(d, cfg, cfg.outOfBand, reserve);
  if (n < cfg.threshold) return cfg.small === 'numpy' ? writeNumpy(d, reserve) : writeRaw(d, reserve);
  return writeFrame(withItemsizeHint(d, hint), cfg.cparams, reserve);
}

// msgpackr's own encoding of these types (its pack.js: writeBuffer and
// writeExtBuffer), for Packrs that are not ours.
const MSGPACKR_TYPED = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];
const MSGPACKR_TYPED_EXT = 0x74;

function packLikeMsgpackr(packr: PackrLike, value: unknown, reserve: Reserve, pack: InnerPack): void {
  // msgpackr knows neither of these: it writes them as plain objects of their
  // own enumerable properties (a SharedArrayBuffer has none).
  if (value instanceof NDArray) {
    const nd = value as NDArray;
    reserve(0);
    return pack({ data: nd.data, shape: nd.shape, dtype: nd.dtype });
  }
  if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) {
    reserve(0);
    return pack({});
  }
  const isAB = value instanceof ArrayBuffer;
  const view = value as ArrayBufferView;
  const bytes = isAB ? new Uint8Array(value) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let extType = -1;
  if (packr.moreTypes) {
    if (isAB) extType = 0x10;
    else if (value instanceof DataView) extType = 0x11;
    else if (!platform.isBuffer(value)) extType = MSGPACKR_TYPED.indexOf((value as object).constructor.name);
  }
  const n = bytes.byteLength;
  if (extType >= 0) {
    const { target, at } = reserveExt(reserve, n + 1, MSGPACKR_TYPED_EXT);
    target[at] = extType;
    target.set(bytes, at + 1);
    return;
  }
  const t = reserve(binHeaderSize(n) + n);
  t.target.set(bytes, writeBinHeader(t.target, t.position, n));
}

const registered = new WeakSet<MsgpackrModule>();

/** Registers the extension on one msgpackr instance (once). */
function registerOn(mod: MsgpackrModule): void {
  if (registered.has(mod)) return;
  registered.add(mod);
  const addExtension = mod.addExtension.bind(mod) as (extension: object) => void;
  const TypedArrayBase = Object.getPrototypeOf(Uint8Array) as abstract new () => unknown;
  const classes: Array<abstract new (...args: never[]) => unknown> = [TypedArrayBase, DataView, ArrayBuffer, NDArray];
  if (typeof SharedArrayBuffer === 'function') classes.push(SharedArrayBuffer);
  for (const Class of classes) {
    addExtension({ Class: Class, type: RAW_EXT, pack: packExtension, unpack: unpackRaw });
  }
  addExtension({ type: B2ND_EXT, unpack: unpackFrame });
  addExtension({ type: OOB_EXT, unpack: unpackOutOfBand });
  addExtension({ type: NUMPY_EXT, unpack: unpackNumpy });
  addExtension({ type: PY_STRUCTURED_EXT, unpack: unpackStructured });
  addExtension({ type: PY_COMPLEX_EXT, unpack: unpackComplex });
  addExtension({ type: PY_SET_EXT, unpack: unpackPySet });
  addExtension({ type: VIEW_EXT, read: readViewTag });
  // structuredClone messages of a Packer (src/clone/): the markers its encoder makes.
  addExtension({ Class: WireView, type: RAW_EXT, pack: packExtension, unpack: unpackRaw });
  addExtension({ Class: Envelope, type: ENVELOPE_EXT, pack: packEnvelope, read: readEnvelope });
  addExtension({ Class: RefTag, type: REF_EXT, pack: packRefTag, read: readRef });
  addExtension({ Class: CloneRecord, type: OBJECT_EXT, pack: packCloneRecord, read: readCloneRecord });
  addExtension({ Class: IdTag, type: ID_EXT, pack: packIdTag, read: readId });
}

let installed = false;

/**
 * Registers the extension on every msgpackr instance this package knows
 * (the CommonJS build next to it, the ES module build its ESM entry adopted,
 * the copies useBlosc2 met), and on each one it meets later. Runs once, when
 * blosc2 is first used (a Packer, a pack/unpack call, useBlosc2).
 */
export function install(): void {
  if (installed) return;
  installed = true;
  onEachMsgpackr(registerOn);
}

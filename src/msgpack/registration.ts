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
import { BY_CTOR, type TypedArray } from '../dtypes';
import { NDArray } from '../ndarray';
import { platform } from '../platform';
import { describe } from '../records/describe';
import { unpackFrame, writeFrame } from '../records/frame';
import { unpackNumpy } from '../records/numpy';
import { unpackOutOfBand, writeOutOfBand } from '../records/out-of-band';
import { unpackRaw, writeRaw, writeRawTyped } from '../records/raw';
import { B2ND_EXT, NUMPY_EXT, OOB_EXT, type PackConfig, RAW_EXT, VIEW_EXT } from '../records/types';
import { type InnerPack, packViewTag, readViewTag, withItemsizeHint } from '../records/view';
import { type MsgpackrModule, onEachMsgpackr } from './instances';
import { type Reserve, binHeaderSize, reserveExt, writeBinHeader } from './writer';

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
  if (!cfg) return packLikeMsgpackr(this, value, reserve, pack);
  const isShared = typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer;
  if (cfg.structuredClone && !(value instanceof ArrayBuffer) && !isShared) return packViewTag(value, cfg, reserve, pack);
  // Fast path for the most common small value: a plain TypedArray (its own
  // class, not Buffer or a subclass) below the threshold, as one raw record.
  if (!cfg.outOfBand) {
    const entry = BY_CTOR.get((value as { constructor?: unknown }).constructor);
    if (entry !== undefined) {
      const view = value as TypedArray;
      const n = view.byteLength;
      if (n > 0 && n < cfg.threshold) {
        cfg.typesizeHint = 0;
        return writeRawTyped(new Uint8Array(view.buffer, view.byteOffset, n), entry, reserve);
      }
    }
  }
  const d = describe(value);
  const hint = cfg.typesizeHint;
  cfg.typesizeHint = 0;
  if (!d) return packLikeMsgpackr(this, value, reserve, pack);
  const n = d.bytes.byteLength;
  if (cfg.outOfBand && n >= cfg.outOfBand.minBytes) return writeOutOfBand(d, cfg, cfg.outOfBand, reserve);
  if (n < cfg.threshold) return writeRaw(d, reserve);
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
  addExtension({ type: VIEW_EXT, read: readViewTag });
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

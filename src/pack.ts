/**
 * pack / unpack and friends with a Packer per options object, and useBlosc2
 * for msgpackr Packrs of your own.
 * @packageDocumentation
 */
import { invalidArg } from './errors';
import { type MsgpackrModule, adoptMsgpackr, isMsgpackrModule, msgpackrOf } from './msgpack/instances';
import { configure, install } from './msgpack/registration';
import { type OutOfBand, Packer, type PackOptions, resolveSmallArrays, resolveThreshold } from './packer';
import { type CParams, checkObject, resolveCParams } from './params';
import type { BinaryLike } from './views';

let defaultPacker: Packer | undefined;
const packers = new WeakMap<object, Packer>();

function packerFor(options: PackOptions | undefined): Packer {
  if (options === undefined) return (defaultPacker ??= new Packer());
  let p = packers.get(options);
  if (!p) {
    p = new Packer(options);
    packers.set(options, p);
  }
  return p;
}

/** Packs a value with the given options (a Packer is cached per options object). */
export function pack(value: unknown, options?: PackOptions): Buffer {
  return packerFor(options).pack(value);
}

/** Unpacks a message from {@link pack} (or python-blosc2's msgpack helpers). */
export function unpack(bytes: BinaryLike, options?: PackOptions): unknown;
/** `unpack<T>(bytes)`: the result typed as `T`, as msgpackr's generics do; nothing checks that the message holds a `T`. */
export function unpack<T>(bytes: BinaryLike, options?: PackOptions): T;
export function unpack(bytes: BinaryLike, options?: PackOptions): unknown {
  return packerFor(options).unpack(bytes);
}

/** {@link Packer.packAsync} with the given options. */
export function packAsync(value: unknown, options?: PackOptions): Promise<Buffer> {
  return packerFor(options).packAsync(value);
}

/** {@link Packer.unpackAsync} with the given options. */
export function unpackAsync(bytes: BinaryLike, options?: PackOptions): Promise<unknown>;
/** The result typed as `T` (unchecked). */
export function unpackAsync<T>(bytes: BinaryLike, options?: PackOptions): Promise<T>;
export function unpackAsync(bytes: BinaryLike, options?: PackOptions): Promise<unknown> {
  return packerFor(options).unpackAsync(bytes);
}

/** {@link Packer.packOutOfBand} with the given options. */
export function packOutOfBand(value: unknown, options?: PackOptions): OutOfBand {
  return packerFor(options).packOutOfBand(value);
}

/** {@link Packer.unpackOutOfBand} with the given options. */
export function unpackOutOfBand(message: BinaryLike, buffers: readonly Uint8Array[], options?: PackOptions): unknown;
/** The result typed as `T` (unchecked). */
export function unpackOutOfBand<T>(message: BinaryLike, buffers: readonly Uint8Array[], options?: PackOptions): T;
export function unpackOutOfBand(message: BinaryLike, buffers: readonly Uint8Array[], options?: PackOptions): unknown {
  return packerFor(options).unpackOutOfBand(message, buffers);
}

/** A msgpackr Packr or Unpackr, of any copy or version of msgpackr (1.8 and later have the hooks; 1.11 and 2.x are tested). */
export interface MsgpackrInstance {
  unpack(...args: never[]): unknown;
}

/** Options of {@link useBlosc2}. */
export interface UseBlosc2Options extends CParams {
  /** Arrays of fewer bytes are stored uncompressed. Default {@link DEFAULT_THRESHOLD}. */
  threshold?: number;
  /** The record of arrays under `threshold` (see {@link PackOptions.smallArrays}); default `'numpy'` ('compact' for a structuredClone Packr). */
  smallArrays?: PackOptions['smallArrays'];
  /**
   * The msgpackr module the Packr comes from (`import * as msgpackr from 'msgpackr'`), needed only
   * for an ES module copy of msgpackr other than the one next to this package: that one, and every
   * CommonJS copy, are found by themselves.
   */
  msgpackr?: MsgpackrModule;
}

const USE_KEYS = new Set(['threshold', 'smallArrays', 'msgpackr']);

/**
 * Adds the blosc2 extension to a msgpackr Packr of your own, from msgpackr's
 * CommonJS or ES module build, or from another copy or version of msgpackr:
 * its typed arrays, DataViews, ArrayBuffers and NDArrays are then packed as
 * blosc2 records with these options. An Unpackr (or that Packr's unpack) of
 * the same msgpackr instance reads the records; an Unpackr needs no options.
 *
 * The extension is registered on the msgpackr instance the Packr comes from,
 * which affects its other Packrs and Unpackrs too (README, "Your own msgpackr
 * Packr"): Packrs not passed here encode exactly as msgpackr alone does, and
 * Unpackrs read blosc2 records.
 * @returns the same Packr
 * @throws {@link Blosc2Error} `ERR_INVALID_ARG` when `packr` is no msgpackr Packr or Unpackr this package can find
 */
export function useBlosc2<P extends MsgpackrInstance>(packr: P, options?: UseBlosc2Options): P {
  const o = checkObject('options', options) ?? {};
  const cparams = resolveCParams(o, 1, 'options', USE_KEYS);
  const threshold = resolveThreshold(o);
  if (packr === null || typeof packr !== 'object') throw invalidArg('packr', 'a msgpackr Packr or Unpackr', packr);
  const given = o['msgpackr'];
  if (given !== undefined) {
    if (!isMsgpackrModule(given)) throw invalidArg('options.msgpackr', "the msgpackr module (import * as msgpackr from 'msgpackr')", given);
    adoptMsgpackr(given);
  }
  install();
  if (!msgpackrOf(packr)) {
    throw invalidArg(
      'packr',
      given === undefined
        ? 'a msgpackr Packr or Unpackr (for an ES module copy of msgpackr other than the one next to blosc2, pass that module as options.msgpackr)'
        : "a Packr or Unpackr of options.msgpackr's classes",
      packr,
    );
  }
  if (typeof (packr as { pack?: unknown }).pack === 'function') {
    const structuredClone = (packr as { structuredClone?: boolean }).structuredClone === true;
    configure(packr, { cparams, threshold, small: resolveSmallArrays(o, structuredClone), structuredClone, typesizeHint: 0 });
  }
  return packr;
}

/**
 * pack / unpack and friends with a Packer per options object, and useBlosc2
 * for msgpackr Packrs of your own.
 * @packageDocumentation
 */
import { Packr } from 'msgpackr';
import { invalidArg } from './errors';
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
export function unpack(bytes: BinaryLike, options?: PackOptions): unknown {
  return packerFor(options).unpack(bytes);
}

/** {@link Packer.packAsync} with the given options. */
export function packAsync(value: unknown, options?: PackOptions): Promise<Buffer> {
  return packerFor(options).packAsync(value);
}

/** {@link Packer.unpackAsync} with the given options. */
export function unpackAsync(bytes: BinaryLike, options?: PackOptions): Promise<unknown> {
  return packerFor(options).unpackAsync(bytes);
}

/** {@link Packer.packOutOfBand} with the given options. */
export function packOutOfBand(value: unknown, options?: PackOptions): OutOfBand {
  return packerFor(options).packOutOfBand(value);
}

/** {@link Packer.unpackOutOfBand} with the given options. */
export function unpackOutOfBand(message: BinaryLike, buffers: readonly Uint8Array[], options?: PackOptions): unknown {
  return packerFor(options).unpackOutOfBand(message, buffers);
}

/**
 * Adds the blosc2 extension to a msgpackr Packr of your own: its typed arrays
 * and NDArrays are then packed as blosc2 records with these options, and its
 * unpack reads them. Other Packrs are not affected.
 * @returns the same Packr
 */
export function useBlosc2<P extends Packr>(packr: P, options?: CParams & Pick<PackOptions, 'threshold' | 'smallArrays'>): P {
  install();
  if (!(packr instanceof Packr)) throw invalidArg('packr', 'a msgpackr Packr', packr);
  const o = checkObject('options', options) ?? {};
  const cparams = resolveCParams(o, 1, 'options', new Set(['threshold', 'smallArrays']));
  const structuredClone = (packr as { structuredClone?: boolean }).structuredClone === true;
  const small = resolveSmallArrays(o, structuredClone);
  configure(packr, { cparams, threshold: resolveThreshold(o), small, structuredClone, typesizeHint: 0 });
  return packr;
}

/**
 * Options of the wrappers over a Packer (streams, workers, serializers): each
 * takes either a ready `packer` or Packer options beside its own keys, and
 * this splits them the same way for all.
 * @internal
 * @packageDocumentation
 */
import { invalidArg } from './errors';
import { PACK_OPTION_KEYS, Packer, type PackOptions } from './packer';
import { checkKnownKeys } from './names';
import { checkObject } from './params';

export interface SplitOptions {
  /** The options object (empty when none was given), for the wrapper's own keys. */
  own: Record<string, unknown>;
  /** `options.packer`, checked to be a Packer. */
  packer: Packer | undefined;
  /** The Packer options among `options` (undefined for none). */
  packerOptions: PackOptions | undefined;
}

/**
 * Splits `options` into the wrapper's own keys (`ownKeys`, plus `packer`) and
 * Packer options; with `packer` given, no Packer option may be.
 */
export function splitPackerOptions(options: unknown, ownKeys: ReadonlySet<string>): SplitOptions {
  const own = checkObject('options', options) ?? {};
  const rest = Object.keys(own).filter((k) => k !== 'packer' && !ownKeys.has(k) && own[k] !== undefined);
  // A misspelled key of the wrapper's own should be suggested among all of them, not only among the Packer's.
  checkKnownKeys(
    'options',
    Object.fromEntries(rest.map((k) => [k, own[k]])),
    [...ownKeys, 'packer', ...PACK_OPTION_KEYS],
    `${[...ownKeys, 'packer'].join(', ')} or a Packer option`,
  );
  const given = own['packer'];
  if (given !== undefined) {
    if (!(given instanceof Packer)) throw invalidArg('options.packer', 'a Packer', given);
    if (rest.length > 0) {
      const key = rest[0] as string;
      throw invalidArg(`options.${key}`, 'absent when options.packer is given (configure the Packer instead)', own[key]);
    }
    return { own, packer: given, packerOptions: undefined };
  }
  if (rest.length === 0) return { own, packer: undefined, packerOptions: undefined };
  const packerOptions: Record<string, unknown> = {};
  for (const k of rest) packerOptions[k] = own[k];
  return { own, packer: undefined, packerOptions: packerOptions };
}

/** `options.packer`, or a new Packer from the Packer options among `options`. */
export function packerFromOptions(options: unknown, ownKeys: ReadonlySet<string>): { packer: Packer; own: Record<string, unknown> } {
  const split = splitPackerOptions(options, ownKeys);
  return { packer: split.packer ?? new Packer(split.packerOptions), own: split.own };
}

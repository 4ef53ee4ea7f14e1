/**
 * Unknown names in the option tables (option keys, codec, filter and split
 * mode names, transfer modes): the one check and the one message, with a
 * "did you mean" when a known name is close.
 * @internal
 * @packageDocumentation
 */
import { distance } from 'fastest-levenshtein';
import { invalidArg } from './errors';

/** Case, `_`, `-` and spaces do not count: 'ZSTD', 'trunc_prec' and 'typeSize' find 'zstd', 'truncPrec', 'typesize'. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

/**
 * The known name closest to `given`, or undefined when none is close:
 * the same name up to case and separators, else one at most a third of its
 * length of edits away (at least one edit).
 * @param aliases - names other libraries use for the same thing (python-blosc's `cname` for `codec`)
 */
export function closestName(given: string, known: readonly string[], aliases?: Readonly<Record<string, string>>): string | undefined {
  const g = normalize(given);
  const alias = aliases && Object.prototype.hasOwnProperty.call(aliases, g) ? aliases[g] : undefined;
  if (alias !== undefined && known.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const n = normalize(name);
    if (n === g) return name;
    const d = distance(g, n);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(g.length / 3)) ? best : undefined;
}

function hint(given: unknown, known: readonly string[], aliases?: Readonly<Record<string, string>>): string {
  const s = typeof given === 'string' ? closestName(given, known, aliases) : undefined;
  return s === undefined ? '' : `; did you mean '${s}'?`;
}

/**
 * Refuses the first key of `options` that is not in `known`:
 * "Expected a known option (…) for cparams.clvel but received 5 of type number; did you mean 'clevel'?".
 * @param name - how the caller calls the options object ('cparams', 'options')
 * @param known - every key the caller accepts
 * @param what - how the message names the known keys, when there are too many to list
 */
export function checkKnownKeys(
  name: string,
  options: Readonly<Record<string, unknown>>,
  known: readonly string[],
  what?: string,
  aliases?: Readonly<Record<string, string>>,
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const list = what ?? known.join(', ');
    throw invalidArg(`${name}.${key}`, `a known option (${list})`, options[key], hint(key, known, aliases));
  }
}

/**
 * `value` if it is one of `known`, else ERR_INVALID_ARG:
 * "Expected one of 'blosclz', 'lz4', … for cparams.codec but received 'lz5' of type string; did you mean 'lz4'?".
 */
export function checkName<T extends string>(
  name: string,
  value: unknown,
  known: readonly T[],
  aliases?: Readonly<Record<string, string>>,
): T {
  if (typeof value === 'string' && (known as readonly string[]).includes(value)) return value as T;
  throw invalidArg(name, `one of ${known.map((k) => `'${k}'`).join(', ')}`, value, hint(value, known, aliases));
}

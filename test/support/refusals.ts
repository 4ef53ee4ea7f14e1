/**
 * The refusals the README promises (Chunks section, CParams; src/params.ts),
 * as a model the tests check the library against: a filter pipeline with more
 * than two active filters, a second 'delta', or 'delta' after a shuffle is
 * ERR_INVALID_ARG naming the filters; 'bytedelta' (a C-Blosc2 plugin, not in
 * this build) is ERR_UNSUPPORTED; 'delta'/'truncPrec' on input that is not a
 * whole number of items is ERR_INVALID_ARG naming src. The pipeline rules are
 * checked first, then the plugin, then the input (the order src/params.ts and
 * src/core.ts check them in). Chunks that name a plugin filter or codec (ids
 * 32 and up) are refused on decode with ERR_UNSUPPORTED naming it.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Blosc2Error, Blosc2ErrorCode, Filter } from '../../src/index';

/** Every filter name, in C-Blosc2's order. */
export const FILTER_NAMES: readonly Filter[] = ['nofilter', 'shuffle', 'bitshuffle', 'delta', 'truncPrec', 'bytedelta'];
/** The filters that undo exactly (truncPrec is lossy unless it keeps every mantissa bit; bytedelta is not built). */
export const LOSSLESS_FILTERS: readonly Filter[] = ['nofilter', 'shuffle', 'bitshuffle', 'delta'];

/** A documented refusal. */
export interface Refusal {
  code: Extract<Blosc2ErrorCode, 'ERR_INVALID_ARG' | 'ERR_UNSUPPORTED'>;
  /** What the message must name: the argument (`cparams.filters`, `options.filters`, `src`) or the filter. */
  names: string;
  /** What it must say: one of these (one per rule the parameters break). */
  says: readonly string[];
}

/**
 * The refusal of a filter pipeline, or null when it is accepted.
 * @param argument - the name of the options object in messages ('cparams' for compress, 'options' for a Packer)
 */
export function pipelineRefusal(filters: readonly Filter[], argument = 'cparams'): Refusal | null {
  const broken: string[] = [];
  const shuffleAt = filters.findIndex((f) => f === 'shuffle' || f === 'bitshuffle');
  if (shuffleAt >= 0 && filters.lastIndexOf('delta') > shuffleAt) broken.push("Expected 'delta' before any 'shuffle'/'bitshuffle'");
  if (filters.filter((f) => f === 'delta').length > 1) broken.push("Expected at most one 'delta'");
  if (filters.filter((f) => f !== 'nofilter').length > 2) broken.push('Expected at most two filters besides nofilter');
  if (broken.length > 0) {
    const received = `the array [${filters.map((f) => `'${f}'`).join(', ')}]`;
    return { code: 'ERR_INVALID_ARG', names: `for ${argument}.filters but received ${received}`, says: broken };
  }
  if (filters.includes('bytedelta')) return { code: 'ERR_UNSUPPORTED', names: "'bytedelta'", says: ['a C-Blosc2 plugin'] };
  return null;
}

/** The refusal of compress / compressAsync for these filters on `byteLength` bytes of `typesize`-byte items, or null. */
export function compressRefusal(filters: readonly Filter[], typesize: number, byteLength: number): Refusal | null {
  const refusal = pipelineRefusal(filters);
  if (refusal) return refusal;
  if ((filters.includes('delta') || filters.includes('truncPrec')) && byteLength % typesize !== 0) {
    return { code: 'ERR_INVALID_ARG', names: 'src', says: [`src is ${byteLength} bytes, not a whole number of ${typesize}-byte items`] };
  }
  return null;
}

/** Asserts that `err` is the documented refusal: its exact code, and a message that names the argument and the rule. */
export function expectRefusal(err: Blosc2Error, refusal: Refusal, where = ''): void {
  expect(err.name, where).toBe('Blosc2Error');
  expect(err.code, `${where}: ${err.message}`).toBe(refusal.code);
  expect(err.message, where).toContain(refusal.names);
  expect(
    refusal.says.some((s) => err.message.includes(s)),
    `${where}: "${err.message}" says one of ${JSON.stringify(refusal.says)}`,
  ).toBe(true);
}

/** The refusal of a chunk that names a plugin filter or codec (ids 32 and up). */
export function pluginRefusal(kind: 'filter' | 'codec', id: number): Refusal {
  return { code: 'ERR_UNSUPPORTED', names: `the chunk needs the C-Blosc2 ${kind} ${id} (`, says: ['a plugin this build does not include'] };
}

/** Filter pipelines of up to 6 of `names` (default: every filter), any order. */
export function pipelineArb(names: readonly Filter[] = FILTER_NAMES): fc.Arbitrary<Filter[]> {
  return fc.array(fc.constantFrom(...names), { maxLength: 6 });
}

/** Filter pipelines of `names` that the library accepts. */
export function acceptedPipelineArb(names: readonly Filter[] = LOSSLESS_FILTERS): fc.Arbitrary<Filter[]> {
  return pipelineArb(names).filter((filters) => pipelineRefusal(filters) === null);
}

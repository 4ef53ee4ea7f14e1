/**
 * Selections of lazy arrays, as python-blosc2's (and NumPy's) `__getitem__`
 * takes them: per dimension an integer index or a `[start, stop, step]` range,
 * negative indices counting from the end, negative steps walking backwards.
 * They resolve to a start, step and count per dimension for the core.
 * @packageDocumentation
 */
import { Blosc2Error, invalidArg } from '../errors';

/**
 * A range of one dimension: `[start, stop, step]`, Python's `start:stop:step`.
 * Each part may be left out (or `null`): `[]` is `:`, `[2]` is `2:`, `[null, 5]` is `:5`,
 * `[null, null, -1]` is `::-1`.
 */
export type Range = readonly [start?: number | null, stop?: number | null, step?: number | null];

/** One dimension of a selection: an index (the dimension is dropped), a {@link Range}, or `null` for all of it. */
export type SelectionItem = number | Range | null;

/**
 * What `get` takes: one {@link SelectionItem} per leading dimension (the rest are taken whole),
 * or a single index. `a.get([3, [10, 20]])` is Python's `a[3, 10:20]`; `a.get([[10, 20]])` is `a[10:20]`;
 * `a.get(5)` is `a[5]`; `a.get()` is `a[...]`.
 */
export type Selection = SelectionItem | readonly SelectionItem[];

/** A selection resolved against a shape. */
export interface ResolvedSelection {
  /** Per dimension: the first index, the step, and how many items. */
  start: number[];
  step: number[];
  count: number[];
  /** The shape of the result: the counts of the dimensions not indexed by an integer. */
  shape: number[];
  /** Items selected. */
  items: number;
}

function checkInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidArg(name, 'an integer', value);
  return value;
}

/** Python's slice.indices(length): a range resolved to start, step and count. */
function resolveRange(range: Range, length: number, name: string): { start: number; step: number; count: number } {
  if (range.length > 3) throw invalidArg(name, 'a range [start, stop, step] of at most 3 parts', range);
  const [rawStart, rawStop, rawStep] = range;
  const step = rawStep === undefined || rawStep === null ? 1 : checkInt(rawStep, `${name}[2] (step)`);
  if (step === 0) throw invalidArg(`${name}[2] (step)`, 'a non-zero integer', step);
  const lower = step < 0 ? -1 : 0;
  const upper = step < 0 ? length - 1 : length;
  const clamp = (value: number | null | undefined, part: string, whenMissing: number): number => {
    if (value === undefined || value === null) return whenMissing;
    let v = checkInt(value, `${name}${part}`);
    if (v < 0) v += length;
    return Math.min(Math.max(v, lower), upper);
  };
  const start = clamp(rawStart, '[0] (start)', step < 0 ? upper : lower);
  const stop = clamp(rawStop, '[1] (stop)', step < 0 ? lower : upper);
  let count = 0;
  if (step > 0 && start < stop) count = Math.floor((stop - start - 1) / step) + 1;
  if (step < 0 && stop < start) count = Math.floor((start - stop - 1) / -step) + 1;
  return count === 0 ? { start: 0, step: 1, count: 0 } : { start, step, count };
}

/**
 * Resolves a selection against an array's shape.
 * @throws {@link Blosc2Error} ERR_INVALID_ARG for an index out of bounds, a zero step,
 *   non-integers, or more dimensions than the array has
 */
export function resolveSelection(selection: Selection | undefined, shape: readonly number[]): ResolvedSelection {
  let items: readonly SelectionItem[];
  if (selection === undefined) items = [];
  else if (typeof selection === 'number' || selection === null) items = [selection];
  else if (Array.isArray(selection)) items = selection as readonly SelectionItem[];
  else throw invalidArg('selection', 'an index, a [start, stop, step] range, null, or an array of these per dimension', selection);
  if (items.length > shape.length) {
    throw new Blosc2Error(
      `too many indices: the array has ${shape.length} dimensions but the selection ${items.length}`,
      'ERR_INVALID_ARG',
    );
  }
  const r: ResolvedSelection = { start: [], step: [], count: [], shape: [], items: 1 };
  for (let d = 0; d < shape.length; d++) {
    const length = shape[d] as number;
    const item = items[d];
    const name = `selection[${d}]`;
    if (typeof item === 'number') {
      let i = checkInt(item, name);
      if (i < 0) i += length;
      if (i < 0 || i >= length) {
        throw new Blosc2Error(`index ${item} is out of bounds for axis ${d} with size ${length}`, 'ERR_INVALID_ARG');
      }
      r.start.push(i);
      r.step.push(1);
      r.count.push(1);
      continue;
    }
    if (item !== undefined && item !== null && !Array.isArray(item)) {
      throw invalidArg(name, 'an integer, a [start, stop, step] range or null', item);
    }
    const { start, step, count } = resolveRange(item ?? [], length, name);
    r.start.push(start);
    r.step.push(step);
    r.count.push(count);
    r.shape.push(count);
    r.items *= count;
  }
  return r;
}

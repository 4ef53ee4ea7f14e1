/**
 * Paths to a value inside another (`value.a[2].get("k")`), built only when a
 * pack walk refuses something: the refusal is thrown where it is met and each
 * level adds its step on the way out, so walks that succeed pay nothing.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';

/** A refusal on its way out of a walk; never escapes this package (see {@link toDataCloneError}). */
export class Refusal extends Error {
  /** Steps from the refused value up to the root, innermost first. */
  readonly steps: string[] = [];
  /** @param what - what the value is and why it is refused, after "value.a.b " */
  constructor(
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(what, options);
  }
}

/** Adds a step to a refusal passing through (any other error passes unchanged). */
export function withStep(err: unknown, step: string): unknown {
  if (err instanceof Refusal) err.steps.push(step);
  return err;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/** The step to an object's property. */
export function keyStep(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(short(key))}]`;
}

/** The step to an array element (or an index-like key). */
export function indexStep(index: number | string): string {
  return `[${index}]`;
}

/** The step to the i-th key of a Map. */
export function mapKeyStep(i: number): string {
  return `.keys()[${i}]`;
}

/** The step to the value of a Map's i-th entry, whose key is k. */
export function mapValueStep(k: unknown, i: number): string {
  if (typeof k === 'string') return `.get(${JSON.stringify(short(k))})`;
  if (typeof k === 'bigint') return `.get(${k}n)`;
  if (typeof k === 'number' || typeof k === 'boolean' || k === null || k === undefined) return `.get(${String(k)})`;
  return `.get(<key #${i}>)`;
}

/** The step to the i-th entry of a Set. */
export function setStep(i: number): string {
  return `.values()[${i}]`;
}

/** A path from its steps, outermost first; long ones keep their two ends. */
export function pathOf(steps: readonly string[]): string {
  const path = `value${steps.join('')}`;
  return path.length > 200 ? `${path.slice(0, 60)}...${path.slice(-130)}` : path;
}

/** The Blosc2Error a refusal becomes at the top of a walk. */
export function toDataCloneError(r: Refusal): Blosc2Error {
  const err = new Blosc2Error(`cannot pack ${pathOf([...r.steps].reverse())}: it ${r.what}`, 'ERR_DATA_CLONE');
  if (r.cause !== undefined) (err as Error & { cause?: unknown }).cause = r.cause;
  return err;
}

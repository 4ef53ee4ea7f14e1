/**
 * The one way tests expect a Blosc2Error: catch it (sync or async), check its
 * code, and check the one message shape of bad arguments (src/errors.ts).
 */
import { expect } from 'vitest';
import { Blosc2Error, type Blosc2ErrorCode } from '../../src/index';

/** Runs `fn`, expecting a Blosc2Error; returns it for further checks. */
export function catchBlosc2Error(fn: () => unknown): Blosc2Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Blosc2Error) return err;
    throw new Error(`expected a Blosc2Error, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a Blosc2Error, but the call returned');
}

/** Awaits `promise`, expecting it to reject with a Blosc2Error; returns it. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Blosc2Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Blosc2Error) return err;
    throw new Error(`expected a Blosc2Error, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a rejection with a Blosc2Error, but the promise resolved');
}

/** Asserts that `fn` throws a Blosc2Error with this code; returns it. */
export function expectCode(fn: () => unknown, code: Blosc2ErrorCode): Blosc2Error {
  const err = catchBlosc2Error(fn);
  expect(err.code, err.message).toBe(code);
  return err;
}

/** Asserts that `promise` rejects with a Blosc2Error with this code; returns it. */
export async function expectRejection(promise: Promise<unknown>, code: Blosc2ErrorCode): Promise<Blosc2Error> {
  const err = await rejectionOf(promise);
  expect(err.code, err.message).toBe(code);
  return err;
}

/**
 * The one message shape of bad arguments (src/errors.ts invalidArg): code
 * ERR_INVALID_ARG, "Expected <expected> for <name> but received <received>".
 */
export function expectInvalidArg(err: Blosc2Error, name: string, expected: string | RegExp, received: string): void {
  expect(err.code).toBe('ERR_INVALID_ARG');
  expect(err.name).toBe('Blosc2Error');
  expect(err).toBeInstanceOf(Error);
  expect(err.message).toContain(` for ${name} but received ${received}`);
  if (typeof expected === 'string') expect(err.message).toContain(`Expected ${expected} for ${name}`);
  else expect(err.message).toMatch(expected);
}

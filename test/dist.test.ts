/**
 * The published build, as a user loads it: dist/index.js through require
 * (CommonJS) and dist/index.mjs through import (ESM), each in a child process
 * of its own, then both in one. Each exports exactly the names src/index.ts
 * exports and round-trips a value, writing the bytes src/ writes; together
 * they are one instance (every export identical, a value packed by one
 * unpacks in the other, a Blosc2Error of one is an instance of the other's
 * class), also when loaded by the package's own name (package.json "exports").
 *
 * dist/ is built by `npm install` (the prepare script). Where it is missing or
 * older than src/, it is built with that same script before any test file runs
 * (test/support/global-setup.ts), and again here if it went stale since.
 */
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as src from '../src/index';
import { CHILDREN, lastJsonLine, runNode } from './support/child';
import { ensureDist } from './support/dist';

/** What test/children/dist-entry.cjs checks() reports. */
interface Checks {
  message: string;
  same: Record<string, boolean>;
  error: { code: string; ofPacker: boolean; ofUnpacker: boolean; isError: boolean } | null;
  version: string;
}

/** Runs a dist-entry program (no test loader: the build loads itself) and parses its report. */
function run<T>(argv: string[]): T {
  const r = runNode(argv, { loader: false, timeoutMs: 60_000 });
  expect(r.signal, r.stderr).toBeNull();
  expect(r.status, r.stderr).toBe(0);
  return lastJsonLine<T>(r.stdout);
}

/** A value went from one entry point to the other exactly, in the bytes src/ writes for it. */
function expectGoodChecks(c: Checks): void {
  expect(c.same).toEqual({ f64: true, big: true, grid: true, buf: true, plain: true });
  expect(c.error).toEqual({ code: 'ERR_CORRUPT', ofPacker: true, ofUnpacker: true, isError: true });
  expect(c.version).toBe(src.versions.cblosc2);
  const message = Buffer.from(c.message, 'hex');
  expect(new src.Packer({ nthreads: 1 }).pack(src.unpack(message)).equals(message), 'src/ writes the same bytes').toBe(true);
}

const SRC_NAMES = Object.keys(src)
  .filter((n) => n !== 'default')
  .sort();

beforeAll(() => ensureDist(), 300_000);

describe('the published build (dist/)', () => {
  it('dist/index.js through require (CommonJS): the names of src/index.ts, and a value round-trips', () => {
    const out = run<{ names: string[]; checks: Checks }>([path.join(CHILDREN, 'dist-entry.cjs')]);
    expect(out.names).toEqual(SRC_NAMES);
    expectGoodChecks(out.checks);
  });

  it('dist/index.mjs through import (ESM): the names of src/index.ts, and a value round-trips', () => {
    const out = run<{ names: string[]; checks: Checks }>([path.join(CHILDREN, 'dist-entry.mjs'), 'esm']);
    expect(out.names).toEqual(SRC_NAMES);
    expectGoodChecks(out.checks);
  });

  it('require and import share one instance: packed by one, unpacked by the other, Blosc2Error instanceof across both', () => {
    const out = run<{
      identical: string[];
      defaultIsCjs: boolean;
      byNameRequire: boolean;
      byNameImport: boolean;
      esmToCjs: Checks;
      cjsToEsm: Checks;
    }>([path.join(CHILDREN, 'dist-entry.mjs'), 'both']);
    expect(out.identical, 'exports that differ between require and import').toEqual([]);
    expect(out.defaultIsCjs).toBe(true);
    expect(out.byNameRequire, "require('blosc2') is dist/index.js").toBe(true);
    expect(out.byNameImport, "import('blosc2') is dist/index.mjs").toBe(true);
    expectGoodChecks(out.esmToCjs);
    expectGoodChecks(out.cjsToEsm);
  });
});

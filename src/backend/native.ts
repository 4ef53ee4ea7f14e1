/**
 * The Node-API addon as a {@link Backend}: a local source build
 * (build/Release/blosc2.node) if there is one, else the prebuilt addon the
 * package carries for this platform (prebuilds/<platform>-<arch>/blosc2.node).
 * It is context-aware: each thread that loads this module loads its own instance.
 * @internal
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Blosc2Error } from '../errors';
import type { Backend } from './types';

interface Addon extends Backend {
  setErrorClass(cls: typeof Blosc2Error): void;
}

/** The folder holding package.json, build/ and prebuilds/ (this file is dist/backend/native.js). */
const packageRoot = path.join(__dirname, '..', '..');

const HOW_TO_BUILD =
  'On linux-x64 the package carries a prebuilt addon (glibc 2.28 or newer); elsewhere `npm install` builds one from source.\n' +
  'To build it: `npm run build:native` in the package folder (needs cmake, a C/C++ compiler and make; deps/build.js ' +
  'fetches and builds C-Blosc2). To link an installed C-Blosc2 >= 2.17 instead: `BLOSC2_USE_SYSTEM=1 npm run build:native`.';

/**
 * The addon files, in the order they are preferred. A local build comes first:
 * it exists only where someone built from source on purpose (no prebuilt for
 * the platform, BLOSC2_BUILD_FROM_SOURCE=1, or a development checkout). Only
 * the product's file name is ever named: build/Release also holds the
 * test-only blosc2_test.node.
 */
export function addonCandidates(root: string = packageRoot): string[] {
  return [
    path.join(root, 'build', 'Release', 'blosc2.node'),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'blosc2.node'),
  ];
}

function loadError(message: string, cause?: unknown): Blosc2Error {
  const err = new Blosc2Error(`${message}\n${HOW_TO_BUILD}`, 'ERR_NATIVE_LOAD');
  if (cause !== undefined) (err as Error & { cause?: unknown }).cause = cause;
  return err;
}

/** Loads the first addon file of `candidates` that exists and hands it the error class it throws. */
export function loadNative(candidates: readonly string[] = addonCandidates()): Backend {
  const file = candidates.find((f) => fs.existsSync(f));
  if (file === undefined) {
    throw loadError(`No blosc2 native addon for ${process.platform}-${process.arch}: none of ${candidates.join(', ')} exists.`);
  }
  let addon: Addon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(file) as Addon;
  } catch (cause) {
    throw loadError(`Could not load the blosc2 native addon from ${file}: ${(cause as Error).message}`, cause);
  }
  addon.setErrorClass(Blosc2Error);
  // The addon's handles hold no memory but the FrameMeta, freed with the handle by the GC.
  return Object.assign(addon, { name: 'native', frameClose: () => {} });
}

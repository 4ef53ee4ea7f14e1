/**
 * The Node-API addon (build/Release/blosc2.node) as a {@link Backend}. It is
 * context-aware: each thread that loads this module loads its own instance.
 * @internal
 * @packageDocumentation
 */
import * as path from 'node:path';
import { Blosc2Error } from '../errors';
import type { Backend } from './types';

interface Addon extends Backend {
  setErrorClass(cls: typeof Blosc2Error): void;
}

/** Loads the addon and hands it the error class it throws. */
export function loadNative(): Backend {
  const file = path.join(__dirname, '..', '..', 'build', 'Release', 'blosc2.node');
  let addon: Addon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(file) as Addon;
  } catch (cause) {
    const err = new Blosc2Error(
      `Could not load the blosc2 native addon from ${file}: ${(cause as Error).message}\n` +
        'It is built by `npm install` (deps/build.js fetches and builds C-Blosc2, then cmake-js builds the addon).\n' +
        'To rebuild it: `npm run build:native` (needs cmake, a C/C++ compiler and make). ' +
        'To link an installed C-Blosc2 >= 2.17 instead: `BLOSC2_USE_SYSTEM=1 npm run build:native`.',
      'ERR_NATIVE_LOAD',
    );
    (err as Error & { cause?: unknown }).cause = cause;
    throw err;
  }
  addon.setErrorClass(Blosc2Error);
  // The addon's handles hold no memory but the FrameMeta, freed with the handle by the GC.
  return Object.assign(addon, { name: 'native', frameClose: () => {} });
}

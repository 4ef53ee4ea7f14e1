/**
 * The WebAssembly core under Node (and Deno and Bun through their Node
 * compatibility): wasm/blosc2.wasm read from the package and compiled
 * synchronously, so that the backend is ready when the module loads.
 * @internal
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Blosc2Error } from '../errors';
import type { Backend } from './types';
import { type WasmOptions, WasmBackend } from './wasm';

/** Where the module lives in the package (built by scripts/build-wasm.js). */
export const WASM_FILE = path.join(__dirname, '..', '..', 'wasm', 'blosc2.wasm');

export function loadWasm(file = WASM_FILE, options?: WasmOptions): Backend {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (cause) {
    const err = new Blosc2Error(
      `Could not read the blosc2 WebAssembly module ${file}: ${(cause as Error).message}\n` +
        'It is built by `npm install` in a clone of the repository (`npm run build:wasm`) and ships in the npm package.',
      'ERR_NATIVE_LOAD',
    );
    (err as Error & { cause?: unknown }).cause = cause;
    throw err;
  }
  return new WasmBackend(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), options);
}

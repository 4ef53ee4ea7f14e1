/**
 * The backend this thread uses under Node (Deno and Bun included): the
 * Node-API addon, or the WebAssembly core when the addon cannot be loaded
 * (with a one-line notice) or when BLOSC2_BACKEND=wasm asks for it
 * (BLOSC2_BACKEND=native forbids the fallback). The browser bundle replaces
 * this module by index.web.ts.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { platform } from '../platform';
import { loadWasm } from './load-wasm';
import { loadNative } from './native';
import type { Backend } from './types';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Blosc2Error('blosc2 supports little-endian platforms only', 'ERR_UNSUPPORTED');
}

function choose(): Backend {
  const forced = platform.env('BLOSC2_BACKEND');
  if (forced === 'native') return loadNative();
  if (forced === 'wasm') return loadWasm();
  if (forced !== undefined && forced !== '') {
    throw new Blosc2Error(`BLOSC2_BACKEND must be 'native' or 'wasm', not '${forced}'`, 'ERR_INVALID_ARG');
  }
  let nativeError: Error;
  try {
    return loadNative();
  } catch (err) {
    nativeError = err as Error;
  }
  let wasm: Backend;
  try {
    wasm = loadWasm();
  } catch (err) {
    nativeError.message += `\nThe WebAssembly fallback failed too: ${(err as Error).message}`;
    throw nativeError;
  }
  const why = nativeError.message.split('\n')[0] ?? '';
  console.warn(`blosc2: using the WebAssembly build (one thread): ${why} (BLOSC2_BACKEND=wasm chooses it without this notice)`);
  return wasm;
}

/** The compiled core, loaded once per thread. */
export const backend: Backend = choose();
export type * from './types';
export { HeaderCheck } from './types';

/**
 * The backend of the browser bundle (replaces index.ts there, see
 * scripts/build-browser.js): the WebAssembly core, fetched and compiled once
 * when the bundle is imported (a top-level await), so that every call after
 * the import is synchronous as under Node.
 *
 * Where the module comes from: `globalThis.blosc2Wasm` when a page sets it
 * before importing the bundle (a URL or string, a Response, the module's
 * bytes, or a compiled `WebAssembly.Module`), else `wasm/blosc2.wasm` of the
 * package, next to `dist/browser/` (`new URL('../../wasm/blosc2.wasm',
 * import.meta.url)`, which bundlers that follow that pattern copy along).
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import type { Backend } from './types';
import { WasmBackend } from './wasm';

type WasmSource = string | URL | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const response = source instanceof Response ? source : await fetch(source);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${response.url}`);
  // compileStreaming wants the application/wasm type; other servers get the bytes compiled.
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

async function load(): Promise<Backend> {
  const given = (globalThis as { blosc2Wasm?: WasmSource }).blosc2Wasm;
  const source = given ?? new URL('../../wasm/blosc2.wasm', import.meta.url);
  try {
    return new WasmBackend(await compile(source));
  } catch (cause) {
    const err = new Blosc2Error(
      `Could not load the blosc2 WebAssembly module from ${source instanceof URL || typeof source === 'string' ? String(source) : 'globalThis.blosc2Wasm'}: ` +
        `${(cause as Error).message}. Serve the package's wasm/blosc2.wasm next to dist/ or set globalThis.blosc2Wasm before importing blosc2.`,
      'ERR_NATIVE_LOAD',
    );
    (err as Error & { cause?: unknown }).cause = cause;
    throw err;
  }
}

/** The WebAssembly core, ready once the bundle's import has settled. */
export const backend: Backend = await load();
export type * from './types';
export { HeaderCheck } from './types';

/**
 * The few WASI (preview 1) calls the WebAssembly core makes, answered in
 * plain JavaScript so that the module runs wherever WebAssembly does, with no
 * node:wasi: wasi-libc's start-up asks for preopened directories (none:
 * EBADF, as ENOSYS would trap in `_initialize`) and the environment (empty, so
 * C-Blosc2 reads no BLOSC_* variable), and C-Blosc2 reads the clock. Every
 * other declared import (files, which the core never opens) answers ENOSYS.
 * @internal
 * @packageDocumentation
 */

const SUCCESS = 0;
const EBADF = 8;
const ENOSYS = 52;

/** Thrown by proc_exit: the core never exits, so this only ends a broken call. */
export class WasiExit extends Error {}

/**
 * The `wasi_snapshot_preview1` imports for a module, given how to reach its
 * memory once instantiated.
 */
export function wasiImports(module: WebAssembly.Module, memory: () => WebAssembly.Memory): WebAssembly.Imports {
  const view = () => new DataView(memory().buffer);
  const impl: Record<string, (...args: never[]) => number> = {
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
    environ_sizes_get: (countPtr: number, sizePtr: number) => {
      view().setUint32(countPtr, 0, true);
      view().setUint32(sizePtr, 0, true);
      return SUCCESS;
    },
    environ_get: () => SUCCESS,
    clock_time_get: (_id: number, _precision: bigint, outPtr: number) => {
      const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      view().setBigUint64(outPtr, ns, true);
      return SUCCESS;
    },
    // C-Blosc2 prints only when BLOSC_TRACE is set, which it never is here:
    // anything written is dropped, and reported written.
    fd_write: (_fd: number, iovs: number, iovsLen: number, writtenPtr: number) => {
      let n = 0;
      for (let i = 0; i < iovsLen; i++) n += view().getUint32(iovs + 8 * i + 4, true);
      view().setUint32(writtenPtr, n, true);
      return SUCCESS;
    },
    proc_exit: (code: number) => {
      throw new WasiExit(`the WebAssembly core exited (${code})`);
    },
  };
  const ns: Record<string, (...args: never[]) => number> = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    if (from !== 'wasi_snapshot_preview1') throw new Error(`the WebAssembly core imports ${from}.${name}, which nothing provides`);
    ns[name] = impl[name] ?? (() => ENOSYS);
  }
  return { wasi_snapshot_preview1: ns };
}

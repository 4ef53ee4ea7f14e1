/* A <dlfcn.h> whose dlopen always fails, for C-Blosc2 on wasm32-wasi.
 *
 * Why: wasi-libc has no <dlfcn.h> (a wasm module cannot load code), and
 * C-Blosc2 includes it unconditionally (blosc/blosc-private.h) for its dynamic
 * plugin loader, which runs only when a chunk names a codec or filter that is
 * neither built in nor registered. That lookup then fails cleanly, as it does
 * natively when no plugin library is installed.
 */
#ifndef BLOSC2_WASI_SHIM_DLFCN_H
#define BLOSC2_WASI_SHIM_DLFCN_H

#define RTLD_LAZY 1
#define RTLD_NOW 2
#define RTLD_GLOBAL 256
#define RTLD_LOCAL 0

static inline void* dlopen(const char* file, int mode) {
  (void)file;
  (void)mode;
  return 0;
}
static inline void* dlsym(void* handle, const char* name) {
  (void)handle;
  (void)name;
  return 0;
}
static inline int dlclose(void* handle) {
  (void)handle;
  return -1;
}
static inline char* dlerror(void) { return (char*)"dynamic loading is not available in WebAssembly"; }

#endif /* BLOSC2_WASI_SHIM_DLFCN_H */

/* Force-included (-include) into every C-Blosc2 source compiled for wasm32-wasi.
 *
 * Why: wasi-libc's <stdio.h> does not declare popen/pclose (WASI cannot start
 * processes), but C-Blosc2's plugin loader (blosc/blosc-private.h) calls them
 * to ask Python for a plugin's path, and clang 19 rejects implicit function
 * declarations. They are declared here and defined, failing, in wasi_stubs.c.
 */
#ifndef BLOSC2_WASI_COMPAT_H
#define BLOSC2_WASI_COMPAT_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

FILE* popen(const char* command, const char* mode);
int pclose(FILE* stream);

#ifdef __cplusplus
}
#endif

#endif /* BLOSC2_WASI_COMPAT_H */

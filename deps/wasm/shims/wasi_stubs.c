/* Definitions of what C-Blosc2 links against and wasi-libc lacks, built into
 * libblosc2_wasi_shims.a by deps/build-wasm.js.
 *
 * popen/pclose: WASI cannot start a process; C-Blosc2's plugin loader asks
 *   `python -c ...` for a plugin's path and treats a NULL stream as "no plugin".
 * msync: wasi-libc's emulated mmap (-lwasi-emulated-mman) declares msync but
 *   does not define it; C-Blosc2's memory-mapped file backend names it. The
 *   emulation maps files privately, so there is nothing to write back: it fails
 *   with ENOSYS, and C-Blosc2 reports the failed sync.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>

FILE* popen(const char* command, const char* mode) {
  (void)command;
  (void)mode;
  errno = ENOSYS;
  return NULL;
}

int pclose(FILE* stream) {
  (void)stream;
  errno = ENOSYS;
  return -1;
}

int msync(void* addr, size_t length, int flags) {
  (void)addr;
  (void)length;
  (void)flags;
  errno = ENOSYS;
  return -1;
}

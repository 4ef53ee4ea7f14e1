/* A single-threaded <pthread.h> for C-Blosc2 on wasm32-wasi.
 *
 * Why: the wasm32-wasi wasi-libc of Debian bookworm (0.0~git20220510) has no
 * <pthread.h> and no threads (it is not the wasm32-wasi-threads flavour), yet
 * C-Blosc2 includes <pthread.h> unconditionally (blosc/context.h) and names
 * mutexes, condition variables, barriers (wasi-libc's <unistd.h> advertises
 * _POSIX_BARRIERS) and pthread_create. In one thread, locks never contend and
 * barriers of one party pass at once; pthread_create fails with EAGAIN, so a
 * C-Blosc2 context asked for nthreads > 1 fails with BLOSC2_ERROR_THREAD_CREATE
 * instead of misbehaving: callers use nthreads = 1 (or
 * blosc2_set_threads_callback, which never creates a thread).
 * The types are wasi-libc's own (musl's bits/alltypes.h), so nothing clashes
 * with a header that declares them too. Every function is static inline: no
 * library, and the CMake check for pthread_create/pthread_join still compiles.
 */
#ifndef BLOSC2_WASI_SHIM_PTHREAD_H
#define BLOSC2_WASI_SHIM_PTHREAD_H

#include <errno.h>
#include <stdlib.h>

#define __NEED_pthread_t
#define __NEED_pthread_attr_t
#define __NEED_pthread_mutex_t
#define __NEED_pthread_mutexattr_t
#define __NEED_pthread_cond_t
#define __NEED_pthread_condattr_t
#define __NEED_pthread_barrier_t
#define __NEED_pthread_barrierattr_t
#define __NEED_pthread_once_t
#include <bits/alltypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1
#define PTHREAD_MUTEX_INITIALIZER \
  {                               \
    {                             \
      { 0 }                       \
    }                             \
  }
#define PTHREAD_COND_INITIALIZER \
  {                              \
    {                            \
      { 0 }                      \
    }                            \
  }
#define PTHREAD_ONCE_INIT 0
#define PTHREAD_BARRIER_SERIAL_THREAD (-1)

static inline int pthread_attr_init(pthread_attr_t* a) {
  (void)a;
  return 0;
}
static inline int pthread_attr_destroy(pthread_attr_t* a) {
  (void)a;
  return 0;
}
static inline int pthread_attr_setdetachstate(pthread_attr_t* a, int s) {
  (void)a;
  (void)s;
  return 0;
}

/* No second thread can exist. */
static inline int pthread_create(pthread_t* t, const pthread_attr_t* a, void* (*f)(void*), void* arg) {
  (void)t;
  (void)a;
  (void)f;
  (void)arg;
  return EAGAIN;
}
static inline int pthread_join(pthread_t t, void** ret) {
  (void)t;
  (void)ret;
  return ESRCH;
}
static inline int pthread_detach(pthread_t t) {
  (void)t;
  return ESRCH;
}
static inline int pthread_cancel(pthread_t t) {
  (void)t;
  return ESRCH;
}
static inline pthread_t pthread_self(void) { return (pthread_t)0; }
static inline int pthread_equal(pthread_t a, pthread_t b) { return a == b; }
static inline int pthread_atfork(void (*p)(void), void (*c)(void), void (*ch)(void)) {
  (void)p;
  (void)c;
  (void)ch;
  return 0;
}
static inline _Noreturn void pthread_exit(void* ret) {
  (void)ret;
  exit(0);
}
static inline int pthread_once(pthread_once_t* o, void (*f)(void)) {
  if (*o == 0) {
    *o = 1;
    f();
  }
  return 0;
}

static inline int pthread_mutex_init(pthread_mutex_t* m, const pthread_mutexattr_t* a) {
  (void)m;
  (void)a;
  return 0;
}
static inline int pthread_mutex_destroy(pthread_mutex_t* m) {
  (void)m;
  return 0;
}
static inline int pthread_mutex_lock(pthread_mutex_t* m) {
  (void)m;
  return 0;
}
static inline int pthread_mutex_trylock(pthread_mutex_t* m) {
  (void)m;
  return 0;
}
static inline int pthread_mutex_unlock(pthread_mutex_t* m) {
  (void)m;
  return 0;
}

static inline int pthread_cond_init(pthread_cond_t* c, const pthread_condattr_t* a) {
  (void)c;
  (void)a;
  return 0;
}
static inline int pthread_cond_destroy(pthread_cond_t* c) {
  (void)c;
  return 0;
}
static inline int pthread_cond_signal(pthread_cond_t* c) {
  (void)c;
  return 0;
}
static inline int pthread_cond_broadcast(pthread_cond_t* c) {
  (void)c;
  return 0;
}
/* Waiting for another thread to signal would never end: report it. */
static inline int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  (void)c;
  (void)m;
  return EDEADLK;
}

static inline int pthread_barrier_init(pthread_barrier_t* b, const pthread_barrierattr_t* a, unsigned count) {
  (void)a;
  if (count == 0) return EINVAL;
  b->__u.__i[0] = (int)count;
  return 0;
}
static inline int pthread_barrier_destroy(pthread_barrier_t* b) {
  (void)b;
  return 0;
}
/* One party passes at once; more would wait forever for threads that cannot exist. */
static inline int pthread_barrier_wait(pthread_barrier_t* b) { return b->__u.__i[0] == 1 ? PTHREAD_BARRIER_SERIAL_THREAD : EDEADLK; }

#ifdef __cplusplus
}
#endif

#endif /* BLOSC2_WASI_SHIM_PTHREAD_H */

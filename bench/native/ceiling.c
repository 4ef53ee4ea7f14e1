/*
 * Native ceiling for the binding: C-Blosc2 called from C on the same bytes, with
 * the same parameters and the same output policy as the binding's core
 * compress/decompress (a fresh malloc'ed output per call, a context created and
 * freed per call), plus the reused-output floor. Built by bench/native.js against
 * the static C-Blosc2 the addon links, run once per allocator mode.
 *
 * usage: ceiling FILE TYPESIZE CODEC CLEVEL FILTER NTHREADS WARMUP RUNS SMALLITERS PAUSE_MS
 *   CODEC: 0 blosclz, 1 lz4, 5 zstd; FILTER: 0 none, 1 shuffle, 2 bitshuffle
 *   PAUSE_MS: sleep before every timed op, as the binding's side pauses after
 *   its gc() (the same idle-then-work pattern on both sides)
 * prints one JSON object on stdout.
 */
#include <blosc2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static struct timespec g_pause;

static void pause_before_op(void) {
  if (g_pause.tv_sec != 0 || g_pause.tv_nsec != 0) nanosleep(&g_pause, NULL);
}

static double median(double* v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static blosc2_cparams g_cp;
static blosc2_dparams g_dp;

/* Exactly what the binding's DoCompress does: a context per call. */
static int compress_once(const uint8_t* src, int32_t n, uint8_t* dst, int32_t cap) {
  blosc2_context* ctx = blosc2_create_cctx(g_cp);
  int rc = blosc2_compress_ctx(ctx, src, n, dst, cap);
  blosc2_free_ctx(ctx);
  return rc;
}

static int decompress_once(const uint8_t* src, int32_t cbytes, uint8_t* dst, int32_t n) {
  blosc2_context* ctx = blosc2_create_dctx(g_dp);
  int rc = blosc2_decompress_ctx(ctx, src, cbytes, dst, n);
  blosc2_free_ctx(ctx);
  return rc;
}

int main(int argc, char** argv) {
  if (argc != 11) {
    fprintf(stderr, "usage: ceiling FILE TYPESIZE CODEC CLEVEL FILTER NTHREADS WARMUP RUNS SMALLITERS PAUSE_MS\n");
    return 2;
  }
  const char* path = argv[1];
  int typesize = atoi(argv[2]), codec = atoi(argv[3]), clevel = atoi(argv[4]), filter = atoi(argv[5]);
  int nthreads = atoi(argv[6]), warmup = atoi(argv[7]), runs = atoi(argv[8]), small_iters = atoi(argv[9]);
  int pause_ms = atoi(argv[10]);
  g_pause.tv_sec = pause_ms / 1000;
  g_pause.tv_nsec = (long)(pause_ms % 1000) * 1000000L;

  FILE* f = fopen(path, "rb");
  if (!f) { perror(path); return 1; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t* src = malloc((size_t)size);
  if (!src || fread(src, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "read failed\n"); return 1; }
  fclose(f);
  int32_t n = (int32_t)size;
  int32_t cap = n + BLOSC2_MAX_OVERHEAD;

  blosc2_init();
  g_cp = BLOSC2_CPARAMS_DEFAULTS;
  g_cp.compcode = (uint8_t)codec;
  g_cp.clevel = (uint8_t)clevel;
  g_cp.typesize = typesize;
  g_cp.nthreads = (int16_t)nthreads;
  g_cp.splitmode = BLOSC_FORWARD_COMPAT_SPLIT;
  for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) g_cp.filters[i] = 0;
  g_cp.filters[BLOSC2_MAX_FILTERS - 1] = (uint8_t)filter;
  g_dp = BLOSC2_DPARAMS_DEFAULTS;
  g_dp.nthreads = (int16_t)nthreads;

  double* t_cf = calloc((size_t)runs, sizeof(double));
  double* t_df = calloc((size_t)runs, sizeof(double));
  double* t_cr = calloc((size_t)runs, sizeof(double));
  double* t_dr = calloc((size_t)runs, sizeof(double));
  uint8_t* creused = malloc((size_t)cap);
  uint8_t* dreused = malloc((size_t)n);
  int32_t cbytes = 0;
  /* Prefault the reused buffers so the "reused" policy measures no page faults. */
  memset(creused, 0, (size_t)cap);
  memset(dreused, 0, (size_t)n);

  for (int r = -warmup; r < runs; r++) {
    /* fresh: a new output per call, as the binding allocates a new Buffer */
    pause_before_op();
    double t0 = now_ms();
    uint8_t* c = malloc((size_t)cap);
    int rc = compress_once(src, n, c, cap);
    double t1 = now_ms();
    if (rc <= 0) { fprintf(stderr, "compress failed %d\n", rc); return 1; }
    cbytes = rc;
    pause_before_op();
    double t2 = now_ms();
    uint8_t* d = malloc((size_t)n);
    rc = decompress_once(c, cbytes, d, n);
    double t3 = now_ms();
    if (rc != n || memcmp(d, src, (size_t)n) != 0) { fprintf(stderr, "round trip failed %d\n", rc); return 1; }
    free(d);
    free(c);
    /* reused: outputs allocated and touched once */
    pause_before_op();
    double t4 = now_ms();
    rc = compress_once(src, n, creused, cap);
    double t5 = now_ms();
    if (rc != cbytes) { fprintf(stderr, "compress (reused) differs %d\n", rc); return 1; }
    pause_before_op();
    double t6 = now_ms();
    rc = decompress_once(creused, cbytes, dreused, n);
    double t7 = now_ms();
    if (rc != n) { fprintf(stderr, "decompress (reused) failed %d\n", rc); return 1; }
    if (r >= 0) {
      t_cf[r] = t1 - t0;
      t_df[r] = t3 - t2;
      t_cr[r] = t5 - t4;
      t_dr[r] = t7 - t6;
    }
  }

  /* Per-call cost on 1 KB: the first 1024 bytes of the same data, fresh context
     per call (as the binding) and one reused context (the floor). */
  int32_t sn = n < 1024 ? n : 1024;
  int32_t scap = sn + BLOSC2_MAX_OVERHEAD;
  uint8_t* sc = malloc((size_t)scap);
  uint8_t* sd = malloc((size_t)sn);
  int32_t scbytes = compress_once(src, sn, sc, scap);
  double s0 = now_ms();
  for (int i = 0; i < small_iters; i++) {
    uint8_t* o = malloc((size_t)scap);
    scbytes = compress_once(src, sn, o, scap);
    free(o);
  }
  double s1 = now_ms();
  for (int i = 0; i < small_iters; i++) {
    uint8_t* o = malloc((size_t)sn);
    decompress_once(sc, scbytes, o, sn);
    free(o);
  }
  double s2 = now_ms();
  blosc2_context* cctx = blosc2_create_cctx(g_cp);
  blosc2_context* dctx = blosc2_create_dctx(g_dp);
  for (int i = 0; i < small_iters; i++) blosc2_compress_ctx(cctx, src, sn, sc, scap);
  double s3 = now_ms();
  for (int i = 0; i < small_iters; i++) blosc2_decompress_ctx(dctx, sc, scbytes, sd, sn);
  double s4 = now_ms();
  blosc2_free_ctx(cctx);
  blosc2_free_ctx(dctx);
  if (memcmp(sd, src, (size_t)sn) != 0) { fprintf(stderr, "small round trip failed\n"); return 1; }

  /* Every timed run, before the medians sort them: the caller pools runs of several invocations. */
  printf("{\"times\":{");
  const char* names[4] = {"compressFresh", "decompressFresh", "compressReused", "decompressReused"};
  double* series[4] = {t_cf, t_df, t_cr, t_dr};
  for (int k = 0; k < 4; k++) {
    printf("%s\"%s\":[", k ? "," : "", names[k]);
    for (int r = 0; r < runs; r++) printf("%s%.4f", r ? "," : "", series[k][r]);
    printf("]");
  }
  printf("},");
  double mb = n / 1e6;
  double cf = median(t_cf, runs), df = median(t_df, runs), cr = median(t_cr, runs), dr = median(t_dr, runs);
  printf("\"bytes\":%d,\"cbytes\":%d,\"version\":\"%s\",\"nthreads\":%d,"
         "\"fresh\":{\"compressMs\":%.3f,\"decompressMs\":%.3f,\"compressMBs\":%.1f,\"decompressMBs\":%.1f},"
         "\"reused\":{\"compressMs\":%.3f,\"decompressMs\":%.3f,\"compressMBs\":%.1f,\"decompressMBs\":%.1f},"
         "\"small\":{\"bytes\":%d,\"compressUs\":%.3f,\"decompressUs\":%.3f,\"compressReusedCtxUs\":%.3f,\"decompressReusedCtxUs\":%.3f}}\n",
         n, cbytes, BLOSC2_VERSION_STRING, nthreads,
         cf, df, mb / cf * 1e3, mb / df * 1e3, cr, dr, mb / cr * 1e3, mb / dr * 1e3,
         sn, (s1 - s0) * 1e3 / small_iters, (s2 - s1) * 1e3 / small_iters, (s3 - s2) * 1e3 / small_iters,
         (s4 - s3) * 1e3 / small_iters);
  blosc2_destroy();
  return 0;
}

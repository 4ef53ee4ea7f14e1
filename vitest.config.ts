import { defineConfig } from 'vitest/config';

// Two projects: every test on the backend Node picks (the addon), and the
// backend-independent ones again on the WebAssembly core (BLOSC2_BACKEND=wasm):
// the test vectors, the round-trip properties, errors, interop with
// python-blosc2, streams, workers, random access (lazy arrays in memory and
// over range readers, FrameWriter). Left out of the wasm run: what is about the
// addon itself (its exports, its cache of contexts and thread budget under concurrency, its loader and install script, the prebuilt and the packed
// package's install, the libuv pool keeping the event loop free,
// arrays over 2 GiB, which wasm32 cannot hold with their output, RSS over
// 100,000 cycles), Redis and the published typings (no backend in play; a
// range read through Redis is the range reader path random-access.test.ts
// runs on wasm), the long hostile-input property
// run (test/differential.test.ts feeds mutated inputs to both backends), and
// the files that run both backends themselves (browser, runtimes, differential).
const WASM_EXCLUDE = [
  'test/backend.test.ts',
  'test/context-pool.test.ts',
  'test/hardening/concurrency.test.ts',
  'test/native-loader.test.ts',
  'test/prebuilt.test.ts',
  'test/consumer.test.ts',
  'test/event-loop.test.ts',
  'test/async-safety.test.ts',
  'test/pack-big.test.ts',
  'test/hardening/leaks.test.ts',
  'test/redis.test.ts',
  'test/random-access-redis.test.ts',
  'test/types.test.ts',
  'property-tests/hostile.property.test.ts',
  'test/browser.test.ts',
  'test/runtimes.test.ts',
  'test/differential.test.ts',
  'test/backend-wasm.test.ts',
  'test/backend-wasm-random-access.test.ts',
];

export default defineConfig({
  test: {
    // dist/ rebuilt when older than src/: some tests run the package as users load it.
    globalSetup: ['test/support/global-setup.ts'],
    // Each file in its own process: a native crash shows as a failed file, not a dead runner.
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Two cores: two files at a time keeps the big-array tests within memory and time.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'native', include: ['test/**/*.test.ts', 'property-tests/**/*.test.ts'], env: { BLOSC2_BACKEND: 'native' } },
      },
      {
        extends: true,
        test: {
          name: 'wasm',
          include: ['test/**/*.test.ts', 'property-tests/**/*.test.ts'],
          exclude: WASM_EXCLUDE,
          env: { BLOSC2_BACKEND: 'wasm' },
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'property-tests/**/*.test.ts'],
    // dist/ rebuilt when older than src/: some tests run the package as users load it.
    globalSetup: ['test/support/global-setup.ts'],
    // Each file in its own process: a native crash shows as a failed file, not a dead runner.
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Two cores: two files at a time keeps the big-array tests within memory and time.
    maxWorkers: 2,
  },
});

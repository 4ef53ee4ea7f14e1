/**
 * vitest's global setup: before any test file runs, dist/ is built from the
 * sources under test when it is missing or stale (./dist.ts), so that the test
 * files that load the package as users do (child processes, the README's
 * code, the published .d.ts) never race a rebuild.
 */
import { ensureDist } from './dist';

export default function setup(): void {
  ensureDist();
}

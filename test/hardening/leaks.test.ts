// Leaks: 100,000 pack/unpack cycles (sync and async), 20,000 chunk cycles,
// 5,000 cycles through reused C-Blosc2 contexts at 1-4 threads and by size,
// and 20,000 failing decodes in a child process with --expose-gc; after a
// warm-up, RSS must stay flat (within 20 MB) through each phase. The native
// core's own allocations are checked by LeakSanitizer in fuzz/run.sh.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LeakReport } from '../children/leaks';
import { CHILDREN, runNode } from '../support/child';

const MiB = 2 ** 20;

describe('no leaks over many cycles', () => {
  it('RSS stays within 20 MB after warm-up, every phase, every cycle correct', () => {
    // A fixed mmap threshold: glibc otherwise raises it after each large free,
    // so C-Blosc2's per-thread scratch (3 blocks, up to 1.5 MB) moves between
    // mmap and the heap, and the pooled phase's RSS swung by 30 MB with no leak
    // (its floor passed 20 MB in CI). Fixed, large blocks go back to the system
    // when freed and RSS follows live memory (swings of 3 MB); a leak still grows.
    const child = runNode([join(CHILDREN, 'leaks.ts'), '1'], {
      flags: ['--expose-gc'],
      timeoutMs: 280_000,
      env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' },
    });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim()) as LeakReport;
    let packCycles = 0;
    for (const p of report.phases) {
      // The pooled phase's RSS still moves between samples (C-Blosc2's threads
      // and their scratch come and go with the cache), so a leak shows there
      // as a rising floor: the lowest of its last three samples against the
      // lowest of the warm-up and its first three.
      const pooled = p.name.startsWith('pooled');
      const growth = pooled
        ? Math.min(...p.samples.slice(-3)) - Math.min(p.rssAfterWarmup, ...p.samples.slice(0, 3))
        : Math.max(...p.samples) - p.rssAfterWarmup;

      console.log(
        `${p.name}: ${p.cycles} cycles in ${p.seconds}s, RSS ${(p.rssAfterWarmup / MiB).toFixed(1)} -> ` +
          `${(p.rssEnd / MiB).toFixed(1)} MiB (${pooled ? 'floor' : 'peak'} growth ${(growth / MiB).toFixed(1)} MiB)`,
      );
      expect(p.wrong, p.name).toBe(0);
      expect(growth, p.name).toBeLessThan(20 * MiB);
      if (p.name.startsWith('pack')) packCycles += p.cycles;
    }
    expect(packCycles).toBeGreaterThanOrEqual(100_000);
    // Most calls of the pooled phase took a context from the cache.
    expect(report.pool.reused).toBeGreaterThan(report.pool.created);
  });
});

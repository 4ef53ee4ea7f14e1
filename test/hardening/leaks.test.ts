// Leaks: 100,000 pack/unpack cycles (sync and async), 20,000 chunk cycles and
// 20,000 failing decodes in a child process with --expose-gc; after a
// warm-up, RSS must stay flat (within 20 MB) through each phase. The native
// core's own allocations are checked by LeakSanitizer in fuzz/run.sh.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LeakReport } from '../children/leaks';
import { CHILDREN, runNode } from '../support/child';

const MiB = 2 ** 20;

describe('no leaks over many cycles', () => {
  it('RSS stays within 20 MB after warm-up, every phase, every cycle correct', () => {
    const child = runNode([join(CHILDREN, 'leaks.ts'), '1'], { flags: ['--expose-gc'], timeoutMs: 280_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim()) as LeakReport;
    let packCycles = 0;
    for (const p of report.phases) {
      const growth = Math.max(...p.samples) - p.rssAfterWarmup;

      console.log(
        `${p.name}: ${p.cycles} cycles in ${p.seconds}s, RSS ${(p.rssAfterWarmup / MiB).toFixed(1)} -> ` +
          `${(p.rssEnd / MiB).toFixed(1)} MiB (peak growth ${(growth / MiB).toFixed(1)} MiB)`,
      );
      expect(p.wrong, p.name).toBe(0);
      expect(growth, p.name).toBeLessThan(20 * MiB);
      if (p.name.startsWith('pack')) packCycles += p.cycles;
    }
    expect(packCycles).toBeGreaterThanOrEqual(100_000);
  });
});

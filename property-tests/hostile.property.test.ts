// Hostile input at the JS level: fast-check mutates valid messages, chunks,
// out-of-band buffers and hand-made ext 80/81/82 records (see
// test/children/hostile.ts). The decoding runs in a child process, so
// a native crash fails this test with the input that caused it instead of
// taking the runner down. Every decode must return a value or throw a
// Blosc2Error, and never allocate beyond maxOutputBytes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../test/children/hostile';
import { CHILDREN, lastJsonLine, runNode } from '../test/support/child';

/** The output limit every hostile decode runs under (LIMIT in test/children/hostile.ts). */
const LIMIT = 1 << 20;

function runChild(seed: number, numRuns: number): Report & { fatal?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'blosc2-hostile-'));
  const progress = join(dir, 'progress.json');
  try {
    const child = runNode([join(CHILDREN, 'hostile.ts'), String(seed), String(numRuns), progress], { timeoutMs: 240_000 });
    if (child.status !== 0 || child.signal !== null) {
      let last = '(none)';
      try {
        last = readFileSync(progress, 'utf8');
      } catch {
        // the child died before its first decode
      }
      throw new Error(
        `the decoding child died (status ${child.status}, signal ${child.signal}); last input: ${last.slice(0, 8000)}\n` +
          `stderr: ${child.stderr.slice(-4000)}`,
      );
    }
    return lastJsonLine<Report & { fatal?: string }>(child.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile input never crashes, never escapes Blosc2Error, never over-allocates', () => {
  for (const seed of [0x5eed, 0xb10c]) {
    it(`mutated messages, chunks and records (seed ${seed})`, () => {
      const r = runChild(seed, 3000);
      const tried = r.values + Object.values(r.errors).reduce((a, b) => a + b, 0) + r.other.length;

      console.log(
        `hostile seed ${seed}: ${tried} decodes: ${r.values} values, errors ${JSON.stringify(r.errors)}, ` +
          `${r.other.length} other; peak RSS growth ${(r.maxRssGrowth / 2 ** 20).toFixed(1)} MiB`,
      );
      expect(r.fatal).toBeUndefined();
      expect(r.other).toEqual([]);
      expect(r.overLimit).toEqual([]);
      expect(r.uninitLeaks).toBe(0);
      // Both outcomes occur: the mutations reach the decoders rather than all
      // failing at the first byte, and the valid inputs among them decode.
      expect(r.values).toBeGreaterThan(100);
      expect(r.errors['ERR_CORRUPT'] ?? 0).toBeGreaterThan(100);
      expect(r.errors['ERR_MAX_OUTPUT'] ?? 0).toBeGreaterThan(0);
      for (const entry of [
        'unpack',
        'unpackAsync',
        'unpack(structuredClone)',
        'unpackOutOfBand',
        'decompress',
        'decompressAsync',
        'cbufferInfo',
      ]) {
        expect(r.byEntry[entry] ?? 0).toBeGreaterThan(50);
      }
      // Each decode runs under maxOutputBytes = 1 MiB, including 2 GiB special
      // chunks: the peak RSS may not climb anywhere near what they claim.
      expect(r.maxRssGrowth).toBeLessThan(64 * LIMIT);
    });
  }
});

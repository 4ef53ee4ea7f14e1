// Every input the fuzzers ever broke the native core with (fuzz/regressions/)
// replayed through the public API in a child process: a crash or a hang fails
// this test (with a timeout) instead of killing or stalling the runner.
import type { SpawnSyncReturns } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../children/replay';
import { CHILDREN, REPO_ROOT as root, runNode } from '../support/child';

let child: SpawnSyncReturns<string> | undefined;
function replay(): SpawnSyncReturns<string> {
  child ??= runNode([join(CHILDREN, 'replay.ts')], { timeoutMs: 60_000 });
  return child;
}

function outcomes(): Outcome[] {
  const c = replay();
  expect(c.signal, `child killed (hang or crash): ${c.stderr}`).toBeNull();
  expect(c.status, c.stderr).toBe(0);
  return JSON.parse(c.stdout.trim()) as Outcome[];
}

describe('fuzz/regressions through the JS API', () => {
  it('each decodes to a value or a Blosc2Error, promptly', () => {
    const files = ['fuzz_frame', 'fuzz_chunk'].flatMap((h) => {
      try {
        return readdirSync(join(root, 'fuzz', 'regressions', h));
      } catch {
        return [];
      }
    });
    const got = outcomes();
    expect(files.length).toBeGreaterThan(0);
    expect(got.length).toBeGreaterThanOrEqual(files.length);
    for (const o of got) expect(o.result, o.file).not.toMatch(/^other/);
  });

  // Each of these crashed, hung, leaked or read out of bounds in the native
  // core before its fix; each is a corrupt frame and must be refused as one.
  for (const [file, what] of [
    ['hang-negative-chunkshape', 'chunkshape -1 looped forever in b2nd_to_cbuffer'],
    ['leak-corrupt-chunk-in-b2nd-to-cbuffer', 'a block-count mismatch leaked b2nd_to_cbuffer buffers'],
    ['ubsan-int32-overflow-in-b2nd-from-schunk', 'huge block extents overflowed int32 in b2nd_from_schunk'],
    ['asan-overread-in-b2nd-deserialize-meta', 'a lying metalayer length was read past its end'],
    ['leak-undefined-filter-in-frame-header', 'an undefined filter id leaked the half-built super-chunk'],
    ['asan-overread-chunk-offset-near-frame-end', 'a chunk offset near the end was read past the frame'],
  ]) {
    it(`fuzz_frame/${file} is refused as ERR_CORRUPT (${what})`, () => {
      expect(outcomes().find((o) => o.file === `fuzz_frame/${file}`)?.result).toBe('ERR_CORRUPT');
    });
  }
});

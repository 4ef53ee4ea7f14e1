/**
 * Random access against the real python-blosc2 4.14.1 (.pydeps, installed by
 * scripts/test-deps.js as for test/interop.test.ts):
 *
 * - selections resolve as Python slices them (negative indices and steps, bounds clamped);
 * - our get on python-blosc2's frames (tiled chunks and blocks, several dtypes,
 *   codecs and filters) equals its own arr[sel];
 * - a file FrameWriter wrote is read by blosc2.open (and its bytes by
 *   blosc2.ndarray_from_cframe), and python-blosc2's slices of it equal ours.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameWriter, openFrame, type Selection } from '../src/index';
import { resolveSelection } from '../src/random-access/selection';
import { bytesOf } from './support/compare';
import { countingReader, selectionArb } from './support/random-access';

const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(__dirname, 'interop', 'py_random_access.py');
const PYTHON = process.env['BLOSC2_PYTHON'] ?? 'python3';

function python(...args: string[]): void {
  const pythonPath = [process.env['BLOSC2_PYTHON'] ? undefined : path.join(ROOT, '.pydeps'), path.join(__dirname, 'interop')]
    .filter(Boolean)
    .join(path.delimiter);
  const r = spawnSync(PYTHON, [SCRIPT, ...args], {
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (r.status !== 0) {
    throw new Error(
      `py_random_access.py ${args[0]} failed (${r.status}): ${r.stderr || String(r.error)}\n` +
        'It needs python-blosc2 4.14.1 in .pydeps: run `node scripts/test-deps.js`.',
    );
  }
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'blosc2-ra-interop-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function json(file: string, value?: unknown): unknown {
  if (value !== undefined) writeFileSync(file, JSON.stringify(value));
  return JSON.parse(readFileSync(file, 'utf8'));
}

interface PySelect {
  shape: number[];
  chunks: number[];
  blocks: number[];
  results: Array<{ shape: number[]; dtype: string; hex: string }>;
}

/** python-blosc2's arr[sel] for each selection of the frame in file. */
function pythonSelect(file: string, selections: Selection[], how = 'blosc2'): PySelect {
  const sels = path.join(dir, 'selections.json');
  const out = path.join(dir, 'selected.json');
  json(sels, selections);
  python('select', file, sels, out, how);
  return json(out) as PySelect;
}

describe('selections resolve as Python slices range(n)', () => {
  it('random lengths, starts, stops and steps, and indices', () => {
    const cases = fc.sample(
      fc.integer({ min: 0, max: 12 }).chain((n) =>
        fc.record({
          n: fc.constant(n),
          sel: fc.oneof(
            fc.integer({ min: -n - 2, max: n + 1 }),
            fc.tuple(
              fc.oneof(fc.constant(null), fc.integer({ min: -20, max: 20 })),
              fc.oneof(fc.constant(null), fc.integer({ min: -20, max: 20 })),
              fc.oneof(
                fc.constant(null),
                fc.integer({ min: -6, max: 6 }).filter((s) => s !== 0),
              ),
            ),
          ),
        }),
      ),
      { numRuns: 3000, seed: 13 },
    );
    const file = path.join(dir, 'slices.json');
    json(path.join(dir, 'cases.json'), cases);
    python('slices', path.join(dir, 'cases.json'), file);
    const want = json(file) as Array<number[] | 'IndexError'>;
    cases.forEach(({ n, sel }, i) => {
      let got: number[] | 'IndexError';
      try {
        const r = resolveSelection(typeof sel === 'number' ? sel : [sel], [n]);
        got = Array.from({ length: r.count[0] as number }, (_, k) => (r.start[0] as number) + k * (r.step[0] as number));
      } catch {
        got = 'IndexError';
      }
      expect(got, JSON.stringify({ n, sel })).toEqual(want[i]);
    });
  });
});

describe("our get on python-blosc2's frames equals its arr[sel]", () => {
  it('tiled geometries, dtypes, codecs and filters, in memory and through a range reader', async () => {
    python('make', dir);
    const made = json(path.join(dir, 'made.json')) as Array<{ name: string; path: string; shape: number[]; numpy: boolean }>;
    expect(made.length).toBeGreaterThanOrEqual(8);
    for (const m of made) {
      const frame = readFileSync(m.path);
      const selections: Selection[] = [undefined as unknown as Selection, ...fc.sample(selectionArb(m.shape), { numRuns: 25, seed: 7 })];
      const py = pythonSelect(m.path, selections, m.numpy ? 'numpy' : 'blosc2');
      const lazy = openFrame(frame);
      const remote = await openFrame(countingReader(frame).read);
      expect(lazy.shape).toEqual(m.shape);
      expect(lazy.chunkshape).toEqual(py.chunks);
      expect(lazy.blockshape).toEqual(py.blocks);
      for (let i = 0; i < selections.length; i++) {
        const want = py.results[i] as { shape: number[]; dtype: string; hex: string };
        const label = `${m.name} ${JSON.stringify(selections[i])}`;
        const got = lazy.get(selections[i]);
        expect(got.shape, label).toEqual(want.shape);
        expect(got.dtype, label).toBe(want.dtype);
        expect(Buffer.from(bytesOf(got.data)).toString('hex'), label).toBe(want.hex);
        const far = await remote.get(selections[i]);
        expect(Buffer.from(bytesOf(far.data)).toString('hex'), label).toBe(want.hex);
      }
    }
  });
});

describe('python-blosc2 reads what FrameWriter writes, and slices it as we do', () => {
  it('a file of unknown length, written slab by slab, tiled and contiguous', async () => {
    const rows = 333;
    const cols = 17;
    const data = Float64Array.from({ length: rows * cols }, (_, i) => Math.cos(i / 11) * 1000);
    for (const geometry of [{}, { chunkshape: [40, 8], blockshape: [8, 4] }, { chunkshape: [64, 17] }]) {
      const file = path.join(dir, 'written.b2nd');
      const writer = new FrameWriter(file, { shape: [null, cols], dtype: '<f8', codec: 'zstd', ...geometry });
      for (let r = 0; r < rows; r += 50) await writer.write(data.subarray(r * cols, Math.min(rows, r + 50) * cols));
      const done = await writer.close();
      expect(done.shape).toEqual([rows, cols]);
      const selections: Selection[] = [
        undefined as unknown as Selection,
        [[null, null, -7], 3],
        [-1],
        [
          [100, 10, -9],
          [null, null, 4],
        ],
        ...fc.sample(selectionArb([rows, cols]), { numRuns: 20, seed: 3 }),
      ];
      const py = pythonSelect(file, selections);
      expect(py.shape).toEqual([rows, cols]);
      expect(py.chunks).toEqual(done.chunkshape);
      const lazy = openFrame(readFileSync(file));
      for (let i = 0; i < selections.length; i++) {
        const want = py.results[i] as { shape: number[]; hex: string };
        const got = lazy.get(selections[i]);
        expect(got.shape).toEqual(want.shape);
        expect(Buffer.from(bytesOf(got.data)).toString('hex'), `${JSON.stringify(geometry)} ${JSON.stringify(selections[i])}`).toBe(
          want.hex,
        );
      }
    }
  });
});

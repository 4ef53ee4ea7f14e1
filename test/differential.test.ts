// Differential: the Node-API addon and the WebAssembly core, each in a child
// process of its own (BLOSC2_BACKEND=native / wasm, test/fixtures/
// differential-child.ts), are fed the same inputs -- messages packed from
// random values, the same messages and chunks mutated at random (bit flips,
// truncations, insertions, extreme integers, ext types), hand-made hostile
// records, and every input the fuzzers ever failed on (fuzz/regressions/) --
// and must give the same value or the same Blosc2Error code for each, sync and
// async. One divergence is known and allowed, narrowly: Zstd's fast Huffman
// loop runs on 64-bit targets only, and it accepts some corrupted streams
// (decoding them to wrong bytes) that the portable loop -- the only one in
// wasm32 -- refuses; so a mutated Zstd chunk may decode natively and be
// ERR_CORRUPT in wasm (zstd built with -DHUF_DISABLE_FAST_DECODE refuses them
// natively too). Both also pack the same random values: their bytes must be the same
// (C-Blosc2 built for wasm32 compresses as it does on x86-64 here) or, where
// they differ, unpack to the same value.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PackOptions, Packer, cbufferInfo, pack, unpack } from '../src/index';
import { craftedRecords, validChunks, validMessages } from './children/hostile';
import { ext42 } from './support/bytes';
import { CHILDREN, runNode } from './support/child';
import { optionsArb, valueArb } from './support/arbitraries';
import { type DiffInput, type DiffValue, digest } from './support/differential';
import { mutate, mutationArb } from './support/mutate';

const SEED = 20261201;
const MUTANTS = 400;

const mutations = fc.array(mutationArb(), { minLength: 1, maxLength: 4 });
const VALUE_COUNT = 120;

/** The random values both children pack (every other one with threshold 0: frames). */
function diffValues(seed: number): Array<{ value: unknown; options: PackOptions }> {
  const opts = fc.sample(optionsArb, { seed, numRuns: VALUE_COUNT });
  return fc.sample(valueArb('all'), { seed: seed + 1, numRuns: VALUE_COUNT }).map((value, i) => ({
    value,
    options: { ...(opts[i] as PackOptions), threshold: i % 2 === 0 ? 0 : 8192 },
  }));
}

/** The values as the children receive them (see DiffValue). */
function transported(): DiffValue[] {
  const cloner = new Packer({ structuredClone: true, threshold: Number.MAX_SAFE_INTEGER });
  return diffValues(SEED).map(({ value, options }) => ({ transport: cloner.pack(value).toString('base64'), options }));
}

function buildInputs(): DiffInput[] {
  const inputs: DiffInput[] = [];
  const add = (op: DiffInput['op'], what: string, bytes: Uint8Array) =>
    inputs.push({ op, what, base64: Buffer.from(bytes).toString('base64') });
  const messages: Array<{ name: string; message: Buffer }> = [...validMessages(), ...craftedRecords()];
  diffValues(SEED).forEach(({ value, options }, i) => {
    try {
      messages.push({ name: `random value #${i}`, message: pack(value, options) });
    } catch {
      // A value the options refuse (e.g. delta on a partial item): nothing to decode.
    }
  });
  for (const m of messages) add('unpack', m.name, m.message);
  const picks = fc.sample(fc.tuple(fc.nat({ max: messages.length - 1 }), mutations), { seed: SEED + 2, numRuns: MUTANTS });
  for (const [i, ms] of picks) {
    const m = messages[i] as { name: string; message: Buffer };
    add(
      'unpack',
      `${m.name}, mutated ${JSON.stringify(ms, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
      mutate(m.message, ms),
    );
  }
  const chunks = validChunks();
  for (const c of chunks) add('decompress', 'valid chunk', c);
  const chunkPicks = fc.sample(fc.tuple(fc.nat({ max: chunks.length - 1 }), mutations), { seed: SEED + 3, numRuns: MUTANTS / 2 });
  for (const [i, ms] of chunkPicks) {
    const base = chunks[i] as Buffer;
    add('decompress', `${cbufferInfo(base).codec} chunk #${i} mutated`, mutate(base, ms));
  }
  const root = path.join(__dirname, '..', 'fuzz', 'regressions');
  for (const harness of fs.readdirSync(root)) {
    for (const f of fs.readdirSync(path.join(root, harness)).sort()) {
      const bytes = fs.readFileSync(path.join(root, harness, f));
      if (harness === 'fuzz_frame') add('unpack', `fuzz/regressions/${harness}/${f}`, ext42(bytes));
      else add('decompress', `fuzz/regressions/${harness}/${f}`, bytes);
    }
  }
  return inputs;
}

interface ChildResult {
  backend: string;
  outcomes: string[];
  packed: string[];
}

function runChild(backend: 'native' | 'wasm', file: string, valuesFile: string): ChildResult {
  const r = runNode([`${CHILDREN}/differential.ts`, file, valuesFile], { env: { ...process.env, BLOSC2_BACKEND: backend } });
  if (r.status !== 0) throw new Error(`the ${backend} child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

describe('native and wasm backends, differential', () => {
  it('give the same value or the same error code for the same random, mutated and regression inputs, and pack alike', () => {
    const inputs = buildInputs();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-diff-'));
    const file = path.join(dir, 'inputs.json');
    const valuesFile = path.join(dir, 'values.json');
    fs.writeFileSync(file, JSON.stringify(inputs));
    fs.writeFileSync(valuesFile, JSON.stringify(transported()));
    const native = runChild('native', file, valuesFile);
    const wasm = runChild('wasm', file, valuesFile);
    fs.rmSync(dir, { recursive: true, force: true });
    expect([native.backend, wasm.backend]).toEqual(['native', 'wasm']);
    expect(native.outcomes).toHaveLength(inputs.length);

    const all = inputs
      .map((input, i) => ({ input, what: `#${i} ${input.op} ${input.what}`, native: native.outcomes[i], wasm: wasm.outcomes[i] }))
      .filter((m) => m.native !== m.wasm);
    const zstdStricter = (m: (typeof all)[number]) =>
      m.input.op === 'decompress' &&
      m.wasm === 'ERR_CORRUPT' &&
      !/^ERR_|^not a/.test(m.native ?? '') &&
      m.input.what.startsWith('zstd chunk');
    const mismatches = all.filter((m) => !zstdStricter(m)).map(({ what, native: n, wasm: w }) => ({ what, native: n, wasm: w }));
    expect(mismatches).toEqual([]);
    expect(all.length, 'corrupt Zstd chunks only wasm refuses').toBeLessThan(inputs.length / 50);
    // The inputs exercise both sides of the contract: values and errors.
    const errors = native.outcomes.filter((o) => /^ERR_/.test(o)).length;
    expect(errors).toBeGreaterThan(inputs.length / 5);
    expect(inputs.length - errors).toBeGreaterThan(inputs.length / 5);
    expect(native.outcomes.filter((o) => o.startsWith('not a Blosc2Error') || o.startsWith('sync '))).toEqual([]);

    // Packing: the same bytes, or bytes that unpack to the same value.
    expect(native.packed).toHaveLength(VALUE_COUNT);
    let identical = 0;
    native.packed.forEach((a, i) => {
      const b = wasm.packed[i] as string;
      if (a === b) {
        identical++;
        return;
      }
      expect(/^ERR_/.test(a) || /^ERR_/.test(b), `value #${i}: ${a.slice(0, 40)} / ${b.slice(0, 40)}`).toBe(false);
      expect(digest(unpack(Buffer.from(b, 'base64'))), `value #${i}`).toBe(digest(unpack(Buffer.from(a, 'base64'))));
    });
    console.log(
      `differential: ${inputs.length} inputs, ${errors} errors, ${all.length} corrupt Zstd chunks refused by wasm only; ` +
        `${identical} of ${VALUE_COUNT} packed messages byte-identical`,
    );
  });
});

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
// they differ, unpack to the same value. Random access too: the same frames
// (ours, python-blosc2's tiled ones, FrameWriter's, special and foreign ones)
// and mutations of them, opened with openFrame in memory and through a range
// reader and read with get(selection), give the same values or codes; and
// FrameWriter (packChunks), fed the same slabs with good and bad options,
// writes the same frame (or one that reads back as the same value) or fails
// with the same code.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FrameWriterOptions,
  NDArray,
  type PackOptions,
  Packer,
  type Selection,
  cbufferInfo,
  openFrame,
  pack,
  unpack,
} from '../src/index';
import { craftedRecords, validChunks, validMessages } from './children/hostile';
import { ext42 } from './support/bytes';
import { CHILDREN, runNode } from './support/child';
import { optionsArb, valueArb } from './support/arbitraries';
import { type DiffInput, type DiffValue, digest } from './support/differential';
import { mutate, mutationArb } from './support/mutate';
import { arrayCaseArb, caseBytes, caseFrame, selectionArb } from './support/random-access';
import { sampleBytes } from './support/data';

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

const RA_FRAMES = 60;
const RA_MUTANTS = 240;
const RA_WRITES = 80;

/** Frames for openFrame: random geometries of every kind, special, 0-d, plain super-chunk and one-array messages. */
async function raFrames(): Promise<Array<{ what: string; frame: Uint8Array; selections: Selection[] }>> {
  const out: Array<{ what: string; frame: Uint8Array; selections: Selection[] }> = [];
  const selectionsOf = (shape: readonly number[], seed: number) => fc.sample(selectionArb(shape), { seed, numRuns: 3 });
  const cases = fc.sample(arrayCaseArb, { seed: SEED + 10, numRuns: RA_FRAMES });
  for (const c of cases) {
    const frame = await caseFrame(c, caseBytes(c));
    out.push({
      what: `${c.kind} ${c.dtype} ${c.shape.join('x')} in ${c.chunkshape.join('x')}/${c.blockshape.join('x')}`,
      frame,
      selections: selectionsOf(c.shape, c.seed),
    });
  }
  const fixtures = path.join(__dirname, 'fixtures');
  const known: Array<[string, Uint8Array]> = [
    ...fs
      .readdirSync(fixtures)
      .filter((f) => f.endsWith('.b2frame'))
      .map((f): [string, Uint8Array] => [f, fs.readFileSync(path.join(fixtures, f))]),
    [
      'python SChunk',
      Buffer.from(
        (JSON.parse(fs.readFileSync(path.join(__dirname, 'vectors', 'python-schunk-10-bytes.json'), 'utf8')) as { hex: string }).hex,
        'hex',
      ),
    ],
    ['0-d message', pack(new NDArray(new Float64Array([7.5]), []), { threshold: 0 })],
    [
      'Float64Array message',
      pack(
        new Float64Array(5000).map((_, i) => Math.sin(i)),
        { threshold: 0, codec: 'zstd' },
      ),
    ],
  ];
  for (const [what, frame] of known) out.push({ what, frame, selections: selectionsOf(openFrame(frame).shape, 7) });
  return out;
}

/** FrameWriter runs: random geometries, some spoiled (blocks over chunks, rows short or over the shape, options left out). */
function raWrites(): Array<{ what: string; bytes: Uint8Array; writer: { options: FrameWriterOptions; slabs: number[] } }> {
  const spoils = ['none', 'none', 'none', 'blockOverChunk', 'fewerRows', 'moreRows', 'noGeometry', 'chunkOnly', 'clevel0', 'bitshuffle'];
  const arb = fc.record({ c: arrayCaseArb, known: fc.boolean(), spoil: fc.constantFrom(...spoils), async: fc.boolean() });
  return fc.sample(arb, { seed: SEED + 11, numRuns: RA_WRITES }).map(({ c, known, spoil, async }) => {
    let bytes = caseBytes(c);
    const rows = c.shape[0] as number;
    const rowBytes = bytes.byteLength / rows;
    if (spoil === 'fewerRows') bytes = bytes.subarray(0, bytes.byteLength - rowBytes);
    if (spoil === 'moreRows') bytes = Buffer.concat([bytes, sampleBytes(rowBytes, c.seed)]);
    const chunkshape = [...c.chunkshape];
    const blockshape = [...c.blockshape];
    if (spoil === 'blockOverChunk') blockshape[blockshape.length - 1] = (chunkshape[chunkshape.length - 1] as number) + 1;
    const options: FrameWriterOptions = {
      shape: [known ? rows : null, ...c.shape.slice(1)],
      dtype: c.dtype,
      codec: c.codec,
      nthreads: 1,
      async,
      ...(spoil === 'noGeometry' ? {} : { chunkshape }),
      ...(spoil === 'noGeometry' || spoil === 'chunkOnly' ? {} : { blockshape }),
      ...(spoil === 'clevel0' ? { clevel: 0 } : {}),
      ...(spoil === 'bitshuffle' ? { filters: ['bitshuffle'] as const } : {}),
    };
    const slabs: number[] = [];
    for (let at = 0; at < bytes.byteLength; at += c.slabRows * rowBytes) slabs.push(Math.min(c.slabRows * rowBytes, bytes.byteLength - at));
    return {
      what: `${spoil} ${c.codec} ${c.dtype} ${options.shape.join('x')} slabs of ${c.slabRows} rows`,
      bytes,
      writer: { options, slabs },
    };
  });
}

async function raInputs(): Promise<DiffInput[]> {
  const inputs: DiffInput[] = [];
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const frames = await raFrames();
  for (const f of frames) inputs.push({ op: 'lazy', what: f.what, base64: b64(f.frame), selections: f.selections });
  const picks = fc.sample(fc.tuple(fc.nat({ max: frames.length - 1 }), mutations), { seed: SEED + 12, numRuns: RA_MUTANTS });
  for (const [i, ms] of picks) {
    const f = frames[i] as (typeof frames)[number];
    const what = `${f.what}, mutated ${JSON.stringify(ms, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`;
    inputs.push({ op: 'lazy', what, base64: b64(mutate(f.frame, ms)), selections: f.selections });
  }
  for (const w of raWrites()) inputs.push({ op: 'write', what: w.what, base64: b64(w.bytes), writer: w.writer });
  return inputs;
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

  it('give the same values or codes for frames and mutated frames through openFrame and get, and write the same frames', async () => {
    const inputs = await raInputs();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-diff-ra-'));
    const file = path.join(dir, 'inputs.json');
    const valuesFile = path.join(dir, 'values.json');
    fs.writeFileSync(file, JSON.stringify(inputs));
    fs.writeFileSync(valuesFile, '[]');
    const native = runChild('native', file, valuesFile);
    const wasm = runChild('wasm', file, valuesFile);
    fs.rmSync(dir, { recursive: true, force: true });
    expect([native.backend, wasm.backend]).toEqual(['native', 'wasm']);
    expect(native.outcomes).toHaveLength(inputs.length);
    // A frame written with other bytes must still read back as the same value,
    // as pack's must: LZ4 and Zstd hash differently in 32-bit builds (LZ4_hash4
    // where 64-bit ones use LZ4_hash5), so on some inputs they find other matches.
    const value = (o: string | undefined) => /^frame \S+ (value .*)$/.exec(o ?? '')?.[1];
    const all = inputs
      .map((input, i) => ({ what: `#${i} ${input.op} ${input.what}`, native: native.outcomes[i], wasm: wasm.outcomes[i] }))
      .filter((m) => m.native !== m.wasm);
    const mismatches = all.filter((m) => value(m.native) === undefined || value(m.native) !== value(m.wasm));
    expect(mismatches).toEqual([]);
    // Both sides of the contract, for reads and for writes: values and errors.
    const parts = (op: DiffInput['op']) => native.outcomes.filter((_, i) => inputs[i]?.op === op).flatMap((o) => o.split(' | '));
    const reads = parts('lazy');
    const readErrors = reads.filter((o) => /(^|: )ERR_/.test(o)).length;
    expect(readErrors).toBeGreaterThan(reads.length / 10);
    expect(reads.filter((o) => o.startsWith('NDArray(')).length).toBeGreaterThan(reads.length / 4);
    const writes = parts('write');
    expect(writes.filter((o) => o.startsWith('ERR_')).length).toBeGreaterThan(RA_WRITES / 10);
    expect(writes.filter((o) => o.startsWith('frame ')).length).toBeGreaterThan(RA_WRITES / 2);
    expect([...reads, ...writes].filter((o) => o.includes('not a Blosc2Error'))).toEqual([]);
    console.log(
      `differential, random access: ${inputs.length} inputs, ${reads.length} reads (${readErrors} errors), ` +
        `${writes.length} FrameWriter runs (${writes.filter((o) => o.startsWith('ERR_')).length} errors, ` +
        `${all.length} frames with other bytes but the same value: ${all.map((m) => m.what.split(' ')[0]).join(', ')})`,
    );
  });
});

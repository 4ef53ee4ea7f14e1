// Damaged messages (issue 3): random bit flips, byte overwrites and
// truncations of valid pack messages (and of out-of-band buffers) must decode
// to a value or throw a Blosc2Error with a code -- never crash, hang or throw
// anything else. fast-check draws the messages and mutations here (the
// mutation engine of test/support/mutate.ts); the decodes run in a child
// process (test/children/decode-mutations.ts) so that a native crash or a hang
// is seen as a failed test, with the input that caused it.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packer, type PackOptions } from '../src/index';
import { leafArb, optionsArb, valueArb } from '../test/support/arbitraries';
import {
  HEADER_BIASED_AT,
  type MutationCase,
  type MutationReport,
  type TargetedMutation,
  decodeMutationsInChild,
  mutationArb,
} from '../test/support/mutate';

type Mode = MutationCase['mode'];

const MUTATIONS_PER_MESSAGE = 40;

// Bit flips (twice as often), byte overwrites, bursts of flips and truncation;
// half of them in the first bytes, where the msgpack, record and frame headers are.
const targetedMutationArb: fc.Arbitrary<TargetedMutation> = fc
  .tuple(
    fc.constantFrom<TargetedMutation['target']>('message', 'message', 'buffer'),
    mutationArb({
      ops: [
        { op: 'flip', weight: 2 },
        { op: 'set', weight: 1 },
        { op: 'flips', weight: 1 },
        { op: 'truncate', weight: 1 },
      ],
      at: HEADER_BIASED_AT,
    }),
  )
  .map(([target, m]) => ({ ...m, target }));

const caseArb = fc
  .record({
    mode: fc.constantFrom<Mode>('plain', 'plain', 'structuredClone', 'outOfBand'),
    leaf: leafArb,
    rest: valueArb('objects'),
    options: optionsArb,
    mutations: fc.array(targetedMutationArb, { minLength: MUTATIONS_PER_MESSAGE, maxLength: MUTATIONS_PER_MESSAGE }),
  })
  .map(({ mode, leaf, rest, options, mutations }): MutationCase => {
    const all: PackOptions = mode === 'structuredClone' ? { ...options, structuredClone: true } : options;
    const packer = new Packer(all);
    const value = { leaf, rest, again: leaf };
    if (mode === 'outOfBand') {
      const { message, buffers } = packer.packOutOfBand(value);
      return {
        options: { ...all },
        mode,
        message: message.toString('base64'),
        buffers: buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')),
        mutations,
      };
    }
    return { options: { ...all }, mode, message: packer.pack(value).toString('base64'), buffers: [], mutations };
  });

function decodesOf(cases: readonly MutationCase[]): number {
  return cases.reduce((n, c) => n + c.mutations.length * (c.mode === 'outOfBand' ? 1 : 3), 0);
}

describe('damaged messages', () => {
  it('every mutated message decodes to a value or a Blosc2Error, in a child process that neither crashes nor hangs', () => {
    // BLOSC2_MUTATION_SEED replays a run (its seed is in every failure message).
    const seed = Number(process.env['BLOSC2_MUTATION_SEED'] ?? Date.now() % 2 ** 31);
    const cases = fc.sample(caseArb, { seed, numRuns: 80 });
    const { report, status, signal, context } = decodeMutationsInChild(cases);
    const where = `seed ${seed}; ${context}`;
    expect(signal, where).toBeNull();
    expect(status, where).toBe(0);
    const r = report as MutationReport;
    expect(r.other, `${where}\n${JSON.stringify(r.otherExamples).slice(0, 4000)}`).toBe(0);
    expect(r.decodes).toBe(decodesOf(cases));
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    expect(r.values + errors).toBe(r.decodes);
    // Both outcomes occur: the mutations do damage, and some land in harmless bytes.
    expect(r.values).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
    // Only documented codes.
    for (const code of Object.keys(r.errors)) expect(['ERR_CORRUPT', 'ERR_MAX_OUTPUT', 'ERR_UNSUPPORTED', 'ERR_NO_MEMORY']).toContain(code);
  });
});

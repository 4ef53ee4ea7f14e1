/**
 * Decodes mutated pack messages in a process of its own, so that a native
 * crash or a hang fails the parent test (property-tests/mutation.property.test.ts,
 * test/pack-errors.test.ts, through decodeMutationsInChild in
 * test/support/mutate.ts) instead of killing the test runner.
 *
 * Usage: node -r ./test/support/load.cjs test/children/decode-mutations.ts <cases> <progress>
 *   cases: a file of MutationCase[] (test/support/mutate.ts toJson)
 *   progress: before every decode it holds "case/mutation/decoder", so the
 *   parent can name the input that crashed or hung.
 * stdout: one JSON line, a MutationReport.
 */
import * as fs from 'node:fs';
import { Blosc2Error, Packer, type UnpackOptions } from '../../src/index';
import { type MutationCase, type MutationReport, anchorOf, fromJson, mutate } from '../support/mutate';

async function main(): Promise<void> {
  const [casesFile, progressFile] = process.argv.slice(2) as [string, string];
  const cases = fromJson<MutationCase[]>(fs.readFileSync(casesFile, 'utf8'));
  const progress = fs.openSync(progressFile, 'w');
  const mark = (text: string): void => {
    fs.ftruncateSync(progress, 0);
    fs.writeSync(progress, text, 0);
  };
  const report: MutationReport = { decodes: 0, values: 0, errors: {}, other: 0, otherExamples: [] };
  const attempt = async (where: string, input: Uint8Array, decode: () => unknown): Promise<void> => {
    mark(where);
    report.decodes++;
    try {
      await decode();
      report.values++;
    } catch (error) {
      if (error instanceof Blosc2Error && typeof error.code === 'string') {
        report.errors[error.code] = (report.errors[error.code] ?? 0) + 1;
      } else {
        report.other++;
        if (report.otherExamples.length < 5) {
          const e = error as Error | undefined;
          report.otherExamples.push({
            where,
            error: `${e?.constructor?.name}: ${e?.message}`,
            input: Buffer.from(input).toString('hex').slice(0, 2000),
          });
        }
      }
    }
  };
  for (let c = 0; c < cases.length; c++) {
    const k = cases[c] as MutationCase;
    const packer = new Packer(k.options);
    const message = Buffer.from(k.message, 'base64');
    const buffers = k.buffers.map((b) => Buffer.from(b, 'base64'));
    for (let i = 0; i < k.mutations.length; i++) {
      const m = k.mutations[i] as MutationCase['mutations'][number];
      let msg: Buffer = message;
      let bufs: Buffer[] = buffers;
      if (m.target === 'buffer' && buffers.length > 0) {
        const which = anchorOf(m) % buffers.length;
        bufs = buffers.map((b, j) => (j === which ? mutate(b, m) : b));
      } else {
        msg = mutate(message, m);
      }
      const options: UnpackOptions = { maxOutputBytes: 64 * 2 ** 20, ...(k.nthreads ? { nthreads: k.nthreads } : {}) };
      const where = `${c}/${i}`;
      if (k.mode === 'outOfBand') {
        await attempt(`${where}/unpackOutOfBand`, msg, () => packer.unpackOutOfBand(msg, bufs, options));
        continue;
      }
      await attempt(`${where}/unpack`, msg, () => packer.unpack(msg, options));
      await attempt(`${where}/unpackAsync`, msg, () => packer.unpackAsync(msg, options));
      await attempt(`${where}/unpack zeroCopy`, msg, () => packer.unpack(msg, { ...options, zeroCopy: true }));
    }
  }
  mark('done');
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`child failed outside a decode: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(3);
});

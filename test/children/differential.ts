/**
 * Child-process side of test/differential.test.ts: under the backend that
 * BLOSC2_BACKEND names, decodes every input of the JSON file it is given
 * (unpack, unpackAsync, decompress; openFrame and get, in memory and through a
 * range reader; packChunks) and packs every value of the values file,
 * and prints one JSON object: each outcome as a Blosc2Error code
 * or a digest of the value (test/support/differential.ts).
 */
import { readFileSync } from 'node:fs';
import {
  Blosc2Error,
  type LazyArrayBase,
  Packer,
  type Selection,
  decompress,
  openFrame,
  pack,
  packChunks,
  unpack,
  unpackAsync,
  versions,
} from '../../src/index';
import { type DiffInput, type DiffValue, digest } from '../support/differential';

const LIMIT = 16 << 20;

function code(err: unknown): string {
  return err instanceof Blosc2Error ? err.code : `not a Blosc2Error: ${String(err)}`;
}

async function attempt(fn: () => unknown): Promise<string> {
  try {
    return digest(await fn());
  } catch (err) {
    return code(err);
  }
}

/** A frame through openFrame: its attributes, each selection and toArray, in memory and through a range reader. */
async function lazyOutcome(bytes: Buffer, selections: Selection[]): Promise<string> {
  const out: string[] = [];
  const reader = (offset: number, length: number) => Promise.resolve(bytes.subarray(offset, offset + length));
  for (const [where, open] of [
    ['memory', () => openFrame(bytes, { maxOutputBytes: LIMIT })],
    ['range', () => openFrame(reader, { maxOutputBytes: LIMIT })],
  ] as const) {
    let lazy: LazyArrayBase & { get(s?: Selection): unknown; toArray(): unknown };
    try {
      lazy = await open();
    } catch (err) {
      out.push(`${where}: ${code(err)}`);
      continue;
    }
    out.push(`${where}: ${lazy.shape.join('x')} ${lazy.dtype} ${lazy.chunkshape.join('x')} ${lazy.nchunks} ${lazy.cbytes}`);
    for (const sel of selections) out.push(await attempt(() => lazy.get(sel)));
    out.push(await attempt(() => lazy.toArray()));
  }
  return out.join(' | ');
}

/** The frame packChunks writes from slabs of the input's bytes, and what it reads back as. */
async function writeOutcome(bytes: Buffer, writer: NonNullable<DiffInput['writer']>): Promise<string> {
  const slabs: Uint8Array[] = [];
  let at = 0;
  for (const n of writer.slabs) {
    slabs.push(bytes.subarray(at, at + n));
    at += n;
  }
  try {
    const frame = await packChunks(slabs, writer.options);
    return `frame ${digest(frame)} value ${await attempt(() => openFrame(frame).toArray())}`;
  } catch (err) {
    return code(err);
  }
}

/** Child-process entry point: argv ends with the inputs file and the values file. */
async function main(): Promise<void> {
  const [file, valuesFile] = process.argv.slice(-2);
  const inputs = JSON.parse(readFileSync(file as string, 'utf8')) as DiffInput[];
  const outcomes: string[] = [];
  for (const input of inputs) {
    const bytes = Buffer.from(input.base64, 'base64');
    if (input.op === 'lazy') {
      outcomes.push(await lazyOutcome(bytes, input.selections ?? []));
      continue;
    }
    if (input.op === 'write') {
      outcomes.push(await writeOutcome(bytes, input.writer as NonNullable<DiffInput['writer']>));
      continue;
    }
    if (input.op === 'decompress') {
      try {
        outcomes.push(digest(decompress(bytes, { maxOutputBytes: LIMIT })));
      } catch (err) {
        outcomes.push(code(err));
      }
      continue;
    }
    let sync: string;
    try {
      sync = digest(unpack(bytes, { maxOutputBytes: LIMIT }));
    } catch (err) {
      sync = code(err);
    }
    let async: string;
    try {
      async = digest(await unpackAsync(bytes, { maxOutputBytes: LIMIT }));
    } catch (err) {
      async = code(err);
    }
    outcomes.push(sync === async ? sync : `sync ${sync} / async ${async}`);
  }
  const cloner = new Packer({ structuredClone: true });
  const values = JSON.parse(readFileSync(valuesFile as string, 'utf8')) as DiffValue[];
  const packed = values.map(({ transport, options }) => {
    try {
      return Buffer.from(pack(cloner.unpack(Buffer.from(transport, 'base64')), options)).toString('base64');
    } catch (err) {
      return code(err);
    }
  });
  process.stdout.write(JSON.stringify({ backend: versions.backend, outcomes, packed }));
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});

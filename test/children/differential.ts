/**
 * Child-process side of test/differential.test.ts: under the backend that
 * BLOSC2_BACKEND names, decodes every input of the JSON file it is given
 * (unpack, unpackAsync, decompress) and packs every value of the values file,
 * and prints one JSON object: each outcome as a Blosc2Error code
 * or a digest of the value (test/support/differential.ts).
 */
import { readFileSync } from 'node:fs';
import { Blosc2Error, Packer, decompress, pack, unpack, unpackAsync, versions } from '../../src/index';
import { type DiffInput, type DiffValue, digest } from '../support/differential';

const LIMIT = 16 << 20;

function code(err: unknown): string {
  return err instanceof Blosc2Error ? err.code : `not a Blosc2Error: ${String(err)}`;
}

/** Child-process entry point: argv ends with the inputs file and the values file. */
async function main(): Promise<void> {
  const [file, valuesFile] = process.argv.slice(-2);
  const inputs = JSON.parse(readFileSync(file as string, 'utf8')) as DiffInput[];
  const outcomes: string[] = [];
  for (const input of inputs) {
    const bytes = Buffer.from(input.base64, 'base64');
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

/**
 * The published types compile everywhere (issue 14): dist/'s .d.ts, as a user
 * project sees them through package.json's exports, typecheck without
 * skipLibCheck under strict (with exactOptionalPropertyTypes and
 * noUncheckedIndexedAccess), with module node16 and nodenext, from an ES
 * module (.mts) and a CommonJS (.cts) file, against @types/node 20, 22, 24
 * and the newest release (devDependencies @types/node, @types/node-22,
 * @types/node-24, @types/node-latest: npm aliases, so no network here). The
 * user files also pin down the typings: generics, the dtype union, cbufferInfo's
 * names, Packrs of msgpackr's ESM and CommonJS typings; `@ts-expect-error`
 * lines must stay errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type TypecheckProject, typecheckProject } from './support/typecheck';

const MODULES = path.join(__dirname, '..', 'node_modules');
const RELEASES = ['node', 'node-22', 'node-24', 'node-latest'].map((dir) => {
  const folder = path.join(MODULES, '@types', dir);
  const { version } = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { version: string };
  return { folder, version };
});

const ESM = `
import { Packr, Unpackr } from 'msgpackr';
import { MessageChannel, Worker } from 'node:worker_threads';
import blosc2, {
  Blosc2Error,
  NDArray,
  PackStream,
  Packer,
  UnpackStream,
  cbufferInfo,
  compress,
  createSerializer,
  decompress,
  pack,
  postValue,
  receiveValue,
  unpack,
  unpackAsync,
  useBlosc2,
  type CbufferInfo,
  type DType,
  type Filter,
  type PackOptions,
} from 'blosc2';

const options: PackOptions = { codec: 'zstd', clevel: 5, threshold: 0, useRecords: false };
const bytes: Buffer = pack({ t: new Float64Array(4) }, options);
const value = unpack<{ t: Float64Array }>(bytes);
const t: Float64Array = value.t;
const later: Promise<number> = unpackAsync<number>(pack(1));
// @ts-expect-error without a type argument the result is unknown (not inferred from the context)
const unchecked: number = unpack(pack(1));
const nd = new NDArray(new Float32Array(6), [2, 3], '<f4');
const dtype: DType = nd.dtype;
// @ts-expect-error 'float32' is no NumPy dtype string
new NDArray(new Float32Array(6), [6], 'float32');
const info: CbufferInfo = cbufferInfo(compress(t));
const filters: Array<Filter | number> = info.filters;
if (typeof info.codec === 'string') compress(t, { codec: info.codec, filtersMeta: info.filtersMeta });
// @ts-expect-error a codec this build lacks is reported by its numeric id
compress(t, { codec: info.codec });
const out: Buffer = decompress(compress(t));
const into: Float64Array = decompress(compress(t), { out: new Float64Array(4) });
const packr = useBlosc2(new Packr({ useRecords: false }), { threshold: 0, codec: 'lz4' });
const unpackr: Unpackr = useBlosc2(new Unpackr());
const again: unknown = unpackr.unpack(packr.pack(value));
const stream = new PackStream({ codec: 'lz4' }).pipe(new UnpackStream({ maxMessageBytes: 1 << 20 }));
const { port1 } = new MessageChannel();
postValue(port1, value, { mode: 'compress', codec: 'zstd' });
const worker: Worker | undefined = undefined;
if (worker) postValue(worker, value);
const received = receiveValue<{ t: Float64Array }>({});
const serializer = createSerializer({ packer: new Packer({ structuredClone: true }) });
const back: { t: Float64Array } = serializer.deserialize<{ t: Float64Array }>(serializer.serialize(value));
try {
  blosc2.unpack(new Uint8Array(0));
} catch (err) {
  if (err instanceof Blosc2Error && err.code === 'ERR_CORRUPT') console.log(err.message);
}
console.log(later, unchecked, dtype, filters, out, into, again, stream, received, back);
`;

const CJS = `
import blosc2 = require('blosc2');
import { Packer, pack, unpack, useBlosc2, type OutOfBand } from 'blosc2';
import msgpackr = require('msgpackr');

const packer = new Packer({ structuredClone: true, maxOutputBytes: 1 << 20 });
const n: number = unpack<number>(pack(1));
const oob: OutOfBand = blosc2.packOutOfBand({ a: new Int32Array(10_000) });
const packr = useBlosc2(new msgpackr.Packr({ structuredClone: true }));
blosc2.useBlosc2(new msgpackr.Unpackr(), { msgpackr });
console.log(packer, n, oob, packr);
export {};
`;

const projects: TypecheckProject[] = [];
afterAll(() => {
  for (const p of projects) p.dispose();
});

describe.each(RELEASES)('@types/node $version', ({ folder }) => {
  const project = typecheckProject(folder, { 'esm.mts': ESM, 'cjs.cts': CJS });
  projects.push(project);
  it.each(['node16', 'nodenext'] as const)('module %s: an ES module and a CommonJS file typecheck without skipLibCheck', (module) => {
    expect(project.check(['esm.mts', 'cjs.cts'], module)).toEqual([]);
  });
});

it('the matrix covers @types/node 20, 22, 24 and a newer release', () => {
  const majors = RELEASES.map((r) => Number(r.version.split('.')[0]));
  expect(majors.slice(0, 3)).toEqual([20, 22, 24]);
  expect(majors[3]).toBeGreaterThanOrEqual(25);
});

it('a type error in user code is reported (the check is not vacuous)', () => {
  const project = typecheckProject(RELEASES[0]?.folder as string, {
    'bad.mts': "import { pack } from 'blosc2';\npack(1, { clevel: '9' });\n",
  });
  projects.push(project);
  const diagnostics = project.check(['bad.mts'], 'nodenext');
  expect(diagnostics.length).toBe(1);
  expect(diagnostics[0]).toMatch(/^bad\.mts:2: Type 'string' is not assignable to type 'number'/);
});

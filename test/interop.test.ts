/**
 * Interoperability with the real python-blosc2 (FORMAT.md, "python-blosc2").
 *
 * - JS -> Python: messages packed here with threshold 0 (every array an ext 42
 *   frame) are decoded by test/interop/py_decode.py with
 *   `blosc2.msgpack_utils.msgpack_unpackb`, which checks dtype, shape, the
 *   "js" metalayer and the SHA-256 of every array's C-order bytes.
 * - Python -> JS: test/interop/py_encode.py writes messages with
 *   `msgpack_packb` (NDArrays with default and foreign chunk/block shapes, many
 *   dtypes, codecs and filters, super-chunks); our `unpack` must give the same
 *   items, or for what C-Blosc2 2.17.1 / JS cannot hold, the listed Blosc2Error.
 *
 * Needs python3 with python-blosc2 4.14.1, numpy and msgpack: `npm test` installs
 * them into .pydeps (scripts/test-deps.js). Nothing is skipped: without them the
 * suite fails and says how to install them.
 *
 * To check another python-blosc2 by hand: BLOSC2_PYTHON=/path/to/venv/bin/python
 * (and BLOSC2_INTEROP_ALLOW_FALLBACK=1 for releases before 4.2, which lack
 * blosc2.msgpack_utils; the scripts then use to_cframe/from_cframe on ext 42).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Blosc2Error, type Blosc2ErrorCode, type DType, NDArray, type PackOptions, pack, packOutOfBand, unpack } from '../src/index';
import { REPO_ROOT } from './support/child';
import { bytesOf } from './support/compare';
import { fillCompressible } from './support/data';

const SCRIPTS = path.join(__dirname, 'interop');
/** The python-blosc2 release CI installs (scripts/test-deps.js pins the same). */
const PINNED_BLOSC2 = '4.14.1';
const PYTHON = process.env['BLOSC2_PYTHON'] ?? 'python3';
const BY_HAND = process.env['BLOSC2_PYTHON'] !== undefined;
const INSTALL_HINT =
  'The interop tests need python3 with python-blosc2 ' +
  PINNED_BLOSC2 +
  ', numpy and msgpack. ' +
  'Run `node scripts/test-deps.js` (the pretest step of `npm test`, also run by .ci/run), or by hand: ' +
  '`python3 -m pip install --target .pydeps blosc2==' +
  PINNED_BLOSC2 +
  ' numpy msgpack`.';

interface PyResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runPython(script: string, ...args: string[]): PyResult {
  // .pydeps (scripts/test-deps.js) would shadow the blosc2 of a by-hand interpreter.
  const pythonPath = [BY_HAND ? undefined : path.join(REPO_ROOT, '.pydeps'), process.env['PYTHONPATH']]
    .filter(Boolean)
    .join(path.delimiter);
  const r = spawnSync(PYTHON, [path.join(SCRIPTS, script), ...args], {
    env: { ...process.env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
    timeout: 240_000,
  });
  if (r.error) return { status: null, stdout: '', stderr: String(r.error) };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runPythonOk(script: string, ...args: string[]): string {
  const r = runPython(script, ...args);
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

let workDir = '';
let versions: Record<string, string> = {};

beforeAll(() => {
  const probe = runPython('interop_common.py');
  if (probe.status !== 0) {
    throw new Error(`${INSTALL_HINT}\n${PYTHON} said:\n${probe.stderr.slice(-2000)}`);
  }
  versions = JSON.parse(probe.stdout) as Record<string, string>;
  workDir = mkdtempSync(path.join(tmpdir(), 'blosc2-interop-'));
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('python environment', () => {
  it(`is python-blosc2 ${PINNED_BLOSC2} with blosc2.msgpack_utils`, () => {
    console.log(`interop against ${JSON.stringify(versions)}`);
    if (BY_HAND) return; // a by-hand run against another release (see the file comment)
    expect(versions['blosc2'], INSTALL_HINT).toBe(PINNED_BLOSC2);
    expect(versions['codec']).toBe('blosc2.msgpack_utils');
  });
});

// ---------------------------------------------------------------------------
// JS -> Python

type Expect =
  | { kind: 'NDArray'; dtype: string; shape: number[]; nbytes: number; sha256: string; js: string | null }
  | { kind: 'numpy'; dtype: string; shape: number[]; nbytes: number; sha256: string }
  | { kind: 'ext'; code: number; hex: string }
  | { kind: 'plain'; value: unknown };

interface Entry {
  path: Array<string | number>;
  expect: Expect;
}

/** Deterministic bytes: compressible runs with every byte value, so that codecs do real work. */
function typed<T extends ArrayBufferView>(ctor: new (n: number) => T, n: number, seed: number): T {
  const a = new ctor(n);
  fillCompressible(bytesOf(a), seed);
  return a;
}

function smooth(n: number): Float64Array {
  return new Float64Array(n).map((_, i) => Math.sin(i / 100) * 1000 + i * 1e-3);
}

/** What python must see for an array we pack (lossless codecs: the items themselves). */
function expectArray(
  value: ArrayBufferView | ArrayBufferLike | NDArray,
  dtype: string,
  shape: number[],
  js: string | null,
  items?: Uint8Array,
): Expect {
  const bytes = items ?? bytesOf(value instanceof NDArray ? value.data : value);
  return { kind: 'NDArray', dtype, shape, nbytes: bytes.byteLength, sha256: sha256(bytes), js };
}

interface JsMessage {
  name: string;
  value: unknown;
  options: PackOptions;
  entries: Entry[];
  /** Also decoded with python-blosc2's deserialize='safe' policy. */
  safe?: boolean;
}

/** What python must see for an array we pack under the threshold: a numpy.ndarray (ext 46). */
function expectNumpy(value: ArrayBufferView | ArrayBufferLike | NDArray, dtype: string, shape: number[]): Expect {
  const bytes = bytesOf(value instanceof NDArray ? value.data : value);
  return { kind: 'numpy', dtype, shape, nbytes: bytes.byteLength, sha256: sha256(bytes) };
}

function single(
  name: string,
  value: ArrayBufferView | ArrayBufferLike | NDArray,
  dtype: string,
  shape: number[],
  js: string | null,
  options: PackOptions = {},
): JsMessage {
  return {
    name,
    value: { value },
    options: { threshold: 0, ...options },
    entries: [{ path: ['value'], expect: expectArray(value, dtype, shape, js) }],
  };
}

function jsMessages(): JsMessage[] {
  const out: JsMessage[] = [];
  const n = 1000;
  const typedCases: Array<[string, new (n: number) => ArrayBufferView, string]> = [
    ['Int8Array', Int8Array, '|i1'],
    ['Uint8Array', Uint8Array, '|u1'],
    ['Uint8ClampedArray', Uint8ClampedArray, '|u1'],
    ['Int16Array', Int16Array, '<i2'],
    ['Uint16Array', Uint16Array, '<u2'],
    ['Int32Array', Int32Array, '<i4'],
    ['Uint32Array', Uint32Array, '<u4'],
    ['Float32Array', Float32Array, '<f4'],
    ['Float64Array', Float64Array, '<f8'],
    ['BigInt64Array', BigInt64Array, '<i8'],
    ['BigUint64Array', BigUint64Array, '<u8'],
  ];
  typedCases.forEach(([name, ctor, dtype], i) => {
    out.push(single(`typed_${name}`, typed(ctor, n, i + 1), dtype, [n], name));
  });
  out.push(single('typed_Float64Array_one_item', new Float64Array([Math.PI]), '<f8', [1], 'Float64Array'));
  out.push(single('typed_Float64Array_empty', new Float64Array(0), '<f8', [0], 'Float64Array'));
  out.push(single('typed_Float64Array_subarray', new Float64Array(smooth(3000).buffer, 8 * 17, 2000), '<f8', [2000], 'Float64Array'));
  out.push(single('bytes_Buffer', Buffer.from(typed(Uint8Array, 777, 3)), '|u1', [777], 'Buffer'));
  out.push(single('bytes_DataView', new DataView(typed(Uint8Array, 555, 4).buffer, 5, 500), '|u1', [500], 'DataView'));
  out.push(single('bytes_ArrayBuffer', typed(Uint8Array, 333, 5).buffer, '|u1', [333], 'ArrayBuffer'));
  const sab = new SharedArrayBuffer(64);
  fillCompressible(new Uint8Array(sab), 6);
  out.push(single('bytes_SharedArrayBuffer', sab, '|u1', [64], 'SharedArrayBuffer'));

  // N-d arrays (no js metalayer: python's own NDArray dtype and shape say it all).
  const nd = (ctor: new (n: number) => ArrayBufferView & { length: number }, shape: number[], dtype?: DType, seed = 7) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = typed(ctor, size, seed);
    return new NDArray(data as never, shape, dtype);
  };
  const ndCases: Array<[string, NDArray, string]> = [
    ['nd_2x3_f4', nd(Float32Array, [2, 3]), '<f4'],
    ['nd_3d_4x5x6_i2', nd(Int16Array, [4, 5, 6]), '<i2'],
    ['nd_3d_30x40x50_f8', new NDArray(smooth(60_000), [30, 40, 50]), '<f8'],
    ['nd_4d_3x4x5x6_u4', nd(Uint32Array, [3, 4, 5, 6]), '<u4'],
    ['nd_8d_u1', nd(Uint8Array, [2, 2, 2, 2, 2, 2, 2, 3]), '|u1'],
    ['nd_0d_f8', new NDArray(new Float64Array([2.5]), []), '<f8'],
    ['nd_0d_i8', new NDArray(new BigInt64Array([-7n]), []), '<i8'],
    ['nd_1000x1000_f8_blocks', new NDArray(smooth(1_000_000), [1000, 1000]), '<f8'],
    ['nd_bool', nd(Uint8Array, [3, 7], '|b1'), '|b1'],
    ['nd_float16_bits', nd(Uint16Array, [5, 9], '<f2'), '<f2'],
    ['nd_zero_0x3', new NDArray(new Float64Array(0), [0, 3]), '<f8'],
    ['nd_zero_2x0', new NDArray(new Float32Array(0), [2, 0]), '<f4'],
    ['nd_zero_3x0x2', new NDArray(new Int32Array(0), [3, 0, 2]), '<i4'],
  ];
  for (const [name, value, dtype] of ndCases) {
    if (dtype === '|b1') value.data.forEach((x, i, a) => ((a as Uint8Array)[i] = (x as number) & 1));
    out.push(single(name, value, dtype, [...value.shape], null));
  }
  // Items in another class than the dtype's: the js metalayer names it, python just sees |u1.
  out.push(
    single('nd_uint8clamped_u1', new NDArray(typed(Uint8ClampedArray, 60, 8), [6, 10], '|u1'), '|u1', [6, 10], 'NDArray:Uint8ClampedArray'),
  );

  // Several chunks, with a zero-padded edge chunk: 80 MiB of u1 in 4-plane
  // chunks (2 chunks, the second holds 1 plane), and 9M float64 in 1-D.
  const big3d = nd(Uint8Array, [5, 4096, 4096], undefined, 11);
  out.push(single('multichunk_3d_5x4096x4096_u1', big3d, '|u1', [5, 4096, 4096], null));
  out.push(single('multichunk_1d_9000001_f8', new Float64Array(smooth(9_000_001)), '<f8', [9_000_001], 'Float64Array'));

  // Compression parameters python must undo.
  const x = smooth(100_000);
  for (const codec of ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'] as const) {
    out.push(single(`cparams_codec_${codec}`, x, '<f8', [x.length], 'Float64Array', { codec, clevel: 7 }));
  }
  out.push(single('cparams_clevel0', x, '<f8', [x.length], 'Float64Array', { clevel: 0 }));
  out.push(single('cparams_bitshuffle', x, '<f8', [x.length], 'Float64Array', { filters: ['bitshuffle'] }));
  out.push(single('cparams_delta_shuffle', typed(Int32Array, 50_000, 9), '<i4', [50_000], 'Int32Array', { filters: ['delta', 'shuffle'] }));
  out.push(single('cparams_nofilter', x, '<f8', [x.length], 'Float64Array', { filters: ['nofilter'] }));
  out.push(single('cparams_splitmode_always', x, '<f8', [x.length], 'Float64Array', { splitmode: 'always' }));
  out.push(single('cparams_splitmode_never', x, '<f8', [x.length], 'Float64Array', { splitmode: 'never' }));
  out.push(single('cparams_blocksize_4096_nthreads_2', x, '<f8', [x.length], 'Float64Array', { blocksize: 4096, nthreads: 2 }));
  {
    // Lossy: python must see exactly what our own decoder sees.
    const options: PackOptions = { threshold: 0, filters: ['truncPrec', 'shuffle'], filtersMeta: [20, 0] };
    const ours = unpack(pack(x, options)) as Float64Array;
    if (Buffer.from(bytesOf(ours)).equals(bytesOf(x))) throw new Error('truncPrec changed nothing: the case tests nothing');
    out.push({
      name: 'cparams_truncprec',
      value: { value: x },
      options,
      entries: [{ path: ['value'], expect: expectArray(x, '<f8', [x.length], 'Float64Array', bytesOf(ours)) }],
    });
  }

  // A nested envelope: plain values beside arrays, in maps and lists.
  const a = new Float32Array(smooth(300));
  const b = nd(Int16Array, [6, 7]);
  out.push({
    name: 'envelope_nested',
    options: { threshold: 0 },
    value: { n: 1, neg: -5, big: 2 ** 40, f: 1.5, s: 'h\u00e9llo', list: [1, 'x', null, true], nested: { arr: a, deeper: [b] } },
    entries: [
      { path: ['n'], expect: { kind: 'plain', value: 1 } },
      { path: ['neg'], expect: { kind: 'plain', value: -5 } },
      { path: ['big'], expect: { kind: 'plain', value: 2 ** 40 } },
      { path: ['f'], expect: { kind: 'plain', value: 1.5 } },
      { path: ['s'], expect: { kind: 'plain', value: 'h\u00e9llo' } },
      { path: ['list'], expect: { kind: 'plain', value: [1, 'x', null, true] } },
      { path: ['nested', 'arr'], expect: expectArray(a, '<f4', [300], 'Float32Array') },
      { path: ['nested', 'deeper', 0], expect: expectArray(b, '<i2', [6, 7], null) },
    ],
  });
  // Under the default threshold: python-blosc2's own NumPy records (ext 46), every
  // dtype and kind, read as numpy.ndarray (our js key ignored), in "safe" mode too.
  {
    const value: Record<string, unknown> = {};
    const entries: Entry[] = [];
    const add = (key: string, v: ArrayBufferView | ArrayBufferLike | NDArray, dtype: string, shape: number[]) => {
      value[key] = v;
      entries.push({ path: ['arrays', key], expect: expectNumpy(v, dtype, shape) });
    };
    typedCases.forEach(([name, ctor, dtype], i) => add(name, typed(ctor, 100, 20 + i), dtype, [100]));
    add('empty_Float32Array', new Float32Array(0), '<f4', [0]);
    add('Buffer', Buffer.from(typed(Uint8Array, 77, 31)), '|u1', [77]);
    add('DataView', new DataView(typed(Uint8Array, 55, 32).buffer, 3, 50), '|u1', [50]);
    add('ArrayBuffer', typed(Uint8Array, 33, 33).buffer, '|u1', [33]);
    const smallSab = new SharedArrayBuffer(16);
    fillCompressible(new Uint8Array(smallSab), 34);
    add('SharedArrayBuffer', smallSab, '|u1', [16]);
    add('nd_2x3_f4', nd(Float32Array, [2, 3], undefined, 35), '<f4', [2, 3]);
    add('nd_0d_f8', new NDArray(new Float64Array([2.5]), []), '<f8', []);
    add('nd_0x3_i4', new NDArray(new Int32Array(0), [0, 3]), '<i4', [0, 3]);
    const bools = nd(Uint8Array, [3, 5], '|b1', 36);
    const boolBytes = bools.data as Uint8Array;
    boolBytes.forEach((x, i) => (boolBytes[i] = x & 1));
    add('nd_bool', bools, '|b1', [3, 5]);
    add('nd_f2_bits', nd(Uint16Array, [4, 2], '<f2', 37), '<f2', [4, 2]);
    add('nd_8d_u1', nd(Uint8Array, [1, 2, 1, 2, 1, 2, 1, 3], undefined, 38), '|u1', [1, 2, 1, 2, 1, 2, 1, 3]);
    add('nd_uint8clamped', new NDArray(typed(Uint8ClampedArray, 12, 39), [3, 4], '|u1'), '|u1', [3, 4]);
    out.push({ name: 'default_threshold_numpy_records', options: {}, value: { arrays: value, n: 1 }, entries, safe: true });
  }
  // With smallArrays: 'compact' arrays are ext 80 records, which python-blosc2 does not know.
  out.push({
    name: 'compact_raw_is_foreign_to_python',
    options: { smallArrays: 'compact' },
    value: { small: new Int16Array([1, 2, 3]), large: new Float64Array(smooth(2000)) },
    entries: [
      { path: ['small'], expect: { kind: 'ext', code: 80, hex: '04010002000300' } },
      { path: ['large'], expect: expectArray(smooth(2000), '<f8', [2000], 'Float64Array') },
    ],
  });
  return out;
}

/** Built once, at collection time: the test names come from it. */
const JS_MESSAGES = jsMessages();

interface PyReport {
  versions: Record<string, string>;
  results: Array<{ name: string; path: Array<string | number>; ok: boolean; detail: string | null }>;
}

describe('JS -> python-blosc2 (msgpack_unpackb reads our ext 42 frames)', () => {
  let report: PyReport;
  const messages = JS_MESSAGES;
  const packErrors = new Map<string, unknown>();

  beforeAll(() => {
    const manifest: {
      messages: Array<{ name: string; file: string; entries: Entry[]; safe?: boolean }>;
      cframes: Array<{ name: string; file: string; expect: Expect }>;
    } = {
      messages: [],
      cframes: [],
    };
    for (const m of messages) {
      let bytes: Buffer;
      try {
        bytes = pack(m.value, m.options);
      } catch (err) {
        packErrors.set(m.name, err);
        continue;
      }
      writeFileSync(path.join(workDir, `${m.name}.msgpack`), bytes);
      manifest.messages.push({ name: m.name, file: `${m.name}.msgpack`, entries: m.entries, safe: m.safe === true });
    }
    // Out of band: each buffer is a bare CFrame (blosc2.from_cframe), the
    // message holds ext 82 placeholders python does not know.
    const f = new Float64Array(smooth(5000));
    const g = new NDArray(typed(Int16Array, 20 * 30 * 40, 12), [20, 30, 40]);
    const oob = packOutOfBand({ f, g, small: new Uint8Array([1, 2]) }, { threshold: 1024 });
    expect(oob.buffers.length).toBe(2);
    oob.buffers.forEach((buf, i) => writeFileSync(path.join(workDir, `oob_${i}.b2frame`), buf));
    manifest.cframes.push({
      name: 'oob_buffer_0_Float64Array',
      file: 'oob_0.b2frame',
      expect: expectArray(f, '<f8', [5000], 'Float64Array'),
    });
    manifest.cframes.push({ name: 'oob_buffer_1_NDArray', file: 'oob_1.b2frame', expect: expectArray(g, '<i2', [20, 30, 40], null) });
    writeFileSync(path.join(workDir, 'oob.msgpack'), oob.message);
    manifest.messages.push({
      name: 'oob_message',
      file: 'oob.msgpack',
      entries: [
        { path: ['f'], expect: { kind: 'ext', code: 82, hex: '0000000000' } },
        { path: ['g'], expect: { kind: 'ext', code: 82, hex: '0100000000' } },
        { path: ['small'], expect: expectNumpy(new Uint8Array([1, 2]), '|u1', [2]) },
      ],
    });
    writeFileSync(path.join(workDir, 'manifest.json'), JSON.stringify(manifest));
    report = JSON.parse(runPythonOk('py_decode.py', workDir)) as PyReport;
  });

  it('decodes every message (one result per entry, none missing)', () => {
    const expected = messages.filter((m) => !packErrors.has(m.name)).reduce((n, m) => n + m.entries.length, 0) + 3 + 2;
    expect(report.results.length).toBe(expected);
  });

  it.each(JS_MESSAGES.map((m) => m.name))('%s', (name) => {
    expect(packErrors.get(name), `pack failed on the JS side`).toBeUndefined();
    const results = report.results.filter((r) => r.name === name);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r.detail, `${name} ${JSON.stringify(r.path)}`).toBeNull();
  });

  it.each(['oob_message', 'oob_buffer_0_Float64Array', 'oob_buffer_1_NDArray'])('%s', (name) => {
    const results = report.results.filter((r) => r.name === name);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r.detail, `${name} ${JSON.stringify(r.path)}`).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Python -> JS

interface PyManifest {
  versions: Record<string, string>;
  cases: Array<{
    name: string;
    file: string;
    expect:
      | { kind: 'NDArray'; dtype: string; shape: number[]; nbytes: number; sha256: string; head: string[] }
      | { kind: 'SChunk'; nbytes: number; sha256: string };
  }>;
  python_errors: Record<string, string>;
  envelope: { file: string; a: { sha256: string; shape: number[]; dtype: string }; b: { sha256: string; shape: number[]; dtype: string } };
  nondata: Array<{ name: string; file: string }>;
}

/** python-blosc2's frames and records that are not arrays: what unpack says of each. */
const PY_NONDATA: Record<string, RegExp> = {
  lazyarray_meta_and_vlmeta: /lazy expression or UDF \(LazyArray metalayer\)/,
  lazyarray_vlmeta_only: /lazy expression or UDF \(_LazyArray vlmeta\)/,
  b2o_lazyexpr: /persisted 'lazyexpr' object \(b2o metalayer\)/,
  objectarray: /ObjectArray \(vlarray metalayer\)/,
  batcharray: /BatchArray \(batcharray metalayer\)/,
  embedstore: /EmbedStore \(b2embed metalayer\)/,
  ext43_lazyexpr: /ext 43: a python-blosc2 'lazyexpr' object/,
  ext44_complex: /ext 44: a python complex number/,
};

/**
 * python-blosc2 cases our build cannot decode, and the Blosc2Error it gives.
 * C-Blosc2 is built with BUILD_PLUGINS=OFF (deps/build.js), so the plugin
 * filters and codecs python-blosc2 ships (bytedelta, int_trunc, ndcell,
 * ndlz, zfp) are unknown here; NumPy dtypes without a JS array class are refused.
 */
const PY_EXPECTED_ERRORS: Record<string, readonly Blosc2ErrorCode[]> = {
  filter_shuffle_bytedelta: ['ERR_UNSUPPORTED'],
  // C-Blosc2 2.17.1 decodes DELTA after SHUFFLE wrongly (python-blosc2's newer C-Blosc2 does not).
  filter_shuffle_delta: ['ERR_UNSUPPORTED'],
  filter_inttrunc_i4: ['ERR_UNSUPPORTED'],
  plugin_codec_ndlz: ['ERR_UNSUPPORTED'],
  plugin_codec_zfp_prec: ['ERR_UNSUPPORTED'],
  plugin_filter_ndcell: ['ERR_UNSUPPORTED'],
  unsupported_bigendian_i4: ['ERR_UNSUPPORTED'],
  unsupported_complex128: ['ERR_UNSUPPORTED'],
  unsupported_unicode: ['ERR_UNSUPPORTED'],
  unsupported_datetime64: ['ERR_UNSUPPORTED'],
};

/** The cases py_encode.py writes; listed here so that none can silently vanish. */
const PY_CASES = [
  ...['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'bool', 'float16'].flatMap((t) => [
    `dtype_${t}_default`,
    `dtype_${t}_chunks_5x7_blocks_2x3`,
  ]),
  'dims_0d',
  'dims_1d_len1',
  'dims_zero_0x5',
  'dims_zero_3x0x2',
  'dims_3d_custom',
  'dims_3d_default',
  'dims_4d_default',
  'dims_3d_one_chunk_column_blocks',
  'dims_8d',
  'multichunk_default_4M_f8',
  'multichunk_1d_padded_edge',
  'multichunk_2d_rows',
  'multichunk_2d_tiles',
  'codec_blosclz',
  'codec_lz4',
  'codec_lz4hc',
  'codec_zlib',
  'codec_zstd',
  'codec_zstd_clevel9_dict',
  'codec_clevel0_memcpy',
  'filter_nofilter',
  'filter_bitshuffle',
  'filter_delta_shuffle',
  'filter_bitshuffle_delta',
  'filter_shuffle_delta',
  'filter_shuffle_bytedelta',
  'filter_truncprec_f8',
  'filter_inttrunc_i4',
  'splitmode_always_split',
  'splitmode_never_split',
  'splitmode_forward_compat_split',
  'plugin_codec_ndlz',
  'plugin_codec_zfp_prec',
  'plugin_filter_ndcell',
  'unsupported_bigendian_i4',
  'unsupported_complex128',
  'unsupported_unicode',
  'unsupported_datetime64',
  'extra_meta_and_vlmeta',
  'schunk_bytes_partial_last_chunk',
  'schunk_typesize4',
  'schunk_empty',
];

/** The JS class python's dtype string comes back as. */
const CLASS_FOR_DTYPE: Record<string, string> = {
  '|i1': 'Int8Array',
  '|u1': 'Uint8Array',
  '<i2': 'Int16Array',
  '<u2': 'Uint16Array',
  '<i4': 'Int32Array',
  '<u4': 'Uint32Array',
  '<i8': 'BigInt64Array',
  '<u8': 'BigUint64Array',
  '<f4': 'Float32Array',
  '<f8': 'Float64Array',
  '|b1': 'Uint8Array',
  '<f2': typeof (globalThis as Record<string, unknown>)['Float16Array'] === 'function' ? 'Float16Array' : 'Uint16Array',
};

describe('python-blosc2 -> JS (our unpack reads msgpack_packb output)', () => {
  let dir = '';
  let manifest: PyManifest;

  beforeAll(() => {
    dir = path.join(workDir, 'from-python');
    runPythonOk('py_encode.py', dir);
    manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as PyManifest;
  });

  it('wrote every case', () => {
    expect(manifest.cases.map((c) => c.name).sort()).toEqual([...PY_CASES].sort());
  });

  it.each(PY_CASES)('%s', (name) => {
    const c = manifest.cases.find((x) => x.name === name);
    expect(c, `py_encode.py wrote no ${name}: ${manifest.python_errors[name] ?? 'not in its manifest'}`).toBeDefined();
    if (!c) return;
    const bytes = readFileSync(path.join(dir, c.file));
    const codes = PY_EXPECTED_ERRORS[name];
    if (codes) {
      let caught: unknown;
      try {
        unpack(bytes);
      } catch (err) {
        caught = err;
      }
      expect(caught, `${name} should be refused`).toBeInstanceOf(Blosc2Error);
      expect(codes).toContain((caught as Blosc2Error).code);
      return;
    }
    const msg = unpack(bytes) as { case: string; value: unknown };
    expect(msg.case).toBe(name);
    const e = c.expect;
    if (e.kind === 'SChunk') {
      // A frame without the b2nd metalayer: the super-chunk's bytes.
      expect(msg.value).toBeInstanceOf(Uint8Array);
      const u8 = msg.value as Uint8Array;
      expect(u8.byteLength).toBe(e.nbytes);
      expect(sha256(u8)).toBe(e.sha256);
      return;
    }
    expect(msg.value).toBeInstanceOf(NDArray);
    const arr = msg.value as NDArray;
    expect(arr.dtype).toBe(e.dtype);
    expect([...arr.shape]).toEqual(e.shape);
    expect(arr.data.constructor.name).toBe(CLASS_FOR_DTYPE[e.dtype]);
    expect(arr.data.byteLength).toBe(e.nbytes);
    expect(sha256(bytesOf(arr.data)), `${name}: items (python's first items: ${e.head.join(', ')})`).toBe(e.sha256);
  });

  it('reads an envelope: nested maps and lists, 64-bit ints as BigInt, tuples as python-blosc2 lists', () => {
    const v = unpack(readFileSync(path.join(dir, manifest.envelope.file))) as Record<string, unknown>;
    expect(v['ints']).toEqual([0, -1, 127, -32, 2n ** 40n, -(2n ** 63n), 2n ** 64n - 1n]);
    expect(v['float']).toBe(1.5);
    expect(v['str']).toBe('h\u00e9llo');
    expect(Buffer.from(v['bytes'] as Uint8Array).toString('hex')).toBe('0001ff');
    expect(v['none']).toBeNull();
    expect(v['flags']).toEqual([true, false]);
    expect(v['tuple']).toEqual(['__tuple__', 1, 'two']);
    const x = (v['nested'] as { x: [NDArray, { y: NDArray }] }).x;
    expect(x[0]).toBeInstanceOf(NDArray);
    expect([...x[0].shape]).toEqual(manifest.envelope.a.shape);
    expect(sha256(bytesOf(x[0].data))).toBe(manifest.envelope.a.sha256);
    expect(x[1].y.dtype).toBe(manifest.envelope.b.dtype);
    expect(sha256(bytesOf(x[1].y.data))).toBe(manifest.envelope.b.sha256);
  });

  it.each(Object.keys(PY_NONDATA))('refuses what is not an array, naming it: %s', (name) => {
    const entry = manifest.nondata.find((x) => x.name === name);
    expect(entry, `py_encode.py wrote no ${name}`).toBeDefined();
    let caught: unknown;
    try {
      unpack(readFileSync(path.join(dir, (entry as { file: string }).file)));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Blosc2Error);
    expect((caught as Blosc2Error).code).toBe('ERR_UNSUPPORTED');
    expect((caught as Blosc2Error).message).toMatch(PY_NONDATA[name] as RegExp);
  });

  it('reads a python set (ext 45) as a Set', () => {
    const entry = manifest.nondata.find((x) => x.name === 'ext45_set') as { file: string };
    const v = unpack(readFileSync(path.join(dir, entry.file))) as { v: Set<number> };
    expect(v.v).toBeInstanceOf(Set);
    expect([...v.v].sort()).toEqual([1, 2, 3]);
  });

  it('reads plain NumPy arrays (python-blosc2 4.14+ ext 46) as NDArrays', () => {
    const bytes = readFileSync(path.join(dir, 'numpy_ext46.msgpack'));
    const v = unpack(bytes) as { np: NDArray; m: NDArray; flags: NDArray };
    expect(v.np).toBeInstanceOf(NDArray);
    expect(v.np.data).toBeInstanceOf(Int32Array);
    expect([...v.np.data]).toEqual([0, 1, 2, 3]);
    expect(v.m.dtype).toBe('<f8');
    expect([...v.m.shape]).toEqual([2, 3]);
    expect([...v.m.data]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(v.flags.dtype).toBe('|b1');
    expect([...v.flags.data]).toEqual([1, 0]);
  });
});

// The smoke suite that test/runtimes.test.ts runs in Deno and Bun (and Node),
// importing the package by name from a consumer project: round trips sync and
// async, chunks, python-blosc2's frames (the test vectors written by
// python-blosc2), and errors with their codes. Prints one line per failure,
// then `N passed, M failed` and the backend, and exits 1 on any failure.
//
//   <runtime> smoke.mjs <vectors dir> [browser]    browser: import 'blosc2/browser'
const [vectorsDir, flavour] = (globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2)).slice(0, 2);
const lib = await import(flavour === 'browser' ? 'blosc2/browser' : 'blosc2');
const { Blosc2Error, NDArray, compress, decompress, pack, packAsync, unpack, unpackAsync, versions } = lib;

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err?.stack ?? err}`);
  }
}
function assert(ok, what) {
  if (!ok) throw new Error(what);
}
function sameBytes(a, b) {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
function errorCode(fn) {
  try {
    fn();
    return 'value';
  } catch (err) {
    return err instanceof Blosc2Error ? err.code : `not a Blosc2Error: ${err}`;
  }
}
function fromHex(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
async function readText(file) {
  if (globalThis.Deno) return globalThis.Deno.readTextFile(file);
  const fs = await import('node:fs');
  return fs.readFileSync(file, 'utf8');
}

const CTORS = [
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

for (const Ctor of CTORS) {
  await check(`round trip ${Ctor.name}`, () => {
    const a = new Ctor(100_000);
    const bytes = new Uint8Array(a.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
    const back = unpack(pack({ a, small: new Ctor(4) }));
    assert(back.a instanceof Ctor && sameBytes(back.a, a), 'array differs');
    assert(back.small instanceof Ctor && back.small.length === 4, 'small array differs');
  });
}
await check('round trip NDArray, async', async () => {
  const data = new Float32Array(64 * 48).map((_, i) => i / 3);
  const back = await unpackAsync(await packAsync({ img: new NDArray(data, [64, 48]) }));
  assert(back.img instanceof NDArray && back.img.shape.join() === '64,48' && sameBytes(back.img.data, data), 'NDArray differs');
});
await check('compress / decompress', () => {
  const src = new Float64Array(50_000).map((_, i) => Math.floor(i / 10));
  const chunk = compress(src, { codec: 'zstd', clevel: 5, filters: ['shuffle'] });
  assert(chunk.byteLength < src.byteLength / 10, 'did not compress');
  assert(sameBytes(decompress(chunk), src), 'chunk differs');
});
for (const name of ['python-ndarray-2x3-int32', 'python-ndarray-5x4-int16-foreign-chunks', 'python-schunk-10-bytes']) {
  await check(`python-blosc2 frame ${name}`, async () => {
    const vector = JSON.parse(await readText(`${vectorsDir}/${name}.json`));
    const value = unpack(fromHex(vector.hex));
    const spec = vector.value;
    const [key] = spec.$type ? [null] : Object.keys(spec);
    const want = key === null ? spec : spec[key];
    const got = key === null ? value : value[key];
    const data = got instanceof NDArray ? got.data : got;
    assert(data.constructor.name === want.ctor || data.constructor.name === want.$type, `class ${data.constructor.name}`);
    assert(JSON.stringify(Array.from(data)) === JSON.stringify(want.values), 'values differ');
    if (want.shape) assert(JSON.stringify(got.shape) === JSON.stringify(want.shape), 'shape differs');
  });
}
await check('errors: corrupt message, bad argument, output limit', () => {
  const packed = pack(new Float64Array(10_000).map((_, i) => i));
  const cut = packed.subarray(0, packed.length - 100);
  assert(errorCode(() => unpack(cut)) === 'ERR_CORRUPT', `truncated: ${errorCode(() => unpack(cut))}`);
  assert(errorCode(() => pack({}, { codec: 'nope' })) === 'ERR_INVALID_ARG', 'bad codec');
  assert(errorCode(() => unpack(packed, { maxOutputBytes: 1000 })) === 'ERR_MAX_OUTPUT', 'limit');
  assert(errorCode(() => decompress(new Uint8Array(40))) === 'ERR_CORRUPT', 'bad chunk');
});
await check('async errors reject with Blosc2Error', async () => {
  let code = 'resolved';
  await unpackAsync(new Uint8Array([0xc7, 3, 42, 1, 2, 3])).catch((err) => {
    code = err instanceof Blosc2Error ? err.code : String(err);
  });
  assert(code === 'ERR_CORRUPT', code);
});

console.log(`backend: ${versions.backend}`);
console.log(`${passed} passed, ${failed} failed`);
if (failed > 0) {
  if (globalThis.Deno) globalThis.Deno.exit(1);
  else globalThis.process.exit(1);
}

// What the page and its Web Worker check, against the test server of
// test/browser.test.ts: messages Node packed unpack bit-exact here, messages
// packed here are posted back for Node to unpack, hostile messages give the
// Blosc2Error code Node's addon gives (or the same value), and the Web
// Streams classes round-trip. Returns { passed, failures } for the test to assert on.
import { compare, makeValues } from './values.mjs';

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function outcome(lib, fn) {
  try {
    fn();
    return 'value';
  } catch (err) {
    return err instanceof lib.Blosc2Error ? err.code : `not a Blosc2Error: ${err}`;
  }
}

/** Runs every check; `where` names the side ('page' or 'worker') in uploads. */
export async function runChecks(lib, where) {
  const failures = [];
  let passed = 0;
  const check = (name, problems) => {
    if (problems.length === 0) passed++;
    else failures.push(`${where} ${name}: ${problems.slice(0, 3).join('; ')}`);
  };
  const manifest = await (await fetch('/manifest.json')).json();
  const values = makeValues(lib, { big: manifest.big });
  if (lib.versions.backend !== 'wasm') failures.push(`${where}: backend is ${lib.versions.backend}`);

  // Node -> here.
  for (const name of Object.keys(values)) {
    const packed = await bytes(`/packed/${name}`);
    let back;
    try {
      back = lib.unpack(packed, { maxOutputBytes: 2 ** 30 });
    } catch (err) {
      check(`unpack ${name}`, [String(err)]);
      continue;
    }
    check(`unpack ${name}`, compare(values[name], back, name, lib));
  }
  // Here -> Node (the server unpacks with the addon and compares).
  for (const name of Object.keys(values)) {
    const body = name.startsWith('big') ? await lib.packAsync(values[name]) : lib.pack(values[name], { threshold: 0, codec: 'zstd' });
    const r = await fetch(`/upload/${where}/${name}`, { method: 'POST', body });
    const verdict = await r.json();
    check(`pack ${name}`, verdict.problems);
  }
  // Hostile messages: the same outcome as the addon's.
  for (const h of manifest.hostile) {
    const packed = await bytes(`/hostile/${h.index}`);
    const got = outcome(lib, () => lib.unpack(packed, { maxOutputBytes: 64 << 20 }));
    check(`hostile #${h.index} (${h.what})`, got === h.expect ? [] : [`got ${got}, the addon ${h.expect}`]);
  }
  // Chunks: compress / decompress, sync and async.
  const chunkSrc = values['Float64Array-smooth'];
  const chunk = lib.compress(chunkSrc, { codec: 'lz4', clevel: 9 });
  check('compress/decompress', compare(new Uint8Array(chunkSrc.buffer), lib.decompress(chunk), 'chunk', lib));
  const chunk2 = await lib.compressAsync(chunkSrc);
  check('compressAsync/decompressAsync', compare(new Uint8Array(chunkSrc.buffer), await lib.decompressAsync(chunk2), 'chunk', lib));
  check(
    'decompress of a truncated chunk',
    [outcome(lib, () => lib.decompress(chunk.subarray(0, 40)))].filter((c) => c !== 'ERR_CORRUPT'),
  );
  // Web Streams: values -> PackStream -> UnpackStream -> values.
  const streamed = [values.nested, values['ndarray-3d-f32'], { n: 1 }];
  const source = new ReadableStream({
    start(c) {
      for (const v of streamed) c.enqueue(v);
      c.close();
    },
  });
  const received = [];
  await source
    .pipeThrough(new lib.PackStream({ codec: 'lz4' }))
    .pipeThrough(new lib.UnpackStream())
    .pipeTo(new WritableStream({ write: (v) => void received.push(v) }));
  check('PackStream -> UnpackStream', compare(streamed, received, 'stream', lib));
  // A stream of framed messages from Node, through fetch's body.
  const framed = await fetch('/framed');
  const fromNode = [];
  await framed.body.pipeThrough(new lib.UnpackStream()).pipeTo(new WritableStream({ write: (v) => void fromNode.push(v) }));
  check('fetch body -> UnpackStream', compare([values.nested, values['Int32Array-smooth']], fromNode, 'framed', lib));
  // Random access: a frame Node packed, read in place and over HTTP Range requests.
  await randomAccess(lib, values, check);
  return { passed, failures };
}

/** The items of `array` (an NDArray of shape [a, b, c]) at [i, j, k] for i, j, k in the given index lists, as an NDArray's data would hold them. */
function pick(array, is, js, ks) {
  const [, b, c] = array.shape;
  const out = [];
  for (const i of is) for (const j of js) for (const k of ks) out.push(array.data[(i * b + j) * c + k]);
  return out;
}
const range = (start, stop, step = 1) => Array.from({ length: Math.max(0, Math.ceil((stop - start) / step)) }, (_, n) => start + n * step);
const sameItems = (got, want, name) => {
  if (!(got instanceof Object) || got.data === undefined) return [`${name}: not an NDArray`];
  const g = Array.from(got.data);
  if (g.length !== want.length) return [`${name}: ${g.length} items, expected ${want.length}`];
  const at = g.findIndex((v, n) => !Object.is(v, want[n]));
  return at < 0 ? [] : [`${name}: item ${at} is ${g[at]}, expected ${want[at]}`];
};

async function randomAccess(lib, values, check) {
  const array = values['ndarray-3d-f32']; // [16, 32, 64] float32, framed by pack
  const packed = await bytes('/packed/ndarray-3d-f32');
  const lazy = lib.openFrame(packed);
  check('openFrame: shape and dtype', lazy.shape.join() === '16,32,64' && lazy.dtype === '<f4' ? [] : [`${lazy.shape} ${lazy.dtype}`]);
  check('LazyArray.get(row)', sameItems(lazy.get(3), pick(array, [3], range(0, 32), range(0, 64)), 'row'));
  check(
    'LazyArray.get(box)',
    sameItems(lazy.get([[2, 9], [-5], [10, 60, 7]]), pick(array, range(2, 9), range(27, 32), range(10, 60, 7)), 'box'),
  );
  check('LazyArray.get(reversed)', sameItems(lazy.get([[null, null, -1], 0, 1]), pick(array, range(15, -1, -1), [0], [1]), 'reversed'));
  check('LazyArray.toArray', compare(array, lazy.toArray(), 'toArray', lib));
  const inMessage = lib.unpack(packed, { lazy: true });
  check('unpack lazy', sameItems(inMessage.get([5, 5]), pick(array, [5], [5], range(0, 64)), 'lazy'));
  check(
    'openFrame of a cut frame',
    [outcome(lib, () => lib.openFrame(packed.subarray(0, packed.length - 9)).toArray())].filter((c) => c !== 'ERR_CORRUPT'),
  );

  // The README's reader over fetch with HTTP Range requests.
  let status = 0;
  const httpRangeReader = (url) => async (offset, length) => {
    const res = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
    status = res.status;
    return new Uint8Array(await res.arrayBuffer());
  };
  const chunked = await bytes('/packed/chunked-3d-f32'); // the same array in 8 chunks of [2, 32, 64]
  const remote = await lib.openFrame(httpRangeReader('/packed/chunked-3d-f32'));
  const opened = remote.bytesRead;
  const tile = await remote.get([[0, 4], 7]);
  check('AsyncLazyArray over HTTP Range', [
    ...sameItems(tile, pick(array, range(0, 4), [7], range(0, 64)), 'remote'),
    ...(status === 206 ? [] : [`the server answered ${status}`]),
    // Two of the eight chunks, not the frame.
    ...(remote.bytesRead - opened < chunked.length / 3 ? [] : [`get read ${remote.bytesRead - opened} of ${chunked.length} bytes`]),
  ]);

  // A FrameWriter to memory (the only target a browser has); files are Node's.
  const writer = new lib.FrameWriter(null, { shape: [null, 64], dtype: '<f4', chunkshape: [100, 64] });
  for (let i = 0; i < 16; i++) await writer.write(array.data.subarray(i * 2048, (i + 1) * 2048));
  const written = await writer.close();
  const frame = written.frame;
  check('FrameWriter(null) -> openFrame', [
    ...(written.shape.join() === '512,64' ? [] : [`shape ${written.shape}`]),
    ...sameItems(lib.openFrame(frame).get([[500, 503]]), Array.from(array.data.subarray(500 * 64, 503 * 64)), 'written'),
  ]);
  check(
    'FrameWriter to a file path',
    [outcome(lib, () => new lib.FrameWriter('x.b2nd', { shape: [1], dtype: '<f4' }))].filter((c) => c !== 'ERR_UNSUPPORTED'),
  );
}

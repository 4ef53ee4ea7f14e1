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
  return { passed, failures };
}

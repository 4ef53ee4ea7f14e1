'use strict';
// Where the WebAssembly backend's unpack time goes, in CPU time (less swayed
// by a loaded machine than wall time): dataset A's frame decoded by each
// backend into warm memory (an output reused) and into fresh memory (a new
// Buffer, as unpack allocates), and encoded; one process, one thread,
// medians of 7. Needs dist/ and wasm/.
//
//   node bench/wasm-decode.js [A|B|C|D|F]
const path = require('node:path');
const { loadWasm } = require('../dist/backend/load-wasm.js');
const { loadNative } = require('../dist/backend/native.js');
const { resolveCParams } = require('../dist/params.js');
const { DATASETS } = require('./datasets');

const name = process.argv[2] || 'A';
const a = DATASETS[name].make(1);
const ts = a.BYTES_PER_ELEMENT;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
const request = (cparams) => ({
  data: a,
  shape: [a.length],
  itemsize: ts,
  dtype: `<${a instanceof Float64Array || a instanceof Float32Array ? 'f' : a instanceof Uint8Array ? 'u' : 'i'}${ts}`,
  jsKind: a.constructor.name,
  cparams,
});

for (const [backendName, b] of [
  ['wasm', loadWasm()],
  ['native', loadNative()],
]) {
  const cparams = { ...resolveCParams({}, ts), nthreads: 1, threadsBySize: false };
  let frame;
  b.frameEncode({ ...request(cparams), allocate: (n) => (frame = new Uint8Array(n)) });
  const warm = new Uint8Array(a.byteLength);
  const r = { warm: [], fresh: [], encode: [] };
  for (let i = 0; i < 7; i++) {
    for (const [key, out] of [
      ['warm', () => warm],
      ['fresh', () => Buffer.allocUnsafeSlow(a.byteLength)],
    ]) {
      const c = cpu();
      const o = b.frameOpen({ frame });
      b.frameDecode({ frame, handle: o.handle, out: out(), nthreads: 1, threadsBySize: false });
      b.frameClose(o.handle);
      r[key].push(cpu() - c);
    }
    const c = cpu();
    b.frameEncode({ ...request(cparams), allocate: (n) => new Uint8Array(n) });
    r.encode.push(cpu() - c);
  }
  console.log(
    `${path.basename(__filename)} ${name} ${backendName}: decode into warm memory ${median(r.warm).toFixed(1)} ms, ` +
      `into fresh memory ${median(r.fresh).toFixed(1)} ms, encode ${median(r.encode).toFixed(1)} ms (CPU time, medians of 7)`,
  );
}

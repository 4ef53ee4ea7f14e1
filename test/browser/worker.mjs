// The module Web Worker of test/browser/page.html: the same checks as the
// page, and an echo of postValue messages (checked against its own values).
import * as lib from '/dist/browser/blosc2.js';
import { runChecks } from './checks.mjs';
import { compare, makeValues } from './values.mjs';

self.onmessage = async (e) => {
  const { cmd, mode, message } = e.data;
  if (cmd === 'checks') {
    self.postMessage(await runChecks(lib, 'worker'));
    return;
  }
  const value = lib.receiveValue(message);
  const v = makeValues(lib);
  const problems = compare({ nested: v.nested, f64: v['Float64Array-random'], nd: v['ndarray-3d-f32'] }, value, `worker got ${mode}`, lib);
  const reply = lib.encodeValue(value, { mode });
  self.postMessage({ problems, message: reply.message }, reply.transferList);
};
// Messages that arrive while the module still loads (the bundle awaits its
// WebAssembly module) would find no handler: say when there is one.
self.postMessage({ ready: true });

// The published build's ESM entry point (dist/index.mjs), for test/dist.test.ts.
// `node dist-entry.mjs esm`: imports dist/index.mjs alone and prints its
// names and checks. `node dist-entry.mjs both`: imports it and requires
// dist/index.js in one process, and reports whether they are one instance
// (every export identical, values and errors cross between them), also when
// loaded by the package's own name (package.json "exports").
import { createRequire } from 'node:module';
import * as esm from '../../dist/index.mjs';

const require = createRequire(import.meta.url);
const { DIST_CJS, namesOf, checks } = require('./dist-entry.cjs');

let out;
if (process.argv[2] === 'esm') {
  out = { names: namesOf(esm), checks: checks(esm, esm) };
} else {
  const cjs = require(DIST_CJS);
  const byName = await import('blosc2');
  out = {
    identical: namesOf(esm).filter((n) => esm[n] !== cjs[n]),
    defaultIsCjs: esm.default === cjs,
    byNameRequire: require('blosc2') === cjs,
    byNameImport: namesOf(byName).every((n) => byName[n] === cjs[n]) && namesOf(byName).length === namesOf(cjs).length,
    esmToCjs: checks(esm, cjs),
    cjsToEsm: checks(cjs, esm),
  };
}
process.stdout.write(`${JSON.stringify(out)}\n`);

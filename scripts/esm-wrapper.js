// Writes dist/index.mjs: an ESM face over the CommonJS build, so both module
// systems share one instance (one Blosc2Error class, one set of Packers). It
// also hands msgpackr's ES module build to the core: that build is a msgpackr
// instance of its own, apart from the CommonJS one the core loads, and
// useBlosc2 must register the extension on the instance a user's Packr comes
// from (src/msgpack/instances.ts).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => n !== 'default' && n !== '__esModule');
const lines = [
  "import cjs from './index.js';",
  "import * as msgpackr from 'msgpackr';",
  "import { adoptMsgpackr } from './msgpack/instances.js';",
  'adoptMsgpackr(msgpackr);',
  `export const { ${names.join(', ')} } = cjs;`,
  'export default cjs;',
  '',
];
fs.writeFileSync(path.join(dist, 'index.mjs'), lines.join('\n'));

// Writes dist/index.mjs: an ESM face over the CommonJS build, so both module
// systems share one instance (one Blosc2Error class, one msgpackr registration).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => n !== 'default' && n !== '__esModule');
const lines = ["import cjs from './index.js';", `export const { ${names.join(', ')} } = cjs;`, 'export default cjs;', ''];
fs.writeFileSync(path.join(dist, 'index.mjs'), lines.join('\n'));

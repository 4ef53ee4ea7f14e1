#!/usr/bin/env node
// Formats (--write) or checks (--check) the C and C++ of native/, fuzz/ and
// deps/wasm/ with clang-format 14 (.clang-format), the version scripts/test-deps.js
// installs, so that every machine formats alike.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const mode = process.argv[2];
if (mode !== '--write' && mode !== '--check') {
  process.stderr.write('usage: clang-format.js --write | --check\n');
  process.exit(2);
}

function sources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(cc|h|c)$/.test(entry.name)) out.push(path.join(entry.parentPath ?? entry.path, entry.name));
  }
  return out;
}

const files = ['native', 'fuzz', 'deps/wasm'].flatMap(sources).sort();
const bin = ['clang-format-14', 'clang-format'].find((b) => spawnSync(b, ['--version'], { stdio: 'ignore' }).status === 0);
if (!bin) {
  process.stderr.write('clang-format 14 is missing (Debian: apt-get install clang-format-14; npm test installs it)\n');
  process.exit(1);
}
const args = mode === '--write' ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const r = spawnSync(bin, args, { stdio: 'inherit' });
if (r.status !== 0 && mode === '--check') process.stderr.write('C/C++ not formatted: run `npm run format`\n');
process.exit(r.status ?? 1);

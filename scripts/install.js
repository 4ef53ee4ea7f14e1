#!/usr/bin/env node
// package.json "install": keeps the prebuilt addon when it loads on this
// machine (linux-x64: nothing is compiled or downloaded), else builds the addon
// from source (deps/build.js, then cmake-js). A failed source build fails the
// install unless the package ships a WebAssembly module to fall back on.
//
// BLOSC2_BUILD_FROM_SOURCE=1 (or `npm install --build-from-source`) builds from
// source even where the prebuilt loads; src/backend/native.ts then prefers
// that local build (build/Release/blosc2.node).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function log(msg) {
  process.stderr.write(`[blosc2 install] ${msg}\n`);
}

/** Whether the addon file loads, tried in a child so that a crash cannot take npm down; else why not. */
function loadFailure(file) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status === 0) return null;
  const line = r.stderr.split('\n').find((l) => /Error/.test(l));
  return (line || r.stderr || `exit status ${r.status}`).trim();
}

/** The .wasm files the package ships (under the folders of package.json "files"): the WebAssembly backend. */
function shippedWasm() {
  const { files = [] } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const found = [];
  const walk = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else if (p.endsWith('.wasm')) found.push(p);
  };
  for (const entry of files) if (!entry.startsWith('!')) walk(path.join(root, entry));
  return found;
}

function buildFromSource() {
  let cmakeJs;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  } catch {
    log('cmake-js (a dependency of blosc2) is not installed');
    return false;
  }
  const steps = [[path.join(root, 'deps', 'build.js')], [cmakeJs, 'compile', '--out', 'build']];
  for (const args of steps) {
    log(`$ node ${args.map((a) => path.relative(root, a) || a).join(' ')}`);
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) return false;
  }
  return true;
}

function main() {
  const forced = process.env.BLOSC2_BUILD_FROM_SOURCE === '1' || process.env.npm_config_build_from_source === 'true';
  const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'blosc2.node');
  if (forced) {
    log('building from source, as asked (BLOSC2_BUILD_FROM_SOURCE / --build-from-source)');
  } else if (fs.existsSync(prebuilt)) {
    const why = loadFailure(prebuilt);
    if (why === null) {
      log(`using the prebuilt addon ${path.relative(root, prebuilt)}; nothing to compile`);
      return 0;
    }
    log(`the prebuilt addon ${path.relative(root, prebuilt)} does not load here (${why}); building from source`);
  } else {
    log(`no prebuilt addon for ${process.platform}-${process.arch}; building from source`);
  }
  if (buildFromSource()) return 0;
  const wasm = shippedWasm();
  if (wasm.length > 0) {
    log(`the source build failed; blosc2 will use its WebAssembly backend (${path.relative(root, wasm[0])})`);
    return 0;
  }
  log('the source build failed, and this package has no WebAssembly backend to fall back on (see the messages above)');
  return 1;
}

process.exitCode = main();

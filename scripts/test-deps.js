#!/usr/bin/env node
// Installs what the test suite uses beyond npm packages, only where missing:
// redis-server (the cache round trip runs against a real Redis), Debian's
// chromium (test/browser.test.ts drives it headless), clang 14 with
// its fuzzer and sanitizer runtimes and llvm's symbolizer (the sanitizer fuzz
// run of fuzz/run.sh), clang-format 14 (`npm run lint`), and python-blosc2 + numpy + msgpack
// for the interoperability tests, into a project-local folder (.pydeps) so the
// system's Python is left alone; then builds the test-only addon, and the
// prebuilt linux-x64 addon that the consumer test packs (scripts/build-prebuilt.js,
// skipped when its inputs are unchanged). Run by `npm test` (pretest) and .ci/run.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const pydeps = path.join(root, '.pydeps');
// Pinned: the python-blosc2 release the interoperability tests were written
// against, and the numpy and msgpack it was checked with.
const PY_PACKAGES = ['blosc2==4.14.1', 'numpy==2.4.6', 'msgpack==1.2.4'];
const APT = ['redis-server', 'chromium', 'clang-14', 'libclang-rt-14-dev', 'llvm-14', 'clang-format-14'];

function log(msg) {
  process.stderr.write(`[test deps] ${msg}\n`);
}
function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function installed(pkg) {
  return spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;
}

const pkgs = has('dpkg') ? APT.filter((p) => !installed(p)) : APT.filter((p) => !has(p === 'llvm-14' ? 'llvm-symbolizer-14' : p));
if (pkgs.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    log(`missing ${pkgs.join(', ')}: install them with your package manager (Debian/Ubuntu package names)`);
    process.exit(1);
  }
  log(`installing ${pkgs.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
}

const probe = spawnSync('python3', ['-c', 'import blosc2, numpy, msgpack, blosc2.msgpack_utils; print(blosc2.__version__)'], {
  env: { ...process.env, PYTHONPATH: pydeps },
  encoding: 'utf8',
});
if (probe.status !== 0 || probe.stdout.trim() !== PY_PACKAGES[0].split('==')[1]) {
  log(`installing ${PY_PACKAGES.join(' ')} into .pydeps (pip)`);
  fs.rmSync(pydeps, { recursive: true, force: true });
  execFileSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', pydeps, ...PY_PACKAGES], {
    stdio: 'inherit',
  });
}

// The test-only addon (reference encoders; never part of the product): the
// same cmake build as the product's, with the test target switched on. The
// dependencies first: an install that kept the prebuilt addon built none.
execFileSync(process.execPath, [path.join(root, 'deps', 'build.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
log('building the test-only addon (build/Release/blosc2_test.node)');
// configure, then build: `cmake-js compile` skips configuring a build tree
// that exists (the one npm install made), and with it the switch.
for (const step of ['configure', 'build']) {
  execFileSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), step, '--out', 'build', '--CDBLOSC2_TEST_ADDON=ON'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

if (process.platform === 'linux' && process.arch === 'x64') {
  log('building the prebuilt addon (prebuilds/linux-x64/blosc2.node) if its inputs changed');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-prebuilt.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

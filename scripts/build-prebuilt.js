#!/usr/bin/env node
// Builds the prebuilt addon that the npm package carries,
// prebuilds/linux-x64/blosc2.node: C-Blosc2, its codecs and the addon compiled
// with zig for x86_64-linux-gnu.2.28, so that it references no glibc symbol
// newer than 2.28 (it loads wherever Node 20's own Linux binaries run) and
// carries its C++ runtime (zig links libc++ statically). Run by `npm pack`
// (prepack) and by `npm test` (scripts/test-deps.js); it rebuilds nothing when
// its inputs are unchanged.
//
// zig comes from PyPI (the `ziglang` wheel ships the binary), installed with
// pip into deps/build/zig. LLVM's compiler-rt builtins (Debian's
// libclang-rt-14-dev, which `npm test` installs anyway) supply __cpu_model,
// which C-Blosc2's runtime SIMD dispatch reads and zig's own runtime lacks.
'use strict';

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const ZIG_VERSION = '0.15.2';
const TARGET = 'x86_64-linux-gnu.2.28';
/** The newest glibc symbol version the prebuilt may reference. */
const MAX_GLIBC = '2.28';
const work = path.join(root, 'deps', 'build', 'prebuilt');
const zigHome = path.join(root, 'deps', 'build', 'zig');
const zigBin = path.join(zigHome, 'ziglang', 'zig');
const output = path.join(root, 'prebuilds', 'linux-x64', 'blosc2.node');
const notices = path.join(path.dirname(output), 'THIRD-PARTY-LICENSES.txt');

function log(msg) {
  process.stderr.write(`[blosc2 prebuilt] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[blosc2 prebuilt] ERROR: ${msg}\n\n`);
  process.exit(1);
}

// Children write to stderr only: `npm pack --json` keeps stdout for its JSON.
function run(cmd, args, env = process.env) {
  log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd: root, env, stdio: ['ignore', 2, 2] });
}

function zigVersion() {
  try {
    return execFileSync(zigBin, ['version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function ensureZig() {
  if (zigVersion() === ZIG_VERSION) return;
  log(`installing zig ${ZIG_VERSION} (PyPI: ziglang) into deps/build/zig`);
  fs.rmSync(zigHome, { recursive: true, force: true });
  run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', zigHome, `ziglang==${ZIG_VERSION}`]);
  if (zigVersion() !== ZIG_VERSION) fail(`zig ${ZIG_VERSION} did not install into ${zigHome}`);
}

// cmake, configure and make take one program per tool: small shell wrappers
// that pin the target and keep zig's caches inside deps/build.
function writeWrappers() {
  const dir = path.join(work, 'bin');
  fs.mkdirSync(dir, { recursive: true });
  const cache = path.join(root, 'deps', 'build', 'zig-cache');
  const tools = {
    cc: `cc -target ${TARGET} -mcpu=baseline`,
    'c++': `c++ -target ${TARGET} -mcpu=baseline`,
    ar: 'ar',
    ranlib: 'ranlib',
  };
  const paths = {};
  for (const [name, cmd] of Object.entries(tools)) {
    const file = path.join(dir, `zig-${name}`);
    const text = [
      '#!/bin/sh',
      `export ZIG_GLOBAL_CACHE_DIR='${cache}' ZIG_LOCAL_CACHE_DIR='${cache}'`,
      `exec '${zigBin}' ${cmd} "$@"`,
      '',
    ].join('\n');
    fs.writeFileSync(file, text, { mode: 0o755 });
    paths[name] = file;
  }
  return paths;
}

// LLVM's compiler-rt builtins for x86_64, newest first (Debian installs them
// under /usr/lib/llvm-N with libclang-rt-N-dev).
function compilerRt() {
  const found = [];
  const base = '/usr/lib';
  for (const llvm of fs.existsSync(base) ? fs.readdirSync(base).filter((d) => /^llvm-\d+$/.test(d)) : []) {
    const clangDir = path.join(base, llvm, 'lib', 'clang');
    if (!fs.existsSync(clangDir)) continue;
    for (const ver of fs.readdirSync(clangDir)) {
      for (const rel of ['lib/linux/libclang_rt.builtins-x86_64.a', 'lib/x86_64-pc-linux-gnu/libclang_rt.builtins.a']) {
        const file = path.join(clangDir, ver, rel);
        if (fs.existsSync(file)) found.push({ file, major: Number(llvm.slice(5)) });
      }
    }
  }
  found.sort((a, b) => b.major - a.major);
  if (found.length === 0) {
    fail("LLVM's compiler-rt builtins were not found under /usr/lib/llvm-*: install Debian's libclang-rt-14-dev (npm test does).");
  }
  return found[0].file;
}

// The licence texts of what the prebuilt carries (BSD and MIT terms ask for
// them beside a binary), from the pinned tarballs and zig's own tree.
const LICENSE_FILES = {
  'c-blosc2': ['LICENSE.txt', 'LICENSES/BITSHUFFLE.txt', 'LICENSES/FASTLZ.txt'],
  lz4: ['lib/LICENSE'],
  zstd: ['LICENSE'],
  zlib: ['LICENSE'],
};

async function writeNotices() {
  const { manifest, obtain } = require('../deps/sources.js');
  const parts = ['Third-party software linked into blosc2.node, and the terms it is distributed under.\n'];
  for (const pkg of manifest.packages) {
    const tarball = await obtain(pkg);
    const members = execFileSync('tar', ['-tf', tarball], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
    for (const rel of LICENSE_FILES[pkg.name] ?? []) {
      const member = members.find((m) => m.split('/').slice(1).join('/') === rel);
      if (!member) fail(`${pkg.file} has no ${rel}`);
      const text = execFileSync('tar', ['-xOf', tarball, member], { encoding: 'utf8' });
      parts.push(`==== ${pkg.name} ${pkg.version}: ${rel} ====\n\n${text.trim()}\n`);
    }
  }
  const zigLib = path.join(zigHome, 'ziglang');
  for (const [what, rel] of [
    [`zig ${ZIG_VERSION} (its compiler runtime)`, 'LICENSE'],
    ['libc++ (LLVM; compiler-rt, for __cpu_model, is under the same terms)', 'lib/libcxx/LICENSE.TXT'],
    ['libc++abi (LLVM)', 'lib/libcxxabi/LICENSE.TXT'],
    ['libunwind (LLVM)', 'lib/libunwind/LICENSE.TXT'],
  ]) {
    parts.push(`==== ${what}: ${rel} ====\n\n${fs.readFileSync(path.join(zigLib, rel), 'utf8').trim()}\n`);
  }
  fs.writeFileSync(notices, parts.join('\n'));
}

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

// Everything the prebuilt is made from: a change to any of these rebuilds it.
function inputsHash(rt) {
  const files = ['CMakeLists.txt', 'deps/build.js', 'deps/sources.js', 'deps/manifest.json', 'scripts/build-prebuilt.js'];
  for (const dir of ['native', 'native/addon']) {
    for (const f of fs.readdirSync(path.join(root, dir))) if (/\.(cc|h|map)$/.test(f)) files.push(`${dir}/${f}`);
  }
  const h = crypto.createHash('sha256');
  for (const f of files.sort()) h.update(`${f}\0`).update(fs.readFileSync(path.join(root, f)));
  for (const pkg of ['node-addon-api', 'node-api-headers']) h.update(require(`${pkg}/package.json`).version);
  h.update(ZIG_VERSION).update(TARGET).update(fs.readFileSync(rt));
  return h.digest('hex');
}

/**
 * What makes a built addon unfit to ship: glibc symbol versions above
 * MAX_GLIBC, any GLIBCXX/CXXABI (libstdc++) requirement, or an exported symbol
 * other than the Node-API entry points. Read with readelf (binutils).
 */
function abiProblems(file) {
  const problems = [];
  const versions = execFileSync('readelf', ['-V', '-W', file], { encoding: 'utf8' });
  for (const m of versions.matchAll(/Name: (GLIBC(?:XX)?_[\d.]+|CXXABI_[\d.]+)/g)) {
    const name = m[1];
    if (!name.startsWith('GLIBC_')) problems.push(`requires ${name} (libstdc++)`);
    else if (compareVersions(name.slice(6), MAX_GLIBC) > 0) problems.push(`requires ${name} (newer than ${MAX_GLIBC})`);
  }
  const exported = execFileSync('nm', ['-D', '--defined-only', file], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[2])
    .filter(Boolean);
  for (const sym of exported) {
    if (sym !== 'napi_register_module_v1' && sym !== 'node_api_module_get_api_version_v1') problems.push(`exports ${sym}`);
  }
  return problems;
}

function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    // A pack elsewhere (a git dependency, say) carries no prebuilt; its
    // install then builds from source.
    log(`no prebuilt addon made on ${process.platform}-${process.arch}: it is built on linux-x64`);
    return;
  }
  const rt = compilerRt();
  const stampFile = path.join(work, 'stamp.json');
  const wanted = inputsHash(rt);
  if (fs.existsSync(stampFile) && fs.existsSync(output) && fs.existsSync(notices)) {
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    if (stamp.inputs === wanted && stamp.output === sha256(fs.readFileSync(output))) {
      log(`${path.relative(root, output)} is up to date`);
      return;
    }
  }

  ensureZig();
  const tools = writeWrappers();
  const config = path.join(work, 'config.json');
  run(process.execPath, [path.join(root, 'deps', 'build.js')], {
    ...process.env,
    CC: tools.cc,
    AR: tools.ar,
    RANLIB: tools.ranlib,
    // LLVM 18+ wants evex512 named beside -mavx512f/-mavx512bw, which C-Blosc2
    // puts on its AVX512 file alone; on other files it enables nothing.
    CFLAGS: '-O3 -mevex512',
    BLOSC2_DEPS_PREFIX: path.join(work, 'prefix'),
    BLOSC2_DEPS_CONFIG: config,
    BLOSC2_USE_SYSTEM: '',
    BLOSC2_SOURCE: '',
  });

  const out = path.join(work, 'addon');
  run(process.execPath, [
    require.resolve('cmake-js/bin/cmake-js'),
    'compile',
    '--out',
    out,
    '--target',
    'blosc2',
    '--cc',
    tools.cc,
    '--cxx',
    tools['c++'],
    `--CDCMAKE_AR=${tools.ar}`,
    `--CDCMAKE_RANLIB=${tools.ranlib}`,
    `--CDBLOSC2_DEPS_CONFIG=${config}`,
    `--CDBLOSC2_EXTRA_LIBS=${rt}`,
    // No debug information (zig's libc++ carries some): a tenth of the size.
    '--CDCMAKE_SHARED_LINKER_FLAGS=-s',
  ]);

  const built = path.join(out, 'Release', 'blosc2.node');
  const problems = abiProblems(built);
  if (problems.length > 0) fail(`${built} is not fit to ship:\n  ${problems.join('\n  ')}`);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.copyFileSync(built, output);
  await writeNotices();
  fs.writeFileSync(stampFile, JSON.stringify({ inputs: wanted, output: sha256(fs.readFileSync(output)) }, null, 2));
  log(`wrote ${path.relative(root, output)} (${fs.statSync(output).size} bytes, glibc <= ${MAX_GLIBC}, static libc++)`);
}

if (require.main === module) main().catch((err) => fail(err.stack || String(err)));

module.exports = { abiProblems, MAX_GLIBC, output };

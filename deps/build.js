#!/usr/bin/env node
// Obtains C-Blosc2 and its codecs (zlib, LZ4, Zstd), verifies them and builds
// them as static, position-independent libraries under deps/build/prefix, so
// that the addon links them in and loads on any machine of the same platform.
//
// Where the sources come from, first match wins:
//   1. BLOSC2_USE_SYSTEM=1: an installed C-Blosc2 >= 2.17 found by pkg-config;
//      nothing is built here and the addon links the system library.
//   2. BLOSC2_SOURCE=<dir or tarball>: the user's own C-Blosc2 source (not
//      checksummed: the user vouches for it). Codecs still come from the pins.
//   3. Each pinned file of deps/manifest.json, from deps/downloads/ (cache), from
//      the folder named by BLOSC2_DEPS_DIR, or else from the Debian source
//      archive of the mirror that this machine's apt sources already name, found
//      with `apt-get source --print-uris` under a private apt configuration that
//      leaves the system's apt state untouched. Every file must match its pinned
//      SHA-256 before it is unpacked. (deps/sources.js does this for both
//      deps/build.js and deps/build-wasm.js.)
//
// Other knobs: BLOSC2_DEPS_PREFIX (install folder, default deps/build/prefix),
// BLOSC2_DEPS_CONFIG (the config.json that CMakeLists.txt reads, default
// deps/build/config.json), CC / CFLAGS / AR / RANLIB (e.g. for a sanitizer
// build, or zig for the prebuilt addon), BLOSC2_DEPS_JOBS (parallel jobs).
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { depsDir, manifest, log, fail, run, hasCommand, sourceTree, cleanup } = require('./sources.js');

const buildDir = path.join(depsDir, 'build');
const prefix = path.resolve(process.env.BLOSC2_DEPS_PREFIX || path.join(buildDir, 'prefix'));
const jobs = String(process.env.BLOSC2_DEPS_JOBS || Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
const cflags = `${process.env.CFLAGS || '-O3'} -fPIC`;

function cmakeBuild(src, name, args) {
  const bdir = path.join(buildDir, 'cmake', name);
  fs.rmSync(bdir, { recursive: true, force: true });
  const gen = hasCommand('ninja') ? ['-G', 'Ninja'] : [];
  run('cmake', [
    '-S',
    src,
    '-B',
    bdir,
    ...gen,
    '-DCMAKE_BUILD_TYPE=Release',
    '-DCMAKE_POSITION_INDEPENDENT_CODE=ON',
    `-DCMAKE_INSTALL_PREFIX=${prefix}`,
    `-DCMAKE_PREFIX_PATH=${prefix}`,
    '-DCMAKE_INSTALL_LIBDIR=lib',
    `-DCMAKE_C_FLAGS=${cflags}`,
    ...(process.env.AR ? [`-DCMAKE_AR=${process.env.AR}`] : []),
    ...(process.env.RANLIB ? [`-DCMAKE_RANLIB=${process.env.RANLIB}`] : []),
    ...args,
  ]);
  run('cmake', ['--build', bdir, '--parallel', jobs]);
  run('cmake', ['--install', bdir]);
}

const builders = {
  zlib(src) {
    const env = { ...process.env, CFLAGS: cflags };
    run('./configure', ['--static', `--prefix=${prefix}`], { cwd: src, env });
    run('make', [`-j${jobs}`, 'libz.a'], { cwd: src, env });
    run('make', ['install'], { cwd: src, env });
  },
  lz4(src) {
    const args = [
      `-j${jobs}`,
      '-C',
      'lib',
      `CFLAGS=${cflags}`,
      'BUILD_SHARED=no',
      `PREFIX=${prefix}`,
      'LIBDIR=' + path.join(prefix, 'lib'),
    ];
    run('make', [...args, 'liblz4.a'], { cwd: src });
    run('make', [...args, 'install'], { cwd: src });
  },
  zstd(src) {
    const args = [`-j${jobs}`, '-C', 'lib', `CFLAGS=${cflags}`, `PREFIX=${prefix}`, 'LIBDIR=' + path.join(prefix, 'lib')];
    run('make', [...args, 'libzstd.a'], { cwd: src });
    run('make', [...args, 'install-static', 'install-includes'], { cwd: src });
  },
  'c-blosc2'(src) {
    cmakeBuild(src, 'c-blosc2', [
      '-DBUILD_STATIC=ON',
      '-DBUILD_SHARED=OFF',
      '-DBUILD_TESTS=OFF',
      '-DBUILD_FUZZERS=OFF',
      '-DBUILD_BENCHMARKS=OFF',
      '-DBUILD_EXAMPLES=OFF',
      // The plugins (and the known CVEs of C-Blosc2 that live in them) stay out.
      '-DBUILD_PLUGINS=OFF',
      '-DPREFER_EXTERNAL_LZ4=ON',
      '-DPREFER_EXTERNAL_ZLIB=ON',
      '-DPREFER_EXTERNAL_ZSTD=ON',
    ]);
  },
};

function stampFor() {
  return JSON.stringify({
    packages: manifest.packages.map((p) => p.sha256),
    source: process.env.BLOSC2_SOURCE || null,
    cflags,
    cc: process.env.CC || null,
    ...(process.env.AR ? { ar: process.env.AR } : {}),
  });
}

async function main() {
  const configFile = path.resolve(process.env.BLOSC2_DEPS_CONFIG || path.join(buildDir, 'config.json'));
  fs.mkdirSync(buildDir, { recursive: true });
  fs.mkdirSync(path.dirname(configFile), { recursive: true });

  if (process.env.BLOSC2_USE_SYSTEM === '1') {
    try {
      execFileSync('pkg-config', ['--atleast-version=2.17', 'blosc2'], { stdio: 'ignore' });
    } catch {
      fail('BLOSC2_USE_SYSTEM=1 but pkg-config finds no blosc2 >= 2.17 (install libblosc2-dev, or unset the variable).');
    }
    const version = execFileSync('pkg-config', ['--modversion', 'blosc2'], { encoding: 'utf8' }).trim();
    log(`using the system C-Blosc2 ${version} (pkg-config)`);
    fs.writeFileSync(configFile, JSON.stringify({ mode: 'system', version }, null, 2));
    return;
  }

  const stampFile = path.join(prefix, '.blosc2-deps-stamp');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stampFor()) {
    log(`static C-Blosc2 and codecs already built in ${prefix}`);
  } else {
    fs.rmSync(prefix, { recursive: true, force: true });
    for (const pkg of manifest.packages) {
      const src = await sourceTree(pkg, path.join(buildDir, 'src'));
      log(`building ${pkg.name} ${pkg.version}`);
      builders[pkg.name](src);
    }
    fs.writeFileSync(stampFile, stampFor());
  }
  fs.writeFileSync(configFile, JSON.stringify({ mode: 'static', prefix }, null, 2));
  cleanup();
}

main().catch((err) => fail(err.stack || String(err)));

#!/usr/bin/env node
// Builds C-Blosc2 and its codecs (zlib, LZ4, Zstd) as static wasm32-wasi
// libraries under deps/build/wasm/prefix, from the same pinned, SHA-256-verified
// tarballs as deps/build.js (see deps/sources.js for where they come from), for
// a WebAssembly build of the native core (a C++17 reactor module).
//
//   node deps/build-wasm.js          full: BloscLZ, LZ4, LZ4HC, Zlib, Zstd
//   node deps/build-wasm.js --lean   LZ4 + BloscLZ only (DEACTIVATE_ZSTD/ZLIB),
//                                    into deps/build/wasm/prefix-lean
//
// The toolchain is Debian's: clang-19 --target=wasm32-wasi with wasi-libc,
// lld-19 (wasm-ld), llvm-19 (llvm-ar, llvm-ranlib), libclang-rt-19-dev-wasm32
// (compiler builtins) and libc++/libc++abi-19-dev-wasm32 (the C++ standard
// library of the core; no exceptions). Missing packages are installed with
// apt-get when this runs as root on a system that has it; otherwise it stops
// and names them. What C-Blosc2 needs of a platform that WASI lacks (threads,
// dlopen, popen, msync) comes from the small files under deps/wasm/shims/,
// without patching any C-Blosc2 source; deps/wasm/toolchain.cmake tells CMake
// about the target.
//
// Output, besides the libraries and headers: <prefix>/wasm-config.json, the
// compile and link flags a consumer (the core's wasm build, deps/wasm/probe/)
// uses with this prefix, and <prefix>/lib/blosc2_shuffle_simd128.o, an
// optional SIMD128 replacement for C-Blosc2's generic byte shuffle
// (deps/wasm/simd/shuffle-simd128.c; link it before libblosc2.a).
//
// Knobs: BLOSC2_WASM_PREFIX (install folder), BLOSC2_WASM_CFLAGS (extra flags
// for every C file, e.g. -msimd128 or -mbulk-memory; default none beyond -O3),
// BLOSC2_DEPS_JOBS (parallel jobs), BLOSC2_SOURCE and BLOSC2_DEPS_DIR as in
// deps/build.js. BLOSC2_USE_SYSTEM does not apply: there is no system wasm
// C-Blosc2.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { depsDir, manifest, log, fail, run, hasCommand, sourceTree, cleanup } = require('./sources.js');

const LLVM = '19';
const APT_PACKAGES = [
  `clang-${LLVM}`,
  `lld-${LLVM}`,
  `llvm-${LLVM}`,
  `libclang-rt-${LLVM}-dev-wasm32`,
  'wasi-libc',
  `libc++-${LLVM}-dev-wasm32`,
  `libc++abi-${LLVM}-dev-wasm32`,
];

const lean = process.argv.slice(2).includes('--lean');
for (const arg of process.argv.slice(2)) if (arg !== '--lean') fail(`unknown argument ${arg} (only --lean is known)`);

const wasmDir = path.join(depsDir, 'build', 'wasm');
const variant = lean ? 'lean' : 'full';
const prefix = path.resolve(process.env.BLOSC2_WASM_PREFIX || path.join(wasmDir, lean ? 'prefix-lean' : 'prefix'));
const work = path.join(wasmDir, `work-${variant}`);
const jobs = String(process.env.BLOSC2_DEPS_JOBS || Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
const shimsDir = path.join(depsDir, 'wasm', 'shims');
const toolchainFile = path.join(depsDir, 'wasm', 'toolchain.cmake');

// wasi-libc lives in /usr/include/wasm32-wasi and /usr/lib/wasm32-wasi. Given
// --sysroot=/usr, clang would also search /usr/include, i.e. the host's glibc
// headers, for anything WASI lacks (pthread.h, dlfcn.h) and compile the wrong
// thing silently; a sysroot of two symlinks keeps the search to wasi-libc.
const sysroot = path.join(wasmDir, 'sysroot');
const target = ['--target=wasm32-wasi', `--sysroot=${sysroot}`];
const tools = {
  cc: `clang-${LLVM}`,
  cxx: `clang++-${LLVM}`,
  ar: `llvm-ar-${LLVM}`,
  ranlib: `llvm-ranlib-${LLVM}`,
};
const optFlags = ['-O3', '-DNDEBUG', ...(process.env.BLOSC2_WASM_CFLAGS || '').split(/\s+/).filter(Boolean)];
// Every C file of the libraries: the WASI emulations of mmap and of the
// process clocks are opted into (C-Blosc2's file I/O names mmap, its timers
// clock_gettime with CPU clocks).
const cflags = [...optFlags, '-D_WASI_EMULATED_MMAN', '-D_WASI_EMULATED_PROCESS_CLOCKS'];
// C-Blosc2 itself (and whoever includes blosc2.h): WASI is not __unix__ to
// clang, but blosc2.h stops with "Unable to detect platform" unless one of
// _WIN32/__MACH__/__unix__ is defined; the shims folder comes first in the
// include path, for the pthread.h/dlfcn.h that wasi-libc lacks.
const blosc2Flags = ['-D__unix__=1', `-I${shimsDir}`, '-include', path.join(shimsDir, 'wasi_compat.h')];
// C++ of the consumer: the core is C++17 and needs no exceptions (nor could
// it catch one: that needs the wasm exception-handling proposal,
// -fwasm-exceptions, which Debian's wasm32 libc++/libc++abi are not built for).
const cxxFlags = ['-std=c++17', '-fno-exceptions'];
// What the libraries need at link time from wasi-libc's optional parts.
const wasiLibs = ['-lwasi-emulated-mman', '-lwasi-emulated-process-clocks'];

function installed(pkg) {
  return spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;
}

function ensureToolchain() {
  const missing = hasCommand('dpkg')
    ? APT_PACKAGES.filter((p) => !installed(p))
    : [tools.cc, tools.ar, `wasm-ld-${LLVM}`].filter((c) => !hasCommand(c));
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    fail(
      `the WebAssembly toolchain is incomplete (missing: ${missing.join(', ')}). This build needs ` +
        `clang ${LLVM} with the wasm32-wasi sysroot; on Debian or Ubuntu install, as root: ` +
        `apt-get install ${APT_PACKAGES.join(' ')} (clang-${LLVM} for the compiler, lld-${LLVM} for wasm-ld, ` +
        `llvm-${LLVM} for llvm-ar/llvm-ranlib, libclang-rt-${LLVM}-dev-wasm32 for the compiler builtins, ` +
        `wasi-libc for the C library, libc++-${LLVM}-dev-wasm32 and libc++abi-${LLVM}-dev-wasm32 for the C++ ` +
        'standard library), then run this script again.',
    );
  }
  log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

function makeSysroot() {
  const inc = '/usr/include/wasm32-wasi';
  const lib = '/usr/lib/wasm32-wasi';
  for (const d of [inc, lib]) if (!fs.existsSync(d)) fail(`${d} is missing: is wasi-libc installed?`);
  fs.rmSync(sysroot, { recursive: true, force: true });
  fs.mkdirSync(path.join(sysroot, 'include'), { recursive: true });
  fs.mkdirSync(path.join(sysroot, 'lib'), { recursive: true });
  fs.symlinkSync(inc, path.join(sysroot, 'include', 'wasm32-wasi'));
  fs.symlinkSync(lib, path.join(sysroot, 'lib', 'wasm32-wasi'));
}

// Compiles and links a tiny C++ reactor: proves that clang, wasm-ld, the
// builtins, wasi-libc and libc++ fit together before anything big is built.
function smokeTest() {
  const dir = path.join(work, 'smoke');
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'smoke.cc');
  fs.writeFileSync(
    src,
    '#include <string>\n#include <vector>\n#include <memory>\n#include <functional>\n' +
      'extern "C" __attribute__((export_name("smoke"))) int smoke(int n) {\n' +
      '  auto v = std::make_unique<std::vector<std::string>>(n, "ab");\n' +
      '  std::function<size_t()> f = [&] { return v->size() * (*v)[0].size(); };\n  return (int)f();\n}\n',
  );
  try {
    execFileSync(tools.cxx, [...target, ...cxxFlags, '-O2', '-mexec-model=reactor', src, '-o', path.join(dir, 'smoke.wasm')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    fail(`the wasm32-wasi toolchain cannot link a C++ reactor:\n${err.stderr || err.message}`);
  }
}

function resolveTool(name) {
  return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
}

// What deps/wasm/toolchain.cmake reads: compiler, archiver and sysroot.
function toolchainArgs() {
  return [
    `-DCMAKE_TOOLCHAIN_FILE=${toolchainFile}`,
    `-DWASM_CC=${tools.cc}`,
    `-DWASM_AR=${resolveTool(tools.ar)}`,
    `-DWASM_RANLIB=${resolveTool(tools.ranlib)}`,
    `-DWASM_SYSROOT=${sysroot}`,
  ];
}

// The make-based codecs get the compiler, target and sysroot through CC, the
// rest through CFLAGS, as deps/build.js does for the native libraries.
const makeVars = () => [`CC=${[tools.cc, ...target].join(' ')}`, `AR=${tools.ar}`, `RANLIB=${tools.ranlib}`];

const builders = {
  zlib(src) {
    const env = { ...process.env, CC: [tools.cc, ...target].join(' '), AR: tools.ar, RANLIB: tools.ranlib, CFLAGS: cflags.join(' ') };
    run('./configure', ['--static', `--prefix=${prefix}`], { cwd: src, env });
    run('make', [`-j${jobs}`, 'libz.a'], { cwd: src, env });
    run('make', ['install'], { cwd: src, env });
  },
  lz4(src) {
    const args = [
      `-j${jobs}`,
      '-C',
      'lib',
      ...makeVars(),
      `CFLAGS=${cflags.join(' ')}`,
      'BUILD_SHARED=no',
      `PREFIX=${prefix}`,
      'LIBDIR=' + path.join(prefix, 'lib'),
    ];
    run('make', [...args, 'liblz4.a'], { cwd: src });
    run('make', [...args, 'install'], { cwd: src });
  },
  zstd(src) {
    // No assembly (x86-64 only); single-threaded (libzstd.a's default). Of
    // the decoders for pre-1.0 frame formats only v0.7's: C-Blosc 1.10.x
    // (2016) wrote Zstd 0.7.4 frames, no C-Blosc ever wrote older ones, and
    // the v0.5/v0.6 decoders (in libzstd.a's default, like the native build's)
    // are dead weight in the module.
    const args = [
      `-j${jobs}`,
      '-C',
      'lib',
      ...makeVars(),
      `CFLAGS=${cflags.join(' ')}`,
      'ZSTD_NO_ASM=1',
      'ZSTD_LEGACY_SUPPORT=7',
      `PREFIX=${prefix}`,
      'LIBDIR=' + path.join(prefix, 'lib'),
    ];
    run('make', [...args, 'libzstd.a'], { cwd: src });
    run('make', [...args, 'install-static', 'install-includes'], { cwd: src });
  },
  'c-blosc2'(src) {
    const bdir = path.join(work, 'cmake', 'c-blosc2');
    fs.rmSync(bdir, { recursive: true, force: true });
    const gen = hasCommand('ninja') ? ['-G', 'Ninja'] : [];
    const codecs = [`-DLZ4_INCLUDE_DIR=${prefix}/include`, `-DLZ4_LIBRARY=${prefix}/lib/liblz4.a`];
    if (lean) {
      codecs.push('-DDEACTIVATE_ZSTD=ON', '-DDEACTIVATE_ZLIB=ON');
    } else {
      codecs.push(
        `-DZSTD_INCLUDE_DIR=${prefix}/include`,
        `-DZSTD_LIBRARY=${prefix}/lib/libzstd.a`,
        `-DZLIB_INCLUDE_DIR=${prefix}/include`,
        `-DZLIB_LIBRARY=${prefix}/lib/libz.a`,
      );
    }
    run('cmake', [
      '-S',
      src,
      '-B',
      bdir,
      ...gen,
      ...toolchainArgs(),
      '-DCMAKE_BUILD_TYPE=Release',
      `-DCMAKE_INSTALL_PREFIX=${prefix}`,
      `-DCMAKE_PREFIX_PATH=${prefix}`,
      '-DCMAKE_INSTALL_LIBDIR=lib',
      `-DCMAKE_C_FLAGS=${[...cflags, ...blosc2Flags].join(' ')}`,
      '-DCMAKE_C_FLAGS_RELEASE=',
      '-DBUILD_STATIC=ON',
      '-DBUILD_SHARED=OFF',
      '-DBUILD_TESTS=OFF',
      '-DBUILD_FUZZERS=OFF',
      '-DBUILD_BENCHMARKS=OFF',
      '-DBUILD_EXAMPLES=OFF',
      // The plugins (and the known CVEs of C-Blosc2 that live in them) stay out.
      '-DBUILD_PLUGINS=OFF',
      '-DDEACTIVATE_AVX2=ON',
      '-DDEACTIVATE_AVX512=ON',
      '-DDEACTIVATE_IPP=ON',
      '-DPREFER_EXTERNAL_LZ4=ON',
      '-DPREFER_EXTERNAL_ZLIB=ON',
      '-DPREFER_EXTERNAL_ZSTD=ON',
      ...codecs,
    ]);
    run('cmake', ['--build', bdir, '--parallel', jobs]);
    run('cmake', ['--install', bdir]);
  },
};

// What wasi-libc lacks and C-Blosc2 links against (popen/pclose, msync), as
// one small archive of our own next to the libraries; and the optional SIMD128
// shuffle, as an object file (an object always wins over the archive member
// of libblosc2.a that defines the same two symbols).
function buildOwnFiles() {
  const stubs = path.join(work, 'wasi_stubs.o');
  run(tools.cc, [...target, ...cflags, '-Wall', '-Wextra', '-c', path.join(shimsDir, 'wasi_stubs.c'), '-o', stubs]);
  const lib = path.join(prefix, 'lib', 'libblosc2_wasi_shims.a');
  fs.rmSync(lib, { force: true });
  run(tools.ar, ['rcs', lib, stubs]);
  run(tools.cc, [
    ...target,
    ...cflags,
    '-msimd128',
    '-Wall',
    '-Wextra',
    '-c',
    path.join(depsDir, 'wasm', 'simd', 'shuffle-simd128.c'),
    '-o',
    path.join(prefix, 'lib', 'blosc2_shuffle_simd128.o'),
  ]);
}

function writeConfig() {
  const libs = ['blosc2', ...(lean ? [] : ['zstd', 'z']), 'lz4', 'blosc2_wasi_shims'];
  const config = {
    variant,
    prefix,
    sysroot,
    cc: tools.cc,
    cxx: tools.cxx,
    // Compile flags for a translation unit that includes blosc2.h/b2nd.h.
    cflags: [...target, '-D__unix__=1', `-I${path.join(prefix, 'include')}`],
    cxxflags: [...target, '-D__unix__=1', `-I${path.join(prefix, 'include')}`, ...cxxFlags],
    // Libraries in link order, then the WASI emulation libraries they use.
    libs: [...libs.map((l) => path.join(prefix, 'lib', `lib${l}.a`)), ...wasiLibs],
    // Optional: put before libs for the SIMD128 byte shuffle (the module then
    // needs a runtime with SIMD128).
    simdShuffleObjects: [path.join(prefix, 'lib', 'blosc2_shuffle_simd128.o')],
    packages: manifest.packages.filter((p) => !lean || ['c-blosc2', 'lz4'].includes(p.name)).map((p) => `${p.name} ${p.version}`),
  };
  fs.writeFileSync(path.join(prefix, 'wasm-config.json'), JSON.stringify(config, null, 2) + '\n');
}

function stampFor() {
  const shimText = fs
    .readdirSync(shimsDir)
    .sort()
    .map((f) => fs.readFileSync(path.join(shimsDir, f), 'utf8'));
  return JSON.stringify({
    packages: manifest.packages.map((p) => p.sha256),
    source: process.env.BLOSC2_SOURCE || null,
    cflags,
    variant,
    shims: shimText,
    simd: fs.readFileSync(path.join(depsDir, 'wasm', 'simd', 'shuffle-simd128.c'), 'utf8'),
    toolchain: fs.readFileSync(toolchainFile, 'utf8'),
    builder: fs.readFileSync(__filename, 'utf8'),
  });
}

async function main() {
  const t0 = Date.now();
  ensureToolchain();
  fs.mkdirSync(work, { recursive: true });
  makeSysroot();
  smokeTest();

  const stampFile = path.join(prefix, '.blosc2-wasm-stamp');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stampFor()) {
    log(`wasm32-wasi C-Blosc2 and codecs (${variant}) already built in ${prefix}`);
    return;
  }
  fs.rmSync(prefix, { recursive: true, force: true });
  fs.mkdirSync(path.join(prefix, 'lib'), { recursive: true });
  const wanted = lean ? ['lz4', 'c-blosc2'] : ['zlib', 'lz4', 'zstd', 'c-blosc2'];
  for (const name of wanted) {
    const pkg = manifest.packages.find((p) => p.name === name);
    const src = await sourceTree(pkg, path.join(work, 'src'));
    log(`building ${pkg.name} ${pkg.version} for wasm32-wasi (${variant})`);
    builders[pkg.name](src);
  }
  buildOwnFiles();
  writeConfig();
  fs.writeFileSync(stampFile, stampFor());
  log(`wasm32-wasi libraries (${variant}) in ${prefix}, built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main()
  .then(cleanup)
  .catch((err) => fail(err.stack || String(err)));

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
//      SHA-256 before it is unpacked.
//
// Other knobs: BLOSC2_DEPS_PREFIX (install folder, default deps/build/prefix),
// CC / CFLAGS (e.g. for a sanitizer build), BLOSC2_DEPS_JOBS (parallel jobs).
'use strict';

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const depsDir = __dirname;
const manifest = JSON.parse(fs.readFileSync(path.join(depsDir, 'manifest.json'), 'utf8'));
const buildDir = path.join(depsDir, 'build');
const downloadsDir = path.join(depsDir, 'downloads');
const prefix = path.resolve(process.env.BLOSC2_DEPS_PREFIX || path.join(buildDir, 'prefix'));
const jobs = String(process.env.BLOSC2_DEPS_JOBS || Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
const cflags = `${process.env.CFLAGS || '-O3'} -fPIC`;

function log(msg) {
  process.stderr.write(`[blosc2 deps] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[blosc2 deps] ERROR: ${msg}\n\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function verified(file, pkg) {
  if (!fs.existsSync(file)) return false;
  const got = sha256File(file);
  if (got === pkg.sha256) return true;
  log(`${file}: SHA-256 ${got} does not match the pinned ${pkg.sha256}; ignoring it`);
  return false;
}

// The apt sources of this machine name a Debian mirror; we reuse its host for a
// deb-src line of the pinned suite instead of writing any host into the repo.
function debianMirror() {
  const files = ['/etc/apt/sources.list'];
  for (const dir of ['/etc/apt/sources.list.d']) {
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) files.push(path.join(dir, f));
  }
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    // deb822 stanzas ("URIs: ...") and one-line entries ("deb URI suite ...").
    const uris = [];
    for (const stanza of text.split(/\n\s*\n/)) {
      const m = /^URIs:\s*(\S+)/m.exec(stanza);
      const suites = /^Suites:\s*(.+)$/m.exec(stanza);
      if (m && suites && !/security/.test(suites[1])) uris.push(m[1]);
    }
    for (const line of text.split('\n')) {
      const m = /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
      if (m && !/security/.test(m[2])) uris.push(m[1]);
    }
    const hit = uris.find((u) => /^https?:\/\/[^/]+\/debian\/?$/.test(u));
    if (hit) return hit.replace(/\/$/, '');
  }
  return null;
}

let aptDir = null;
function aptSourceUris(sourcePackage) {
  if (!aptDir) {
    const mirror = debianMirror();
    if (!mirror) {
      fail(
        'no Debian mirror found in /etc/apt sources to fetch the pinned sources from.\n' +
          `Put the files named in deps/manifest.json into a folder and set BLOSC2_DEPS_DIR to it,\n` +
          'or set BLOSC2_USE_SYSTEM=1 to link an installed C-Blosc2 >= 2.17 (found by pkg-config).',
      );
    }
    aptDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-apt-'));
    for (const d of ['lists/partial', 'cache/archives/partial', 'parts']) fs.mkdirSync(path.join(aptDir, d), { recursive: true });
    fs.writeFileSync(path.join(aptDir, 'sources.list'), `deb-src [trusted=yes] ${mirror} ${manifest.debianSuite} main\n`);
    fs.writeFileSync(
      path.join(aptDir, 'apt.conf'),
      [
        `Dir::Etc::SourceList "${aptDir}/sources.list";`,
        `Dir::Etc::SourceParts "${aptDir}/parts";`,
        `Dir::State::Lists "${aptDir}/lists";`,
        `Dir::Cache "${aptDir}/cache";`,
        'Acquire::Languages "none";',
        'Debug::NoLocking "1";',
        '',
      ].join('\n'),
    );
    run('apt-get', ['update', '-qq'], { env: { ...process.env, APT_CONFIG: path.join(aptDir, 'apt.conf') } });
  }
  const out = execFileSync('apt-get', ['source', '--print-uris', '-qq', sourcePackage], {
    env: { ...process.env, APT_CONFIG: path.join(aptDir, 'apt.conf') },
    encoding: 'utf8',
  });
  // Lines look like: 'URL' FILENAME SIZE SHA256:HEX
  return out
    .split('\n')
    .map((l) => /^'([^']+)'\s+(\S+)\s+\d+\s+SHA256:([0-9a-f]{64})/.exec(l))
    .filter(Boolean)
    .map((m) => ({ url: m[1], file: m[2], sha256: m[3] }));
}

async function obtain(pkg) {
  fs.mkdirSync(downloadsDir, { recursive: true });
  const cached = path.join(downloadsDir, pkg.file);
  if (verified(cached, pkg)) return cached;
  if (process.env.BLOSC2_DEPS_DIR) {
    const user = path.join(process.env.BLOSC2_DEPS_DIR, pkg.file);
    if (verified(user, pkg)) return user;
  }
  if (process.platform !== 'linux') {
    fail(`cannot fetch ${pkg.file} on ${process.platform}; set BLOSC2_DEPS_DIR or BLOSC2_USE_SYSTEM=1`);
  }
  const entry = aptSourceUris(pkg.debianSource).find((e) => e.file === pkg.file);
  if (!entry) {
    fail(
      `the Debian ${manifest.debianSuite} source archive no longer lists ${pkg.file}.\n` +
        `Download it yourself (SHA-256 ${pkg.sha256}) into a folder and set BLOSC2_DEPS_DIR to it.`,
    );
  }
  log(`downloading ${pkg.file}`);
  const res = await fetch(entry.url);
  if (!res.ok) fail(`download of ${pkg.file} failed: HTTP ${res.status}`);
  const tmp = `${cached}.part`;
  fs.writeFileSync(tmp, Buffer.from(await res.arrayBuffer()));
  const got = sha256File(tmp);
  if (got !== pkg.sha256) {
    fs.rmSync(tmp);
    fail(`${pkg.file}: SHA-256 ${got} does not match the pinned ${pkg.sha256}; refusing to build it`);
  }
  fs.renameSync(tmp, cached);
  return cached;
}

function unpack(tarball, name) {
  const dest = path.join(buildDir, 'src', name);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  run('tar', ['-xf', tarball, '-C', dest, '--strip-components=1']);
  return dest;
}

function cmakeBuild(src, name, args) {
  const bdir = path.join(buildDir, 'cmake', name);
  fs.rmSync(bdir, { recursive: true, force: true });
  const gen = hasCommand('ninja') ? ['-G', 'Ninja'] : [];
  run('cmake', [
    '-S', src, '-B', bdir, ...gen,
    '-DCMAKE_BUILD_TYPE=Release',
    '-DCMAKE_POSITION_INDEPENDENT_CODE=ON',
    `-DCMAKE_INSTALL_PREFIX=${prefix}`,
    `-DCMAKE_PREFIX_PATH=${prefix}`,
    '-DCMAKE_INSTALL_LIBDIR=lib',
    `-DCMAKE_C_FLAGS=${cflags}`,
    ...args,
  ]);
  run('cmake', ['--build', bdir, '--parallel', jobs]);
  run('cmake', ['--install', bdir]);
}

function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const builders = {
  zlib(src) {
    const env = { ...process.env, CFLAGS: cflags };
    run('./configure', ['--static', `--prefix=${prefix}`], { cwd: src, env });
    run('make', [`-j${jobs}`, 'libz.a'], { cwd: src, env });
    run('make', ['install'], { cwd: src, env });
  },
  lz4(src) {
    const args = [`-j${jobs}`, '-C', 'lib', `CFLAGS=${cflags}`, 'BUILD_SHARED=no', `PREFIX=${prefix}`, 'LIBDIR=' + path.join(prefix, 'lib')];
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
  });
}

async function main() {
  const configFile = path.join(buildDir, 'config.json');
  fs.mkdirSync(buildDir, { recursive: true });

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
      let src;
      if (pkg.name === 'c-blosc2' && process.env.BLOSC2_SOURCE) {
        const user = path.resolve(process.env.BLOSC2_SOURCE);
        log(`using the C-Blosc2 source named by BLOSC2_SOURCE: ${user} (not checksummed)`);
        src = fs.statSync(user).isDirectory() ? user : unpack(user, pkg.name);
      } else {
        src = unpack(await obtain(pkg), pkg.name);
      }
      log(`building ${pkg.name} ${pkg.version}`);
      builders[pkg.name](src);
    }
    fs.writeFileSync(stampFile, stampFor());
  }
  fs.writeFileSync(configFile, JSON.stringify({ mode: 'static', prefix }, null, 2));
  if (aptDir) fs.rmSync(aptDir, { recursive: true, force: true });
}

main().catch((err) => fail(err.stack || String(err)));

// Shared by deps/build.js (native static libraries) and deps/build-wasm.js
// (wasm32-wasi static libraries): logging, running commands, and obtaining the
// pinned, SHA-256-verified source tarballs of deps/manifest.json.
//
// Each pinned file comes from deps/downloads/ (cache), from the folder named by
// BLOSC2_DEPS_DIR, or else from the Debian source archive of the mirror that
// this machine's apt sources already name, found with `apt-get source
// --print-uris` under a private apt configuration that leaves the system's apt
// state untouched. Every file must match its pinned SHA-256 before it is
// unpacked. BLOSC2_SOURCE=<dir or tarball> replaces the pinned C-Blosc2 source
// (not checksummed: the user vouches for it).
'use strict';

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const depsDir = __dirname;
const manifest = JSON.parse(fs.readFileSync(path.join(depsDir, 'manifest.json'), 'utf8'));
const downloadsDir = path.join(depsDir, 'downloads');

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

function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
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

// The path of the verified tarball of one manifest entry.
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

// Unpacks a tarball into srcRoot/name (emptied first) and returns that folder.
function unpack(tarball, srcRoot, name) {
  const dest = path.join(srcRoot, name);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  run('tar', ['-xf', tarball, '-C', dest, '--strip-components=1']);
  return dest;
}

// The source folder of one manifest entry, unpacked under srcRoot: the pinned
// tarball, or for C-Blosc2 the user's BLOSC2_SOURCE (a folder is used in place).
async function sourceTree(pkg, srcRoot) {
  if (pkg.name === 'c-blosc2' && process.env.BLOSC2_SOURCE) {
    const user = path.resolve(process.env.BLOSC2_SOURCE);
    log(`using the C-Blosc2 source named by BLOSC2_SOURCE: ${user} (not checksummed)`);
    return fs.statSync(user).isDirectory() ? user : unpack(user, srcRoot, pkg.name);
  }
  return unpack(await obtain(pkg), srcRoot, pkg.name);
}

// Removes the private apt configuration, if one was made.
function cleanup() {
  if (aptDir) fs.rmSync(aptDir, { recursive: true, force: true });
  aptDir = null;
}

module.exports = { depsDir, manifest, log, fail, run, hasCommand, obtain, unpack, sourceTree, cleanup };

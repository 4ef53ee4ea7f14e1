// The package as a user gets it: `npm pack` (once per run, in a staged copy of
// the package so that its prepare step rebuilds a dist/ of its own, not the one
// test/dist.test.ts is loading; its prepack step finds the prebuilt addon up to
// date, since `npm test` built it first), then
// installed from the tarball into an empty project with --ignore-scripts and a
// PATH holding node and npm alone (no compiler, no cmake): `require` and
// `import` work on the prebuilt addon; the install script, when it does run,
// compiles nothing; with the addon removed, the WebAssembly backend takes over
// (when the checkout has a .wasm to pack; without one, loading fails with
// ERR_NATIVE_LOAD).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILDREN, REPO_ROOT as ROOT } from './support/child';

const PREBUILT = path.join('prebuilds', 'linux-x64', 'blosc2.node');
const ON_LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

/** The .wasm files this checkout would pack (package.json "files"): the WebAssembly backend, once it exists. */
function wasmToShip(): string[] {
  const { files } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const found: string[] = [];
  const walk = (p: string): void => {
    if (!fs.existsSync(p)) return;
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else if (p.endsWith('.wasm')) found.push(path.relative(ROOT, p));
  };
  for (const f of files) if (!f.startsWith('!')) walk(path.join(ROOT, f));
  return found;
}
const WASM = wasmToShip();

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell with `bin` as its whole PATH (npm's cache and proxies kept). */
function bareEnv(bin: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: os.homedir(), ...extra };
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_config_(cache|registry|userconfig)|https?_proxy|no_proxy)$/i.test(k)) env[k] = v;
  }
  return env;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A folder of symlinks to the named programs of this machine, for a PATH. */
function binDir(dir: string, programs: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, target] of Object.entries(programs)) fs.symlinkSync(target, path.join(dir, name));
  return dir;
}

function which(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return fs.realpathSync(p);
  }
  throw new Error(`${name} is not on PATH`);
}

/**
 * A copy of what `npm pack` reads (package.json "files" but dist/, which its
 * prepare step builds, plus that step's scripts, tsconfigs and the WebAssembly
 * build's deps/build-wasm.js and deps/wasm/), beside the
 * repository's node_modules/ and deps/build/ (where the prebuilt's stamp is).
 */
function stagePackage(stage: string): string {
  const { files } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const copy = [
    ...files.filter((f) => !f.startsWith('!') && f !== 'dist'),
    'package.json',
    'README.md',
    'scripts',
    'tsconfig.json',
    'tsconfig.build.json',
    'deps/build-wasm.js',
    'deps/wasm',
  ];
  for (const f of copy) fs.cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'deps', 'build'), path.join(stage, 'deps', 'build'));
  return stage;
}

describe.runIf(ON_LINUX_X64)('the packed package, installed the way a user installs it', () => {
  let work = '';
  let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
  let bin = '';
  let project = '';
  let installed: Run;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-consumer-'));
    // The prebuilt addon, built here if `npm test` has not (a no-op when its inputs are unchanged).
    const prebuilt = run(process.execPath, [path.join(ROOT, 'scripts', 'build-prebuilt.js')], ROOT, process.env);
    if (prebuilt.status !== 0) throw new Error(`scripts/build-prebuilt.js failed:\n${prebuilt.stderr}`);
    const pack = run('npm', ['pack', '--json', '--pack-destination', work], stagePackage(path.join(work, 'stage')), process.env);
    if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
    packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
    bin = binDir(path.join(work, 'bin'), { node: process.execPath, npm: which('npm') });
    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    const tarball = path.join(work, packed.filename);
    installed = run(
      path.join(bin, 'npm'),
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', tarball],
      project,
      bareEnv(bin),
    );
    for (const f of ['consumer-check.cjs', 'consumer-check.mjs']) fs.copyFileSync(path.join(CHILDREN, f), path.join(project, f));
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const pkgDir = () => path.join(project, 'node_modules', 'blosc2');
  const check = (dir: string, script: string) => {
    // LD_BIND_NOW: every symbol the addon needs is resolved at load, not at first call.
    const r = run(path.join(bin, 'node'), [script], dir, bareEnv(bin, { LD_BIND_NOW: '1' }));
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { ok: boolean; versions: { cblosc2: string; backend?: string }; addons: string[] };
  };

  it('npm pack carries dist, the prebuilt addon and what a source build needs, and no tests, build trees or caches', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of [PREBUILT, 'prebuilds/linux-x64/THIRD-PARTY-LICENSES.txt', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts']) {
      expect(files).toContain(f);
    }
    for (const f of ['package.json', 'README.md', 'FORMAT.md', 'CMakeLists.txt', 'scripts/install.js', 'native/addon/exports.map']) {
      expect(files).toContain(f);
    }
    for (const f of ['deps/build.js', 'deps/sources.js', 'deps/manifest.json']) expect(files).toContain(f);
    const unwanted =
      /^(test|property-tests|bench|fuzz|docs|build|deps\/build|deps\/downloads|deps\/wasm|\.pydeps|node_modules|native\/test_addon)\/|\.test\.|^\.ci\//;
    expect(files.filter((f) => unwanted.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.node'))).toEqual([PREBUILT]);
    console.log(`packed ${packed.filename}: ${packed.size} bytes, ${packed.unpackedSize} unpacked, ${files.length} files`);
  });

  it('installs with --ignore-scripts and a PATH of node and npm alone: no compiler, cmake or make to be found', () => {
    expect(installed.status, installed.stderr).toBe(0);
    expect(fs.readdirSync(bin).sort()).toEqual(['node', 'npm']);
    for (const tool of ['cc', 'gcc', 'c++', 'clang', 'cmake', 'make', 'zig', 'python3']) {
      expect(spawnSync(tool, ['--version'], { env: bareEnv(bin) }).error, tool).toMatchObject({ code: 'ENOENT' });
    }
    expect(fs.readFileSync(path.join(pkgDir(), PREBUILT)).equals(fs.readFileSync(path.join(ROOT, PREBUILT)))).toBe(true);
    expect(fs.existsSync(path.join(pkgDir(), 'build'))).toBe(false);
  });

  it('require works, on the prebuilt addon', () => {
    const r = check(project, 'consumer-check.cjs');
    expect(r.versions.cblosc2).toBe('2.17.1');
    expect(r.addons).toEqual([fs.realpathSync(path.join(pkgDir(), PREBUILT))]);
  });

  it('import works, on the prebuilt addon, with the instance require gives', () => {
    const r = check(project, 'consumer-check.mjs');
    expect(r.addons).toEqual([fs.realpathSync(path.join(pkgDir(), PREBUILT))]);
  });

  it('an install that runs the install script (npm rebuild) keeps the prebuilt and compiles nothing', () => {
    // npm runs scripts through sh: a shell, still no compiler.
    const withShell = binDir(path.join(work, 'bin-sh'), { node: process.execPath, npm: which('npm'), sh: which('sh') });
    const r = run(path.join(withShell, 'npm'), ['rebuild', 'blosc2', '--foreground-scripts'], project, bareEnv(withShell));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/using the prebuilt addon prebuilds\/linux-x64\/blosc2\.node; nothing to compile/);
    expect(fs.existsSync(path.join(pkgDir(), 'build'))).toBe(false);
    expect(fs.existsSync(path.join(pkgDir(), 'deps', 'build'))).toBe(false);
  });

  /** A copy of the installed project whose blosc2 has no addon file at all. */
  const withoutAddon = () => {
    const copy = path.join(work, 'project-no-addon');
    if (!fs.existsSync(copy)) {
      fs.cpSync(project, copy, { recursive: true, verbatimSymlinks: true });
      fs.rmSync(path.join(copy, 'node_modules', 'blosc2', 'prebuilds'), { recursive: true });
      fs.rmSync(path.join(copy, 'node_modules', 'blosc2', 'build'), { recursive: true, force: true });
    }
    return copy;
  };

  if (WASM.length > 0) {
    it(`with the addon removed, require and import work on the WebAssembly backend (${WASM.join(', ')})`, () => {
      expect(packed.files.map((f) => f.path)).toEqual(expect.arrayContaining(WASM));
      const dir = withoutAddon();
      for (const script of ['consumer-check.cjs', 'consumer-check.mjs']) {
        const r = check(dir, script);
        expect(r.addons).toEqual([]);
        expect(r.versions.backend).toBe('wasm');
      }
    });
  } else {
    it.todo(
      'with the addon removed, require and import work on wasm: PENDING, no .wasm to pack yet (the WebAssembly backend has not landed)',
    );

    it('with the addon removed and no WebAssembly backend yet, loading fails with ERR_NATIVE_LOAD naming what it looked for', () => {
      console.warn('PENDING: the "addon removed, on wasm" case waits for the WebAssembly backend (no .wasm to pack yet)');
      const dir = withoutAddon();
      const probe =
        "try { require('blosc2'); console.log('{}') } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })) }";
      const r = run(path.join(bin, 'node'), ['-e', probe], dir, bareEnv(bin));
      expect(r.status, r.stderr).toBe(0);
      const err = JSON.parse(r.stdout) as { name?: string; code?: string; message?: string };
      expect(err).toMatchObject({ name: 'Blosc2Error', code: 'ERR_NATIVE_LOAD' });
      expect(err.message).toContain(path.join('node_modules', 'blosc2', 'prebuilds', 'linux-x64', 'blosc2.node'));
      expect(err.message).toContain('npm run build:native');
    });
  }
});

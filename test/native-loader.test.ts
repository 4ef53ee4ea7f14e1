// Which addon file the package loads (src/backend/native.ts), and what the
// install script (scripts/install.js) does: keep a prebuilt that loads, build
// from source otherwise or when asked, and fail only without a fallback.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addonCandidates, loadNative } from '../src/backend/native';
import { catchBlosc2Error } from './support/errors';

const ROOT = path.join(__dirname, '..');
const LOCAL_ADDON = path.join(ROOT, 'build', 'Release', 'blosc2.node');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-loader-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('the addon loader', () => {
  it('prefers a local build, then the prebuilt for this platform, and never names the test-only addon', () => {
    expect(addonCandidates('/pkg')).toEqual([
      path.join('/pkg', 'build', 'Release', 'blosc2.node'),
      path.join('/pkg', 'prebuilds', `${process.platform}-${process.arch}`, 'blosc2.node'),
    ]);
    expect(addonCandidates().every((f) => !f.includes('blosc2_test'))).toBe(true);
  });

  it('loads the first candidate that exists', () => {
    const backend = loadNative([path.join(temp, 'missing.node'), LOCAL_ADDON]);
    expect(backend.name).toBe('native');
    expect(backend.version).toMatch(/^2\.17\./);
  });

  it('with no addon file, throws ERR_NATIVE_LOAD naming every file it looked for and how to build one', () => {
    const missing = [path.join(temp, 'a', 'blosc2.node'), path.join(temp, 'b', 'blosc2.node')];
    const err = catchBlosc2Error(() => loadNative(missing));
    expect(err.code).toBe('ERR_NATIVE_LOAD');
    for (const f of missing) expect(err.message).toContain(f);
    expect(err.message).toContain('npm run build:native');
  });

  it('with an addon that does not load, throws ERR_NATIVE_LOAD with the loader error as its cause', () => {
    const broken = path.join(temp, 'broken.node');
    fs.writeFileSync(broken, 'not an ELF file');
    const err = catchBlosc2Error(() => loadNative([broken, LOCAL_ADDON]));
    expect(err.code).toBe('ERR_NATIVE_LOAD');
    expect(err.message).toContain(`Could not load the blosc2 native addon from ${broken}`);
    expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });
});

/**
 * A package folder around a copy of scripts/install.js, whose source build is
 * two fakes (deps/build.js and cmake-js) that record that they ran.
 */
function fakePackage(opts: { prebuilt?: 'loads' | 'broken'; buildFails?: boolean; wasm?: boolean }): string {
  const dir = fs.mkdtempSync(path.join(temp, 'pkg-'));
  const write = (rel: string, text: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write('package.json', JSON.stringify({ name: 'blosc2', files: ['dist', 'prebuilds', 'scripts/install.js'] }));
  write('scripts/install.js', fs.readFileSync(path.join(ROOT, 'scripts', 'install.js')));
  const record = (name: string, rc: number) =>
    `require('fs').writeFileSync(require('path').join(${JSON.stringify(dir)}, 'ran-${name}'), '');process.exit(${rc});\n`;
  write('deps/build.js', record('deps', opts.buildFails ? 1 : 0));
  write('node_modules/cmake-js/bin/cmake-js', record('cmake', 0));
  const prebuilt = `prebuilds/${process.platform}-${process.arch}/blosc2.node`;
  if (opts.prebuilt === 'loads') write(prebuilt, fs.readFileSync(LOCAL_ADDON));
  if (opts.prebuilt === 'broken') write(prebuilt, 'not an ELF file');
  if (opts.wasm) write('dist/wasm/blosc2.wasm', Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  return dir;
}

function install(dir: string, env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean['BLOSC2_BUILD_FROM_SOURCE'];
  delete clean['npm_config_build_from_source'];
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], {
    cwd: dir,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  return {
    status: r.status,
    stderr: r.stderr,
    ranDeps: fs.existsSync(path.join(dir, 'ran-deps')),
    ranCmake: fs.existsSync(path.join(dir, 'ran-cmake')),
  };
}

describe('the install script', () => {
  it('keeps a prebuilt addon that loads and compiles nothing', () => {
    const r = install(fakePackage({ prebuilt: 'loads' }));
    expect(r).toMatchObject({ status: 0, ranDeps: false, ranCmake: false });
    expect(r.stderr).toMatch(/using the prebuilt addon .*nothing to compile/);
  });

  it('builds from source when asked, even where the prebuilt loads (BLOSC2_BUILD_FROM_SOURCE=1, --build-from-source)', () => {
    for (const env of [{ BLOSC2_BUILD_FROM_SOURCE: '1' }, { npm_config_build_from_source: 'true' }]) {
      const r = install(fakePackage({ prebuilt: 'loads' }), env);
      expect(r, JSON.stringify(env)).toMatchObject({ status: 0, ranDeps: true, ranCmake: true });
    }
  });

  it('builds from source when the prebuilt does not load here, and says why', () => {
    const r = install(fakePackage({ prebuilt: 'broken' }));
    expect(r).toMatchObject({ status: 0, ranDeps: true, ranCmake: true });
    expect(r.stderr).toMatch(/does not load here \(.+\); building from source/);
  });

  it('builds from source where there is no prebuilt for the platform', () => {
    const r = install(fakePackage({}));
    expect(r).toMatchObject({ status: 0, ranDeps: true, ranCmake: true });
    expect(r.stderr).toContain(`no prebuilt addon for ${process.platform}-${process.arch}`);
  });

  it('fails the install when the source build fails and there is no WebAssembly fallback', () => {
    const r = install(fakePackage({ buildFails: true }));
    expect(r).toMatchObject({ status: 1, ranDeps: true, ranCmake: false });
    expect(r.stderr).toContain('no WebAssembly backend to fall back on');
  });

  it('does not fail the install when the source build fails and the package ships a .wasm', () => {
    const r = install(fakePackage({ buildFails: true, wasm: true }));
    expect(r).toMatchObject({ status: 0, ranDeps: true, ranCmake: false });
    expect(r.stderr).toContain(`WebAssembly backend (${path.join('dist', 'wasm', 'blosc2.wasm')})`);
  });
});

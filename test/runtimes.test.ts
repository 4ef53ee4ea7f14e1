// Deno and Bun, from their npm packages (devDependencies that ship the
// binaries), run test/runtimes/smoke.mjs in a consumer project: the package
// (package.json, dist/, wasm/, the addon) copied into its node_modules and
// imported by name. Each runtime on the addon through its Node-API support and
// on the WebAssembly core, Deno also without --allow-ffi (the fallback, with
// its one-line notice) and on the browser bundle.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
let project = '';

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-runtimes-'));
  const pkg = path.join(project, 'node_modules', 'blosc2');
  fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
  for (const entry of ['package.json', 'dist', 'wasm']) fs.cpSync(path.join(ROOT, entry), path.join(pkg, entry), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'build', 'Release', 'blosc2.node'), path.join(pkg, 'build', 'Release', 'blosc2.node'));
  // The package's runtime dependencies (not its build tools).
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(dependencies).filter((d) => !/^(cmake-js|node-addon-api|node-api-headers)$/.test(d))) {
    fs.cpSync(path.join(ROOT, 'node_modules', dep), path.join(project, 'node_modules', dep), { recursive: true });
  }
  fs.copyFileSync(path.join(__dirname, 'runtimes', 'smoke.mjs'), path.join(project, 'smoke.mjs'));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { blosc2: '*' } }));
});

afterAll(() => {
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(path.join(BIN, bin), args, {
    cwd: project,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, BLOSC2_BACKEND: '', NO_COLOR: '1', ...env },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const VECTORS = path.join(ROOT, 'test', 'vectors');
const DENO_READ = `--allow-read=${os.tmpdir()},${ROOT}`;
const DENO_ENV = '--allow-env=BLOSC2_BACKEND,BLOSC_NTHREADS,BLOSC2_HUGEPAGES,MSGPACKR_NATIVE_ACCELERATION_DISABLED';

describe.each([
  { name: 'Deno, addon', bin: 'deno', args: ['run', DENO_READ, DENO_ENV, '--allow-ffi', 'smoke.mjs', VECTORS], backend: 'native' },
  {
    name: 'Deno, BLOSC2_BACKEND=wasm',
    bin: 'deno',
    args: ['run', DENO_READ, DENO_ENV, '--allow-ffi', 'smoke.mjs', VECTORS],
    env: { BLOSC2_BACKEND: 'wasm' },
    backend: 'wasm',
  },
  {
    name: 'Deno without --allow-ffi: the fallback',
    bin: 'deno',
    args: ['run', DENO_READ, DENO_ENV, 'smoke.mjs', VECTORS],
    backend: 'wasm',
    notice: true,
  },
  { name: 'Deno, the browser bundle', bin: 'deno', args: ['run', DENO_READ, 'smoke.mjs', VECTORS, 'browser'], backend: 'wasm' },
  { name: 'Bun, addon', bin: 'bun', args: ['smoke.mjs', VECTORS], backend: 'native' },
  { name: 'Bun, BLOSC2_BACKEND=wasm', bin: 'bun', args: ['smoke.mjs', VECTORS], env: { BLOSC2_BACKEND: 'wasm' }, backend: 'wasm' },
])('$name', ({ bin, args, env, backend, notice }) => {
  it('passes the smoke suite', () => {
    const r = run(bin, args, env);
    expect(r.out).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.out).toContain(`backend: ${backend}`);
    expect(r.out.includes('blosc2: using the WebAssembly build'), r.out).toBe(notice === true);
    expect(r.status, r.out).toBe(0);
    expect(Number(/^(\d+) passed/m.exec(r.out)?.[1])).toBeGreaterThanOrEqual(16);
  });
});

/**
 * dist/, the published build, fresh: tests that load the package as users do
 * (through package.json's exports) need it built from the sources under test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './child';

export const DIST = path.join(REPO_ROOT, 'dist');
export const ENTRY_POINTS = [path.join(DIST, 'index.js'), path.join(DIST, 'index.mjs')];
/** What the build is made from: the sources and the build's own configuration. */
const BUILD_INPUTS = [
  path.join(REPO_ROOT, 'src'),
  path.join(REPO_ROOT, 'tsconfig.json'),
  path.join(REPO_ROOT, 'tsconfig.build.json'),
  path.join(REPO_ROOT, 'scripts', 'esm-wrapper.js'),
];

/** The newest modification time under `p` (a file or a folder), in ms. */
function newest(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((name) => newest(path.join(p, name))));
}

/** Builds dist/ with the package's prepare script unless it is there and newer than what it is built from. */
export function ensureDist(): void {
  const built = ENTRY_POINTS.every((f) => fs.existsSync(f)) ? Math.min(...ENTRY_POINTS.map((f) => fs.statSync(f).mtimeMs)) : -1;
  if (built >= Math.max(...BUILD_INPUTS.filter((p) => fs.existsSync(p)).map(newest))) return;
  const prepare = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts['prepare'];
  if (!prepare) throw new Error('package.json has no "prepare" script to build dist/ with');
  // As `npm run prepare` runs it: with node_modules/.bin on the PATH.
  const r = spawnSync('sh', ['-c', prepare], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env['PATH'] ?? ''}` },
  });
  if (r.status !== 0 || !ENTRY_POINTS.every((f) => fs.existsSync(f))) {
    throw new Error(
      `dist/ is ${built < 0 ? 'missing' : 'older than src/'} and building it with the prepare script ("${prepare}") failed ` +
        `(status ${String(r.status)}, signal ${String(r.signal)}); run \`npm run prepare\` to see why:\n${r.stdout}${r.stderr}`,
    );
  }
}

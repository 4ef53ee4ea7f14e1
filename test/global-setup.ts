/**
 * Before any test file: the tests that run the package as users load it
 * (child processes that require or import 'blosc2', the README's code, the
 * published .d.ts) read dist/, so dist/ must be built from the sources under
 * test. Rebuilds it (npm run prepare) when any file of src/ or the ESM wrapper
 * script is newer than it; a fresh checkout after `npm install` skips this.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

function newest(dir: string): number {
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const built = path.join(ROOT, 'dist', 'index.mjs');
  const sources = Math.max(newest(path.join(ROOT, 'src')), fs.statSync(path.join(ROOT, 'scripts', 'esm-wrapper.js')).mtimeMs);
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return;
  execFileSync('npm', ['run', 'prepare'], { cwd: ROOT, stdio: 'inherit' });
}

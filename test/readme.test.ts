/**
 * The README's code runs (issue 14): every fenced JavaScript and TypeScript
 * block of README.md is extracted (test/support/readme-blocks.ts says how
 * blocks are read and marked) and run with Node in a project of its own,
 * where 'blosc2' is this package as users load it (package.json's exports,
 * dist/) and the other packages a block imports are ours; Redis examples get
 * a real redis-server (REDIS_URL). TypeScript blocks, and blocks marked
 * `<!-- readme-test: typecheck (why) -->`, are typechecked as a user project
 * would (test/support/typecheck.ts). Blocks added to the README later are
 * picked up without any change here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlockFile, type CodeBlock, codeBlocks, isEsm } from './support/readme-blocks';
import { type RedisServer, startRedis } from './support/redis-server';
import { typecheckProject } from './support/typecheck';

const ROOT = path.join(__dirname, '..');
const TYPES_NODE = path.join(ROOT, 'node_modules', '@types', 'node');
const blocks = codeBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

// One project for all blocks: node_modules/blosc2 is this package, the rest are ours.
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-readme-'));
const modules = path.join(project, 'node_modules');
fs.mkdirSync(modules);
fs.symlinkSync(ROOT, path.join(modules, 'blosc2'), 'dir');
for (const name of new Set(blocks.flatMap((b) => b.packages))) {
  if (name === 'blosc2') continue;
  const target = path.join(modules, name);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules', name), target, 'dir');
}
fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'readme', private: true }));

let redis: RedisServer | undefined;
beforeAll(async () => {
  if (blocks.some((b) => b.packages.includes('redis'))) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  fs.rmSync(project, { recursive: true, force: true });
});

/** Diagnostics of the block's files in a user project (strict for TypeScript, checkJs for JavaScript; DOM when marked). */
function typecheck(block: CodeBlock): string[] {
  const sources = Object.fromEntries(block.files.map((f) => [f.name, f.code]));
  const checker = typecheckProject(
    TYPES_NODE,
    sources,
    block.packages.filter((p) => p !== 'blosc2'),
  );
  try {
    const extra: ts.CompilerOptions =
      block.language === 'js' ? { allowJs: true, checkJs: true, strict: false, exactOptionalPropertyTypes: false } : {};
    if (block.mode === 'typecheck') extra.lib = ['lib.es2022.d.ts', 'lib.dom.d.ts'];
    return checker.check(
      block.files.map((f) => f.name),
      'nodenext',
      extra,
    );
  } finally {
    checker.dispose();
  }
}

/** The file Node runs for a block file: TypeScript transpiled (types stripped), JavaScript as it is. */
function runnable(file: BlockFile): BlockFile {
  if (!/\.(m|c)?ts$/.test(file.name)) return file;
  const esm = file.name.endsWith('.mts') || (!file.name.endsWith('.cts') && isEsm(file.code));
  const { outputText } = ts.transpileModule(file.code, {
    compilerOptions: { module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  return { name: file.name.replace(/\.(m|c)?ts$/, esm ? '.mjs' : '.cjs'), code: outputText };
}

function run(block: CodeBlock): void {
  const dir = path.join(project, `block-${block.line}`);
  fs.mkdirSync(dir);
  const files = block.files.map(runnable);
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.code);
  const r = spawnSync(process.execPath, [(files[0] as BlockFile).name], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...(redis ? { REDIS_URL: redis.url } : {}) },
  });
  expect(r.error, `README line ${block.line}`).toBeUndefined();
  expect(r.status, `README line ${block.line} exited with ${r.status} (signal ${r.signal}):\n${r.stderr}`).toBe(0);
}

describe('README.md code blocks', () => {
  it('has the examples this test is for', () => {
    const all = blocks.map((b) => b.files.map((f) => f.code).join('\n'));
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    expect(all.some((c) => c.includes("require('node:net')") && c.includes('pipeline('))).toBe(true);
    expect(all.some((c) => c.includes("serialization: 'advanced'") && c.includes('pipeline(') && c.includes('child.stdin'))).toBe(true);
    expect(blocks.some((b) => b.packages.includes('redis'))).toBe(true);
    expect(blocks.some((b) => b.language === 'ts')).toBe(true);
  });

  for (const block of blocks) {
    const what = `line ${block.line} (${block.language}, ${block.files.map((f) => f.name).join(' + ')})`;
    if (block.language === 'ts' || block.mode === 'typecheck') {
      it(`${what} typechecks`, () => {
        expect(typecheck(block)).toEqual([]);
      });
    }
    if (block.mode === 'run') {
      it(`${what} runs`, () => run(block));
    }
  }
});

describe('how README blocks are read (test/support/readme-blocks.ts)', () => {
  const markdown = [
    'Text.',
    '```js',
    "const { pack } = require('blosc2');",
    '```',
    '```python',
    'print(1)',
    '```',
    '<!-- readme-test: typecheck (a browser page) -->',
    '',
    '```js',
    "import { pack } from 'blosc2';",
    "document.title = pack(1, { clevel: 'high' }).length;",
    '```',
    '```ts',
    '// file: main.ts',
    "import { Worker } from 'node:worker_threads';",
    "new Worker('./w.js');",
    '// file: w.js',
    "require('lru-cache');",
    '```',
  ].join('\n');
  const parsed = codeBlocks(markdown);

  it('finds the JavaScript and TypeScript blocks, their marks, files, module kind and packages', () => {
    expect(parsed.map((b) => [b.line, b.language, b.mode, b.files.map((f) => f.name), b.packages])).toEqual([
      [2, 'js', 'run', ['readme-2.cjs'], ['blosc2']],
      [10, 'js', 'typecheck', ['readme-10.mjs'], ['blosc2']],
      [14, 'ts', 'run', ['main.ts', 'w.js'], ['lru-cache']],
    ]);
  });

  it('a block marked typecheck is typechecked, with the DOM, and its errors are reported', () => {
    const diagnostics = typecheck(parsed[1] as CodeBlock);
    expect(diagnostics.join('\n')).toContain("Type 'string' is not assignable to type 'number'");
    expect(diagnostics.join('\n')).not.toContain('document');
  });

  it('refuses an unknown mark, so that a misspelled one is not ignored', () => {
    expect(() => codeBlocks('<!-- readme-test: typechek -->\n```js\n1\n```\n')).toThrow(/unknown readme-test mark 'typechek'/);
  });
});

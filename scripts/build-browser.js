#!/usr/bin/env node
// Builds the browser bundle, dist/browser/blosc2.js: one ES module (msgpackr
// included) for pages and Web Workers, over the WebAssembly core
// (wasm/blosc2.wasm, fetched relative to the bundle). It is src/index.ts with
// every module that has a `.web.ts` sibling replaced by it (the platform seam,
// the backend loader, the stream classes), bundled by esbuild for the
// 'browser' platform, where importing a Node built-in fails the build: the
// bundle cannot depend on one by accident.
//
// esbuild, because it bundles TypeScript as it is (no second compile), honours
// msgpackr's "browser" export condition, keeps the top-level await the backend
// needs, and builds the whole bundle in well under a second.
//
//   node scripts/build-browser.js [--report]   --report: sizes (raw and gzip -9) of the bundle and the wasm modules
'use strict';

const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.join(__dirname, '..');
const outfile = path.join(root, 'dist', 'browser', 'blosc2.js');

/** Resolves `./x` to `./x.web.ts` (or `./x/index.web.ts`) where that file exists. */
const webSiblings = {
  name: 'web-siblings',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(path.join(root, 'src'))) return undefined;
      const base = path.resolve(args.resolveDir, args.path);
      for (const candidate of [`${base}.web.ts`, path.join(base, 'index.web.ts')]) {
        if (candidate !== args.importer && fs.existsSync(candidate)) return { path: candidate };
      }
      return undefined;
    });
  },
};

function gzipSize(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

async function main() {
  const started = Date.now();
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'src', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    plugins: [webSiblings],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const nodeOnly = inputs.filter((f) => /src\/(platform\/node|backend\/(native|load-wasm))\.ts$|src\/stream\.ts$/.test(f));
  if (nodeOnly.length > 0) throw new Error(`the browser bundle took in Node-only modules: ${nodeOnly.join(', ')}`);
  const report = {
    bundle: path.relative(root, outfile),
    seconds: (Date.now() - started) / 1000,
    js: { raw: fs.statSync(outfile).size, gzip: gzipSize(outfile) },
  };
  for (const file of [path.join(root, 'wasm', 'blosc2.wasm'), path.join(root, 'deps', 'build', 'wasm', 'blosc2-lean.wasm')]) {
    const name = path.basename(file);
    if (fs.existsSync(file)) report[name] = { raw: fs.statSync(file).size, gzip: gzipSize(file) };
  }
  if (process.argv.includes('--report')) console.log(JSON.stringify(report, null, 2));
  else process.stderr.write(`[blosc2 browser] ${report.bundle}: ${report.js.raw} bytes (${report.js.gzip} gzipped)\n`);
}

main().catch((err) => {
  process.stderr.write(`[blosc2 browser] ${err.stack || err}\n`);
  process.exit(1);
});

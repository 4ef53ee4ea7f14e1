'use strict';
// The one way code outside vitest's own process loads the library: child
// processes (`node -r ./test/support/load.cjs <script>`, see ./child.ts) and
// worker threads (`require('<this file>').loadLibrary()`). Requiring this file
// lets plain `node` require TypeScript as vitest sees it: each .ts file
// outside node_modules is transpiled to CommonJS by the project's own
// TypeScript on first require. The published build (dist/) is loaded as it
// is, without any of this (test/dist.test.ts).
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The library's sources, as the tests import them. */
const SRC_INDEX = path.join(REPO_ROOT, 'src', 'index.ts');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  isolatedModules: true,
  sourceMap: false,
};

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => {
    if (filename.includes(`${path.sep}node_modules${path.sep}`)) {
      throw new Error(`test/support/load.cjs: refusing to transpile a dependency: ${filename}`);
    }
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
    module._compile(outputText, filename);
  };
}

/** The library (src/index.ts), in this process or thread. */
function loadLibrary() {
  return require(SRC_INDEX);
}

module.exports = { REPO_ROOT, SRC_INDEX, loadLibrary };

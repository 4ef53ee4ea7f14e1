// ESLint (flat config): typescript-eslint's type-aware rules on the TypeScript
// sources and tests, the recommended rules on the plain JavaScript (bench,
// scripts, deps, test fixtures). Formatting is Prettier's job
// (eslint-config-prettier turns the overlapping rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'deps/build/', 'deps/downloads/', 'prebuilds/', '.pydeps/', 'bench/results/', 'docs/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The browser bundle's replacements (scripts/build-browser.js): typed with the DOM's lib.
    files: ['src/**/*.web.ts'],
    languageOptions: { parserOptions: { projectService: false, project: './tsconfig.web.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    // vitest's asymmetric matchers (expect.stringMatching, ...) are typed `any`,
    // and tests hand methods such as sizeCalculation over on purpose.
    files: ['test/**/*.ts', 'property-tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // What runs in Chromium's page and Web Worker (test/browser.test.ts).
    files: ['test/browser/**/*.mjs'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  prettier,
);

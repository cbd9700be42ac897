// Lint settles style questions; `npm run lint` allows no warnings. The import rules enforce the
// layer table in shared/STYLE.md: core is pure, adapters never see the editor, src/flows (which
// combines the adapters for both front ends) sees neither front end, the CLI never imports the
// extension. Cycles (`import type` included), adapters kept apart and the folder rules of
// src/extension and media/ are dependency-cruiser's: .dependency-cruiser.cjs, run by `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', 'out/**', 'test/fixtures/**', 'examples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict([
      { group: ['vscode', 'dockerode', '@kubernetes/client-node', 'fs', 'node:fs', 'fs/*', 'node:fs/*', 'child_process', 'node:child_process'], message: 'src/core is pure: read files through a WorkspaceReader and talk to engines through an adapter.' },
      { group: ['**/cli/**', '**/extension/**', '**/docker/**', '**/kube/**', '**/platform/**', '**/flows/**'], message: 'src/core imports no other src/ folder.' },
    ]),
  },
  {
    files: ['src/docker/**/*.ts', 'src/kube/**/*.ts', 'src/platform/**/*.ts'],
    rules: restrict([{ group: ['vscode', '**/cli/**', '**/extension/**', '**/flows/**'], message: 'Adapters never see the editor, the CLI or the flows that combine them.' }]),
  },
  {
    files: ['src/flows/**/*.ts'],
    rules: restrict([{ group: ['vscode', '**/cli/**', '**/extension/**'], message: 'src/flows is shared by both front ends: it reports through callbacks and never imports the editor, the CLI or the extension.' }]),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict([{ group: ['vscode', '**/extension/**'], message: 'The CLI never imports the extension.' }]),
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: restrict([{ group: ['**/cli/**'], message: 'The extension never imports the CLI.' }]),
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', URL: 'readonly', window: 'readonly', document: 'readonly' } },
  },
);

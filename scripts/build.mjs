// Bundles each entry with esbuild: the extension (vscode external), the CLI (with a shebang),
// and the extension-host test suites. One bundle per entry keeps activation to one file read.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: true,
  logLevel: 'warning',
  loader: { '.tmpl': 'text', '.py': 'text' },
};

const testSuiteDir = 'test/extension';
const testEntries = existsSync(testSuiteDir)
  ? readdirSync(testSuiteDir).filter((f) => f.endsWith('.ts')).map((f) => join(testSuiteDir, f))
  : [];

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true },
  // Loaded by the extension on first detection, never at activation.
  { ...common, entryPoints: ['src/extension/detectionBundle.ts'], outfile: 'dist/detection.js', external: ['vscode'], minify: true },
  // Loaded when the first Dockerfile or manifest is linted.
  { ...common, entryPoints: ['src/extension/lintBundle.ts'], outfile: 'dist/lint.js', external: ['vscode'], minify: true },
  // Minified: the CLI starts often, and parsing a smaller file is most of its start-up.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: ['vscode'], minify: true, banner: { js: '#!/usr/bin/env node' } },
  // The heavy commands, required by dist/cli.js only when they run.
  { ...common, entryPoints: { 'cli-lint': 'src/cli/commands/lint.ts', 'cli-containerize': 'src/cli/commands/containerize.ts' }, outdir: 'dist', external: ['vscode'], minify: true },
];
if (testEntries.length > 0) {
  builds.push({ ...common, entryPoints: testEntries, outdir: 'dist/test/extension', external: ['vscode', 'mocha'] });
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}

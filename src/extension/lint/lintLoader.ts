import * as path from 'path';

type LintBundle = typeof import('./lintBundle');
let lint: LintBundle | undefined;

/** Loads dist/lint.js once: the Dockerfile and manifest linters. The computed path keeps esbuild from inlining it into extension.js. */
export function loadLint(): LintBundle {
  lint ??= require(path.join(__dirname, 'lint.js')) as LintBundle;
  return lint;
}

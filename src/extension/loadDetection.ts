import * as path from 'path';

type DetectionBundle = typeof import('./detectionBundle');
type LintBundle = typeof import('./lintBundle');
let detection: DetectionBundle | undefined;
let lint: LintBundle | undefined;

// Computed paths keep esbuild from inlining these bundles into extension.js.

/** Loads dist/detection.js once: detection, scaffolding, the model safety scan. */
export function loadDetection(): DetectionBundle {
  detection ??= require(path.join(__dirname, 'detection.js')) as DetectionBundle;
  return detection;
}

/** Loads dist/lint.js once: the Dockerfile and manifest linters. */
export function loadLint(): LintBundle {
  lint ??= require(path.join(__dirname, 'lint.js')) as LintBundle;
  return lint;
}

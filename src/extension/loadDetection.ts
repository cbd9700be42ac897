import * as path from 'path';

type DetectionBundle = typeof import('./detectionBundle');
let loaded: DetectionBundle | undefined;

/** Loads dist/detection.js once. The computed path keeps esbuild from inlining it into extension.js. */
export function loadDetection(): DetectionBundle {
  loaded ??= require(path.join(__dirname, 'detection.js')) as DetectionBundle;
  return loaded;
}

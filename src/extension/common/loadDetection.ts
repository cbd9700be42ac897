import * as path from 'path';

type DetectionBundle = typeof import('./detectionBundle');
let detection: DetectionBundle | undefined;

// The computed path keeps esbuild from inlining the bundle into extension.js.

/** Loads dist/detection.js once: detection, scaffolding, the model safety scan. */
export function loadDetection(): DetectionBundle {
  detection ??= require(path.join(__dirname, 'detection.js')) as DetectionBundle;
  return detection;
}

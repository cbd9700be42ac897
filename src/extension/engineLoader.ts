import * as path from 'path';

type EngineBundle = typeof import('./engineBundle');
let engine: EngineBundle | undefined;

/**
 * Loads dist/engine.js once: dockerode and the command flows that use it. Called on the first
 * engine command or when the Images & Containers view first shows, never at activation. The
 * computed path keeps esbuild from inlining the bundle into extension.js.
 */
export function loadEngine(): EngineBundle {
  engine ??= require(path.join(__dirname, 'engine.js')) as EngineBundle;
  return engine;
}

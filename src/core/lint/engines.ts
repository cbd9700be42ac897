/** The per-format linters behind the facade in index.ts: the single place that wires them in. */
export type { DockerfileLintContext } from './dockerfile';
export { lintDockerfile } from './dockerfile';
export type { ManifestLintContext, ParsedManifest } from './kubernetes';
export { lintManifests, manifestTooLarge, prepareManifestLinter, parseManifests } from './kubernetes';
export type { ModelSafety, SafetyGlobal } from './model/modelSafety';
export { scanModelSafety } from './model/scanModelSafety';
export { safetyFindings } from './model/safetyFindings';

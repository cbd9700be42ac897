/**
 * Everything detection, scaffolding and the model safety scan need, bundled apart as
 * dist/detection.js and loaded on first use, so activation parses only the extension's own small
 * bundle. The text linters (with their schema validators) are a bundle of their own (lintBundle.ts).
 */
export { ProjectDetector } from '../../core/detect';
export { excludeMatcher } from '../../core/detect/walkProject';
export { scaffold } from '../../core/scaffold';
export { describePlan, nextGeneratedRecord, planChanges } from '../../core/scaffold/plan';
export { GENERATED_RECORD_PATH, parseGeneratedRecord } from '../../core/scaffold/generatedRecord';
export { configureFindings } from '../../core/lint/configure';
export { scanModelSafety } from '../../core/lint/model/scanModelSafety';
export { safetyFindings } from '../../core/lint/model/safetyFindings';
export { NodeFsReader } from '../../platform/nodeFsReader';
export { writeFileAtomic } from '../../platform/writeFileAtomic';
export { VscodeFsReader } from './vscodeFsReader';
// Light reads the Deployments view and the status bar make before the Kubernetes client is loaded.
export { editorTargets } from '../../core/deploy/editorTargets';
export { setEnvironmentField, ENVIRONMENTS_FILE } from '../../core/deploy/environments';
export { findShipProjects, resolveShipProject, projectOf, relativeDir } from './shipProjects';

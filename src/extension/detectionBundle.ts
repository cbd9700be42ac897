/**
 * Everything detection, scaffolding and lint need, bundled apart as dist/detection.js and loaded
 * on first use, so activation parses only the extension's own small bundle.
 */
export { ProjectDetector } from '../core/detect';
export { excludeMatcher } from '../core/detect/walkProject';
export { scaffold } from '../core/scaffold';
export { describePlan, planChanges } from '../core/scaffold/plan';
export { ALL_RULES, configureFindings, ruleDoc, safetyFindings, scanModelSafety } from '../core/lint';
export { NodeFsReader } from '../platform/nodeFsReader';
export { writeFileAtomic } from '../platform/writeFileAtomic';
export { documentKind, lintDocument } from './lintRunner';
export { VscodeFsReader } from './vscodeFsReader';

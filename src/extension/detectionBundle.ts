/**
 * Everything detection and scaffolding need, bundled apart as dist/detection.js and loaded on
 * first use, so activation parses only the extension's own small bundle.
 */
export { ProjectDetector } from '../core/detect';
export { scaffold } from '../core/scaffold';
export { describePlan, planChanges } from '../core/scaffold/plan';
export { NodeFsReader } from '../platform/nodeFsReader';
export { writeFileAtomic } from '../platform/writeFileAtomic';
export { VscodeFsReader } from './vscodeFsReader';

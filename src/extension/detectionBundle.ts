/**
 * Everything detection needs, bundled apart as dist/detection.js and loaded on first use, so
 * activation parses only the extension's own small bundle.
 */
export { ProjectDetector } from '../core/detect';
export { NodeFsReader } from '../platform/nodeFsReader';
export { VscodeFsReader } from './vscodeFsReader';

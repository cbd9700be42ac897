/**
 * Detection: turns a folder (seen through a WorkspaceReader) into a ProjectDescription.
 * `detectProject` scans everything; a `ProjectDetector` keeps the last result and re-checks only
 * the paths a file-system event names.
 */
export type * from './types';
export { detectFile, detectProject, ProjectDetector } from './projectDetector';

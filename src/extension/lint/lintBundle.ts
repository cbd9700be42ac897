/**
 * The Dockerfile and manifest linters, bundled apart as dist/lint.js: their parsers and Kubernetes
 * schema validators load when the first Dockerfile or manifest is opened, not with detection.
 */
export { ALL_RULES } from '../../core/lint';
export { documentKind, lintDocument } from './lintRunner';

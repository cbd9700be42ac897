/**
 * The Containerize flow (questions, plan, consent, writes, summary), bundled apart as
 * dist/containerize.js and loaded on the first Containerize, so activation does not parse it.
 */
export { containerize } from './containerize';

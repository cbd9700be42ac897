/**
 * Checks the host's messages before the page acts on them: a page left open across an extension
 * update could otherwise read fields that are no longer there. Checks the shape the page reads,
 * not every field (the host is trusted; this guards against a mismatch, not an attacker).
 */
import type { LogsHostMessage, StatusHostMessage } from '../src/extension/webview/protocol';

type Fields = Record<string, unknown>;

const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isTarget = (x: unknown) => isObject(x) && typeof x.projectDir === 'string' && typeof x.environment === 'string' && typeof x.deployment === 'string';
const isStrings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');

export function isStatusHostMessage(x: unknown): x is StatusHostMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'statusHello':
      return isTarget(x.target) && typeof x.canRollback === 'boolean';
    case 'model':
      return isObject(x.model) && isObject(x.model.header) && Array.isArray(x.model.pods) && Array.isArray(x.model.events) && Array.isArray(x.model.conditions) && Array.isArray(x.model.revisions);
    case 'feedError':
      return typeof x.message === 'string';
    default:
      return false;
  }
}

export function isLogsHostMessage(x: unknown): x is LogsHostMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'logsHello':
      return isTarget(x.target) && isObject(x.query) && typeof x.query.previous === 'boolean' && isObject(x.filter);
    case 'logsInfo':
      return isCount(x.version) && isCount(x.first) && isCount(x.total) && isCount(x.dropped) && isStrings(x.pods) && isStrings(x.containers) && typeof x.streaming === 'boolean';
    case 'rows':
      return isCount(x.version) && isCount(x.start) && Array.isArray(x.rows) && x.rows.every((r) => isObject(r) && isCount(r.index) && typeof r.text === 'string' && typeof r.pod === 'string' && typeof r.container === 'string');
    case 'searchResult':
      return isCount(x.version) && typeof x.text === 'string' && typeof x.index === 'number' && isCount(x.count);
    case 'feedError':
      return typeof x.message === 'string';
    default:
      return false;
  }
}

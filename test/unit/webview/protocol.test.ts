// The host checks every webview message before acting on it: valid ones come back normalised,
// anything unknown or malformed comes back undefined (and the panel logs and drops it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PAGE, parseLogFilter, parseLogQuery, parsePanelTarget, parseWebviewMessage } from '../../../src/extension/webview/protocol';

test('valid messages pass, with only the fields the protocol names', () => {
  const valid: unknown[] = [
    { type: 'ready' },
    { type: 'retry' },
    { type: 'clientError', message: 'TypeError: x is undefined' },
    { type: 'showLogs', previous: true },
    { type: 'rollback' },
    { type: 'rollback', revision: 3 },
    { type: 'rows', version: 2, start: 199_800, count: 200 },
    { type: 'filter', filter: { pod: 'model-0', container: 'server', minLevel: 'warn', text: 'timeout' } },
    { type: 'filter', filter: {} },
    { type: 'query', query: { previous: true, since: '5m', tail: 100 } },
    { type: 'search', text: 'Traceback', from: 0, backwards: false },
  ];
  for (const message of valid) assert.deepEqual(parseWebviewMessage(message), message, JSON.stringify(message));
  assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' }, 'unknown fields are left behind');
  assert.deepEqual(parseWebviewMessage({ type: 'filter', filter: { pod: '', text: '' } }), { type: 'filter', filter: {} }, 'empty means no filter');
});

test('unknown and malformed messages are rejected', () => {
  const bad: unknown[] = [
    undefined, null, 42, 'ready', [], {}, { type: 1 }, { type: 'nope' }, { type: '__proto__' },
    { type: 'clientError' },
    { type: 'showLogs' }, { type: 'showLogs', previous: 'yes' },
    { type: 'rollback', revision: -1 }, { type: 'rollback', revision: 1.5 },
    { type: 'rows', version: 1, start: 0 }, { type: 'rows', version: 1, start: -1, count: 10 },
    { type: 'rows', version: 1, start: 0, count: MAX_PAGE + 1 }, { type: 'rows', version: '1', start: 0, count: 1 },
    { type: 'rows', version: 1, start: Number.MAX_SAFE_INTEGER + 2, count: 1 }, { type: 'rows', version: 1, start: NaN, count: 1 },
    { type: 'filter' }, { type: 'filter', filter: [] }, { type: 'filter', filter: { minLevel: 'verbose' } }, { type: 'filter', filter: { pod: 7 } },
    { type: 'filter', filter: { text: 'x'.repeat(1001) } },
    { type: 'query', query: {} }, { type: 'query', query: { previous: 'true' } }, { type: 'query', query: { previous: false, tail: -1 } },
    { type: 'query', query: { previous: false, since: 5 } },
    { type: 'search', text: 'x', from: 0 }, { type: 'search', text: 3, from: 0, backwards: false },
  ];
  for (const message of bad) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message) ?? String(message));
});

test('a saved target, filter and query are read back tolerantly', () => {
  const target = { projectDir: '/work/iris', environment: 'staging', deployment: 'iris' };
  assert.deepEqual(parsePanelTarget({ ...target, extra: true }), target);
  assert.equal(parsePanelTarget({ ...target, deployment: '' }), undefined);
  assert.equal(parsePanelTarget({ projectDir: '/x', environment: 'dev' }), undefined);
  assert.equal(parsePanelTarget('iris'), undefined);
  assert.deepEqual(parseLogFilter({ minLevel: 'error' }), { minLevel: 'error' });
  assert.equal(parseLogFilter(undefined), undefined);
  assert.deepEqual(parseLogQuery({ previous: false, since: '1h' }), { previous: false, since: '1h' });
  assert.deepEqual(parseLogQuery({ previous: false, tail: 0 }), { previous: false, tail: 0 });
  assert.equal(parseLogQuery(null), undefined);
});

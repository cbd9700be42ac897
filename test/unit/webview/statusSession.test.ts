// The status panel's host side without vscode: a fake StatusFeed. Live models, errors with Retry,
// a restarted watch silencing the old one, and what a reloaded page is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusModel } from '../../../src/core/deploy/statusModel';
import type { StatusFeed } from '../../../src/extension/webview/panelTypes';
import type { StatusHostMessage } from '../../../src/extension/webview/protocol';
import { StatusSession } from '../../../src/extension/webview/statusSession';

const target = { projectDir: '/work/iris', environment: 'prod', deployment: 'iris' };

function model(summary: string): StatusModel {
  return {
    header: { deployment: 'iris', environment: 'prod', context: 'kind', namespace: 'ml', ready: 1, desired: 1, updated: 1, available: 1, state: 'ready', summary },
    conditions: [], revisions: [], pods: [], events: [],
  };
}

function fakeFeed() {
  const watches: { onModel: (m: StatusModel) => void; onError: (e: string) => void; signal: AbortSignal }[] = [];
  const feed: StatusFeed = {
    watch: (onModel, onError, signal) => new Promise<void>((resolve) => {
      watches.push({ onModel, onError, signal });
      signal.addEventListener('abort', () => resolve());
    }),
  };
  return { watches, feed };
}

const settle = () => new Promise((r) => setImmediate(r));

function session(feed: () => Promise<StatusFeed>, canRollback = false) {
  const posted: StatusHostMessage[] = [];
  const s = new StatusSession({ target, canRollback, feed, post: (m) => posted.push(m), log: () => {} });
  return { s, posted };
}

test('models are posted as they come; a reloaded page gets hello and the last model', async () => {
  const fake = fakeFeed();
  const { s, posted } = session(() => Promise.resolve(fake.feed), true);
  s.start();
  await settle();
  fake.watches[0]!.onModel(model('one'));
  fake.watches[0]!.onModel(model('two'));
  assert.deepEqual(posted.map((m) => m.type), ['model', 'model']);
  assert.equal(s.lastModel()?.header.summary, 'two');
  s.ready();
  assert.deepEqual(posted.slice(-2), [{ type: 'statusHello', target, canRollback: true }, { type: 'model', model: model('two') }]);
  s.dispose();
});

test('Retry aborts the old watch; the old one can no longer post', async () => {
  const fake = fakeFeed();
  const { s, posted } = session(() => Promise.resolve(fake.feed));
  s.start();
  await settle();
  fake.watches[0]!.onError('connection refused');
  assert.deepEqual(posted.at(-1), { type: 'feedError', message: 'connection refused' });
  s.start();
  await settle();
  assert.equal(fake.watches[0]!.signal.aborted, true);
  fake.watches[0]!.onModel(model('stale'));
  assert.equal(s.lastModel(), undefined, 'the aborted watch is ignored');
  fake.watches[1]!.onModel(model('fresh'));
  assert.equal(s.lastModel()?.header.summary, 'fresh');
  s.ready();
  assert.notEqual(posted.at(-1)!.type, 'feedError', 'a model after the error clears it');
  s.dispose();
  assert.equal(fake.watches[1]!.signal.aborted, true);
  const count = posted.length;
  fake.watches[1]!.onModel(model('after'));
  s.ready();
  assert.equal(posted.length, count, 'nothing after dispose');
});

test('a feed that cannot be created is an error in the panel, and is asked for again on Retry', async () => {
  let calls = 0;
  const fake = fakeFeed();
  const { s, posted } = session(() => (++calls === 1 ? Promise.reject(new Error('context kind not in kubeconfig')) : Promise.resolve(fake.feed)));
  s.start();
  await settle();
  assert.deepEqual(posted, [{ type: 'feedError', message: 'context kind not in kubeconfig' }]);
  s.start();
  await settle();
  assert.equal(calls, 2);
  assert.equal(fake.watches.length, 1);
  s.dispose();
});

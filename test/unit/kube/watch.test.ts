// The resumable watch loop with a scripted Watch: it resumes from the last resourceVersion after any
// drop (an error, a clean end), relists on 410 Gone (as an ERROR event or an HTTP status), and stops on abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resumableWatch, type WatchLike } from '../../../src/kube/watch';

type Script = (cb: (type: string, obj: unknown) => void, done: (err: unknown) => void) => void;

test('resumes from the last resourceVersion after drops and relists on 410 Gone', async () => {
  const controller = new AbortController();
  const requests: string[] = [];
  let lists = 0;
  const changes: string[] = [];
  const pod = (rv: string) => ({ metadata: { name: 'p', resourceVersion: rv } });
  const scripts: Script[] = [
    (cb, done) => (cb('ADDED', pod('11')), cb('BOOKMARK', pod('12')), done(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))),
    (cb, done) => (cb('MODIFIED', pod('13')), done(null)),
    (cb, done) => (cb('ERROR', { kind: 'Status', code: 410, reason: 'Expired' }), done(null)),
    (cb, done) => (cb('MODIFIED', pod('21')), setTimeout(() => done(Object.assign(new Error('Gone'), { statusCode: 410 })), 5)),
    (cb) => (cb('DELETED', pod('30')), controller.abort()),
  ];
  const watch: WatchLike = {
    async watch(_path, query, cb, done) {
      requests.push(String(query.resourceVersion));
      const script = scripts.shift();
      setTimeout(() => script?.(cb, done), 1);
      return new AbortController();
    },
  };
  await resumableWatch({
    watch,
    path: '/api/v1/namespaces/x/pods',
    list: async () => String(++lists * 10),
    onChange: (c) => changes.push(c.type),
    signal: controller.signal,
  });
  assert.deepEqual(requests, ['10', '12', '13', '20', '30']);
  assert.equal(lists, 3);
  assert.deepEqual(changes, ['relisted', 'ADDED', 'MODIFIED', 'relisted', 'MODIFIED', 'relisted', 'DELETED']);
});

test('a fatal list error (403) ends the loop with it', async () => {
  const forbidden = Object.assign(new Error('forbidden'), { statusCode: 403 });
  const watch: WatchLike = { watch: async () => assert.fail('no watch before a list') };
  await assert.rejects(
    resumableWatch({ watch, path: '/x', list: async () => Promise.reject(forbidden), onChange: () => undefined, fatal: (e) => (e as { statusCode?: number }).statusCode === 403, signal: new AbortController().signal }),
    /forbidden/,
  );
});

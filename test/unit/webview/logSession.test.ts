// The logs panel's host side without vscode: a fake LogFeed, posted messages collected. Batching
// (a flood of lines posts one count per interval), paging, filter and query changes (versions),
// errors with Retry, and nothing posted after dispose.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../../src/core/deploy/logLines';
import { FLUSH_MS, LogSession, toQueryOptions } from '../../../src/extension/webview/logSession';
import type { LogFeed, LogQueryOptions } from '../../../src/extension/webview/panelTypes';
import type { LogQuery, LogsHostMessage } from '../../../src/extension/webview/protocol';

const target = { projectDir: '/work/iris', environment: 'staging', deployment: 'iris' };

/** A feed whose streams the test drives: push lines, end or fail the stream. */
function fakeFeed() {
  const streams: { query: LogQueryOptions; onLines: (l: LogLine[]) => void; onNotice: (t: string) => void; signal: AbortSignal; end: () => void; fail: (e: Error) => void }[] = [];
  let created = 0;
  const feed: LogFeed = {
    stream: (query, onLines, onNotice, signal) => new Promise<void>((resolve, reject) => {
      streams.push({ query, onLines, onNotice, signal, end: resolve, fail: reject });
      signal.addEventListener('abort', () => resolve());
    }),
  };
  return { streams, feed: () => (created++, Promise.resolve(feed)), created: () => created };
}

function session(t: TestContext, query: LogQuery = { previous: false }, feedFn?: () => Promise<LogFeed>, mockTimers = true) {
  if (mockTimers) t.mock.timers.enable({ apis: ['setTimeout'] });
  const fake = fakeFeed();
  const posted: LogsHostMessage[] = [];
  const s = new LogSession({ target, query, feed: feedFn ?? fake.feed, post: (m) => posted.push(m), log: () => {}, capacity: 1000 });
  t.after(() => s.dispose());
  const infos = () => posted.filter((m) => m.type === 'logsInfo');
  return { s, fake, posted, infos };
}

const settle = () => new Promise((r) => setImmediate(r));
const lines = (n: number, from = 0, pod = 'model-0'): LogLine[] => Array.from({ length: n }, (_, i) => ({ pod, container: 'server', line: `INFO request ${from + i}` }));

test('a flood of lines posts one count per flush interval, not one per batch', async (t) => {
  const { s, fake, infos } = session(t);
  s.start();
  await settle();
  assert.equal(fake.streams.length, 1);
  const before = infos().length;
  for (let i = 0; i < 100; i++) fake.streams[0]!.onLines(lines(5, i * 5));
  assert.equal(infos().length, before, 'nothing posted before the interval ends');
  t.mock.timers.tick(FLUSH_MS);
  assert.equal(infos().length, before + 1);
  const last = infos().at(-1)!;
  assert.ok(last.type === 'logsInfo');
  assert.deepEqual([last.first, last.total, last.dropped, last.pods, last.containers, last.streaming], [0, 500, 0, ['model-0'], ['server'], true]);
  t.mock.timers.tick(FLUSH_MS * 10);
  assert.equal(infos().length, before + 1, 'no repeat when nothing changed');
});

test('rows are answered for the current version only, exactly as asked', async (t) => {
  const { s, fake, posted } = session(t);
  s.start();
  await settle();
  fake.streams[0]!.onLines(lines(1500));
  t.mock.timers.tick(FLUSH_MS);
  const info = posted.filter((m) => m.type === 'logsInfo').at(-1)!;
  assert.ok(info.type === 'logsInfo');
  assert.deepEqual([info.first, info.total, info.dropped], [500, 1000, 500], 'capacity 1000: the oldest 500 dropped');
  s.handle({ type: 'rows', version: info.version, start: 600, count: 3 });
  const rows = posted.at(-1)!;
  assert.ok(rows.type === 'rows');
  assert.deepEqual(rows.rows.map((r) => [r.index, r.text, r.level]), [[600, 'INFO request 600', 'info'], [601, 'INFO request 601', 'info'], [602, 'INFO request 602', 'info']]);
  const count = posted.length;
  s.handle({ type: 'rows', version: info.version - 1, start: 600, count: 3 });
  assert.equal(posted.length, count, 'a stale request gets no answer');
  assert.deepEqual(s.visibleText(0, 2), ['model-0/server INFO request 500', 'model-0/server INFO request 501']);
  assert.equal(s.bufferedLines(), 1000);
});

test('a filter bumps the version and posts the new counts at once; search answers in that version', async (t) => {
  const { s, fake, posted } = session(t);
  s.start();
  await settle();
  fake.streams[0]!.onLines([...lines(10, 0, 'model-a'), ...lines(10, 10, 'model-b')]);
  t.mock.timers.tick(FLUSH_MS);
  const v1 = (posted.filter((m) => m.type === 'logsInfo').at(-1) as { version: number }).version;
  s.handle({ type: 'filter', filter: { pod: 'model-b' } });
  const info = posted.at(-1)!;
  assert.ok(info.type === 'logsInfo');
  assert.equal(info.version, v1 + 1);
  assert.equal(info.total, 10);
  s.handle({ type: 'search', text: 'request 15', from: 0, backwards: false });
  assert.deepEqual(posted.at(-1), { type: 'searchResult', version: v1 + 1, text: 'request 15', index: 5, count: 1 });
  assert.deepEqual(s.visibleText(0, 1), ['model-b/server INFO request 10']);
});

test('a new query aborts the stream, clears the buffer and streams again with the feed\'s options', async (t) => {
  const { s, fake, posted } = session(t, { previous: false, tail: 100 });
  s.start();
  await settle();
  assert.deepEqual(fake.streams[0]!.query, { previous: false, tailLines: 100 });
  fake.streams[0]!.onLines(lines(10));
  s.handle({ type: 'query', query: { previous: true, since: '5m' } });
  await settle();
  assert.equal(fake.streams[0]!.signal.aborted, true);
  assert.deepEqual(fake.streams[1]!.query, { previous: true, sinceSeconds: 300 });
  assert.equal(s.bufferedLines(), 0);
  fake.streams[0]!.onLines(lines(10));
  assert.equal(s.bufferedLines(), 0, 'lines of the aborted stream are ignored');
  assert.ok(posted.some((m) => m.type === 'logsHello' && m.query.previous), 'the toolbar hears the query in effect');
  assert.equal(fake.created(), 1, 'the feed is created once and reused');
});

test('notices and the end of the stream become lines of their own', async (t) => {
  const { s, fake } = session(t);
  s.start();
  await settle();
  fake.streams[0]!.onNotice('Pod model-1 joined.');
  fake.streams[0]!.end();
  await settle();
  assert.deepEqual(s.visibleText(0, 5), ['Pod model-1 joined.', 'The log stream ended.']);
});

test('a failing stream shows its error; Retry asks for the feed again and streams anew', async (t) => {
  const { s, fake, posted } = session(t);
  s.start();
  await settle();
  fake.streams[0]!.fail(new Error('Forbidden: cannot get pods/log'));
  await settle();
  assert.deepEqual(posted.at(-1), { type: 'feedError', message: 'Forbidden: cannot get pods/log' });
  s.handle({ type: 'ready' });
  assert.equal(posted.at(-1)!.type, 'feedError', 'a reloaded page sees the error again');
  s.handle({ type: 'retry' });
  await settle();
  assert.equal(fake.streams.length, 2);
  assert.equal(fake.created(), 2);
});

test('an invalid since is an error in the panel, not a stream; a feed that cannot be created too', async (t) => {
  const { s, posted } = session(t, { previous: false, since: 'soon' });
  s.start();
  assert.match((posted.at(-1) as { message: string }).message, /^Since "soon" is not a duration/);
  assert.throws(() => toQueryOptions({ previous: false, since: '5 minutes' }), /30s, 5m, 1h/);

  const broken = session(t, { previous: false }, () => Promise.reject(new Error('no kubeconfig')), false);
  broken.s.start();
  await settle();
  assert.deepEqual(broken.posted.at(-1), { type: 'feedError', message: 'no kubeconfig' });
});

test('ready replays hello and counts; nothing is posted after dispose', async (t) => {
  const { s, fake, posted } = session(t, { previous: true });
  s.start();
  await settle();
  s.handle({ type: 'ready' });
  const [hello, info] = posted.slice(-2);
  assert.deepEqual(hello, { type: 'logsHello', target, query: { previous: true }, filter: {} });
  assert.equal(info!.type, 'logsInfo');
  s.dispose();
  const count = posted.length;
  fake.streams[0]!.onLines(lines(3));
  t.mock.timers.tick(FLUSH_MS);
  s.handle({ type: 'ready' });
  assert.equal(posted.length, count);
  assert.equal(fake.streams[0]!.signal.aborted, true);
});

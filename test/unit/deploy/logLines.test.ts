// Whole-Deployment log lines: timestamps, durations, prefixes and colour, bounded line splitting,
// and the dedup that lets a cut stream resume with sinceTime without printing a line twice.
// The adapter's pure parts (instances by container ID, request paths, the pump) are checked here
// too, against kubelet-format text, as is the CLI's choice of defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admitLine, beginReplay, colourFor, DEDUP_WINDOW, formatLines, linePrefix, newDedupState, parseDuration, splitLines, splitTimestamp, timestampKey, useColour, type LogLine,
} from '../../../src/core/deploy/logLines';
import { containerInstances, locateInstance, logPath, newStreamState, pumpLogStream } from '../../../src/kube/deploymentLogs';
import type { PodRecord } from '../../../src/core/deploy/records';
import { logRequestOptions } from '../../../src/cli/commands/clusterLogs';

test('parseDuration takes Go durations as kubectl does', () => {
  const cases: [string, number][] = [['5s', 5], ['2m', 120], ['1h', 3600], ['1h30m', 5400], ['1.5h', 5400], ['500ms', 1], ['90s', 90]];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
  for (const bad of ['', '5', 'm', '5x', '1h 2m', '-5s']) assert.throws(() => parseDuration(bad), /--since/, bad);
});

test('splitTimestamp separates the kubelet timestamp from the text', () => {
  assert.deepEqual(splitTimestamp('2024-05-01T12:00:00.123456789Z hello world'), { ts: '2024-05-01T12:00:00.123456789Z', text: 'hello world' });
  assert.deepEqual(splitTimestamp('2024-05-01T12:00:00Z '), { ts: '2024-05-01T12:00:00Z', text: '' });
  assert.deepEqual(splitTimestamp('2024-05-01T12:00:00Z'), { ts: '2024-05-01T12:00:00Z', text: '' });
  assert.deepEqual(splitTimestamp('no timestamp here'), { text: 'no timestamp here' });
  assert.deepEqual(splitTimestamp(''), { text: '' });
});

test('timestampKey orders RFC3339Nano stamps whose trailing zeros were trimmed', () => {
  assert.equal(timestampKey('2024-05-01T12:00:00.1Z'), timestampKey('2024-05-01T12:00:00.100000000Z'));
  assert.equal(timestampKey('2024-05-01T12:00:00Z'), '2024-05-01T12:00:00.000000000Z');
  assert.ok(timestampKey('2024-05-01T12:00:00.9Z') > timestampKey('2024-05-01T12:00:00.10Z'));
  assert.ok(timestampKey('2024-05-01T12:00:01Z') > timestampKey('2024-05-01T12:00:00.999999999Z'));
  assert.equal(timestampKey('2024-05-01T14:00:00+02:00'), '2024-05-01T12:00:00.000000000Z');
});

test('outside a replay every line passes, repeated texts included', () => {
  const s = newDedupState();
  assert.ok(admitLine(s, '2024-05-01T12:00:00.1Z', 'a'));
  assert.ok(admitLine(s, '2024-05-01T12:00:00.1Z', 'a'));
  assert.ok(admitLine(s, undefined, 'no ts'));
  assert.ok(admitLine(s, '2024-05-01T12:00:00.2Z', 'b'));
  assert.deepEqual(s.atLast, ['b']);
});

test('a replay after a cut drops what was printed and keeps what is new', () => {
  const s = newDedupState();
  const printed = [
    ['2024-05-01T12:00:00.1Z', 'line 1'],
    ['2024-05-01T12:00:00.5Z', 'line 2'],
    ['2024-05-01T12:00:00.5Z', 'line 3'],
  ];
  for (const [ts, text] of printed) assert.ok(admitLine(s, ts, text));
  beginReplay(s);
  // The server answers sinceTime from the start of that second, with the stamps written in full.
  const resent: [string, string, boolean][] = [
    ['2024-05-01T12:00:00.100000000Z', 'line 1', false],
    ['2024-05-01T12:00:00.500000000Z', 'line 2', false],
    ['2024-05-01T12:00:00.500000000Z', 'line 3', false],
    ['2024-05-01T12:00:00.500000000Z', 'line 3b', true],
    ['2024-05-01T12:00:00.6Z', 'line 4', true],
    ['2024-05-01T12:00:00.1Z', 'late but after the replay', true],
  ];
  for (const [ts, text, kept] of resent) assert.equal(admitLine(s, ts, text), kept, text);
});

test('the same text twice at one timestamp is printed twice, also across a cut', () => {
  const s = newDedupState();
  admitLine(s, '2024-05-01T12:00:00.5Z', 'tick');
  beginReplay(s);
  assert.equal(admitLine(s, '2024-05-01T12:00:00.5Z', 'tick'), false);
  assert.equal(admitLine(s, '2024-05-01T12:00:00.5Z', 'tick'), true);
});

test('the window at one timestamp is bounded', () => {
  const s = newDedupState();
  for (let i = 0; i < DEDUP_WINDOW * 3; i++) admitLine(s, '2024-05-01T12:00:00Z', `same instant ${i}`);
  assert.equal(s.atLast.length, DEDUP_WINDOW);
});

test('splitLines keeps the unfinished line and bounds it', () => {
  assert.deepEqual(splitLines('', 'a\nb\r\nc'), { lines: ['a', 'b'], carry: 'c' });
  assert.deepEqual(splitLines('c', 'd\n'), { lines: ['cd'], carry: '' });
  assert.deepEqual(splitLines('', ''), { lines: [], carry: '' });
  const long = splitLines('', 'x'.repeat(25), 10);
  assert.deepEqual(long, { lines: ['x'.repeat(10), 'x'.repeat(10)], carry: 'x'.repeat(5) });
});

test('prefixes are pod/container, coloured by a stable hash only when asked', () => {
  assert.equal(linePrefix('web-1', 'main', false), 'web-1/main ');
  assert.equal(linePrefix('web-1', 'main', true), `\u001b[${colourFor('web-1/main')}mweb-1/main\u001b[0m `);
  assert.equal(colourFor('web-1/main'), colourFor('web-1/main'));
  const colours = new Set(['a/x', 'b/x', 'c/x', 'd/x', 'e/x', 'f/x'].map(colourFor));
  assert.ok(colours.size > 1);
  assert.equal(useColour(true, {}), true);
  assert.equal(useColour(false, {}), false);
  assert.equal(useColour(true, { NO_COLOR: '1' }), false);
  assert.equal(useColour(true, { TERM: 'dumb' }), false);
});

test('formatLines prints text, timestamps on request, or one JSON object per line', () => {
  const lines: LogLine[] = [{ pod: 'p', container: 'c', ts: '2024-05-01T12:00:00Z', line: 'hello "x"' }, { pod: 'p', container: 'c', line: 'no ts' }];
  assert.equal(formatLines(lines, { json: false, timestamps: false, colour: false }), 'p/c hello "x"\np/c no ts\n');
  assert.equal(formatLines(lines, { json: false, timestamps: true, colour: false }), 'p/c 2024-05-01T12:00:00Z hello "x"\np/c no ts\n');
  const json = formatLines(lines, { json: true, timestamps: false, colour: true }).trim().split('\n').map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(json, [{ pod: 'p', container: 'c', ts: '2024-05-01T12:00:00Z', line: 'hello "x"' }, { pod: 'p', container: 'c', ts: null, line: 'no ts' }]);
});

const pod = (containerStatuses: NonNullable<PodRecord['status']>['containerStatuses'], init: NonNullable<PodRecord['status']>['initContainerStatuses'] = []): PodRecord => ({ metadata: { name: 'web-1' }, status: { containerStatuses, initContainerStatuses: init } });

test('container instances are keyed by container ID; a restart is a new instance', () => {
  const p = pod(
    [
      { name: 'main', containerID: 'containerd://b', state: { running: {} }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://a' } as never } },
      { name: 'side', state: { waiting: { reason: 'ContainerCreating' } } },
    ],
    [{ name: 'init', containerID: 'containerd://i', state: { terminated: { exitCode: 0 } } }],
  );
  assert.deepEqual(containerInstances(p, { previous: false }), [
    { pod: 'web-1', container: 'init', id: 'containerd://i', running: false },
    { pod: 'web-1', container: 'main', id: 'containerd://b', running: true },
  ]);
  assert.deepEqual(containerInstances(p, { previous: true }), [{ pod: 'web-1', container: 'main', id: 'containerd://a', running: false }]);
  assert.deepEqual(containerInstances(p, { previous: false, container: 'side' }), []);
  const b = { pod: 'web-1', container: 'main', id: 'containerd://b', running: true };
  assert.equal(locateInstance(p, b), 'running');
  assert.equal(locateInstance(p, { ...b, id: 'containerd://a' }), 'previous');
  assert.equal(locateInstance(p, { ...b, id: 'containerd://z' }), 'gone');
  assert.equal(locateInstance(undefined, b), 'gone');
});

test('log paths always ask for timestamps; sinceTime replaces tail and sinceSeconds', () => {
  assert.equal(logPath('ns', 'web-1', { container: 'main', follow: true, tailLines: 10 }), '/api/v1/namespaces/ns/pods/web-1/log?container=main&timestamps=true&follow=true&tailLines=10');
  assert.equal(logPath('ns', 'web-1', { container: 'main', previous: true, sinceSeconds: 5 }), '/api/v1/namespaces/ns/pods/web-1/log?container=main&timestamps=true&previous=true&sinceSeconds=5');
  assert.equal(logPath('ns', 'p', { container: 'c', tailLines: 10, sinceSeconds: 5, sinceTime: '2024-05-01T12:00:00.5Z' }), '/api/v1/namespaces/ns/pods/p/log?container=c&timestamps=true&sinceTime=2024-05-01T12%3A00%3A00.5Z');
});

async function* chunks(parts: string[], breakAtEnd = false): AsyncGenerator<string> {
  for (const part of parts) yield part;
  if (breakAtEnd) throw new Error('aborted');
}

test('a stream cut mid-line resumes without duplicates or gaps', async () => {
  const ts = (n: number) => `2024-05-01T12:00:00.${String(n).padStart(3, '0')}Z`;
  const all = Array.from({ length: 20 }, (_, i) => `${ts(i)} line ${i}\n`).join('');
  const state = newStreamState();
  const got: string[] = [];
  const onLines = (lines: LogLine[]) => void got.push(...lines.map((l) => l.line));
  // The first request breaks in the middle of line 12.
  const cutAt = all.indexOf('line 12') + 3;
  await assert.rejects(pumpLogStream(chunks([all.slice(0, 100), all.slice(100, cutAt)], true), state, { pod: 'p', container: 'c' }, onLines), /aborted/);
  assert.equal(state.dedup.lastTs, ts(11));
  // The resumed request (sinceTime = line 11's stamp, second precision) starts again at line 0.
  beginReplay(state.dedup);
  await pumpLogStream(chunks([all.slice(0, 300), all.slice(300)]), state, { pod: 'p', container: 'c' }, onLines);
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => `line ${i}`));
});

test('the pump waits for the consumer before reading on (backpressure)', async () => {
  let pulled = 0;
  let consumed = 0;
  async function* source(): AsyncGenerator<string> {
    for (let i = 0; i < 50; i++) {
      assert.equal(pulled, consumed, 'a chunk was read before the one before it was written');
      pulled++;
      yield `2024-05-01T12:00:00.${i}Z n${i}\n`;
    }
  }
  await pumpLogStream(source(), newStreamState(), { pod: 'p', container: 'c' }, async () => {
    await new Promise((r) => setImmediate(r));
    consumed++;
  });
  assert.equal(consumed, 50);
});

test('CLI defaults follow kubectl logs -l: 10 lines per container, all of a --since window', () => {
  assert.deepEqual(logRequestOptions({ follow: false, previous: false }), { tailLines: 10 });
  assert.deepEqual(logRequestOptions({ follow: true, previous: false }), { tailLines: 10 });
  assert.deepEqual(logRequestOptions({ follow: false, previous: false, tail: '-1' }), {});
  assert.deepEqual(logRequestOptions({ follow: false, previous: false, since: '2m' }), { sinceSeconds: 120 });
  assert.deepEqual(logRequestOptions({ follow: false, previous: false, since: '2m', tail: '3' }), { tailLines: 3, sinceSeconds: 120 });
  assert.throws(() => logRequestOptions({ follow: true, previous: true }), /--previous/);
  assert.throws(() => logRequestOptions({ follow: false, previous: false, tail: 'x' }), /--tail/);
});

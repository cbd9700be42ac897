// Replays push streams recorded from a real engine and registry (test/fixtures/engine-streams,
// made by record.mjs) through JsonLineSplitter and PushProgressParser, whole and cut at random
// byte boundaries. The digest comes from recorded.json, which record.mjs asked the registry for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PushProgressParser, type PushEvent } from '../../../src/docker/pushProgress';
import { bytesOf, recorded, recordsOf, split } from './engineStreams.support';

const LAYER_DONE = /^(Pushed|Layer already exists|Mounted from .*)$/;

function replay(records: unknown[]): { events: PushEvent[]; parser: PushProgressParser } {
  const parser = new PushProgressParser();
  return { events: records.flatMap((r) => parser.push(r)), parser };
}

for (const name of ['push-success', 'push-unreachable']) {
  test(`${name}: cut at random byte boundaries, the splitter and the parser give the same result`, () => {
    const whole = recordsOf(name);
    const expected = replay(whole);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 60 }), (cuts) => {
        const records = split(bytesOf(name), cuts);
        assert.deepEqual(records, whole);
        const got = replay(records);
        assert.deepEqual(got.events, expected.events);
        assert.deepEqual(got.parser.progress(), expected.parser.progress());
      }),
      { numRuns: 40 },
    );
  });
}

test('push success: repository line, every layer ends in the registry, one done with the registry digest', () => {
  const { events, parser } = replay(recordsOf('push-success'));
  const { tag, digest } = recorded['push-success']!;
  assert.deepEqual(events[0], { kind: 'status', text: 'The push refers to repository [127.0.0.1:5000/progress-test]' });
  assert.deepEqual(events.filter((e) => e.kind === 'status').length, 1);
  const done = events.filter((e) => e.kind === 'done');
  assert.equal(done.length, 1);
  assert.equal(events.at(-1), done[0]);
  assert.equal(done[0]?.tag, tag);
  assert.equal(done[0]?.digest, digest);
  assert.ok(done[0]?.size !== undefined && done[0].size > 0);
  assert.equal(parser.digest(), digest);
  assert.equal(parser.failure(), undefined);

  const last = new Map<string, string>();
  for (const e of events) if (e.kind === 'layer') last.set(e.id, e.status);
  assert.ok(last.size >= 1);
  for (const [id, status] of last) assert.match(status, LAYER_DONE, id);
  // record.mjs pushes an image whose COPY layer is new on every recording.
  assert.ok([...last.values()].includes('Pushed'));
  const totals = new Map<string, number>();
  for (const e of events) if (e.kind === 'layer' && e.total !== undefined) totals.set(e.id, e.total);
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  assert.ok(sum > 0);
  assert.deepEqual(parser.progress(), { current: sum, total: sum, layers: last.size, done: last.size });
});

test('push success: progress never goes backwards and never passes its total, although the engine reports current > total', () => {
  const records = recordsOf('push-success');
  assert.ok(records.some((r) => {
    const d = (r as { progressDetail?: { current?: number; total?: number } }).progressDetail;
    return d?.current !== undefined && d.total !== undefined && d.current > d.total;
  }));
  const parser = new PushProgressParser();
  let before = 0;
  for (const record of records) {
    parser.push(record);
    const { current, total, done, layers } = parser.progress();
    assert.ok(current <= total && current >= before && done <= layers);
    before = current;
  }
});

test('push to a port where nothing listens: the repository line, then the engine error', () => {
  const { events, parser } = replay(recordsOf('push-unreachable'));
  assert.deepEqual(events, [{ kind: 'status', text: 'The push refers to repository [127.0.0.1:5999/progress-test]' }]);
  assert.equal(parser.failure(), 'Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused');
  assert.equal(parser.digest(), undefined);
  assert.deepEqual(parser.progress(), { current: 0, total: 0, layers: 0, done: 0 });
});

test('layers that exist or are mounted count as done; aux alone reports the digest', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const { events, parser } = replay([
    { status: 'Preparing', progressDetail: {}, id: 'l1' },
    { status: 'Layer already exists', progressDetail: {}, id: 'l1' },
    { status: 'Mounted from library/python', progressDetail: {}, id: 'l2' },
    { status: 'Pushing', progressDetail: { current: 5, total: 10 }, id: 'l3' },
    { progressDetail: {}, aux: { Tag: 'v2', Digest: digest, Size: 525 } },
    { status: `v2: digest: ${digest} size: 525` },
  ]);
  assert.deepEqual(events, [
    { kind: 'layer', id: 'l1', status: 'Preparing' },
    { kind: 'layer', id: 'l1', status: 'Layer already exists' },
    { kind: 'layer', id: 'l2', status: 'Mounted from library/python' },
    { kind: 'layer', id: 'l3', status: 'Pushing', current: 5, total: 10 },
    { kind: 'done', tag: 'v2', digest, size: 525 },
  ]);
  assert.deepEqual(parser.progress(), { current: 5, total: 10, layers: 3, done: 2 });
});

test('an HTTP error body ({message}) and the first of several errors are the failure', () => {
  const parser = new PushProgressParser();
  assert.deepEqual(parser.push({ message: 'An image does not exist locally with the tag: x/y' }), []);
  parser.push({ errorDetail: { message: 'later' }, error: 'later' });
  assert.equal(parser.failure(), 'An image does not exist locally with the tag: x/y');
  for (const record of [null, 3, [], { status: 7 }]) assert.deepEqual(parser.push(record), []);
});

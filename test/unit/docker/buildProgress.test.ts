// Replays build streams recorded from a real engine (test/fixtures/engine-streams, made by
// record.mjs) through JsonLineSplitter and BuildProgressParser, whole and cut at random byte
// boundaries. Image ids come from recorded.json, which record.mjs took from the engine itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { BuildProgressParser, JsonLineSplitter, type BuildEvent } from '../../../src/docker/buildProgress';
import { bytesOf, recorded, recordsOf, split } from './engineStreams.support';

// dockerode's own schema: encoding synthetic traces with it also checks the parser's field numbers.
const StatusResponse = protobuf.loadSync(require.resolve('dockerode/lib/proto/buildkit_status.proto')).lookupType('moby.buildkit.v1.StatusResponse');

function replay(records: unknown[]): { events: BuildEvent[]; parser: BuildProgressParser } {
  const parser = new BuildProgressParser();
  return { events: records.flatMap((r) => parser.push(r)), parser };
}

const steps = (events: BuildEvent[]) => events.flatMap((e) => (e.kind === 'step' ? [{ name: e.name, index: e.index, total: e.total, cached: e.cached }] : []));
const outputs = (events: BuildEvent[]) => events.flatMap((e) => (e.kind === 'output' ? [e.text] : []));
const sorted = (lines: string[]) => [...lines].sort();

const SUCCESS_RUN = 'RUN echo "hello from run" && echo "to stderr" >&2 && python -c "print(40 + 2)"';
const FAILING_RUN = 'RUN echo "first line" && echo "second line" && echo "oops" >&2 && exit 3';

for (const name of ['legacy-success', 'legacy-cached', 'legacy-run-fails', 'legacy-bad-instruction', 'buildkit-success', 'buildkit-cached', 'buildkit-run-fails', 'buildkit-bad-instruction']) {
  test(`${name}: cut at random byte boundaries, the splitter and the parser give the same result`, () => {
    const whole = recordsOf(name);
    const expected = replay(whole);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        const records = split(bytesOf(name), cuts);
        assert.deepEqual(records, whole);
        const got = replay(records);
        assert.deepEqual(got.events, expected.events);
        assert.deepEqual(got.parser.failure(), expected.parser.failure());
      }),
      { numRuns: 60 },
    );
  });
}

test('legacy success: six steps, the RUN output, the unused build-arg warning and the image id', () => {
  const { events, parser } = replay(recordsOf('legacy-success'));
  assert.deepEqual(steps(events), [
    { name: 'FROM python:3.11-slim', index: 1, total: 6, cached: undefined },
    { name: 'ARG UNUSED_ARG_PLACEHOLDER=1', index: 2, total: 6, cached: undefined },
    { name: 'ENV MODELSHIP_PROGRESS=1', index: 3, total: 6, cached: undefined },
    { name: 'COPY app.py /app/app.py', index: 4, total: 6, cached: undefined },
    { name: SUCCESS_RUN, index: 5, total: 6, cached: undefined },
    { name: 'CMD ["python", "/app/app.py"]', index: 6, total: 6, cached: undefined },
  ]);
  // The legacy builder copies stdout and stderr separately, so their order varies between runs.
  assert.deepEqual(sorted(outputs(events)), ['42\n', 'hello from run\n', 'to stderr\n']);
  assert.ok(events.every((e) => e.kind !== 'output' || e.stepId === 'step-5'));
  assert.deepEqual(events.filter((e) => e.kind === 'warning'), [{ kind: 'warning', text: 'One or more build-args [UNUSED_BUILD_ARG] were not consumed' }]);
  assert.deepEqual(events.filter((e) => e.kind === 'done'), [{ kind: 'done', imageId: recorded['legacy-success']!.imageId }]);
  assert.equal(parser.imageId(), recorded['legacy-success']!.imageId);
  assert.equal(parser.failure(), undefined);
});

test('legacy cached build: each step after FROM is reported again as cached, with no output', () => {
  const { events, parser } = replay(recordsOf('legacy-cached'));
  const names = ['FROM python:3.11-slim', 'ARG UNUSED_ARG_PLACEHOLDER=1', 'ENV MODELSHIP_PROGRESS=1', 'COPY app.py /app/app.py', SUCCESS_RUN, 'CMD ["python", "/app/app.py"]'];
  const expected = names.flatMap((name, i) => {
    const step = { name, index: i + 1, total: 6, cached: undefined };
    return i === 0 ? [step] : [step, { ...step, cached: true }];
  });
  assert.deepEqual(steps(events), expected);
  assert.deepEqual(outputs(events), []);
  assert.equal(parser.imageId(), recorded['legacy-cached']!.imageId);
});

test('legacy RUN that exits 3: the failing step, its output tail and the engine message', () => {
  const { events, parser } = replay(recordsOf('legacy-run-fails'));
  assert.deepEqual(steps(events).map((s) => s.name), ['FROM python:3.11-slim', FAILING_RUN]);
  assert.deepEqual(sorted(outputs(events)), ['first line\n', 'oops\n', 'second line\n']);
  const failure = parser.failure();
  assert.ok(failure);
  assert.equal(failure.message, `The command '/bin/sh -c ${FAILING_RUN.slice(4)}' returned a non-zero code: 3`);
  assert.equal(failure.step, FAILING_RUN);
  assert.deepEqual(sorted(failure.output), ['first line', 'oops', 'second line']);
  assert.equal(parser.imageId(), undefined);
  assert.ok(events.every((e) => e.kind !== 'done'));
});

test('legacy bad instruction: the engine answers 400 with {message}, which is the failure', () => {
  const { events, parser } = replay(recordsOf('legacy-bad-instruction'));
  assert.deepEqual(events, []);
  assert.deepEqual(parser.failure(), { message: 'dockerfile parse error line 3: unknown instruction: FROBNICATE', output: [] });
});

test('BuildKit success: one step per vertex, internal vertexes hidden, RUN output keyed by its vertex', () => {
  const { events, parser } = replay(recordsOf('buildkit-success'));
  // BuildKit makes no vertex for ARG, ENV or CMD; FROM of a local image is always cached.
  assert.deepEqual(steps(events), [
    { name: 'FROM docker.io/library/python:3.11-slim', index: 1, total: 3, cached: true },
    { name: 'COPY app.py /app/app.py', index: 2, total: 3, cached: undefined },
    { name: SUCCESS_RUN, index: 3, total: 3, cached: undefined },
    { name: 'exporting to image', index: undefined, total: undefined, cached: undefined },
  ]);
  const run = events.find((e) => e.kind === 'step' && e.name === SUCCESS_RUN);
  assert.ok(run?.kind === 'step' && run.id.startsWith('sha256:'));
  assert.deepEqual(sorted(outputs(events)), ['42\n', 'hello from run\n', 'to stderr\n']);
  assert.ok(events.every((e) => e.kind !== 'output' || e.stepId === run.id));
  assert.deepEqual(events.filter((e) => e.kind === 'done'), [{ kind: 'done', imageId: recorded['buildkit-success']!.imageId }]);
  assert.equal(parser.imageId(), recorded['buildkit-success']!.imageId);
  assert.equal(parser.failure(), undefined);
});

test('BuildKit cached build: COPY and RUN come cached and print nothing', () => {
  const { events, parser } = replay(recordsOf('buildkit-cached'));
  assert.deepEqual(steps(events).map((s) => [s.name, s.cached]), [
    ['FROM docker.io/library/python:3.11-slim', undefined],
    ['COPY app.py /app/app.py', true],
    [SUCCESS_RUN, true],
    ['exporting to image', undefined],
  ]);
  assert.deepEqual(outputs(events), []);
  assert.equal(parser.imageId(), recorded['buildkit-cached']!.imageId);
});

test('BuildKit RUN that exits 3: the vertex error, its name and its logs', () => {
  const { events, parser } = replay(recordsOf('buildkit-run-fails'));
  assert.deepEqual(steps(events).map((s) => s.name), ['FROM docker.io/library/python:3.11-slim', FAILING_RUN]);
  assert.deepEqual(sorted(outputs(events)), ['first line\n', 'oops\n', 'second line\n']);
  const failure = parser.failure();
  assert.ok(failure);
  // Engine 20.10 words it this way; newer BuildKit says 'process "..." did not complete successfully'.
  assert.equal(failure.message, `executor failed running [/bin/sh -c ${FAILING_RUN.slice(4)}]: exit code: 3`);
  assert.equal(failure.step, FAILING_RUN);
  assert.deepEqual(sorted(failure.output), ['first line', 'oops', 'second line']);
  assert.equal(parser.imageId(), undefined);
});

test('BuildKit bad instruction: only an errorDetail, after the internal vertexes, and no step', () => {
  const { events, parser } = replay(recordsOf('buildkit-bad-instruction'));
  assert.deepEqual(events, []);
  assert.deepEqual(parser.failure(), {
    message: 'failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 3: unknown instruction: FROBNICATE',
    output: [],
  });
});

test("dockerode's schema and the parser agree on every recorded trace", () => {
  for (const name of ['buildkit-success', 'buildkit-cached', 'buildkit-run-fails']) {
    const records = recordsOf(name);
    const shown = new Set<string>();
    let logText = '';
    for (const record of records as { id?: string; aux?: unknown }[]) {
      if (record.id !== 'moby.buildkit.trace' || typeof record.aux !== 'string') continue;
      const status = StatusResponse.toObject(StatusResponse.decode(Buffer.from(record.aux, 'base64'))) as {
        vertexes?: { digest: string; name: string; started?: object; cached?: boolean }[];
        logs?: { msg: Uint8Array }[];
      };
      for (const v of status.vertexes ?? []) if (/^\[\d+\/\d+\]|^exporting/.test(v.name) && (v.started || v.cached)) shown.add(v.digest);
      for (const l of status.logs ?? []) logText += Buffer.from(l.msg).toString('utf8');
    }
    const { events } = replay(records);
    assert.deepEqual(new Set(events.flatMap((e) => (e.kind === 'step' ? [e.id] : []))), shown, name);
    assert.equal(outputs(events).join(''), logText, name);
  }
});

// Synthetic records for what the fixtures do not show.
type Vertex = { digest: string; name: string; cached?: boolean; started?: boolean; completed?: boolean; error?: string };
function trace(status: { vertexes?: Vertex[]; logs?: { vertex: string; msg: string }[]; warnings?: { vertex: string; short: string }[] }): unknown {
  const at = { seconds: 1, nanos: 0 };
  const message = StatusResponse.fromObject({
    vertexes: (status.vertexes ?? []).map((v) => ({ digest: v.digest, name: v.name, cached: v.cached ?? false, error: v.error ?? '', ...(v.started ? { started: at } : {}), ...(v.completed ? { completed: at } : {}) })),
    logs: (status.logs ?? []).map((l) => ({ vertex: l.vertex, stream: 1, msg: Buffer.from(l.msg) })),
    warnings: (status.warnings ?? []).map((w) => ({ vertex: w.vertex, short: Buffer.from(w.short) })),
  });
  return { id: 'moby.buildkit.trace', aux: Buffer.from(StatusResponse.encode(message).finish()).toString('base64') };
}

test('a failing internal vertex becomes a step and the failure, with its logs', () => {
  const parser = new BuildProgressParser();
  const name = '[internal] load metadata for docker.io/library/nope:latest';
  assert.deepEqual(parser.push(trace({ vertexes: [{ digest: 'sha256:a', name, started: true }], logs: [{ vertex: 'sha256:a', msg: 'resolving\n' }] })), []);
  const events = parser.push(trace({ vertexes: [{ digest: 'sha256:a', name, started: true, completed: true, error: 'pull access denied' }] }));
  assert.deepEqual(events, [{ kind: 'step', id: 'sha256:a', name }]);
  assert.deepEqual(parser.failure(), { message: 'pull access denied', step: name, output: ['resolving'] });
});

test("a cancelled sibling's error does not hide the vertex that failed", () => {
  for (const order of [['x', 'y'], ['y', 'x']]) {
    const parser = new BuildProgressParser();
    const vertexes: Record<string, Vertex> = {
      x: { digest: 'sha256:x', name: '[a 2/2] RUN false', started: true, completed: true, error: 'exit code: 1' },
      y: { digest: 'sha256:y', name: '[b 2/2] RUN sleep 9', started: true, completed: true, error: 'context canceled' },
    };
    for (const key of order) parser.push(trace({ vertexes: [vertexes[key]!] }));
    parser.push({ errorDetail: { message: 'exit code: 1' }, error: 'exit code: 1' });
    assert.deepEqual(parser.failure(), { message: 'exit code: 1', step: 'a: RUN false', output: [] });
  }
  const parser = new BuildProgressParser();
  parser.push(trace({ vertexes: [{ digest: 'sha256:1', name: '[1/2] RUN a', started: true, error: 'first' }] }));
  parser.push(trace({ vertexes: [{ digest: 'sha256:2', name: '[2/2] RUN b', started: true, error: 'second' }] }));
  assert.deepEqual(parser.failure(), { message: 'first', step: 'RUN a', output: [] });
});

test('stage names, partial log lines, carriage returns, warnings and the 30-line tail', () => {
  const parser = new BuildProgressParser();
  const v = { digest: 'sha256:s', name: '[builder 2/4] RUN pip install', started: true };
  const events = [
    ...parser.push(trace({ vertexes: [v], logs: [{ vertex: 'sha256:s', msg: 'Downloading 10%\rDownloading 100%\r\nhal' }] })),
    ...parser.push(trace({ logs: [{ vertex: 'sha256:s', msg: 'f a line\n' + Array.from({ length: 40 }, (_, i) => `line ${i}\n`).join('') + 'no newline' }] })),
    ...parser.push(trace({ vertexes: [{ ...v, completed: true, error: 'exit code: 2' }], warnings: [{ vertex: 'sha256:s', short: 'something odd\n' }] })),
  ];
  assert.deepEqual(events[0], { kind: 'step', id: 'sha256:s', name: 'builder: RUN pip install', index: 2, total: 4 });
  assert.deepEqual(outputs(events).slice(0, 2), ['Downloading 100%\n', 'half a line\n']);
  assert.equal(outputs(events).at(-1), 'no newline\n');
  assert.deepEqual(events.at(-1), { kind: 'warning', text: 'something odd' });
  const failure = parser.failure();
  assert.equal(failure?.output.length, 30);
  assert.deepEqual(failure?.output.slice(-2), ['line 39', 'no newline']);
});

test('legacy: a line split across records, and output that only looks like builder bookkeeping', () => {
  const parser = new BuildProgressParser();
  const events = [
    { stream: 'Step 1/2 : RUN pip wheel numpy' }, { stream: '\n' }, { stream: ' ---> Running in 0123456789ab\n' },
    { status: 'Pulling from library/python' }, { status: 'Downloading', id: 'aa', progressDetail: { current: 1, total: 2 } },
    { stream: 'Successfully built numpy\n ---> not a' }, { stream: 'n id\nRemoving intermediate container 0123456789ab\n' },
  ].flatMap((r) => parser.push(r));
  assert.deepEqual(outputs(events), ['Pulling from library/python\n', 'Successfully built numpy\n', ' ---> not an id\n']);
});

test('garbage is ignored: non-objects, undecodable traces, unknown records', () => {
  const parser = new BuildProgressParser();
  for (const record of [null, 42, 'x', [], { id: 'moby.buildkit.trace', aux: '!!!not base64 protobuf' }, { something: 'else' }]) assert.deepEqual(parser.push(record), []);
  assert.equal(parser.failure(), undefined);
  assert.deepEqual(parser.push({ aux: { ID: 'sha256:1' } }), [{ kind: 'done', imageId: 'sha256:1' }]);
  assert.deepEqual(parser.push({ id: 'moby.image.id', aux: { ID: 'sha256:2' } }), []);
  assert.equal(parser.imageId(), 'sha256:1');
});

test('JsonLineSplitter: CRLF, blank lines, non-JSON text and UTF-8 split across chunks', () => {
  const splitter = new JsonLineSplitter();
  const bytes = Buffer.from('{"stream":"caf\u00e9"}\r\n\r\n  \nplain text\r\n[1,2]\n{"a":1}', 'utf8');
  const cut = bytes.indexOf(0xc3) + 1;
  const records = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut)), ...splitter.end()];
  assert.deepEqual(records, [{ stream: 'caf\u00e9' }, { stream: 'plain text\n' }, { stream: '[1,2]\n' }, { a: 1 }]);
  assert.deepEqual(splitter.end(), []);
});

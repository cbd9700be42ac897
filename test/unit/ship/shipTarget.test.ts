import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerName, parseSample, projectKey, readShipTarget, sampleCandidates, shapedSample } from '../../../src/core/ship';

const GENERATED = `FROM python:3.11-slim AS builder
ENV PORT=9999
FROM python:3.11-slim AS runtime
ENV MODEL_PATH=/models/model.joblib \\
    PORT=8080
EXPOSE 8080
LABEL org.opencontainers.image.title="iris" \\
      org.opencontainers.image.version="0.1.0" \\
      io.modelship.model.path="models/model.joblib" \\
      io.modelship.model.format="joblib" \\
      io.modelship.model.framework="sklearn" \\
      io.modelship.model.sha256="8755e46ac1ef32b5c6c6ffc98a04b6a05e97ca69a947c8e6145cf51541571a29" \\
      io.modelship.model.mode="mount" \\
      io.modelship.port="8080" \\
      io.modelship.image="ghcr.io/acme/iris:0.1.0-8755e46a"
CMD ["python", "-m", "serving"]
`;

test('a generated Dockerfile says what it ships: image, model, mode, port', () => {
  assert.deepEqual(readShipTarget(GENERATED), {
    dockerfile: 'Dockerfile',
    imageRef: 'ghcr.io/acme/iris:0.1.0-8755e46a',
    name: 'iris',
    version: '0.1.0',
    model: { path: 'models/model.joblib', mode: 'mount', format: 'joblib', framework: 'sklearn', sha256: '8755e46ac1ef32b5c6c6ffc98a04b6a05e97ca69a947c8e6145cf51541571a29', containerPath: '/models/model.joblib' },
    port: 8080,
    generated: true,
  });
});

test('an older generated Dockerfile without the image label: the scaffold\'s name:version-sha8', () => {
  const older = GENERATED.replace(/ \\\n\s+io\.modelship\.image="[^"]+"/, '');
  assert.equal(readShipTarget(older).imageRef, 'iris:0.1.0-8755e46a');
});

test('--tag wins; a hand-written Dockerfile needs one, and says so', () => {
  assert.equal(readShipTarget(GENERATED, 'Dockerfile', 'mine:2').imageRef, 'mine:2');
  const hand = 'FROM python:3.11-slim\nEXPOSE 5000\nCMD ["python", "app.py"]\n';
  assert.throws(() => readShipTarget(hand, 'docker/Dockerfile'), /docker\/Dockerfile does not say which image it builds/);
  const target = readShipTarget(hand, 'Dockerfile', 'registry.local/app:1');
  assert.equal(target.port, 5000);
  assert.equal(target.name, 'app');
  assert.equal(target.generated, false);
  assert.equal(target.model, undefined);
});

test('container names and project keys are stable per project path', () => {
  assert.equal(projectKey('/work/iris/'), projectKey('/work/iris'));
  assert.notEqual(projectKey('/work/iris'), projectKey('/work/iris2'));
  assert.match(containerName('Iris Model!', '/work/iris'), /^modelship-iris-model-[0-9a-f]{6}$/);
});

test('saved samples: where they are looked for, and every accepted shape', () => {
  assert.deepEqual(sampleCandidates('models/m.pkl'), ['serving/sample.json', 'sample.json', 'models/sample.json', 'input_example.json', 'models/input_example.json']);
  assert.deepEqual(sampleCandidates('m.pkl'), ['serving/sample.json', 'sample.json', 'input_example.json']);
  const rows = [[1, 2], [3, 4]];
  assert.deepEqual(parseSample('{"instances": [[1,2],[3,4]]}', 's').body.instances, rows);
  assert.deepEqual(parseSample('[[1,2],[3,4]]', 's').body.instances, rows);
  assert.deepEqual(parseSample('[1,2]', 's').body.instances, [[1, 2]]);
  assert.deepEqual(parseSample('{"data": [1,2]}', 's').body.instances, [[1, 2]]);
  assert.deepEqual(parseSample('{"columns": ["a","b"], "data": [[1,2]]}', 'input_example.json').body.instances, [{ a: 1, b: 2 }]);
  assert.deepEqual(parseSample('{"dataframe_split": {"columns": ["a"], "data": [[5]]}}', 's').body.instances, [{ a: 5 }]);
  assert.deepEqual(parseSample('{"dataframe_records": [{"a": 1}]}', 's').body.instances, [{ a: 1 }]);
});

test('a broken sample names the file, line and column', () => {
  assert.throws(() => parseSample('{\n  "instances": [[1, 2],\n}', 'sample.json'), /^ModelshipError: sample\.json:3:1: not valid JSON/);
  assert.throws(() => parseSample('{"rows": []}', 'sample.json'), /sample\.json: expected/);
  assert.throws(() => parseSample('{"instances": []}', 'sample.json'), /sample\.json: the sample has no rows/);
});

test('rows shaped from server metadata or the model file', () => {
  assert.deepEqual(shapedSample({ inputs: [{ datatype: 'FP64', shape: [-1, 3] }] })?.body.instances, [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(shapedSample({ inputs: [{ datatype: 'INT64', shape: [-1, 2, 2] }] })?.body.instances[0], [[0, 0], [0, 0]]);
  assert.deepEqual(shapedSample({ inputs: [{ datatype: 'FP32', shape: [-1, 2] }], parameters: { columns: ['x', 'y'] } })?.body.instances[0], { x: 0, y: 0 });
  assert.deepEqual(shapedSample({ inputs: [{ shape: [-1, -1] }] }, 5)?.body.instances[0], [0, 0, 0, 0, 0]);
  assert.equal(shapedSample({ inputs: [{ shape: [-1, -1] }] }), undefined);
  assert.equal(shapedSample(undefined)?.source, undefined);
});

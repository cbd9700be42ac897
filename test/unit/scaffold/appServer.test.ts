// The generated serving app, run for real: the planned serving/ files and a real model in a temp
// folder, uvicorn on loopback under Debian's Python (FastAPI 0.92, pydantic 1, uvicorn 0.17), and
// answers compared with what the same model says in-process (test/python/oracle.py). Also the Redis
// job flow end to end, start-up and load failures, and each adapter's loading (check_adapters.py).
//
// Needs /usr/bin/python3 with the packages scripts/setup-test-deps.sh installs (MODELSHIP_TEST_PYTHON overrides the
// interpreter). Without them the tests skip and say why; in CI they fail instead.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { generate } from '../../../src/core/scaffold/generators/app';
import { buildServingSpec } from '../../../src/core/scaffold/spec';
import type { ServingSpec } from '../../../src/core/scaffold/types';

const PY = process.env.MODELSHIP_TEST_PYTHON ?? '/usr/bin/python3';
const FIXTURES = resolve(__dirname, '../../fixtures/models');
const HELPERS = resolve(__dirname, '../../python');
const IN_CI = Boolean(process.env.CI);

// ---------------------------------------------------------------------------------------------
// What this machine has, and tests that skip (or, in CI, fail) without it.
// ---------------------------------------------------------------------------------------------

function pyEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: '1', ...extra };
  for (const key of ['PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV', 'PROMETHEUS_MULTIPROC_DIR']) delete env[key];
  return env;
}

const MODULES = ['fastapi', 'uvicorn', 'prometheus_client', 'numpy', 'sklearn', 'joblib', 'xgboost', 'torch', 'redis', 'pandas'];
const HAVE = (() => {
  const found = spawnSync(PY, ['-c', 'import importlib.util as u, json, sys; print(json.dumps([m for m in sys.argv[1:] if u.find_spec(m)]))', ...MODULES], { encoding: 'utf8', env: pyEnv() });
  const have = new Set<string>(found.status === 0 ? JSON.parse(found.stdout) : []);
  if (spawnSync('redis-server', ['--version']).status === 0) have.add('redis-server');
  return have;
})();
const SERVER = ['fastapi', 'uvicorn', 'prometheus_client', 'numpy'];
const lacking = (needs: string[]) => [...SERVER, ...needs].filter((n) => !HAVE.has(n));
const can = (...needs: string[]) => lacking(needs).length === 0;

function pyTest(name: string, needs: string[], fn: () => Promise<void>): void {
  const missing = lacking(needs);
  const reason = missing.length > 0 ? `${PY} lacks ${missing.join(', ')} (run \`bash scripts/setup-test-deps.sh\`)` : undefined;
  if (reason && !IN_CI) {
    test(name, { skip: reason }, () => {});
    return;
  }
  test(name, async () => {
    if (reason) assert.fail(reason);
    await fn();
  });
}

// ---------------------------------------------------------------------------------------------
// Processes: every one is started in its own group and killed with it, even when a test fails.
// ---------------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const dirs: string[] = [];

function killAll(): void {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
process.on('exit', killAll);

interface Proc {
  child: ChildProcess;
  logs: string[];
  exit: Promise<number | null>;
}

function launch(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Proc {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const logs: string[] = [];
  let partial = '';
  const collect = (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    logs.push(...lines);
  };
  child.stdout!.setEncoding('utf8').on('data', collect);
  child.stderr!.setEncoding('utf8').on('data', collect);
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => {
    children.delete(child);
    done(code);
  }));
  return { child, logs, exit };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => done(port));
    }).on('error', fail);
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Resolves with the exit code, or 'running' when the process is still running after ms. */
async function exitWithin(proc: Proc, ms: number): Promise<number | null | 'running'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'running'>((done) => (timer = setTimeout(() => done('running'), ms)));
  try {
    return await Promise.race([proc.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Workspaces: the planned serving/ files plus a model, as `modelship containerize` writes them.
// ---------------------------------------------------------------------------------------------

const DESC: ProjectDescription = {
  root: '/work/iris',
  models: [{ path: 'model.joblib', format: 'joblib', framework: 'sklearn', bytes: 1518, evidence: 'test', details: { inputFeatures: 4 } }],
  requirements: { files: [], packages: [], options: [], conda: [] },
  python: { version: '3.11', source: 'default' },
  problems: [],
};
const SPEC: ServingSpec = buildServingSpec(DESC, { model: 'model.joblib', gpu: false, mode: 'bake', targets: ['app'] });
const PLANNED = generate({ spec: SPEC, desc: DESC, targets: ['app'] });

function workspace(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ms-serving-'));
  dirs.push(dir);
  for (const file of PLANNED) {
    mkdirSync(join(dir, file.path, '..'), { recursive: true });
    writeFileSync(join(dir, file.path), file.contents);
  }
  for (const [path, contents] of Object.entries(extra)) writeFileSync(join(dir, path), contents);
  return dir;
}

interface Server extends Proc {
  url: string;
  dir: string;
}

async function startServer(modelFile: string | undefined, env: Record<string, string>, extra: Record<string, string> = {}): Promise<Server> {
  const dir = workspace(extra);
  let modelPath = join(dir, 'models', 'missing.joblib');
  if (modelFile) {
    mkdirSync(join(dir, 'models'));
    modelPath = join(dir, 'models', basename(modelFile));
    copyFileSync(modelFile, modelPath);
  }
  const port = await freePort();
  const args = ['-m', 'uvicorn', 'serving.app:app', '--host', '127.0.0.1', '--port', String(port), '--no-access-log', '--log-level', 'warning'];
  const proc = launch(PY, args, dir, pyEnv({ ...SPEC.env, MODEL_PATH: modelPath, ...env }));
  return { ...proc, url: `http://127.0.0.1:${port}`, dir };
}

interface Reply {
  status: number;
  json: Record<string, unknown> & { error?: string; detail?: unknown };
  text: string;
  headers: Headers;
}

async function call(server: Server, path: string, body?: unknown, method?: string): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(server.url + path, { method: method ?? (body === undefined ? 'GET' : 'POST'), body: payload, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  let json = {} as Reply['json'];
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: tests that expect JSON say so.
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function untilReady(server: Server, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await exitWithin(server, 0)) !== 'running') assert.fail(`the server exited:\n${server.logs.join('\n')}`);
    try {
      if ((await fetch(`${server.url}/readyz`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  assert.fail(`not ready after ${ms} ms:\n${server.logs.join('\n')}`);
}

async function untilListening(server: Server, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${server.url}/healthz`)).status === 200) return;
    } catch {
      await sleep(50);
    }
  }
  assert.fail(`/healthz never answered:\n${server.logs.join('\n')}`);
}

function startupPhases(proc: Proc): string[] {
  return proc.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((e) => e.event === 'startup').map((e) => e.phase);
}

// ---------------------------------------------------------------------------------------------
// Reference answers.
// ---------------------------------------------------------------------------------------------

const ROWS = [[5.1, 3.5, 1.4, 0.2], [6.2, 2.9, 4.3, 1.3], [7.7, 3.0, 6.1, 2.3], [5.9, 3.0, 5.1, 1.8], [4.4, 2.9, 1.4, 0.2], [0.1234567891, 9.876543211, 3.14159265, 2.718281828]];
const JOB_ROWS = Array.from({ length: 20 }, (_, i) => [4 + (i % 7) * 0.5, 2 + (i % 5) * 0.3, 1 + (i % 11) * 0.55, 0.1 + (i % 9) * 0.27]);
const CHUNK = 8; // MAX_BATCH_SIZE of the iris server and its worker.

interface Answer {
  predictions?: unknown[];
  probabilities?: number[][];
  raw?: unknown[];
}

function oracle(cases: { id: string; format: string; path: string; rows: unknown[] }[]): Record<string, Answer> {
  const r = spawnSync(PY, [join(HELPERS, 'oracle.py')], { input: JSON.stringify(cases), encoding: 'utf8', env: pyEnv(), maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

// ---------------------------------------------------------------------------------------------
// The servers, started together so their start-up overlaps.
// ---------------------------------------------------------------------------------------------

const IRIS = join(FIXTURES, 'sklearn_pipeline.joblib');
const XGB = join(FIXTURES, 'xgb_model.json');
const TORCHSCRIPT = join(FIXTURES, 'torchscript_model.pt');
const TORCH_FULL = join(FIXTURES, 'torch_full_model.bin');
// Loads only once the test creates `release` next to it, so the test sees the "loading" state for sure.
const SLOW_HOOK = `import os
import time

import joblib


def load_model(path):
    release = os.path.join(os.path.dirname(os.path.abspath(__file__)), "release")
    while not os.path.exists(release):
        time.sleep(0.05)
    return joblib.load(path)
`;

let models = '';
const servers: Record<string, Server> = {};
let redisUrl = '';
let expected: Record<string, Answer> = {};

before(async () => {
  if (!can('sklearn', 'joblib')) return;
  models = mkdtempSync(join(tmpdir(), 'ms-models-'));
  dirs.push(models);
  const made = spawnSync(PY, [join(HELPERS, 'make_models.py'), models], { encoding: 'utf8', env: pyEnv() });
  assert.equal(made.status, 0, made.stderr);

  if (can('sklearn', 'joblib', 'redis', 'redis-server')) {
    const port = await freePort();
    const redis = launch('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], tmpdir(), process.env);
    redisUrl = `redis://127.0.0.1:${port}/0`;
    servers.redis = { ...redis, url: redisUrl, dir: '' };
  }
  const iris = { MODEL_FORMAT: 'joblib', MODEL_FRAMEWORK: 'sklearn', MODEL_NAME: 'iris', MAX_BATCH_SIZE: String(CHUNK), MAX_BODY_BYTES: '4096', ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
  const starts: [string, Promise<Server>][] = [
    ['iris', startServer(IRIS, iris)],
    ['rf', startServer(join(models, 'rf.pkl'), { MODEL_FORMAT: 'pickle', MODEL_FRAMEWORK: 'sklearn', MODEL_NAME: 'forest' })],
    ['slow', startServer(IRIS, { MODEL_FORMAT: 'joblib', MODEL_NAME: 'slow' }, { 'serving/model_def.py': SLOW_HOOK })],
    ['broken', startServer(undefined, { MODEL_FORMAT: 'joblib', MODEL_NAME: 'broken', EXIT_ON_LOAD_ERROR: '0' })],
    ['exits', startServer(undefined, { MODEL_FORMAT: 'joblib', MODEL_NAME: 'exits' })],
  ];
  if (can('xgboost')) starts.push(['xgb', startServer(XGB, { MODEL_FORMAT: 'xgboost-json', MODEL_FRAMEWORK: 'xgboost', MODEL_NAME: 'booster' })]);
  if (can('torch')) {
    starts.push(['script', startServer(TORCHSCRIPT, { MODEL_FORMAT: 'torchscript', MODEL_FRAMEWORK: 'pytorch', MODEL_NAME: 'script' })]);
    starts.push(['full', startServer(TORCH_FULL, { MODEL_FORMAT: 'pytorch', MODEL_FRAMEWORK: 'pytorch', MODEL_NAME: 'full' })]);
  }
  for (const [name, start] of starts) servers[name] = await start;

  const cases = [
    { id: 'iris', format: 'joblib', path: IRIS, rows: ROWS },
    { id: 'iris-one', format: 'joblib', path: IRIS, rows: [ROWS[0]] },
    ...[0, 1, 2].map((i) => ({ id: `iris-job-${i}`, format: 'joblib', path: IRIS, rows: JOB_ROWS.slice(i * CHUNK, (i + 1) * CHUNK) })),
    { id: 'rf', format: 'pickle', path: join(models, 'rf.pkl'), rows: ROWS },
    ...(can('xgboost') ? [{ id: 'xgb', format: 'xgboost-json', path: XGB, rows: ROWS }] : []),
    ...(can('torch') ? [{ id: 'script', format: 'torchscript', path: TORCHSCRIPT, rows: ROWS }, { id: 'full', format: 'pytorch', path: TORCH_FULL, rows: ROWS }] : []),
  ];
  expected = oracle(cases);
});

after(() => {
  killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Answers.
// ---------------------------------------------------------------------------------------------

pyTest('V1 /predict answers exactly what the model says in-process, with probabilities', ['sklearn', 'joblib'], async () => {
  const iris = servers.iris;
  await untilReady(iris);
  const r = await call(iris, '/predict', { instances: ROWS });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(r.json, { predictions: expected.iris.predictions, probabilities: expected.iris.probabilities });
  const lean = await call(iris, '/predict?probabilities=false', { instances: ROWS });
  assert.deepEqual(lean.json, { predictions: expected.iris.predictions }, '?probabilities=false leaves them out');
  assert.equal((await call(iris, '/predict?probabilities=maybe', { instances: ROWS })).status, 400);
  const kserve = await call(iris, '/v1/models/iris:predict', { instances: ROWS });
  assert.deepEqual(kserve.json, r.json);
  assert.equal((await call(iris, '/v1/models/other:predict', { instances: ROWS })).status, 404);
  assert.deepEqual((await call(iris, '/v1/models/iris')).json, { name: 'iris', ready: true });
});

pyTest("the sample server's one-row forms work: {\"data\": [...]} and a bare row", ['sklearn', 'joblib'], async () => {
  const iris = servers.iris;
  await untilReady(iris);
  const one = expected['iris-one'];
  const want = { predictions: one.predictions, probabilities: one.probabilities, prediction: one.predictions };
  assert.deepEqual((await call(iris, '/predict', { data: ROWS[0] })).json, want);
  assert.deepEqual((await call(iris, '/predict', ROWS[0])).json, want);
});

pyTest('V2 infer answers the same numbers as V1, as flat tensors', ['sklearn', 'joblib'], async () => {
  const iris = servers.iris;
  await untilReady(iris);
  const request = { id: 'req-7', inputs: [{ name: 'input-0', shape: [ROWS.length, 4], datatype: 'FP64', data: ROWS.flat() }] };
  const r = await call(iris, '/v2/models/iris/infer', request);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, {
    model_name: 'iris', model_version: '1', id: 'req-7',
    outputs: [
      { name: 'predict', datatype: 'INT64', shape: [ROWS.length], data: expected.iris.predictions },
      { name: 'predict_proba', datatype: 'FP64', shape: [ROWS.length, 3], data: expected.iris.probabilities!.flat() },
    ],
  });
  const nested = { inputs: [{ ...request.inputs[0], data: ROWS }], outputs: [{ name: 'predict_proba' }] };
  const only = await call(iris, '/v2/models/iris/versions/1/infer', nested);
  assert.equal(only.status, 200, only.text);
  assert.deepEqual((only.json.outputs as { name: string }[]).map((o) => o.name), ['predict_proba']);
  assert.equal((await call(iris, '/v2/models/iris/versions/2/infer', request)).status, 404);

  const meta = await call(iris, '/v2/models/iris');
  assert.equal(meta.status, 200);
  assert.deepEqual(meta.json.inputs, [{ name: 'input-0', datatype: 'FP64', shape: [-1, 4] }]);
  assert.deepEqual(meta.json.outputs, [{ name: 'predict', datatype: 'INT64', shape: [-1] }, { name: 'predict_proba', datatype: 'FP64', shape: [-1, 3] }]);
  assert.deepEqual((meta.json.parameters as { classes: number[] }).classes, [0, 1, 2]);
  assert.deepEqual((await call(iris, '/v2/health/live')).json, { live: true });
  assert.deepEqual((await call(iris, '/v2/health/ready')).json, { ready: true });
  assert.equal((await call(iris, '/v2/models/iris/ready')).status, 200);
  assert.equal((await call(iris, '/v2')).json.name, 'modelship');
});

pyTest('a pickled scikit-learn forest serves its exact answers', ['sklearn', 'joblib'], async () => {
  await untilReady(servers.rf);
  const r = await call(servers.rf, '/predict', { instances: ROWS });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { predictions: expected.rf.predictions, probabilities: expected.rf.probabilities });
});

pyTest('an XGBoost native model answers class and probabilities exactly as Booster.predict', ['xgboost'], async () => {
  await untilReady(servers.xgb);
  const raw = expected.xgb.raw as number[][];
  const r = await call(servers.xgb, '/predict', { instances: ROWS });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { predictions: raw.map(argmax), probabilities: raw });
  const v2 = await call(servers.xgb, '/v2/models/booster/infer', { inputs: [{ name: 'x', shape: [ROWS.length, 4], datatype: 'FP32', data: ROWS.flat() }] });
  assert.equal(v2.status, 200, v2.text);
  assert.deepEqual((v2.json.outputs as { data: number[] }[])[1].data, raw.flat(), 'FP32 input gives the same numbers: the model reads float32');
  assert.equal((await call(servers.xgb, '/predict', { instances: [[1, 2, 3]] })).status, 422, 'the booster knows its width');
  assert.equal((await call(servers.xgb, '/jobs', { instances: ROWS })).status, 501, 'jobs are off without REDIS_URL');
});

pyTest('TorchScript and a pickled torch module answer their raw outputs exactly', ['torch'], async () => {
  for (const name of ['script', 'full']) {
    await untilReady(servers[name]);
    const r = await call(servers[name], '/predict', { instances: ROWS });
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.deepEqual(r.json, { predictions: expected[name].raw }, name);
    const v2 = await call(servers[name], `/v2/models/${name}/infer`, { inputs: [{ name: 'x', shape: [ROWS.length, 4], datatype: 'FP32', data: ROWS.flat() }] });
    assert.deepEqual(v2.json.outputs, [{ name: 'predict', datatype: 'FP32', shape: [ROWS.length, 3], data: (expected[name].raw as number[][]).flat() }]);
  }
  // TorchScript states no input width: the model's own shape error becomes a 422, not a 500.
  const wrong = await call(servers.script, '/predict', { instances: [[1, 2, 3]] });
  assert.equal(wrong.status, 422, wrong.text);
  assert.match(wrong.json.error!, /shape/);
});

// ---------------------------------------------------------------------------------------------
// Bad input: always a 4xx with a JSON error, never a 500.
// ---------------------------------------------------------------------------------------------

const BAD: [string, string, string | undefined, number, RegExp][] = [
  ['not JSON', '/predict', 'nope', 400, /not valid JSON/],
  ['an empty body', '/predict', '', 400, /empty/],
  ['no instances', '/predict', '{"rows": [[1, 2, 3, 4]]}', 400, /expected \{"instances"/],
  ['instances not a list', '/predict', '{"instances": 5}', 400, /list of rows/],
  ['a V2 body at the V1 path', '/predict', '{"inputs": [{"name": "x"}]}', 400, /v2\/models/],
  ['rows too narrow', '/predict', '{"instances": [[1, 2, 3]]}', 422, /each row must be \[4\], got \[3\]/],
  ['rows nested too deep', '/predict', '{"instances": [[[1, 2, 3, 4]]]}', 422, /wrong input shape/],
  ['text', '/predict', '{"instances": [["a", 1, 2, 3]]}', 422, /numbers only/],
  ['objects for a model without column names', '/predict', '{"instances": [{"a": 1}]}', 422, /not objects/],
  ['ragged rows', '/predict', '{"instances": [[1, 2, 3, 4], [1, 2]]}', 422, /different lengths/],
  ['empty instances', '/predict', '{"instances": []}', 422, /empty/],
  ['empty rows', '/predict', '{"instances": [[]]}', 422, /no values/],
  ['a flat list of numbers as instances', '/predict', '{"instances": [1, 2, 3, 4]}', 422, /must be a row/],
  ['a missing value the model cannot take', '/predict', '{"instances": [[1, 2, null, 4]]}', 422, /rejected the input/],
  // Finite input that overflows inside the pipeline: the model's own check still rejects it.
  ['a value that overflows inside the model', '/predict', '{"instances": [[1e308, 1e308, 1e308, 1e308]]}', 422, /rejected the input/],
  ['too many rows', '/predict', JSON.stringify({ instances: Array(CHUNK + 1).fill(ROWS[0]) }), 413, /too many rows: 9 > 8/],
  ['too large a body', '/predict', JSON.stringify({ instances: [ROWS[0]], pad: 'x'.repeat(5000) }), 413, /MAX_BODY_BYTES/],
  ['an unknown V2 model', '/v2/models/nope/infer', '{"inputs": []}', 404, /unknown model 'nope'; this server serves 'iris'/],
  ['V2 without inputs', '/v2/models/iris/infer', '{"outputs": []}', 400, /expected \{"inputs"/],
  ['V2 text tensors', '/v2/models/iris/infer', '{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "BYTES", "data": ["a", "b", "c", "d"]}]}', 422, /BYTES/],
  ['V2 data that does not fill its shape', '/v2/models/iris/infer', '{"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}]}', 422, /shape \[2, 4\] needs 8/],
  ['V2 with a bad shape', '/v2/models/iris/infer', '{"inputs": [{"name": "x", "shape": "2x4", "datatype": "FP64", "data": [1]}]}', 400, /shape must be/],
  ['V2 with two inputs', '/v2/models/iris/infer', '{"inputs": [{"name": "a"}, {"name": "b"}]}', 422, /one input tensor/],
  ['V2 asking for an unknown output', '/v2/models/iris/infer', '{"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}], "outputs": [{"name": "logits"}]}', 400, /unknown output/],
  ['an unknown path', '/nope', undefined, 404, /Not Found/],
  ['GET on /predict', '/predict', undefined, 405, /Method Not Allowed/],
];

pyTest('bad requests get the right 4xx with a JSON error, and no 500 ever', ['sklearn', 'joblib'], async () => {
  const iris = servers.iris;
  await untilReady(iris);
  for (const [what, path, body, status, message] of BAD) {
    const r = await call(iris, path, body, body === undefined ? 'GET' : 'POST');
    assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/, what);
    assert.equal(typeof r.json.error, 'string', `${what}: ${r.text}`);
    assert.match(r.json.error!, message, what);
  }
  const metrics = parseMetrics((await call(iris, '/metrics')).text);
  assert.ok(!metrics.some((m) => m.labels.code?.startsWith('5') && m.labels.code !== '503'), 'no 5xx was answered');
});

pyTest('a body sent without Content-Length is cut off at MAX_BODY_BYTES', ['sklearn', 'joblib'], async () => {
  const iris = servers.iris;
  await untilReady(iris);
  const url = new URL(`${iris.url}/predict`);
  const status = await new Promise<number>((done, fail) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', fail);
    for (let i = 0; i < 5; i++) req.write(`{"pad": "${'x'.repeat(1000)}"`);
    req.end();
  });
  assert.equal(status, 413);
});

// ---------------------------------------------------------------------------------------------
// Metrics.
// ---------------------------------------------------------------------------------------------

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value ?? 0;
}

pyTest('/metrics counts requests, errors and rows, and the latency histogram moves', ['sklearn', 'joblib'], async () => {
  const iris = servers.iris;
  await untilReady(iris);
  const res = await fetch(`${iris.url}/metrics`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const before = parseMetrics(await res.text());
  await call(iris, '/predict', { instances: ROWS });
  await call(iris, '/predict', { instances: [[1, 2]] });
  const after = parseMetrics((await call(iris, '/metrics')).text);
  const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

  assert.equal(delta('modelship_requests_total', { route: 'predict', code: '200' }), 1);
  assert.equal(delta('modelship_requests_total', { route: 'predict', code: '422' }), 1);
  assert.equal(delta('modelship_errors_total', { route: 'predict', reason: 'invalid_input' }), 1);
  assert.equal(delta('modelship_request_duration_seconds_count', { route: 'predict' }), 2);
  assert.ok(delta('modelship_request_duration_seconds_sum', { route: 'predict' }) > 0);
  assert.equal(delta('modelship_request_duration_seconds_bucket', { route: 'predict', le: '+Inf' }), 2);
  assert.equal(delta('modelship_batch_size_count'), 1, 'one model call');
  assert.equal(delta('modelship_batch_size_sum'), ROWS.length);
  assert.equal(delta('modelship_request_rows_sum'), ROWS.length);
  assert.ok(delta('modelship_inference_duration_seconds_sum') > 0);
  assert.equal(value(after, 'modelship_model_ready'), 1);
  assert.equal(value(after, 'modelship_model_info', { name: 'iris', format: 'joblib', framework: 'sklearn' }), 1);
  assert.ok(!after.some((s) => s.name.endsWith('_created')), 'no *_created series');
  const routes = new Set(after.filter((s) => s.name === 'modelship_requests_total').map((s) => s.labels.route));
  assert.ok([...routes].every((r) => /^[a-z0-9_]+$/.test(r)), `route labels stay a small fixed set: ${[...routes]}`);
});

// ---------------------------------------------------------------------------------------------
// Start-up and load failures.
// ---------------------------------------------------------------------------------------------

pyTest('/healthz answers at once; /readyz is 503 until the model is loaded, then 200', ['sklearn', 'joblib'], async () => {
  const slow = servers.slow;
  await untilListening(slow);
  const early = await call(slow, '/readyz');
  assert.equal(early.status, 503, 'model_def.load_model waits for the release file');
  assert.deepEqual(early.json, { status: 'loading', model: 'slow' });
  const predict = await call(slow, '/predict', { instances: ROWS });
  assert.equal(predict.status, 503);
  assert.equal(predict.headers.get('retry-after'), '1');
  assert.equal((await call(slow, '/v2/health/ready')).status, 400);
  assert.equal((await call(slow, '/healthz')).status, 200);
  writeFileSync(join(slow.dir, 'serving', 'release'), '');
  await untilReady(slow);
  const r = await call(slow, '/predict', { instances: ROWS });
  assert.deepEqual(r.json, { predictions: expected.iris.predictions, probabilities: expected.iris.probabilities }, 'the model from model_def.py serves');
  assert.deepEqual(startupPhases(slow), ['config', 'load', 'warmup', 'ready']);
  for (const line of slow.logs.filter((l) => l.startsWith('{'))) assert.doesNotThrow(() => JSON.parse(line), line);
});

pyTest('a model that fails to load: /readyz 503 with the error, and the process stays with EXIT_ON_LOAD_ERROR=0', [], async () => {
  const broken = servers.broken;
  await untilListening(broken);
  let ready = await call(broken, '/readyz');
  for (let i = 0; i < 600 && ready.json.status === 'loading'; i++) {
    await sleep(50);
    ready = await call(broken, '/readyz');
  }
  assert.equal(ready.status, 503);
  assert.equal(ready.json.status, 'failed');
  assert.match(String(ready.json.error), /model not found at .*missing\.joblib \(MODEL_PATH\)/);
  const predict = await call(broken, '/predict', { instances: ROWS });
  assert.equal(predict.status, 503);
  assert.match(predict.json.error!, /failed to load/);
  assert.equal((await call(broken, '/healthz')).status, 200);
  assert.equal(await exitWithin(broken, 300), 'running');
  assert.ok(startupPhases(broken).includes('failed'));
});

pyTest('by default a model that fails to load stops the process with status 3', [], async () => {
  const code = await exitWithin(servers.exits, 60_000);
  assert.equal(code, 3, servers.exits.logs.join('\n'));
  const failed = servers.exits.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.phase === 'failed');
  assert.ok(failed, servers.exits.logs.join('\n'));
  assert.equal(failed.level, 'error');
  assert.equal(failed.exiting, true);
  assert.match(failed.error, /model not found/);
});

pyTest('with several workers (python -m serving, WORKERS=2), a model that fails to load still ends the process with status 3', ['sklearn', 'joblib', 'uvicorn'], async () => {
  const dir = workspace();
  const port = await freePort();
  const proc = launch(PY, ['-m', 'serving'], dir, pyEnv({ ...SPEC.env, MODEL_PATH: join(dir, 'models', 'missing.joblib'), WORKERS: '2', HOST: '127.0.0.1', PORT: String(port), MODEL_NAME: 'exits-workers' }));
  // uvicorn's supervisor treats the worker's SIGTERM as a clean stop; without the mark it exited 0.
  assert.equal(await exitWithin(proc, 60_000), 3, proc.logs.join('\n'));
  assert.ok(proc.logs.some((l) => /model not found/.test(l)), proc.logs.join('\n'));
});

// ---------------------------------------------------------------------------------------------
// Jobs through Redis.
// ---------------------------------------------------------------------------------------------

async function untilDone(server: Server, id: string, worker: Proc): Promise<Reply> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await call(server, `/jobs/${id}`);
    if (r.json.status === 'done' || r.json.status === 'failed') return r;
    await sleep(100);
  }
  assert.fail(`job ${id} not done:\n${worker.logs.join('\n')}`);
}

pyTest('POST /jobs queues in Redis; the worker answers with the same predictions', ['sklearn', 'joblib', 'redis', 'redis-server'], async () => {
  const iris = servers.iris;
  await untilReady(iris);
  const submitted = await call(iris, '/jobs', { instances: JOB_ROWS });
  assert.equal(submitted.status, 202, submitted.text);
  const id = String(submitted.json.id);
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(submitted.headers.get('location'), `/jobs/${id}`);
  assert.deepEqual((await call(iris, `/jobs/${id}`)).json, { id, status: 'queued', rows: JOB_ROWS.length });
  assert.equal((await call(iris, '/jobs', { instances: [['a', 1, 2, 3]] })).status, 422, 'checked before queueing');
  assert.equal((await call(iris, '/jobs', { instances: [[1, 2, 3]] })).status, 422, 'checked against the loaded model');
  assert.equal((await call(iris, `/jobs/${'0'.repeat(32)}`)).status, 404);
  assert.equal((await call(iris, '/jobs/../../etc')).status, 404);

  // `python -m serving.worker`, as compose runs it; MAX_BATCH_SIZE=8 splits the 20 rows into 8+8+4.
  const env = pyEnv({ ...SPEC.env, MODEL_PATH: join(iris.dir, 'models', basename(IRIS)), MODEL_FORMAT: 'joblib', MODEL_NAME: 'iris', MAX_BATCH_SIZE: String(CHUNK), REDIS_URL: redisUrl });
  const worker = launch(PY, ['-m', 'serving.worker'], iris.dir, env);
  const done = await untilDone(iris, id, worker);
  const chunks = [0, 1, 2].map((i) => expected[`iris-job-${i}`]);
  assert.deepEqual(done.json, {
    id, status: 'done', rows: JOB_ROWS.length,
    predictions: chunks.flatMap((c) => c.predictions!), probabilities: chunks.flatMap((c) => c.probabilities!),
  });
  worker.child.kill('SIGTERM');
  assert.equal(await exitWithin(worker, 15_000), 0, worker.logs.join('\n'));

  // `python serving/worker.py --drain` answers what is queued, then exits.
  const again = await call(iris, '/jobs', { data: ROWS[0] });
  const lean = await call(iris, '/jobs?probabilities=false', { instances: [ROWS[0]] });
  const drain = launch(PY, ['serving/worker.py', '--drain'], iris.dir, env);
  assert.equal(await exitWithin(drain, 60_000), 0, drain.logs.join('\n'));
  const one = expected['iris-one'];
  assert.deepEqual((await call(iris, `/jobs/${again.json.id}`)).json, { id: again.json.id, status: 'done', rows: 1, predictions: one.predictions, probabilities: one.probabilities });
  assert.deepEqual((await call(iris, `/jobs/${lean.json.id}`)).json, { id: lean.json.id, status: 'done', rows: 1, predictions: one.predictions });
});

// ---------------------------------------------------------------------------------------------
// Adapters, loaded directly (no HTTP): every fixture format, and the messages for what cannot load.
// ---------------------------------------------------------------------------------------------

const BUILD_MODEL = `from collections import OrderedDict

from torch import nn


def build_model():
    return nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 8)), ("act", nn.ReLU()), ("fc2", nn.Linear(8, 3))]))
`;

interface Loaded {
  platform?: string;
  row_shape?: number[] | null;
  dtype?: string;
  predictions?: unknown[];
  probabilities?: number[][];
  error?: string;
  message?: string;
}

pyTest('every adapter loads its format and answers as the library does; unservable files say why', ['sklearn', 'joblib', 'xgboost', 'torch'], async () => {
  const dir = workspace({ 'model_def.py': BUILD_MODEL });
  const hook = { MODEL_DEF: join(dir, 'model_def.py') };
  const estimators = ['sklearn_logreg_p0.pkl', 'sklearn_logreg_p2.pkl', 'sklearn_pipeline_p4.pkl', 'sklearn_rf_p5.pkl', 'sklearn_pipeline_zlib.joblib', 'sklearn_gzip.joblib', 'sklearn_bz2.joblib', 'sklearn_xz.joblib', 'xgb_sklearn.pkl'];
  const binaryRows = [[0.1, 0.2, 0.3, 0.4, 0.5], [0.9, 0.1, 0.5, 0.8, 0.2], [0.5, 0.5, 0.5, 0.5, 0.5]];
  const records = ROWS.slice(0, 3).map(([a, b, c, d]) => ({ sepal_length: a, sepal_width: b, petal_length: c, petal_width: d }));
  const cases = [
    ...estimators.map((f) => ({ id: f, path: join(FIXTURES, f), format: f.endsWith('.pkl') ? 'pickle' : 'joblib', framework: f.startsWith('xgb') ? 'xgboost' : 'sklearn', rows: ROWS })),
    { id: 'ridge', path: join(models, 'ridge.pkl'), format: 'pickle', framework: 'sklearn', rows: ROWS.map((r) => r.slice(0, 3)) },
    { id: 'xgb-ubj', path: join(FIXTURES, 'xgb_model.ubj'), format: 'xgboost-ubj', framework: 'xgboost', rows: ROWS },
    { id: 'xgb-binary', path: join(models, 'xgb_binary.ubj'), format: 'xgboost-ubj', framework: 'xgboost', rows: binaryRows },
    { id: 'state-dict', path: join(FIXTURES, 'torch_state_dict.pt'), format: 'pytorch', framework: 'pytorch', rows: ROWS, env: hook },
    { id: 'checkpoint', path: join(FIXTURES, 'checkpoint.ckpt'), format: 'pytorch', framework: 'pytorch', rows: ROWS, env: hook },
    { id: 'torchscript-as-pytorch', path: TORCHSCRIPT, format: 'pytorch', framework: 'pytorch', rows: ROWS },
    ...(HAVE.has('pandas') ? [{ id: 'by-name', path: join(models, 'by_name.pkl'), format: 'pickle', framework: 'sklearn', rows: records }] : []),
    { id: 'state-dict-no-code', path: join(FIXTURES, 'torch_state_dict.pt'), format: 'pytorch', framework: 'pytorch' },
    { id: 'safetensors', path: join(FIXTURES, 'model.safetensors'), format: 'safetensors', framework: 'safetensors' },
    { id: 'npy', path: join(FIXTURES, 'array.npy'), format: 'numpy', framework: 'numpy' },
    { id: 'gguf', path: join(FIXTURES, 'tiny.gguf'), format: 'gguf', framework: 'llama.cpp' },
    { id: 'numpy-pickle', path: join(FIXTURES, 'numpy_dict.pkl'), format: 'pickle', framework: 'numpy' },
    { id: 'bogus-format', path: IRIS, format: 'bogus', framework: 'sklearn' },
    { id: 'lightgbm', path: join(FIXTURES, 'lgbm_model.txt'), format: 'lightgbm-text', framework: 'lightgbm' },
    { id: 'onnx', path: join(FIXTURES, 'model.onnx'), format: 'onnx', framework: 'onnx' },
    { id: 'keras', path: join(FIXTURES, 'model.keras'), format: 'keras', framework: 'keras' },
    { id: 'catboost', path: join(FIXTURES, 'model.cbm'), format: 'catboost', framework: 'catboost' },
    { id: 'guessed-format', path: IRIS, format: '', framework: '', rows: [ROWS[0]] },
    // Packages Debian lacks, through stand-ins (test/python/fakes) so the adapters' own code runs.
    { id: 'fake-safetensors', path: join(FIXTURES, 'model.safetensors'), format: 'safetensors', framework: 'safetensors', rows: ROWS, env: hook, fake: 'safetensors' },
    { id: 'fake-safetensors-sharded', path: join(FIXTURES, 'sharded', 'model.safetensors.index.json'), format: 'safetensors', framework: 'safetensors', rows: ROWS, env: hook, fake: 'safetensors' },
    { id: 'fake-onnx', path: join(FIXTURES, 'model.onnx'), format: 'onnx', framework: 'onnx', rows: ROWS, fake: 'onnxruntime' },
    { id: 'fake-onnx-narrow', path: join(FIXTURES, 'model.onnx'), format: 'onnx', framework: 'onnx', rows: [[1, 2, 3]], fake: 'onnxruntime' },
    { id: 'fake-lightgbm', path: join(FIXTURES, 'lgbm_model.txt'), format: 'lightgbm-text', framework: 'lightgbm', rows: ROWS.map((r) => r.slice(0, 3)), fake: 'lightgbm' },
    { id: 'fake-lightgbm-binary', path: join(dir, 'binary.txt'), format: 'lightgbm-text', framework: 'lightgbm', rows: ROWS.map((r) => r.slice(0, 2)), fake: 'lightgbm' },
    { id: 'fake-keras', path: join(FIXTURES, 'model.keras'), format: 'keras', framework: 'keras', rows: ROWS, fake: 'keras' },
    { id: 'fake-keras-weights', path: join(FIXTURES, 'keras_weights.weights.h5'), format: 'keras-h5', framework: 'keras', fake: 'keras' },
    { id: 'fake-catboost', path: join(FIXTURES, 'model.cbm'), format: 'catboost', framework: 'catboost', rows: ROWS, fake: 'catboost' },
    { id: 'fake-tflite', path: join(FIXTURES, 'tiny.tflite'), format: 'tflite', framework: 'tensorflow', rows: ROWS, fake: 'tflite_runtime' },
  ];
  writeFileSync(join(dir, 'binary.txt'), 'tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nobjective=binary sigmoid:1\n\nTree=0\n');
  const casesFile = join(dir, 'cases.json');
  writeFileSync(casesFile, JSON.stringify(cases));
  const run = spawnSync(PY, [join(HELPERS, 'check_adapters.py'), join(dir, 'serving'), casesFile], { encoding: 'utf8', env: pyEnv(), maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, run.stderr);
  const got: Record<string, Loaded> = JSON.parse(run.stdout);
  const compared = [...estimators, 'ridge', ...(HAVE.has('pandas') ? ['by-name'] : [])];
  const want = oracle([
    ...cases.filter((c) => compared.includes(c.id)).map((c) => ({ id: c.id, format: c.format, path: c.path, rows: c.rows! })),
    { id: 'xgb-ubj', format: 'xgboost-ubj', path: join(FIXTURES, 'xgb_model.ubj'), rows: ROWS },
    { id: 'xgb-binary', format: 'xgboost-ubj', path: join(models, 'xgb_binary.ubj'), rows: binaryRows },
    { id: 'torch', format: 'pytorch', path: TORCH_FULL, rows: ROWS },
  ]);

  for (const f of compared) {
    assert.equal(got[f].error, undefined, `${f}: ${got[f].message}`);
    const { predictions, probabilities } = got[f];
    assert.deepEqual(probabilities === undefined ? { predictions } : { predictions, probabilities }, want[f], f);
  }
  assert.equal(got.ridge.probabilities, undefined, 'a regressor has no probabilities');
  assert.deepEqual(got['sklearn_pipeline_p4.pkl'].row_shape, [4]);
  const multi = want['xgb-ubj'].raw as number[][];
  assert.deepEqual({ predictions: got['xgb-ubj'].predictions, probabilities: got['xgb-ubj'].probabilities }, { predictions: multi.map(argmax), probabilities: multi });
  const p = want['xgb-binary'].raw as number[];
  assert.deepEqual(got['xgb-binary'].predictions, p.map((v) => (v > 0.5 ? 1 : 0)));
  assert.deepEqual(got['xgb-binary'].probabilities, p.map((v) => [Math.fround(1 - v), v]), 'like XGBClassifier.predict_proba');
  for (const id of ['state-dict', 'checkpoint', 'torchscript-as-pytorch']) {
    assert.equal(got[id].error, undefined, `${id}: ${got[id].message}`);
    assert.deepEqual(got[id].predictions, want.torch.raw, `${id} holds the same weights as torch_full_model.bin`);
  }
  assert.equal(got['torchscript-as-pytorch'].platform, 'pytorch_torchscript');
  assert.deepEqual(got['guessed-format'].predictions, expected['iris-one'].predictions, 'MODEL_FORMAT unset: guessed from .joblib');

  for (const id of ['fake-safetensors', 'fake-safetensors-sharded']) {
    assert.equal(got[id].error, undefined, `${id}: ${got[id].message}`);
    assert.deepEqual(got[id].predictions, want.torch.raw, `${id}: build_model() plus these weights is torch_full_model.bin`);
  }
  assert.deepEqual(got['fake-onnx'], {
    platform: 'onnxruntime_onnx', row_shape: [4], dtype: 'float32', classes: [0, 1, 2],
    predictions: ROWS.map((r) => argmax(r.slice(0, 3))),
    probabilities: ROWS.map((r) => [0, 1, 2].map((k) => (k === argmax(r.slice(0, 3)) ? 0.5 : 0.25))),
  });
  assert.equal(got['fake-onnx-narrow'].error, 'InputError', 'the width comes from the session');
  assert.match(got['fake-onnx-narrow'].message!, /each row must be \[4\], got \[3\]/);
  assert.deepEqual(got['fake-lightgbm'], { platform: 'lightgbm', row_shape: [3], dtype: 'float64', predictions: ROWS.map((r) => (r[0] + r[1] + r[2]) / 3) });
  assert.deepEqual(got['fake-lightgbm-binary'].predictions, ROWS.map((r) => (r[0] > 0.5 ? 1 : 0)));
  assert.deepEqual(got['fake-lightgbm-binary'].probabilities, ROWS.map((r) => [1 - r[0], r[0]]));

  const twice = (row: number[]) => row.map((v) => 2 * Math.fround(v));
  assert.deepEqual(got['fake-keras'], { platform: 'tensorflow_keras', row_shape: [4], dtype: 'float32', predictions: ROWS.map((r) => twice(r.slice(0, 2))) });
  assert.equal(got['fake-keras-weights'].error, 'ModelLoadError');
  assert.match(got['fake-keras-weights'].message!, /weights only \(model\.save_weights\), add serving\/model_def\.py with build_model\(\)/);
  assert.deepEqual(got['fake-catboost'], {
    platform: 'catboost', row_shape: [4], dtype: 'float64',
    predictions: ROWS.map((r) => argmax(r.slice(0, 3))),
    probabilities: ROWS.map((r) => [0, 1, 2].map((k) => (k === argmax(r.slice(0, 3)) ? 0.5 : 0.25))),
  });
  assert.deepEqual(got['fake-tflite'], { platform: 'tensorflow_tflite', row_shape: [4], dtype: 'float32', predictions: ROWS.map(twice) });

  const failures: [string, RegExp][] = [
    ['state-dict-no-code', /state_dict.*weights only.*serving\/model_def\.py defining build_model\(\)/],
    ['safetensors', /safetensors file.*weights only.*build_model\(\)/],
    ['npy', /NumPy array file holds data/],
    ['gguf', /llama\.cpp's own server/],
    ['numpy-pickle', /pickle of numpy data, not a model/],
    ['bogus-format', /no adapter for model format 'bogus'/],
  ];
  for (const [id, message] of failures) {
    assert.equal(got[id].error, 'ModelLoadError', `${id}: ${JSON.stringify(got[id])}`);
    assert.match(got[id].message!, message, id);
  }
  // Frameworks this machine may lack: either they load, or the error names the package to add.
  for (const [id, pkg] of [['lightgbm', 'lightgbm'], ['onnx', 'onnxruntime'], ['keras', 'tensorflow'], ['catboost', 'catboost']]) {
    if (got[id].error === undefined) continue;
    assert.equal(got[id].error, 'ModelLoadError', `${id}: ${JSON.stringify(got[id])}`);
    assert.match(got[id].message!, new RegExp(`needs the Python package '${pkg}'.*serving/requirements\\.txt`), id);
  }
});

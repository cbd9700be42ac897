// The generated .dockerignore, read with Docker's own matching rules (@balena/dockerignore): it keeps
// junk, datasets, tests and other weights out of the build context, and never what the Dockerfile
// copies, even when the served model sits under an excluded folder or has pattern characters in its name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ignore from '@balena/dockerignore';
import { detectProject } from '../../../src/core/detect';
import type { DetectedModel, ProjectDescription } from '../../../src/core/detect/types';
import { isModelshipError } from '../../../src/core/errors';
import { scaffold, type ContainerizeOptions } from '../../../src/core/scaffold';
import { checkDockerignore, renderDockerignore } from '../../../src/core/scaffold/dockerfile/dockerignore';
import { normalizeSettings } from '../../../src/core/settings';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';

const MODELS = join(__dirname, '../../fixtures/models');
const IRIS = join(__dirname, '../../../examples/iris-sklearn');

function detect(root: string): Promise<ProjectDescription> {
  return detectProject(new NodeFsReader(root), normalizeSettings({}).detect, root);
}

/** A project holding exactly `models` (path and format), with no requirements. */
function project(models: [string, DetectedModel['format']][]): ProjectDescription {
  return {
    root: '/work/demo',
    models: models.map(([path, format]) => ({ path, format, framework: format === 'savedmodel' ? 'tensorflow' : 'sklearn', bytes: 2048, evidence: 'test' })),
    requirements: { files: [], packages: [], options: [], conda: [] },
    python: { version: '3.11', source: 'default' },
    problems: [],
  };
}

/** The generated .dockerignore as a matcher, plus its text. */
function dockerignore(desc: ProjectDescription, options: Partial<ContainerizeOptions> & { model: string }): { ignores(path: string): boolean; text: string } {
  const { files } = scaffold(desc, { gpu: false, mode: 'bake', targets: ['dockerfile'], ...options });
  const text = files.find((f) => f.path === '.dockerignore')!.contents;
  const ig = ignore().add(text.split('\n'));
  return { ignores: (p) => ig.ignores(p), text };
}

const APP_FILES = ['Dockerfile', 'serving', 'serving/app.py', 'serving/requirements.txt', 'serving/adapters/sklearn.py'];

test('what the Dockerfile copies is never ignored; every other model is', async () => {
  const desc = await detect(MODELS);
  const served = 'sklearn_pipeline.joblib';
  const ig = dockerignore(desc, { model: served });
  for (const p of [served, ...APP_FILES]) assert.equal(ig.ignores(p), false, p);
  const others = desc.models.filter((m) => m.path !== served);
  assert.ok(others.length > 30);
  for (const m of others) assert.equal(ig.ignores(m.path), true, `${m.path} should stay out of the context`);
  for (const shard of ['sharded/model-00001-of-00002.safetensors', 'sharded/model-00002-of-00002.safetensors']) assert.equal(ig.ignores(shard), true);
  // Files detection does not list as models, but whose extension is a weight format.
  assert.ok(ig.text.includes('\nlgbm_model.txt\n') && ig.text.includes('\nweights.dat\n'));
});

test('VCS, environments, caches, notebook checkpoints, datasets and tests stay out', async () => {
  const ig = dockerignore(await detect(IRIS), { model: 'model.joblib' });
  const out = [
    '.git/HEAD', '.venv/bin/python', 'venv/lib/x.py', 'src/__pycache__/a.cpython-311.pyc', 'notebooks/.ipynb_checkpoints/a-checkpoint.ipynb',
    '.pytest_cache/v', '.mypy_cache/x', 'data/train.csv', 'datasets/x/part-0.parquet', 'reports/sample.csv', 'tests/test_model.py',
    'test/conftest.py', 'mlruns/0/meta.yaml', 'wandb/run/files', '.env', 'deploy/k8s/deployment.yaml', 'old/checkpoint.pt', 'x/y/weights.safetensors',
  ];
  for (const p of out) assert.equal(ig.ignores(p), true, p);
  for (const p of ['model.joblib', ...APP_FILES]) assert.equal(ig.ignores(p), false, p);
});

test('a served model under data/ is re-included, its neighbours are not', () => {
  const desc = project([['data/models/clf.joblib', 'joblib'], ['data/old.pkl', 'pickle'], ['experiments/v1/clf.joblib', 'joblib']]);
  const ig = dockerignore(desc, { model: 'data/models/clf.joblib' });
  assert.equal(ig.ignores('data/models/clf.joblib'), false);
  assert.equal(ig.ignores('data/old.pkl'), true);
  assert.equal(ig.ignores('data/models/other.csv'), true);
  assert.equal(ig.ignores('experiments/v1/clf.joblib'), true);
  assert.match(ig.text, /\n!data\/models\/clf\.joblib\n$/);
});

test('a SavedModel folder under an excluded folder keeps all its files', () => {
  const desc = project([['data/export/saved', 'savedmodel'], ['data/export/older', 'savedmodel']]);
  const ig = dockerignore(desc, { model: 'data/export/saved' });
  for (const p of ['data/export/saved', 'data/export/saved/saved_model.pb', 'data/export/saved/variables/variables.index', 'data/export/saved/variables/variables.data-00000-of-00001']) {
    assert.equal(ig.ignores(p), false, p);
  }
  assert.equal(ig.ignores('data/export/older/saved_model.pb'), true);
});

test('names with pattern characters are matched literally, and never re-include look-alikes', () => {
  const cases: [string, string][] = [
    ['#1 model.pkl', '1 model.pkl'],
    ['!important.pkl', 'important.pkl'],
    ['runs/best [v2].joblib', 'runs/best v.joblib'],
    ['runs/model (1).pkl', 'runs/model 1.pkl'],
    ['runs/a+b {x|y} $HOME.pkl', 'runs/aab x.pkl'],
  ];
  for (const [name, lookAlike] of cases) {
    const ig = dockerignore(project([[name, 'pickle'], [lookAlike, 'pickle']]), { model: name });
    assert.equal(ig.ignores(name), false, name);
    assert.equal(ig.ignores(lookAlike), true, `${name} must not re-include ${lookAlike}`);
  }
  // Another model whose name no pattern can spell is left to the weight globs, not an error.
  const odd = dockerignore(project([['clf.joblib', 'joblib'], ['what?.pkl', 'pickle']]), { model: 'clf.joblib' });
  assert.equal(odd.ignores('what?.pkl'), true);
});

test('mount mode leaves the served model out too; offline keeps wheels/', async () => {
  const mount = dockerignore(await detect(IRIS), { model: 'model.joblib', mode: 'mount' });
  assert.equal(mount.ignores('model.joblib'), true);
  for (const p of APP_FILES) assert.equal(mount.ignores(p), false, p);
  const offline = dockerignore(await detect(IRIS), { model: 'model.joblib', offline: true });
  for (const p of ['wheels', 'wheels/numpy-1.24.2-cp311-cp311-manylinux_2_17_x86_64.whl']) assert.equal(offline.ignores(p), false, p);
});

test('a rule that would drop a copied path is an error, not a broken build', () => {
  const keep = [{ path: 'data/clf.joblib', folder: false }, { path: 'serving', folder: true }];
  assert.throws(() => checkDockerignore('!data/clf.joblib\ndata\n', keep),
    (e: unknown) => isModelshipError(e) && e.code === 'DOCKERIGNORE_DROPS_INPUT' && /data\/clf\.joblib/.test(e.message));
  assert.throws(() => checkDockerignore('serving/**/*.py\n', keep), (e: unknown) => isModelshipError(e) && /serving\/x\.py/.test(e.message));
  assert.doesNotThrow(() => checkDockerignore('data\n!data/clf.joblib\n', keep));
  assert.throws(() => renderDockerignore({ keep: [{ path: 'models\\clf.joblib', folder: false }], otherModels: [], mountedModel: [], servedModel: 'x' }),
    (e: unknown) => isModelshipError(e) && e.code === 'UNSUPPORTED_PATH');
});

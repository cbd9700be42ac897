// The `modelship detect` contract, run through the built CLI as users run it (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const EXAMPLE = resolve(__dirname, '../../../examples/iris-sklearn');
const FIXTURES = resolve(__dirname, '../../fixtures/models');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('the CLI is built', () => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`));

test('detect --json prints exactly the documented shape', () => {
  const r = run('detect', EXAMPLE, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['root', 'models', 'requirements', 'python', 'problems']);
  assert.equal(out.root, EXAMPLE);
  assert.deepEqual(out.models, [{
    path: 'model.joblib', format: 'joblib', framework: 'sklearn', bytes: 1518, evidence: out.models[0].evidence, safety: out.models[0].safety,
  }]);
  assert.equal(out.models[0].safety.verdict, 'safe');
  assert.ok(out.models[0].safety.globals.some((g: { name: string }) => g.name === 'LogisticRegression'));
  assert.match(out.models[0].evidence, /LogisticRegression/);
  assert.deepEqual(out.python, { version: '3.11', source: '.python-version' });
  assert.ok(out.requirements.packages.some((p: { normalizedName: string; pinned: boolean }) => p.normalizedName === 'scikit-learn' && p.pinned));
  for (const p of out.problems) assert.deepEqual(Object.keys(p).filter((k) => !['path', 'line', 'message', 'severity', 'code', 'fix'].includes(k)), []);
});

test('paths are relative with forward slashes, a SavedModel is its folder', () => {
  const out = JSON.parse(run('detect', FIXTURES, '--json').stdout);
  const paths: string[] = out.models.map((m: { path: string }) => m.path);
  assert.ok(paths.includes('savedmodel_dir'));
  assert.ok(paths.includes('sharded/model.safetensors.index.json'));
  for (const p of paths) assert.ok(!p.startsWith('/') && !p.includes('\\') && !p.startsWith('./'), p);
  assert.ok(!paths.includes('notes.pkl') && !paths.includes('config.json') && !paths.includes('random.bin'));
});

test('a missing path exits 2 and says which', () => {
  const r = run('detect', '/no/such/folder');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\/no\/such\/folder: no such file or folder/);
  assert.equal(r.stdout, '');
});

test('unknown commands and extra arguments are usage errors', () => {
  assert.equal(run('frobnicate').status, 2);
  assert.equal(run('detect', 'a', 'b').status, 2);
  assert.equal(run('detect', '--nope').status, 2);
});

test('the table names each model, its problems and their fixes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-cli-'));
  copyFileSync(join(FIXTURES, 'sklearn_logreg_p2.pkl'), join(dir, 'clf.pkl'));
  writeFileSync(join(dir, 'requirements.txt'), 'fastapi\n');
  const r = run('detect', dir);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /clf\.pkl\s+pickle\s+sklearn/);
  assert.match(r.stdout, /warning requirements\.txt:1\s+fastapi is not pinned/);
  assert.match(r.stdout, /clf\.pkl\s+This scikit-learn model needs scikit-learn/);
});

test('detect on one file describes that file with the requirements beside it', () => {
  const out = JSON.parse(run('detect', join(EXAMPLE, 'model.joblib'), '--json').stdout);
  assert.equal(out.root, EXAMPLE);
  assert.deepEqual(out.models.map((m: { path: string }) => m.path), ['model.joblib']);
  assert.equal(out.python.source, '.python-version');
});

test('--verbose reports files listed, opened and bytes read on stderr', () => {
  const r = run('detect', FIXTURES, '--json', '--verbose');
  const m = /listed (\d+) files, opened (\d+), read (\d+) bytes \(at most (\d+) from one file\)/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.ok(Number(m[4]) <= 65536);
});

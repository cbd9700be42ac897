// `modelship detect` shows the pickle scan: `safety` on pickle-family models in --json, a SAFETY
// column and the flagged globals in the table, the scan's reads in --verbose. Runs the built CLI
// (npm test builds first; MODELSHIP_CLI points at another build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { HOSTILE_DIR, MODELS_DIR, makeZip, concat, op, enc } from './model.support';

const CLI = process.env.MODELSHIP_CLI ?? resolve(__dirname, '../../../dist/cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

interface JsonModel { path: string; format: string; safety?: { verdict: string; globals: Record<string, unknown>[] } }

test('the CLI is built', () => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`));

test('detect --json adds safety to pickle-family models only, with verdict and globals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-safety-'));
  copyFileSync(join(HOSTILE_DIR, 'stack_global_memo.pkl'), join(dir, 'evil.pkl'));
  copyFileSync(join(MODELS_DIR, 'sklearn_pipeline.joblib'), join(dir, 'model.joblib'));
  copyFileSync(join(MODELS_DIR, 'model.onnx'), join(dir, 'model.onnx'));
  const payload = concat(op.proto(2), op.global('posix', 'system'), op.call1('id'), op.stop);
  writeFileSync(join(dir, 'torch.pt'), makeZip([
    { name: 'torch/data.pkl', data: payload, method: 8 }, { name: 'torch/version', data: enc('3\n') }, { name: 'torch/data/0', data: new Uint8Array(16) },
  ]));
  const r = run('detect', dir, '--json');
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const byPath = new Map<string, JsonModel>(out.models.map((m: JsonModel) => [m.path, m]));
  assert.deepEqual(Object.keys(byPath.get('model.onnx')!), ['path', 'format', 'framework', 'bytes', 'evidence']);
  assert.deepEqual(Object.keys(byPath.get('model.joblib')!), ['path', 'format', 'framework', 'bytes', 'evidence', 'safety']);
  assert.equal(byPath.get('model.joblib')!.safety!.verdict, 'safe');
  const evil = byPath.get('evil.pkl')!.safety!;
  assert.equal(evil.verdict, 'unsafe');
  assert.deepEqual(evil.globals, [{ module: 'builtins', name: 'exec', offset: 40, verdict: 'unsafe' }]);
  const torch = byPath.get('torch.pt')!.safety!;
  assert.equal(torch.verdict, 'unsafe');
  assert.deepEqual(Object.keys(torch.globals[0]!), ['module', 'name', 'offset', 'verdict', 'member']);
  assert.equal(torch.globals[0]!.member, 'torch/data.pkl');
});

test('the table has a SAFETY column and names what made a model unsafe', () => {
  const r = run('detect', HOSTILE_DIR);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /PATH\s+FORMAT\s+FRAMEWORK\s+SIZE\s+SAFETY\s+EVIDENCE/);
  assert.match(r.stdout, /os_system_global\.pkl\s+pickle\s+unknown\s+\S+ B\s+unsafe/);
  assert.match(r.stdout, /main_class\.pkl: suspicious: __main__\.MyModel \(suspicious, byte 21\)/);
  assert.match(r.stdout, /object_array_malicious\.npy: unsafe: nt\.system \(unsafe, byte 130\)/);
});

test('--verbose reports the safety scan\'s reads apart from detection\'s 64 KiB budget', () => {
  const r = run('detect', MODELS_DIR, '--json', '--verbose');
  assert.equal(r.status, 0, r.stderr);
  const detection = /read (\d+) bytes \(at most (\d+) from one file\)/.exec(r.stderr);
  assert.ok(detection && Number(detection[2]) <= 65536, r.stderr);
  assert.match(r.stderr, /safety scan of \d+ pickle-family models read \d+ bytes in \d+ reads/);
});

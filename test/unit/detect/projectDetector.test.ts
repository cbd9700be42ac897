import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectDetector } from '../../../src/core/detect';
import { normalizeSettings } from '../../../src/core/settings';
import { MemoryReader } from '../../helpers/memoryReader';

const FIXTURES = join(__dirname, '../../fixtures/models');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const settings = normalizeSettings({}).detect;

test('a scikit-learn model without scikit-learn in the requirements is a problem on the model', async () => {
  const reader = new MemoryReader({ 'models/clf.pkl': fixture('sklearn_logreg_p2.pkl'), 'requirements.txt': 'fastapi==0.110.0\n' });
  const desc = await new ProjectDetector(reader, settings, '/p').scan();
  const problem = desc.problems.find((p) => p.code === 'framework-missing');
  assert.equal(problem?.path, 'models/clf.pkl');
  assert.match(problem?.message ?? '', /scikit-learn/);
  assert.match(problem?.fix ?? '', /scikit-learn==/);
});

test('the framework requirement satisfied means no framework problem', async () => {
  const reader = new MemoryReader({ 'clf.pkl': fixture('sklearn_logreg_p2.pkl'), 'requirements.txt': 'scikit-learn==1.2.1\n' });
  const desc = await new ProjectDetector(reader, settings, '/p').scan();
  assert.deepEqual(desc.problems.filter((p) => p.code === 'framework-missing'), []);
  assert.equal(desc.requirements.packages[0]?.normalizedName, 'scikit-learn');
});

test('no requirements file at all is reported once, at the project', async () => {
  const desc = await new ProjectDetector(new MemoryReader({ 'm.onnx': fixture('model.onnx') }), settings, '/p').scan();
  const problems = desc.problems.filter((p) => p.code === 'no-requirements');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.path, '.');
  assert.match(problems[0]!.fix ?? '', /onnxruntime/);
});

test('shards fold into their index, and a missing shard is an error', async () => {
  const index = readFileSync(join(FIXTURES, 'sharded/model.safetensors.index.json'), 'utf8');
  const shard1 = fixture('sharded/model-00001-of-00002.safetensors');
  const reader = new MemoryReader({ 'ckpt/model.safetensors.index.json': index, 'ckpt/model-00001-of-00002.safetensors': shard1 });
  const desc = await new ProjectDetector(reader, settings, '/p').scan();
  assert.deepEqual(desc.models.map((m) => m.path), ['ckpt/model.safetensors.index.json']);
  assert.equal(desc.models[0]!.bytes, index.length + shard1.length);
  assert.ok(desc.problems.some((p) => p.code === 'missing-shard' && /model-00002-of-00002/.test(p.message)));
});

test('update() re-sniffs only the named paths', async () => {
  const files: Record<string, string | Uint8Array> = { 'a.pkl': fixture('sklearn_logreg_p2.pkl'), 'src/app.py': 'x' };
  const reader = new MemoryReader(files);
  const detector = new ProjectDetector(reader, settings, '/p');
  await detector.scan();
  assert.equal(detector.counters.sniffs, 1);
  const grown = new MemoryReader({ ...files, 'new/b.pt': fixture('torch_state_dict.pt') });
  Object.assign(detector, { reader: grown });
  const desc = await detector.update(['new/b.pt']);
  assert.deepEqual(desc.models.map((m) => m.path), ['a.pkl', 'new/b.pt']);
  assert.equal(detector.counters.sniffs, 2, 'only the new file was opened');
  assert.equal(detector.counters.scans, 1);
  const shrunk = new MemoryReader({ 'a.pkl': fixture('sklearn_logreg_p2.pkl') });
  Object.assign(detector, { reader: shrunk });
  const after = await detector.update(['new']);
  assert.deepEqual(after.models.map((m) => m.path), ['a.pkl']);
});

test('update() re-reads requirements when a dependency file changes', async () => {
  const detector = new ProjectDetector(new MemoryReader({ 'a.pkl': fixture('sklearn_logreg_p2.pkl'), 'requirements.txt': 'numpy==1.0\n' }), settings, '/p');
  const before = await detector.scan();
  assert.ok(before.problems.some((p) => p.code === 'framework-missing'));
  Object.assign(detector, { reader: new MemoryReader({ 'a.pkl': fixture('sklearn_logreg_p2.pkl'), 'requirements.txt': 'numpy==1.0\nscikit-learn==1.2.1\n' }) });
  const after = await detector.update(['requirements.txt']);
  assert.ok(!after.problems.some((p) => p.code === 'framework-missing'));
  assert.equal(detector.counters.sniffs, 1, 'the model was not re-opened');
});

test('a conda-only environment provides the framework too', async () => {
  const env = 'name: x\ndependencies:\n  - python=3.10\n  - pytorch::pytorch=2.1.0\n  - scikit-learn=1.3.0\n';
  const reader = new MemoryReader({ 'clf.pkl': fixture('sklearn_logreg_p2.pkl'), 'net.pt': fixture('torch_state_dict.pt'), 'environment.yml': env });
  const desc = await new ProjectDetector(reader, settings, '/p').scan();
  assert.deepEqual(desc.problems.filter((p) => p.code === 'framework-missing'), []);
  assert.equal(desc.python.version, '3.10');
});

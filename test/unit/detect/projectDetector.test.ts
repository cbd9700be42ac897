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

const latin = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

test('a pickle cut short after its first GLOBAL is listed, with an error naming the byte where it ends', async () => {
  const cut = latin('\x80\x02csklearn.linear_model._logistic\nLogisticRegression\n');
  const reader = new MemoryReader({ 'model.pkl': cut, 'requirements.txt': 'scikit-learn==1.2.1\n' });
  const desc = await new ProjectDetector(reader, settings, '/p').scan();
  assert.deepEqual(desc.models.map((m) => [m.path, m.format, m.framework]), [['model.pkl', 'pickle', 'sklearn']]);
  const problem = desc.problems.find((p) => p.path === 'model.pkl');
  assert.equal(problem?.code, 'truncated');
  assert.equal(problem?.severity, 'error');
  assert.match(problem?.message ?? '', new RegExp(`ends at byte ${cut.length}\\b`));
});

test('real model files cut anywhere are listed with the truncation error, and whole ones are not', async () => {
  const cases: [string, number[]][] = [
    ['sklearn_logreg_p2.pkl', [80, 300, 700, 1119]],
    ['sklearn_logreg_p0.pkl', [120, 900]],
    ['sklearn_pipeline_p4.pkl', [200, 1000]],
    ['sklearn_pipeline.joblib', [300, 1200]],
    ['sklearn_gzip.joblib', [400, 900]],
    ['sklearn_pipeline_zlib.joblib', [500]],
    ['pandas_df.pkl', [600]],
  ];
  for (const [name, cuts] of cases) {
    const whole = fixture(name);
    const entries: Record<string, Uint8Array> = { [`whole/${name}`]: whole };
    for (const at of cuts) entries[`cut${at}/${name}`] = whole.subarray(0, at);
    const desc = await new ProjectDetector(new MemoryReader(entries), settings, '/p').scan();
    assert.deepEqual(desc.models.map((m) => m.path).sort(), Object.keys(entries).sort(), `${name}: every copy is listed`);
    assert.ok(!desc.problems.some((p) => p.path === `whole/${name}` && p.code === 'truncated'), `${name}: the whole file is not truncated`);
    for (const at of cuts) {
      const problem = desc.problems.find((p) => p.path === `cut${at}/${name}` && p.code === 'truncated');
      assert.ok(problem, `${name} cut at ${at}: no truncation error`);
      assert.match(problem.message, /ends at byte \d+/);
    }
  }
});

test('a file named like a model that holds text is a problem, never silently dropped', async () => {
  const reader = new MemoryReader({
    'models/x.joblib': '2024-01-01 12:00:00 INFO training started\n2024-01-01 12:01:00 INFO epoch 1 loss=0.3\n',
    'models/y.pkl': 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n',
    'models/z.pt': '<!DOCTYPE html><html><body>404 Not Found</body></html>\n',
    'models/readme.dat': 'Plain notes next to the models.\n',
    'requirements.txt': 'scikit-learn==1.2.1\n',
  });
  const desc = await new ProjectDetector(reader, settings, '/p').scan();
  assert.deepEqual(desc.models, []);
  const byPath = new Map(desc.problems.map((p) => [p.path, p]));
  assert.equal(byPath.get('models/x.joblib')?.code, 'not-a-model');
  assert.match(byPath.get('models/x.joblib')?.message ?? '', /^models\/x\.joblib is named like a model but holds text .*"2024-01-01 12:00:00 INFO training started"/);
  assert.equal(byPath.get('models/y.pkl')?.code, 'lfs-pointer');
  assert.equal(byPath.get('models/y.pkl')?.severity, 'error');
  assert.match(byPath.get('models/y.pkl')?.message ?? '', /malformed Git LFS pointer/);
  assert.match(byPath.get('models/z.pt')?.message ?? '', /holds an HTML page/);
  assert.equal(byPath.get('models/readme.dat'), undefined, 'a generic extension stays silent');
});

test('a gzip joblib whose first bytes inflate past the sniff window is still a model', async () => {
  const { gzipSync } = await import('node:zlib');
  const header = latin('\x80\x04\x8c\x05numpy\x8c\x07ndarray\x93\x8e');
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, 64n * 1024n * 1024n, true);
  const raw = new Uint8Array(header.length + 8 + 4 * 1024 * 1024);
  raw.set(header, 0);
  raw.set(length, header.length);
  const reader = new MemoryReader({ 'model.joblib': new Uint8Array(gzipSync(raw)) });
  const desc = await new ProjectDetector(reader, settings, '/p').scan();
  assert.deepEqual(desc.models.map((m) => [m.format, m.details?.compression]), [['joblib', 'gzip']]);
  assert.ok(!desc.problems.some((p) => p.code === 'truncated'), 'only part of the input was inflated, so nothing is known about its end');
});

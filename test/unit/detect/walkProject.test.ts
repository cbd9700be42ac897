import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkProject } from '../../../src/core/detect/walkProject';
import { shouldSniff } from '../../../src/core/detect/candidates';
import { normalizeSettings } from '../../../src/core/settings';
import { MemoryReader } from '../../helpers/memoryReader';

const settings = normalizeSettings({}).detect;

test('default excludes skip VCS, virtualenvs, caches and dependency folders', async () => {
  const reader = new MemoryReader({
    'model.pkl': '\x80\x04.',
    '.git/objects/model.pkl': 'x',
    'node_modules/a/model.pkl': 'x',
    '.venv/lib/model.pkl': 'x',
    '__pycache__/m.pkl': 'x',
    'src/sub/weights.bin': 'x',
    'src/app.py': 'print(1)',
    'requirements.txt': 'numpy==1.0\n',
    'requirements/prod.txt': 'numpy==1.0\n',
  });
  const walk = await walkProject(reader, settings);
  assert.deepEqual(walk.candidates, ['model.pkl', 'src/sub/weights.bin']);
  assert.deepEqual(walk.dependencyFiles.requirements, ['requirements.txt', 'requirements/prod.txt']);
});

test('user excludes add names and globs', async () => {
  const reader = new MemoryReader({ 'data/raw/a.pkl': 'x', 'data/keep/b.pkl': 'x', 'scratch/c.pkl': 'x' });
  const walk = await walkProject(reader, normalizeSettings({ detect: { exclude: ['scratch', 'data/raw'] } }).detect);
  assert.deepEqual(walk.candidates, ['data/keep/b.pkl']);
});

test('symlink loops end, and each real folder is walked once', async () => {
  const reader = new MemoryReader({
    'a/model.pkl': 'x',
    'a/loop': { link: 'a' },
    'b': { link: 'a' },
    'a/deeper/back': { link: '' },
  });
  const walk = await walkProject(reader, settings);
  assert.equal(walk.candidates.length, 1, `walked: ${walk.candidates.join(', ')}`);
});

test('a SavedModel directory is one model and its files are not candidates', async () => {
  const reader = new MemoryReader({
    'export/1/saved_model.pb': new Uint8Array([8, 1, 0x12, 0]),
    'export/1/variables/variables.index': 'x',
    'export/1/variables/variables.data-00000-of-00001': 'yyyy',
    'export/1/fingerprint.pb': 'z',
  });
  const walk = await walkProject(reader, settings);
  assert.deepEqual(walk.savedModels, [{ path: 'export/1', bytes: 4 + 1 + 4 + 1 }]);
  assert.deepEqual(walk.candidates, []);
});

test('names decide what is opened: model formats and generic binaries yes, source and data no', () => {
  for (const name of ['m.pkl', 'm.joblib', 'w.bin', 'm.onnx', 'm.safetensors', 'm.gguf', 'm.h5', 'm.keras', 'model', 'xgb_model.json', 'lgbm_model.txt', 'm.tflite', 'm.cbm', 'a.npz', 'm.joblib.gz']) {
    assert.equal(shouldSniff(name), true, name);
  }
  for (const name of ['app.py', 'README.md', 'data.csv', 'img.png', 'config.json', 'notes.txt', 'requirements.txt', 'LICENSE', 'Dockerfile', 'nb.ipynb']) {
    assert.equal(shouldSniff(name), false, name);
  }
});

// Seeded fuzzing of detection's format sniffers: real model files (test/fixtures/models and the
// example project), mutated and cut, and random bytes behind every magic number never make
// inspectFile throw anything but our own EmptyFileError, never read more than its 64 KiB budget,
// and give plain data. A pickle cut anywhere after its first import is listed with the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmptyFileError, inspectFile, type FileInspection } from '../../../src/core/detect/sniffFile';
import { walkPickle } from '../../../src/core/pickle/walkPickle';
import { MemoryReader } from '../../helpers/memoryReader';
import { assertLinear, concat, EXAMPLE_DIR, forEachCase, fuzzCases, MODELS_DIR, mutateBytes, readCorpus } from './fuzzSupport';

const CORPUS = readCorpus(MODELS_DIR, (p) => !/\.(py|md|json)$/.test(p) || /model|index/.test(p));
CORPUS.set('example/model.joblib', new Uint8Array(readFileSync(join(EXAMPLE_DIR, 'model.joblib'))));
const FILES = [...CORPUS.entries()];
const DONORS = FILES.map(([, bytes]) => bytes);
/** Names a model goes by, and a few that no longer promise one. */
const NAMES = ['model.pkl', 'model.joblib', 'model.pt', 'weights.bin', 'x.onnx', 'm.safetensors', 'm.h5', 'm.npz', 'm.gguf', 'm.joblib.gz', 'data', 'm.dat'];

async function inspect(name: string, bytes: Uint8Array): Promise<{ result: FileInspection | 'empty'; read: number }> {
  const reader = new MemoryReader({ [name]: bytes });
  try {
    const result = await inspectFile(reader, name, bytes.length);
    return { result, read: reader.bytesRead.get(name) ?? 0 };
  } catch (error) {
    // Our own error for a 0-byte file is the one thing inspectFile may throw.
    assert.ok(error instanceof EmptyFileError, `threw ${String(error)}`);
    assert.equal(bytes.length, 0);
    return { result: 'empty', read: 0 };
  }
}

function checkInspection(name: string, result: FileInspection | 'empty'): void {
  if (result === 'empty') return;
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'plain, JSON-serialisable data');
  if (result.problem) {
    assert.equal(result.problem.path, name);
    assert.ok(result.problem.message.length < 1000);
    if (result.problem.code === 'truncated') assert.ok(result.model, 'a cut pickle is listed');
  }
  if (result.model) assert.equal(result.model.path, name);
}

test('mutated real model files: inspectFile never throws, stays within its read budget, returns plain data', async () => {
  await forEachCase(0xde7ec7, fuzzCases(1200), async (rng) => {
    const [path, original] = rng.pick(FILES);
    const bytes = mutateBytes(original, rng, DONORS);
    const name = rng.int(3) === 0 ? rng.pick(NAMES) : path.slice(path.lastIndexOf('/') + 1);
    const { result, read } = await inspect(name, bytes);
    assert.ok(read <= 64 * 1024, `${path}: read ${read} bytes`);
    checkInspection(name, result);
  });
});

const MAGICS = [
  [0x80, 4], [0x80, 2], [0x28], [0x63], [0x50, 0x4b, 0x03, 0x04], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], [0x78, 0x9c], [0x1f, 0x8b],
  [0x42, 0x5a, 0x68, 0x39], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x5d, 0x00, 0x00], [0x04, 0x22, 0x4d, 0x18], [0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0],
  [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], [0x7b, 0x55], [0x74, 0x72, 0x65, 0x65, 0x0a], [0x08, 0x07, 0x12],
  Array.from('version https://git-lfs.github.com/spec/v1\n', (c) => c.charCodeAt(0)),
];

test('random bytes behind every magic number: no throw, within budget', async () => {
  await forEachCase(0xde7ec8, fuzzCases(600), async (rng) => {
    const bytes = concat(new Uint8Array(rng.pick(MAGICS)), rng.bytes(rng.size(70_000)));
    const name = rng.pick(NAMES);
    const { result, read } = await inspect(name, bytes);
    assert.ok(read <= 64 * 1024);
    checkInspection(name, result);
  });
});

/** Single pickles whose last byte is their STOP: cut anywhere, the file can no longer load. */
const SINGLE_PICKLES = ['sklearn_logreg_p0.pkl', 'sklearn_logreg_p2.pkl', 'sklearn_pipeline_p4.pkl', 'sklearn_rf_p5.pkl', 'numpy_dict.pkl', 'pandas_df.pkl', 'xgb_sklearn.pkl', 'sklearn_pipeline.joblib'];

test('a pickle cut anywhere after its first import is listed, with an error naming where it ends', async () => {
  await forEachCase(0xde7ec9, fuzzCases(400), async (rng) => {
    const name = rng.pick(SINGLE_PICKLES);
    const whole = CORPUS.get(name)!;
    const cut = whole.subarray(0, 1 + rng.int(whole.length - 1));
    const { result } = await inspect(name, cut);
    checkInspection(name, result);
    if (result === 'empty' || cut.length > 64 * 1024) return;
    const named = walkPickle(cut, { concatenated: true }).globals.length > 0;
    if (named) {
      assert.ok(result.model, `${name} cut at ${cut.length}: not listed`);
      assert.equal(result.problem?.code, 'truncated', `${name} cut at ${cut.length}: no truncation error`);
      assert.match(result.problem?.message ?? '', new RegExp(`ends at byte ${cut.length}\\b`));
    }
    if (result.model && !named) assert.equal(result.problem?.code, 'truncated');
  });
});

test('sniffing time does not depend on what the bytes hold: hostile heads cost about what benign ones do', async () => {
  const pickleFlood = (byte: number) => (size: number): Uint8Array => concat(new Uint8Array([0x80, 4]), new Uint8Array(size - 2).fill(byte));
  // An ordinary pickle of the same size that names no framework early, so it is walked as far:
  // a list of column names, as a feature pipeline saves it.
  const benign = (size: number): Uint8Array => {
    const out = new Uint8Array(size);
    out.set([0x80, 4, 0x5d, 0x28]);
    let at = 4;
    for (let i = 0; at + 20 < size; i++) {
      const name = `feature_${String(i).padStart(6, '0')}`;
      out.set([0x8c, name.length, ...Array.from(name, (c) => c.charCodeAt(0))], at);
      at += 2 + name.length;
    }
    out.fill(0x4e, at, size - 2);
    out.set([0x65, 0x2e], size - 2);
    return out;
  };
  const run = (bytes: Uint8Array): Promise<unknown> => inspect('model.pkl', bytes);
  for (const [name, byte] of [['MARK flood', 0x28], ['EMPTY_LIST flood', 0x5d], ['MEMOIZE flood', 0x94], ['NONE flood', 0x4e]] as const) {
    await assertLinear({ name, hostile: pickleFlood(byte), benign, run, size: 8 * 1024, maxRatio: 60, reps: 3 });
  }
  const longLine = (size: number): Uint8Array => concat(new Uint8Array([0x63]), new Uint8Array(size - 1).fill(0x61));
  await assertLinear({ name: 'a protocol-0 GLOBAL line without its newline', hostile: longLine, benign, run, size: 8 * 1024, maxRatio: 60, reps: 3 });
});

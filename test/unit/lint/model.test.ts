// The pickle scanner against hand-built hostile pickles (test/fixtures/lint/pickles, built from
// raw opcodes by make_hostile.py) and the real model files in test/fixtures/models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import type { ModelFormat } from '../../../src/core/detect/types';
import { scanModelSafety, type ModelSafety } from '../../../src/core/lint/model/scanModelSafety';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';
import { HOSTILE_DIR, MODELS_DIR, MemoryReader, concat, enc, hostile, makeZip, npyHeader, op } from './model.support';

const expected: Record<string, { verdict: string; globals: string[] }> = JSON.parse(readFileSync(join(HOSTILE_DIR, 'expected.json'), 'utf8'));

function formatOf(name: string): ModelFormat {
  if (name.endsWith('.npy')) return 'numpy';
  if (name.endsWith('.joblib')) return 'joblib';
  return 'pickle';
}

async function scanBytes(bytes: Uint8Array, format: ModelFormat = 'pickle', name = 'model.pkl', options = {}): Promise<ModelSafety> {
  const reader = new MemoryReader().add(name, bytes);
  const safety = await scanModelSafety(reader, name, bytes.length, format, options);
  assert.ok(safety, 'a pickle-family format gets a scan');
  return safety;
}

const listed = (s: ModelSafety): string[] => s.globals.map((g) => `${g.module}.${g.name}@${g.offset}`);

for (const [name, want] of Object.entries(expected)) {
  test(`hostile fixture ${name} is ${want.verdict} with its globals at the right offsets`, async () => {
    const bytes = hostile(name);
    for (const chunkSize of [1 << 20, 64, 7]) {
      const safety = await scanBytes(bytes, formatOf(name), name, { chunkSize });
      assert.equal(safety.verdict, want.verdict, `${name} (chunks of ${chunkSize}): ${JSON.stringify(safety.globals)}`);
      const got = listed(safety);
      for (const g of want.globals) assert.ok(got.includes(g), `${name}: expected ${g} in ${got.join(', ')}`);
    }
  });
}

test('unsafe globals say why', async () => {
  const safety = await scanBytes(hostile('os_system_global.pkl'));
  const g = safety.globals.find((x) => x.name === 'system')!;
  assert.equal(g.verdict, 'unsafe');
  assert.match(g.reason ?? '', /commands/);
  assert.equal(g.opcode, 'GLOBAL');
  assert.equal(safety.complete, true);
});

test('a joblib array is stepped over by joblib.load and read as opcodes by pickle.load: both readings are scanned', async () => {
  const after = await scanBytes(hostile('joblib_payload_after_array.joblib'), 'joblib');
  assert.equal(after.complete, true, after.notes.join('; '));
  assert.ok(after.globals.some((g) => g.module === 'joblib.numpy_pickle' && g.verdict === 'safe'));
  const hidden = await scanBytes(hostile('joblib_hidden_in_padding.joblib'), 'joblib');
  assert.equal(hidden.verdict, 'unsafe');
});

test('a malicious data.pkl inside a torch zip is found, stored and deflated, at member data offset + offset', async () => {
  const payload = concat(op.proto(2), op.global('posix', 'system'), op.call1('id'), op.stop);
  for (const method of [0, 8] as const) {
    const zip = makeZip([
      { name: 'archive/data.pkl', data: payload, method, align: 64 },
      { name: 'archive/byteorder', data: enc('little') },
      { name: 'archive/data/0', data: new Uint8Array(4096).fill(0x63), method },
      { name: 'archive/version', data: enc('3\n') },
    ]);
    const safety = await scanBytes(zip, 'pytorch', 'model.pt');
    assert.equal(safety.verdict, 'unsafe', `method ${method}`);
    const g = safety.globals.find((x) => x.name === 'system')!;
    assert.equal(g.member, 'archive/data.pkl');
    const dataOffset = 30 + 'archive/data.pkl'.length + new DataView(zip.buffer).getUint16(28, true);
    assert.equal(dataOffset % 64, 0, 'member data aligned as torch aligns it');
    assert.equal(g.offset, dataOffset + 2, `method ${method}: member data offset + offset`);
    assert.equal(g.decompressed ?? false, method === 8);
    if (method === 0) assert.deepEqual(zip.subarray(g.offset, g.offset + 6), enc('cposix'));
  }
});

test('constants.pkl and any other .pkl member of a TorchScript zip are scanned', async () => {
  const benign = concat(op.proto(2), op.global('collections', 'OrderedDict'), new Uint8Array([0x29, 0x52]), op.stop);
  const evil = concat(op.proto(4), op.stackGlobal('builtins', 'exec'), op.call1('print(1)'), op.stop);
  const zip = makeZip([
    { name: 'm/data.pkl', data: benign },
    { name: 'm/constants.pkl', data: evil, method: 8 },
    { name: 'm/code/__torch__.py', data: enc('def forward(self): pass\n') },
  ]);
  const safety = await scanBytes(zip, 'torchscript', 'm.pt');
  assert.equal(safety.verdict, 'unsafe');
  assert.deepEqual(safety.globals.filter((g) => g.verdict === 'unsafe').map((g) => g.member), ['m/constants.pkl']);
});

test('npz members holding object arrays are scanned, stored or deflated', async () => {
  const evil = concat(op.proto(2), op.global('subprocess', 'call'), op.call1('id'), op.stop);
  for (const method of [0, 8] as const) {
    const zip = makeZip([
      { name: 'weights.npy', data: concat(npyHeader('<f4', '(2,)'), new Uint8Array(8)), method },
      { name: 'labels.npy', data: concat(npyHeader('|O'), evil), method },
    ]);
    const safety = await scanBytes(zip, 'numpy', 'arrays.npz');
    assert.equal(safety.verdict, 'unsafe', `method ${method}`);
    const g = safety.globals[0]!;
    assert.equal(g.member, 'labels.npy');
    const header = npyHeader('|O').length;
    assert.equal(g.offset, memberData(zip, 'labels.npy') + header + 2, `method ${method}: member data offset + offset in the member`);
    if (method === 0) assert.deepEqual(zip.subarray(g.offset, g.offset + 11), enc('csubprocess'));
  }
});

/** File offset where a member's data begins: its name's first occurrence is in its local header (no extra field). */
function memberData(zip: Uint8Array, name: string): number {
  return Buffer.from(zip).toString('latin1').indexOf(name) + name.length;
}

test('gzip and zlib joblib dumps are decompressed as they stream', async () => {
  const evil = concat(op.proto(4), op.stackGlobal('runpy', 'run_path'), op.call1('x.py'), op.stop);
  for (const [codec, bytes] of [['zlib', deflateSync(evil)], ['gzip', gzipSync(evil)]] as const) {
    const safety = await scanBytes(new Uint8Array(bytes), 'joblib', 'm.joblib', { chunkSize: 5 });
    assert.equal(safety.verdict, 'unsafe', codec);
    assert.equal(safety.globals[0]!.offset, 2 + 7 + 10, `${codec}: the STACK_GLOBAL's offset in the decompressed stream`);
    assert.equal(safety.globals[0]!.decompressed, true);
  }
});

test('a cut compressed stream is scanned as far as it goes and marked incomplete', async () => {
  const pk = concat(op.proto(4), op.stackGlobal('os', 'system'), op.call1('id'), op.stackGlobal('collections', 'OrderedDict'), op.stop);
  const z = new Uint8Array(deflateSync(pk));
  const safety = await scanBytes(z.subarray(0, z.length - 6), 'joblib', 'm.joblib');
  assert.equal(safety.verdict, 'unsafe');
  assert.equal(safety.complete, false);
  assert.ok(safety.notes.length > 0);
});

test('formats that cannot hold pickles get no scan', async () => {
  const reader = new MemoryReader().add('m.onnx', new Uint8Array(10));
  for (const format of ['onnx', 'safetensors', 'gguf', 'tflite', 'keras-h5', 'lfs-pointer'] as ModelFormat[]) {
    assert.equal(await scanModelSafety(reader, 'm.onnx', 10, format), undefined, format);
  }
});

test('a truncated pickle and a malformed one are reported, not thrown', async () => {
  const full = hostile('stack_global_memo.pkl');
  const cut = await scanBytes(full.subarray(0, 20));
  assert.equal(cut.complete, false);
  assert.match(cut.notes.join(' '), /cut short/);
  const bad = await scanBytes(concat(op.proto(4), op.stackGlobal('collections', 'OrderedDict'), new Uint8Array([0xff, 0x00])));
  assert.equal(bad.complete, false);
  assert.match(bad.notes.join(' '), /malformed at offset 29/);
  const empty = await scanBytes(new Uint8Array(0));
  assert.equal(empty.complete, false);
});

// The real model files, made by Debian's scikit-learn, XGBoost, PyTorch, NumPy and pandas: all safe.
const REAL: [string, ModelFormat][] = [
  ['sklearn_logreg_p0.pkl', 'pickle'], ['sklearn_logreg_p2.pkl', 'pickle'], ['sklearn_pipeline_p4.pkl', 'pickle'], ['sklearn_rf_p5.pkl', 'pickle'],
  ['sklearn_pipeline.joblib', 'joblib'], ['sklearn_pipeline_zlib.joblib', 'joblib'], ['sklearn_gzip.joblib', 'joblib'], ['sklearn_bz2.joblib', 'joblib'],
  ['sklearn_xz.joblib', 'joblib'], ['sklearn_lzma.joblib', 'joblib'], ['sklearn_lz4.joblib', 'joblib'], ['numpy_dict.pkl', 'pickle'],
  ['pandas_df.pkl', 'pickle'], ['xgb_sklearn.pkl', 'pickle'], ['torch_state_dict.pt', 'pytorch'], ['torch_full_model.bin', 'pytorch'],
  ['torch_legacy.pth', 'pytorch'], ['torchscript_model.pt', 'torchscript'], ['checkpoint.ckpt', 'pytorch'], ['object_array.npy', 'numpy'],
  ['array.npy', 'numpy'], ['arrays.npz', 'numpy'], ['arrays_compressed.npz', 'numpy'],
];

for (const [name, format] of REAL) {
  test(`real file ${name} is safe and fully scanned`, async () => {
    const reader = new NodeFsReader(MODELS_DIR);
    const size = statSync(join(MODELS_DIR, name)).size;
    for (const chunkSize of [1 << 20, 113]) {
      const safety = await scanModelSafety(reader, name, size, format, { chunkSize });
      assert.ok(safety);
      assert.equal(safety.verdict, 'safe', `${name}: ${JSON.stringify(safety.globals.filter((g) => g.verdict !== 'safe'))}`);
      assert.equal(safety.complete, true, `${name}: ${safety.notes.join('; ')}`);
    }
  });
}

test('real files list what they import: sklearn classes, torch rebuild helpers, numpy reconstruction', async () => {
  const reader = new NodeFsReader(MODELS_DIR);
  const names = async (file: string, format: ModelFormat): Promise<string[]> => {
    const safety = await scanModelSafety(reader, file, statSync(join(MODELS_DIR, file)).size, format);
    return safety!.globals.map((g) => `${g.module}.${g.name}`);
  };
  assert.ok((await names('sklearn_pipeline_p4.pkl', 'pickle')).includes('sklearn.pipeline.Pipeline'));
  assert.ok((await names('sklearn_lz4.joblib', 'joblib')).includes('joblib.numpy_pickle.NumpyArrayWrapper'));
  assert.ok((await names('torch_full_model.bin', 'pytorch')).includes('torch.nn.modules.container.Sequential'));
  assert.ok((await names('torch_state_dict.pt', 'pytorch')).includes('torch._utils._rebuild_tensor_v2'));
  assert.ok((await names('object_array.npy', 'numpy')).length >= 0);
});

test('the same file with os.system spliced into its pickle turns unsafe', async () => {
  const bytes = new Uint8Array(readFileSync(join(MODELS_DIR, 'sklearn_logreg_p2.pkl')));
  // Replace the final STOP with: POP the result, os.system('id'), STOP.
  const spliced = concat(bytes.subarray(0, bytes.length - 1), op.pop, op.global('os', 'system'), op.call1('id'), op.stop);
  const safety = await scanBytes(spliced);
  assert.equal(safety.verdict, 'unsafe');
  assert.equal(safety.globals.find((g) => g.module === 'os')!.offset, bytes.length);
});

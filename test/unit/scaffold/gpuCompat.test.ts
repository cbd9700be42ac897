// The CUDA compatibility table and the choice it drives: the table is consistent with itself and
// with NVIDIA's image naming, every framework pin in the repository's projects has a row (the test
// that tells a maintainer what to add), and lookups pick the row, index and image they should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { detectProject } from '../../../src/core/detect';
import { exactVersion } from '../../../src/core/detect/requirements/pinning';
import type { DetectedModel, ProjectDescription, Requirement } from '../../../src/core/detect/types';
import { isModelshipError } from '../../../src/core/errors';
import { normalizeSettings } from '../../../src/core/settings';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';
import { chooseGpuBase, cpuTorchIndexUrl, gpuFamily, releaseOf } from '../../../src/core/scaffold/gpuCompat';
import {
  TABLE_VERSION, TENSORFLOW_ROWS, TENSORFLOW_SOURCE, TORCH_ROWS, TORCH_SOURCE, UBUNTU_PYTHON, UPDATED, cudaOfIndex,
} from '../../../src/core/scaffold/dockerfile/gpuTable';

const REPO = join(__dirname, '../../..');
const TABLE_FILE = 'src/core/scaffold/dockerfile/gpuTable.ts';

const minor = (v: string): number[] => v.split('.').map(Number);
const compare = (a: string, b: string): number => {
  const [x, y] = [minor(a), minor(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

function project(lines: string[], python = { version: '3.11', source: 'default' }): ProjectDescription {
  const packages: Requirement[] = lines.map((text, i) => {
    const [, name = '', specifier = ''] = /^([A-Za-z0-9._-]+)(.*)$/.exec(text) ?? [];
    return { name, normalizedName: name.toLowerCase(), specifier, pinned: /^===?[^*]+$/.test(specifier), extras: [], source: 'requirements.txt', line: i + 1 };
  });
  return { root: '/p', models: [], requirements: { files: [], packages, options: [], conda: [] }, python, problems: [] };
}
const model = (framework: DetectedModel['framework'], format: DetectedModel['format'] = 'pytorch'): DetectedModel =>
  ({ path: 'm', format, framework, bytes: 1, evidence: 'test' });
function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => isModelshipError(e) && e.code === code && (!message || message.test(`${e.message}\n${e.hint ?? ''}`)));
}

test('the table says where it came from and when', () => {
  assert.ok(Number.isInteger(TABLE_VERSION) && TABLE_VERSION > 0);
  assert.match(UPDATED, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(TORCH_SOURCE, /^https:\/\/pytorch\.org\//);
  assert.match(TENSORFLOW_SOURCE, /^https:\/\/www\.tensorflow\.org\/install\/source/);
});

test('PyTorch rows: ascending, unique, and the chosen index is one the release publishes', () => {
  for (let i = 1; i < TORCH_ROWS.length; i++) assert.ok(compare(TORCH_ROWS[i - 1]!.release, TORCH_ROWS[i]!.release) < 0, TORCH_ROWS[i]!.release);
  for (const row of TORCH_ROWS) {
    assert.ok(row.lines.includes(row.index), `torch ${row.release}: ${row.index} not among ${row.lines.join(', ')}`);
    for (const line of row.lines) assert.match(cudaOfIndex(line), /^1[1-3]\.\d$/);
  }
});

test('TensorFlow rows: each image is an NVIDIA runtime image with the row\'s CUDA, a usable cuDNN and a supported Python', () => {
  for (let i = 1; i < TENSORFLOW_ROWS.length; i++) assert.ok(compare(TENSORFLOW_ROWS[i - 1]!.release, TENSORFLOW_ROWS[i]!.release) < 0);
  for (const row of TENSORFLOW_ROWS) {
    assert.ok(row.images.length > 0, row.release);
    for (const image of row.images) {
      const m = /^nvidia\/cuda:(\d+\.\d+)\.\d+-(cudnn\d*-)?runtime-ubuntu(\d\d\.\d\d)$/.exec(image.image);
      assert.ok(m, `${row.release}: ${image.image} is not an nvidia/cuda runtime tag (never devel: the image only runs)`);
      assert.equal(m[1], row.cuda, `${image.image}: CUDA ${m[1]}, tensorflow ${row.release} was tested with ${row.cuda}`);
      assert.equal(m[3], image.ubuntu);
      // TensorFlow loads a cuDNN of the same major and at least the minor it was built with.
      const [have, want] = [minor(image.cudnn), minor(row.cudnn)];
      assert.ok(have[0] === want[0] && (have[1] ?? 0) >= (want[1] ?? 0), `${image.image}: cuDNN ${image.cudnn} for ${row.cudnn}`);
      assert.equal(Boolean(m[2]), image.aptPackages.length === 0, `${image.image}: cuDNN comes from the image or from apt, not both`);
      const python = UBUNTU_PYTHON[image.ubuntu]!;
      assert.ok(compare(python, row.python[0]) >= 0 && compare(python, row.python[1]) <= 0, `${image.image}: Python ${python} outside ${row.python.join('-')}`);
    }
  }
});

/** Every requirements file's torch and tensorflow pins in the repository's example and fixture projects. */
async function repositoryPins(): Promise<{ name: string; version: string; where: string }[]> {
  const roots = [join(REPO, 'examples'), join(REPO, 'test/fixtures')].flatMap((dir) => readdirSync(dir).map((d) => join(dir, d)).filter((d) => statSync(d).isDirectory()));
  const pins: { name: string; version: string; where: string }[] = [];
  for (const root of roots) {
    const desc = await detectProject(new NodeFsReader(root), normalizeSettings({}).detect, root);
    for (const p of desc.requirements.packages) {
      const version = exactVersion(p.specifier);
      if (version && ['torch', 'tensorflow', 'tensorflow-gpu'].includes(p.normalizedName)) pins.push({ name: p.normalizedName, version, where: `${relative(REPO, root)}/${p.source}:${p.line}` });
    }
  }
  return pins;
}

/** What a maintainer must add for each pin the table lacks; empty when the table covers them all. */
function missingRows(pins: { name: string; version: string; where: string }[]): string[] {
  return pins.flatMap(({ name, version, where }) => {
    const release = releaseOf(version);
    if (name === 'torch') {
      return TORCH_ROWS.some((r) => r.release === release) ? [] : [
        `torch ${version} (${where}) has no row: add { release: '${release}', index: 'cuXXX', lines: [...] } to TORCH_ROWS in ${TABLE_FILE}, ` +
        `taking the CUDA lines from ${TORCH_SOURCE} and index from the release's PyPI wheel; then bump TABLE_VERSION and UPDATED.`,
      ];
    }
    return TENSORFLOW_ROWS.some((r) => r.release === release) ? [] : [
      `tensorflow ${version} (${where}) has no row: add { release: '${release}', python, cuda, cudnn, images } to TENSORFLOW_ROWS in ${TABLE_FILE} ` +
      `from the Linux GPU table at ${TENSORFLOW_SOURCE}, with an nvidia/cuda runtime image from NVIDIA's supported-tags list; then bump TABLE_VERSION and UPDATED.`,
    ];
  });
}

test('every torch and tensorflow pin in the repository\'s projects has a table row', async () => {
  assert.deepEqual(missingRows(await repositoryPins()), []);
});

test('a missing row is reported with what to add and where', () => {
  const [message] = missingRows([{ name: 'torch', version: '9.1.0', where: 'examples/x/requirements.txt:3' }]);
  assert.match(message!, /torch 9\.1\.0 \(examples\/x\/requirements\.txt:3\) has no row: add \{ release: '9\.1'.*TORCH_ROWS in src\/core\/scaffold\/dockerfile\/gpuTable\.ts/);
  assert.match(missingRows([{ name: 'tensorflow', version: '3.0.0', where: 'p' }])[0]!, /release: '3\.0'.*TENSORFLOW_ROWS.*tensorflow\.org/);
  assert.deepEqual(missingRows([{ name: 'torch', version: '2.3.1+cu118', where: 'p' }, { name: 'tensorflow', version: '2.15.1', where: 'p' }]), []);
});

test('a pin newer than the table fails the GPU choice with the table version and the way out', () => {
  throwsCode(() => chooseGpuBase(project(['torch==9.1.0']), model('pytorch')), 'GPU_TABLE_MISSING', /torch 9\.1\.0 .*table v\d+.*--gpu-base-image/s);
  throwsCode(() => chooseGpuBase(project(['tensorflow==3.0.0']), model('tensorflow', 'savedmodel')), 'GPU_TABLE_MISSING', /tensorflow 3\.0\.0/);
});

test('torch: the pin\'s row picks the wheel index; python-slim stays the base', () => {
  const base = chooseGpuBase(project(['torch==2.4.1']), model('pytorch'));
  assert.equal(base.baseImage, 'python:3.11-slim');
  assert.equal(base.torchIndexUrl, 'https://download.pytorch.org/whl/cu121');
  assert.equal(base.requireCuda, 'cuda>=12.0');
  assert.deepEqual(base.runtimeAptPackages, []);
  assert.match(base.reason, /torch 2\.4\.1 \(requirements\.txt\).*cu121.*CUDA 12\.1.*525\.60\.13.*table v1/s);
  assert.equal(chooseGpuBase(project(['torch==2.0.1']), model('pytorch')).requireCuda, 'cuda>=11.0');
  assert.equal(chooseGpuBase(project(['torch==2.1.0']), model('safetensors', 'safetensors')).torchIndexUrl, 'https://download.pytorch.org/whl/cu121');
  assert.equal(cpuTorchIndexUrl(), 'https://download.pytorch.org/whl/cpu');
  assert.equal(chooseGpuBase(project(['torch==2.7.1+cu118']), model('pytorch')).torchIndexUrl, 'https://download.pytorch.org/whl/cu118');
  throwsCode(() => chooseGpuBase(project(['torch==2.8.0+cu118']), model('pytorch')), 'GPU_TORCH_BUILD', /cu126, cu128, cu129/);
});

test('torch not pinned: the newest row the range allows, and the reason says to pin', () => {
  const open = chooseGpuBase(project(['torch']), model('pytorch'));
  assert.equal(open.torchIndexUrl, `https://download.pytorch.org/whl/${TORCH_ROWS.at(-1)!.index}`);
  assert.match(open.reason, /not pinned/);
  assert.equal(chooseGpuBase(project(['torch>=2.1,<2.4']), model('pytorch')).torchIndexUrl, 'https://download.pytorch.org/whl/cu121');
  assert.equal(chooseGpuBase(project([]), model('transformers')).torchIndexUrl, `https://download.pytorch.org/whl/${TORCH_ROWS.at(-1)!.index}`);
});

test('tensorflow: the image whose Ubuntu Python is the project\'s, else the first when nothing pins Python', () => {
  const on312 = chooseGpuBase(project(['tensorflow==2.18.0'], { version: '3.12', source: '.python-version' }), model('keras', 'keras'));
  assert.equal(on312.baseImage, 'nvidia/cuda:12.5.1-runtime-ubuntu24.04');
  assert.deepEqual(on312.runtimeAptPackages, ['libcudnn9-cuda-12=9.3.0.75-1']);
  const unpinnedPython = chooseGpuBase(project(['tensorflow==2.13.0']), model('tensorflow', 'savedmodel'));
  assert.equal(unpinnedPython.baseImage, 'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04');
  assert.match(unpinnedPython.reason, /tested with CUDA 11\.8 and cuDNN 8\.6.*Python 3\.10 \(not 3\.11/s);
  assert.equal(unpinnedPython.torchIndexUrl, undefined);
  assert.equal(chooseGpuBase(project(['tensorflow==2.13.0'], { version: '3.8', source: 'runtime.txt' }), model('tensorflow', 'savedmodel')).baseImage,
    'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu20.04');
  throwsCode(() => chooseGpuBase(project(['tensorflow==2.16.1'], { version: '3.12', source: '.python-version' }), model('tensorflow', 'savedmodel')),
    'GPU_PYTHON_MISMATCH', /Python 3\.10.*asks for Python 3\.12/);
});

test('an override wins, keeps a torch CUDA line, and is the table\'s own answer when it names the table\'s image', () => {
  const desc = project(['torch==2.5.1']);
  const custom = chooseGpuBase(desc, model('pytorch'), 'nvidia/cuda:12.4.1-base-ubuntu22.04');
  assert.equal(custom.baseImage, 'nvidia/cuda:12.4.1-base-ubuntu22.04');
  assert.equal(custom.torchIndexUrl, 'https://download.pytorch.org/whl/cu124');
  assert.match(custom.reason, /--gpu-base-image.*table suggests python:3\.11-slim/);
  assert.deepEqual(chooseGpuBase(desc, model('pytorch'), 'python:3.11-slim'), chooseGpuBase(desc, model('pytorch')));
  const beyond = chooseGpuBase(project(['torch==9.1.0']), model('pytorch'), 'registry.example/torch:9.1');
  assert.equal(beyond.baseImage, 'registry.example/torch:9.1');
  assert.doesNotMatch(beyond.reason, /table suggests/);
});

test('frameworks outside the table get python-slim and say why; unknown pickles follow their requirements', () => {
  const other = chooseGpuBase(project(['xgboost==2.0.3']), model('xgboost', 'xgboost-json'));
  assert.equal(other.baseImage, 'python:3.11-slim');
  assert.match(other.reason, /covers PyTorch and TensorFlow, not xgboost/);
  assert.equal(gpuFamily(project(['torch==2.3.1']), model('unknown', 'pickle')), 'torch');
  assert.equal(gpuFamily(project(['tensorflow==2.15.0']), model('unknown', 'pickle')), 'tensorflow');
  assert.equal(gpuFamily(project([]), model('sklearn', 'pickle')), 'other');
});

// Everything `containerize` generates lints clean: for each variant (bake, mount, offline, GPU with
// a PyTorch or TensorFlow pin, a base that provides torch), the project is copied to a temporary
// folder, scaffolded, written, detected again (so the generated serving/requirements.txt is known)
// and the Dockerfile linted with its .dockerignore and the real file listing as the build context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { detectProject } from '../../../src/core/detect';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { lintDockerfile } from '../../../src/core/lint/dockerfile';
import { DEFAULT_LINT_SETTINGS } from '../../../src/core/lint/types';
import { scaffold, type ContainerizeOptions } from '../../../src/core/scaffold';
import { normalizeSettings } from '../../../src/core/settings';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';

const IRIS = join(__dirname, '../../../examples/iris-sklearn');
const MODELS = join(__dirname, '../../fixtures/models');

function detect(root: string): Promise<ProjectDescription> {
  return detectProject(new NodeFsReader(root), normalizeSettings({}).detect, root);
}

function listFiles(root: string, dir = root): { path: string; bytes: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return listFiles(root, full);
    return e.isFile() ? [{ path: relative(root, full).split('\\').join('/'), bytes: statSync(full).size }] : [];
  });
}

interface Variant {
  name: string;
  source: string;
  options: Partial<ContainerizeOptions> & { model: string };
  /** requirements.txt written into the copy first. */
  requirements?: string;
  /** Files the user adds before building (the wheels an offline build installs from). */
  extra?: Record<string, string>;
  /** Moves the example's model.joblib here first (names with spaces and pattern characters). */
  renameModel?: string;
}

const VARIANTS: Variant[] = [
  { name: 'iris, bake', source: IRIS, options: { model: 'model.joblib' } },
  { name: 'iris, mount', source: IRIS, options: { model: 'model.joblib', mode: 'mount', modelUri: 's3://bucket/iris/model.joblib' } },
  { name: 'iris, offline', source: IRIS, options: { model: 'model.joblib', offline: true }, extra: { 'wheels/scikit_learn-1.5.2-cp311-cp311-manylinux_2_17_x86_64.whl': 'wheel' } },
  { name: 'iris, gpu', source: IRIS, options: { model: 'model.joblib', gpu: true } },
  { name: 'torch pin, gpu', source: MODELS, requirements: 'torch==2.3.1\n', options: { model: 'torch_state_dict.pt', gpu: true } },
  { name: 'torch pin, cpu', source: MODELS, requirements: 'torch==2.3.1\n', options: { model: 'torch_state_dict.pt' } },
  { name: 'torch pin, base provides torch', source: MODELS, requirements: 'torch==2.3.1\n', options: { model: 'torch_state_dict.pt', baseImage: 'registry.example/torch:2.3.1', baseProvides: ['torch'] } },
  { name: 'tensorflow 2.15, gpu', source: MODELS, requirements: 'tensorflow==2.15.0\n', options: { model: 'savedmodel_dir', gpu: true } },
  { name: 'tensorflow 2.16, gpu (pinned cuDNN from apt)', source: MODELS, requirements: 'tensorflow==2.16.1\n', options: { model: 'savedmodel_dir', gpu: true } },
  // The generator escapes pattern characters as one-character classes and `$` with a backslash.
  { name: 'a model name with spaces, ( ) and +', source: IRIS, renameModel: 'my model (v2)+final.joblib', options: { model: 'my model (v2)+final.joblib' } },
  { name: 'a model name with [ ] in a folder', source: IRIS, renameModel: 'models/[draft] iris.joblib', options: { model: 'models/[draft] iris.joblib' } },
  { name: 'a model name with $ and a leading #', source: IRIS, renameModel: '#1 price$model.joblib', options: { model: '#1 price$model.joblib' } },
  {
    name: 'tensorflow 2.15, gpu, mount, offline', source: MODELS, requirements: 'tensorflow==2.15.0\n',
    options: { model: 'savedmodel_dir', gpu: true, mode: 'mount', offline: true }, extra: { 'wheels/tensorflow-2.15.0-cp310-cp310-manylinux_2_17_x86_64.whl': 'wheel' },
  },
];

for (const variant of VARIANTS) {
  test(`containerize output lints clean: ${variant.name}`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'ms-lint-df-'));
    try {
      cpSync(variant.source, work, { recursive: true });
      if (variant.requirements) writeFileSync(join(work, 'requirements.txt'), variant.requirements);
      if (variant.renameModel) {
        mkdirSync(dirname(join(work, variant.renameModel)), { recursive: true });
        renameSync(join(work, 'model.joblib'), join(work, variant.renameModel));
      }
      const { files } = scaffold(await detect(work), { gpu: false, mode: 'bake', targets: ['dockerfile', 'app'], ...variant.options });
      for (const f of files) {
        mkdirSync(dirname(join(work, f.path)), { recursive: true });
        writeFileSync(join(work, f.path), f.contents);
      }
      for (const [path, contents] of Object.entries(variant.extra ?? {})) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), contents);
      }
      const project = await detect(work);
      const dockerfile = files.find((f) => f.path === 'Dockerfile')!.contents;
      const dockerignore = files.find((f) => f.path === '.dockerignore')!.contents;
      assert.ok(project.requirements.files.some((f) => f.path === 'serving/requirements.txt'), 'the generated requirements were detected');
      const findings = lintDockerfile(dockerfile, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS, dockerignore, project, contextFiles: listFiles(work) });
      const serious = findings.filter((f) => f.severity !== 'info');
      assert.deepEqual(serious.map((f) => `${f.ruleId} ${f.range.start.line + 1}: ${f.message}`), [], dockerfile);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** Scaffolds `variant` into a temporary copy and returns what the linter would be given. */
async function generated(source: string, requirements: string | undefined, options: Partial<ContainerizeOptions> & { model: string }, work: string) {
  cpSync(source, work, { recursive: true });
  if (requirements) writeFileSync(join(work, 'requirements.txt'), requirements);
  const { files } = scaffold(await detect(work), { gpu: false, mode: 'bake', targets: ['dockerfile', 'app'], ...options });
  for (const f of files) {
    mkdirSync(dirname(join(work, f.path)), { recursive: true });
    writeFileSync(join(work, f.path), f.contents);
  }
  return { text: files.find((f) => f.path === 'Dockerfile')!.contents, dockerignore: files.find((f) => f.path === '.dockerignore')!.contents };
}

test('the clean results above are not vacuous: loosening a generated pin or dropping the pinned cuDNN is caught', async () => {
  const work = mkdtempSync(join(tmpdir(), 'ms-lint-df-'));
  try {
    const { text, dockerignore } = await generated(IRIS, undefined, { model: 'model.joblib' }, work);
    writeFileSync(join(work, 'serving/requirements.txt'), 'scikit-learn>=1.3\nfastapi==0.115.0\n');
    const loose = lintDockerfile(text, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS, dockerignore, project: await detect(work), contextFiles: listFiles(work) });
    assert.deepEqual(loose.map((f) => f.ruleId), ['MS-DF018']);
    assert.match(loose[0]!.message, /serving\/requirements\.txt, installed here as requirements\.txt, leaves 1 package unpinned \(scikit-learn >=1\.3\)/);
    // The same Dockerfile with .dockerignore dropping the model it copies.
    const dropped = lintDockerfile(text, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS, dockerignore: `${dockerignore}**/*.joblib\n`, project: await detect(work), contextFiles: listFiles(work) });
    assert.ok(dropped.some((f) => f.ruleId === 'MS-DF013' && /model\.joblib/.test(f.message)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const tf = mkdtempSync(join(tmpdir(), 'ms-lint-df-'));
  try {
    const { text, dockerignore } = await generated(MODELS, 'tensorflow==2.16.1\n', { model: 'savedmodel_dir', gpu: true }, tf);
    const withoutCudnn = text.replace(/ libcudnn8=\S+/, '');
    const findings = lintDockerfile(withoutCudnn, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS, dockerignore, project: await detect(tf), contextFiles: listFiles(tf) });
    assert.deepEqual(findings.map((f) => f.ruleId), ['MS-DF017']);
  } finally {
    rmSync(tf, { recursive: true, force: true });
  }
});

test('a generated offline Dockerfile without its wheels/ folder is caught before the build fails', async () => {
  const work = mkdtempSync(join(tmpdir(), 'ms-lint-df-'));
  try {
    cpSync(IRIS, work, { recursive: true });
    const { files } = scaffold(await detect(work), { gpu: false, mode: 'bake', targets: ['dockerfile', 'app'], model: 'model.joblib', offline: true });
    for (const f of files) {
      mkdirSync(dirname(join(work, f.path)), { recursive: true });
      writeFileSync(join(work, f.path), f.contents);
    }
    const text = files.find((f) => f.path === 'Dockerfile')!.contents;
    const findings = lintDockerfile(text, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS, project: await detect(work), contextFiles: listFiles(work) });
    assert.deepEqual(findings.map((f) => f.ruleId), ['MS-DF008']);
    assert.match(findings[0]!.message, /COPY wheels\/: wheels does not exist in the build context/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

// The generated Dockerfile, parsed with dockerfile-ast and checked for structure: two stages from
// a base matching the project's Python, dependency layer before app code before the model, a
// numeric non-root user, exec-form CMD and HEALTHCHECK, labels, and the bake / mount / offline /
// GPU / base-provides variants. Projects come from the real detector where a fixture exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { detectProject } from '../../../src/core/detect';
import type { DetectedModel, ProjectDescription, Requirement } from '../../../src/core/detect/types';
import { isModelshipError } from '../../../src/core/errors';
import { scaffold, type ContainerizeOptions, type ServingSpec } from '../../../src/core/scaffold';
import { normalizeSettings } from '../../../src/core/settings';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';

const IRIS = join(__dirname, '../../../examples/iris-sklearn');
const MODELS = join(__dirname, '../../fixtures/models');
const detected = new Map<string, Promise<ProjectDescription>>();

function detect(root: string): Promise<ProjectDescription> {
  if (!detected.has(root)) detected.set(root, detectProject(new NodeFsReader(root), normalizeSettings({}).detect, root));
  return detected.get(root)!;
}

/** `desc` whose requirements are exactly `lines` (`torch==2.3.1`, `tensorflow>=2.15`). */
function withRequirements(desc: ProjectDescription, ...lines: string[]): ProjectDescription {
  const packages: Requirement[] = lines.map((text, i) => {
    const [, name = '', specifier = ''] = /^([A-Za-z0-9._-]+)(.*)$/.exec(text) ?? [];
    return { name, normalizedName: name.toLowerCase(), specifier, pinned: /^===?[^*]+$/.test(specifier), extras: [], source: 'requirements.txt', line: i + 1 };
  });
  return { ...desc, requirements: { ...desc.requirements, packages } };
}

interface Built {
  spec: ServingSpec;
  text: string;
  ignore: string;
  df: Dockerfile;
}

function build(desc: ProjectDescription, options: Partial<ContainerizeOptions> & { model: string }): Built {
  const { spec, files } = scaffold(desc, { gpu: false, mode: 'bake', targets: ['dockerfile'], ...options });
  assert.deepEqual(files.map((f) => f.path), ['.dockerignore', 'Dockerfile']);
  const text = files.find((f) => f.path === 'Dockerfile')!.contents;
  const df = DockerfileParser.parse(text);
  const lines = text.split('\n');
  for (const i of df.getInstructions()) sources.set(i, lines.slice(i.getRange().start.line, i.getRange().end.line + 1).join('\n'));
  return { spec, text, ignore: files.find((f) => f.path === '.dockerignore')!.contents, df };
}

const line = (i: Instruction): number => i.getRange().start.line;
const keyword = (df: Dockerfile, k: string): Instruction[] => df.getInstructions().filter((i) => i.getKeyword() === k);
/** Each instruction's source text; dockerfile-ast's own accessors resolve escapes Docker leaves to JSON. */
const sources = new WeakMap<Instruction, string>();
/** Everything after the keyword as written, flags included, continuation lines joined. */
const args = (i: Instruction): string => (sources.get(i) ?? '').replace(/\\\n\s*/g, '').replace(/^\S+\s+/, '').trim();
/** An exec-form instruction's array (after any flags), read as Docker reads it: as JSON. */
const json = (i: Instruction): string[] => {
  const content = args(i);
  return content.includes('[') ? (JSON.parse(content.slice(content.indexOf('['))) as string[]) : [];
};
/** A property value as Docker reads it: surrounding quotes removed, backslash escapes resolved. */
const unquote = (v: string): string => (/^".*"$/s.test(v) ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);
/** The instructions of the stage named `name`. */
function stage(df: Dockerfile, name: string): Instruction[] {
  const froms = df.getFROMs();
  const index = froms.findIndex((f) => f.getBuildStage() === name);
  assert.ok(index >= 0, `no stage ${name}`);
  const start = line(froms[index]!);
  const end = froms[index + 1] ? line(froms[index + 1]!) : Infinity;
  return df.getInstructions().filter((i) => line(i) >= start && line(i) < end);
}
function pipInstalls(df: Dockerfile): string[] {
  return keyword(df, 'RUN').map(args).filter((a) => /\bpip install\b/.test(a));
}
/** `KEY=value` pairs of ENV or LABEL instructions, values read as Docker reads them. */
function properties(df: Dockerfile, k: 'ENV' | 'LABEL'): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of keyword(df, k)) {
    for (const m of args(i).matchAll(/([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) out.set(m[1]!, unquote(m[2]!));
  }
  return out;
}
const labels = (df: Dockerfile): Map<string, string> => properties(df, 'LABEL');
const env = (df: Dockerfile): Map<string, string> => properties(df, 'ENV');
function assertThrowsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => isModelshipError(e) && e.code === code && (!message || message.test(`${e.message} ${e.hint ?? ''}`)));
}

test('two stages, builder and runtime, both FROM the slim image of the detected Python', async () => {
  const { df, spec } = build(await detect(IRIS), { model: 'model.joblib' });
  const froms = df.getFROMs();
  assert.deepEqual(froms.map((f) => f.getBuildStage()), ['builder', 'runtime']);
  for (const f of froms) {
    assert.equal(f.getImageName(), 'python');
    assert.equal(f.getImageTag(), `${spec.python.version}-slim`);
    assert.equal(spec.python.version, '3.11');
  }
});

test('the runtime runs as a numeric non-root user, and every USER is numeric', async () => {
  const { df } = build(await detect(IRIS), { model: 'model.joblib' });
  const users = keyword(df, 'USER').map(args);
  assert.ok(users.length > 0);
  for (const u of users) assert.match(u, /^\d+(:\d+)?$/);
  const last = users[users.length - 1]!;
  assert.notEqual(Number(last.split(':')[0]), 0);
  assert.ok(stage(df, 'runtime').some((i) => i.getKeyword() === 'USER'));
});

test('EXPOSE, exec-form HEALTHCHECK on /readyz without curl, JSON CMD; all on the spec port', async () => {
  const { df, spec } = build(await detect(IRIS), { model: 'model.joblib' });
  assert.deepEqual(keyword(df, 'EXPOSE').map(args), ['8080']);
  const [check] = df.getHEALTHCHECKs();
  assert.ok(check);
  assert.match(args(check), new RegExp(`--start-period=${spec.startupSeconds}s`));
  const [, , probe] = json(check);
  assert.deepEqual(json(check).slice(0, 2), ['python', '-c']);
  assert.match(probe!, /u\.build_opener\(u\.ProxyHandler\(\{\}\)\)\.open\('http:\/\/127\.0\.0\.1:%s\/readyz' % os\.environ\.get\('PORT', '8080'\), timeout=4\)/);
  assert.equal(env(df).get('PORT'), '8080');
  assert.doesNotMatch(args(check), /curl|wget/);
  const [cmd] = df.getCMDs();
  assert.ok(cmd);
  // serving/__main__.py: uvicorn serving.app:app on 0.0.0.0:$PORT with $WORKERS, which exec form cannot expand itself.
  assert.deepEqual(json(cmd), ['python', '-m', 'serving']);
});

test('labels name the model, its sha256, format, framework and version; MODEL_PATH is in ENV', async () => {
  const sha = 'ab'.repeat(32);
  const { df, spec } = build(await detect(IRIS), { model: 'model.joblib', modelSha256: sha });
  const l = labels(df);
  assert.equal(l.get('io.modelship.model.path'), 'model.joblib');
  assert.equal(l.get('io.modelship.model.sha256'), sha);
  assert.equal(l.get('io.modelship.model.format'), 'joblib');
  assert.equal(l.get('io.modelship.model.framework'), 'sklearn');
  assert.equal(l.get('org.opencontainers.image.version'), '0.1.0');
  assert.equal(l.get('org.opencontainers.image.title'), spec.name);
  assert.equal(env(df).get('MODEL_PATH'), spec.model.containerPath);
  assert.equal(spec.model.containerPath, '/models/model.joblib');
  const unhashed = labels(build(await detect(IRIS), { model: 'model.joblib' }).df);
  assert.equal(unhashed.has('io.modelship.model.sha256'), false);
});

test('the header says Modelship made it, from which model, and how to build and run it; never :latest', async () => {
  const { text, spec, df } = build(await detect(IRIS), { model: 'model.joblib' });
  const header = text.split('\n').filter((l) => l.startsWith('#')).slice(0, 6).join('\n');
  assert.match(header, /Generated by Modelship for model\.joblib \(joblib, sklearn\)/);
  assert.ok(header.includes(`docker build -t ${spec.image.ref} .`));
  assert.ok(header.includes(`docker run --rm -p 8080:8080 ${spec.image.ref}`));
  assert.doesNotMatch(spec.image.ref, /:latest$/);
  for (const f of df.getFROMs()) assert.notEqual(f.getImageTag(), 'latest');
});

test('layers: only the requirements before pip install, then app code, then the model last in its own layer', async () => {
  const { df } = build(await detect(IRIS), { model: 'model.joblib' });
  const builder = stage(df, 'builder');
  const builderCopies = builder.filter((i) => i.getKeyword() === 'COPY').map(args);
  assert.deepEqual(builderCopies, ['serving/requirements.txt requirements.txt']);
  const pip = builder.find((i) => /pip install/.test(args(i)))!;
  assert.ok(line(builder.find((i) => i.getKeyword() === 'COPY')!) < line(pip));
  const runtime = stage(df, 'runtime');
  const copies = runtime.filter((i) => i.getKeyword() === 'COPY');
  assert.deepEqual(copies.map(args), ['--from=builder /opt/venv /opt/venv', 'serving/ serving/', '["model.joblib", "/models/model.joblib"]']);
  const modelCopy = copies[2]!;
  const afterModel = runtime.filter((i) => line(i) > line(modelCopy)).map((i) => i.getKeyword());
  assert.deepEqual(afterModel.filter((k) => ['COPY', 'ADD', 'RUN'].includes(k)), [], 'nothing writes a layer after the model');
});

test('--no-cache-dir on every pip install, in every variant', async () => {
  const models = await detect(MODELS);
  const torch = withRequirements(models, 'torch==2.3.1');
  const variants = [
    build(await detect(IRIS), { model: 'model.joblib' }),
    build(torch, { model: 'torch_state_dict.pt', gpu: true }),
    build(torch, { model: 'torch_state_dict.pt', offline: true }),
    build(withRequirements(models, 'tensorflow==2.15.0'), { model: 'savedmodel_dir', gpu: true }),
    build(torch, { model: 'torch_state_dict.pt', baseImage: 'registry.example/torch:2.3.1', baseProvides: ['torch'] }),
  ];
  for (const v of variants) {
    const installs = pipInstalls(v.df);
    assert.equal(installs.length, 1);
    for (const i of installs) assert.match(i, /--no-cache-dir/);
  }
});

test('mount mode: no model COPY, VOLUME /models, MODEL_PATH still documented', async () => {
  const { df, spec, text } = build(await detect(IRIS), { model: 'model.joblib', mode: 'mount', modelUri: 's3://bucket/iris/model.joblib' });
  const copies = keyword(df, 'COPY').map(args);
  assert.ok(!copies.some((c) => c.includes('model.joblib')), copies.join('\n'));
  assert.deepEqual(keyword(df, 'VOLUME').map(json), [['/models']]);
  assert.equal(env(df).get('MODEL_PATH'), spec.model.containerPath);
  assert.equal(labels(df).get('io.modelship.model.mode'), 'mount');
  assert.match(text, /-v "\$\(pwd\)\/model\.joblib:\/models\/model\.joblib:ro"/);
  assert.match(text, /s3:\/\/bucket\/iris\/model\.joblib/);
});

test('a SavedModel is copied as its folder; a sharded checkpoint with its shards', async () => {
  const models = await detect(MODELS);
  const saved = build(withRequirements(models, 'tensorflow==2.15.0'), { model: 'savedmodel_dir' });
  assert.deepEqual(json(keyword(saved.df, 'COPY').at(-1)!), ['savedmodel_dir', '/models/savedmodel_dir/']);
  assert.equal(env(saved.df).get('MODEL_PATH'), '/models/savedmodel_dir');
  const sharded = build(models, { model: 'sharded/model.safetensors.index.json' });
  assert.deepEqual(json(keyword(sharded.df, 'COPY').at(-1)!), [
    'sharded/model.safetensors.index.json', 'sharded/model-00001-of-00002.safetensors', 'sharded/model-00002-of-00002.safetensors', '/models/',
  ]);
  const mounted = build(models, { model: 'sharded/model.safetensors.index.json', mode: 'mount' });
  assert.match(mounted.text, /-v "\$\(pwd\)\/sharded:\/models:ro"/);
});

test('offline: wheels/ copied before pip, which installs with --no-index --find-links wheels/', async () => {
  const { df } = build(withRequirements(await detect(MODELS), 'torch==2.3.1'), { model: 'torch_state_dict.pt', offline: true });
  const builder = stage(df, 'builder');
  const [install] = pipInstalls(df);
  assert.match(install!, /pip install --no-cache-dir --no-index --find-links wheels\/ -r requirements\.txt/);
  assert.doesNotMatch(install!, /index-url/);
  const wheels = builder.find((i) => i.getKeyword() === 'COPY' && args(i).startsWith('wheels/'));
  assert.ok(wheels && line(wheels) < line(builder.find((i) => /pip install/.test(args(i)))!));
});

test('CPU torch installs from the CPU-only wheel index', async () => {
  const { df } = build(withRequirements(await detect(MODELS), 'torch==2.3.1'), { model: 'torch_state_dict.pt' });
  assert.match(pipInstalls(df)[0]!, /--extra-index-url https:\/\/download\.pytorch\.org\/whl\/cpu -r requirements\.txt/);
  assert.ok(!env(df).has('NVIDIA_DRIVER_CAPABILITIES'));
  const sklearn = build(await detect(IRIS), { model: 'model.joblib' });
  assert.doesNotMatch(pipInstalls(sklearn.df)[0]!, /index-url/);
});

test('GPU torch: python-slim base with the table CUDA wheel index, never a CUDA devel image', async () => {
  const models = await detect(MODELS);
  const cases: [string, string][] = [['2.3.1', 'cu121'], ['2.5.1', 'cu124'], ['2.7.1', 'cu126'], ['2.8.0', 'cu128'], ['2.3.1+cu118', 'cu118']];
  for (const [pin, index] of cases) {
    const { df } = build(withRequirements(models, `torch==${pin}`), { model: 'torch_state_dict.pt', gpu: true });
    for (const f of df.getFROMs()) {
      assert.equal(f.getImage(), 'python:3.11-slim', pin);
      assert.doesNotMatch(f.getImage() ?? '', /cudnn|devel/);
    }
    assert.match(pipInstalls(df)[0]!, new RegExp(`--extra-index-url https://download\\.pytorch\\.org/whl/${index} `), pin);
    assert.equal(env(df).get('NVIDIA_DRIVER_CAPABILITIES'), 'compute,utility');
    assert.match(env(df).get('NVIDIA_REQUIRE_CUDA') ?? '', /^cuda>=\d+\.0$/);
    assert.ok(!env(df).has('NVIDIA_VISIBLE_DEVICES'));
  }
  assertThrowsCode(() => build(withRequirements(models, 'torch==2.3.1+cpu'), { model: 'torch_state_dict.pt', gpu: true }), 'GPU_TORCH_BUILD', /torch==2\.3\.1/);
});

test('GPU TensorFlow: the NVIDIA runtime image of the tested CUDA/cuDNN, with Ubuntu\'s own Python in both stages', async () => {
  const models = await detect(MODELS);
  const tf215 = build(withRequirements(models, 'tensorflow==2.15.0'), { model: 'savedmodel_dir', gpu: true });
  for (const f of tf215.df.getFROMs()) assert.equal(f.getImage(), 'nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04');
  const builderApt = stage(tf215.df, 'builder').map(args).find((a) => a.includes('apt-get install'))!;
  const runtimeApt = stage(tf215.df, 'runtime').map(args).find((a) => a.includes('apt-get install'))!;
  assert.match(builderApt, /python3\.10 python3\.10-venv/);
  assert.match(runtimeApt, /--no-install-recommends python3\.10(\s|$)/);
  assert.doesNotMatch(runtimeApt, /-venv|-dev|build-essential/);
  assert.ok(stage(tf215.df, 'builder').some((i) => args(i) === 'python3.10 -m venv /opt/venv'));
  assert.doesNotMatch(pipInstalls(tf215.df)[0]!, /index-url/);

  const tf216 = build(withRequirements(models, 'tensorflow==2.16.1'), { model: 'savedmodel_dir', gpu: true });
  assert.equal(tf216.df.getFROMs()[0]!.getImage(), 'nvidia/cuda:12.3.2-runtime-ubuntu22.04');
  assert.match(stage(tf216.df, 'runtime').map(args).join('\n'), /libcudnn8=8\.9\.7\.29-1\+cuda12\.2/);
  assert.doesNotMatch(stage(tf216.df, 'builder').map(args).join('\n'), /libcudnn/);

  const py312 = { ...withRequirements(models, 'tensorflow==2.18.0'), python: { version: '3.12', source: '.python-version' } };
  assert.equal(build(py312, { model: 'savedmodel_dir', gpu: true }).df.getFROMs()[0]!.getImage(), 'nvidia/cuda:12.5.1-runtime-ubuntu24.04');
});

test('GPU TensorFlow refuses to swap a Python the project pinned', async () => {
  const pinned = { ...withRequirements(await detect(MODELS), 'tensorflow==2.15.0'), python: { version: '3.11', source: '.python-version' } };
  assertThrowsCode(() => build(pinned, { model: 'savedmodel_dir', gpu: true }), 'GPU_PYTHON_MISMATCH', /3\.10.*\.python-version.*--gpu-base-image/s);
  const ranged = { ...pinned, python: { version: '3.11', source: 'pyproject.toml', constraint: '>=3.9,<3.12' } };
  assert.equal(build(ranged, { model: 'savedmodel_dir', gpu: true }).df.getFROMs()[0]!.getImage(), 'nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04');
});

test('--system-site-packages exactly when the base provides packages, and the build checks it does', async () => {
  const torch = withRequirements(await detect(MODELS), 'torch==2.3.1', 'numpy==1.26.4');
  const plain = build(torch, { model: 'torch_state_dict.pt' });
  assert.ok(!plain.text.includes('--system-site-packages'));
  const provided = build(torch, { model: 'torch_state_dict.pt', baseImage: 'registry.example/ml-base:1', baseProvides: ['torch', 'NumPy'] });
  const builder = stage(provided.df, 'builder');
  assert.ok(builder.some((i) => args(i) === 'python3 -m venv --system-site-packages /opt/venv'));
  const check = builder.find((i) => i.getKeyword() === 'RUN' && json(i)[0] === 'python')!;
  assert.match(json(check)[2]!, /want = \{"numpy":"1\.26\.4","torch":"2\.3\.1"\}/);
  for (const f of provided.df.getFROMs()) assert.equal(f.getImage(), 'registry.example/ml-base:1');
});

test('paths are quoted and taken literally: spaces, brackets, parentheses and $ in a model name', async () => {
  const name = 'models/best model [v2] (final) $1.joblib';
  const iris = await detect(IRIS);
  const { df, ignore } = build(withModels(iris, [name]), { model: name });
  assert.deepEqual(json(keyword(df, 'COPY').at(-1)!), ['models/best model [[]v2] [(]final[)] \\$1.joblib', '/models/best model [v2] (final) \\$1.joblib']);
  assert.ok(ignore.includes('\n!models/best model [[]v2] [(]final[)] $1.joblib\n'));
  assert.equal(env(df).get('MODEL_PATH'), '/models/best model [v2] (final) $1.joblib');
  assertThrowsCode(() => build(withModels(iris, ['models/best*.joblib']), { model: 'models/best*.joblib' }), 'UNSUPPORTED_PATH', /best\*/);
});

test('the same input gives the same bytes', async () => {
  const desc = withRequirements(await detect(MODELS), 'torch==2.3.1');
  const a = scaffold(desc, { model: 'torch_state_dict.pt', gpu: true, mode: 'bake', targets: ['dockerfile'] });
  const b = scaffold(structuredClone(desc), { model: 'torch_state_dict.pt', gpu: true, mode: 'bake', targets: ['dockerfile'] });
  assert.deepEqual(a.files, b.files);
});

/** `desc` with extra joblib models at `paths`. */
function withModels(desc: ProjectDescription, paths: string[]): ProjectDescription {
  const extra: DetectedModel[] = paths.map((path) => ({ path, format: 'joblib', framework: 'sklearn', bytes: 1000, evidence: 'test' }));
  return { ...desc, models: [...desc.models, ...extra] };
}

test('dockerfile-utils finds no problem in any variant', async (t) => {
  type Validate = (text: string) => { message: string; range: { start: { line: number } } }[];
  let validate: Validate;
  try {
    validate = (require('dockerfile-utils') as { validate: Validate }).validate;
  } catch {
    t.skip('dockerfile-utils is not installed: npm i -D dockerfile-utils to run its validator on the generated Dockerfiles');
    return;
  }
  const models = await detect(MODELS);
  const torch = withRequirements(models, 'torch==2.3.1');
  const variants = [
    build(await detect(IRIS), { model: 'model.joblib', modelSha256: 'cd'.repeat(32) }),
    build(await detect(IRIS), { model: 'model.joblib', mode: 'mount', modelUri: 'gs://b/m.joblib' }),
    build(torch, { model: 'torch_state_dict.pt', gpu: true }),
    build(torch, { model: 'torch_state_dict.pt', offline: true }),
    build(torch, { model: 'sharded/model.safetensors.index.json', baseImage: 'registry.example/torch:2.3.1', baseProvides: ['torch'] }),
    build(withRequirements(models, 'tensorflow==2.16.1'), { model: 'savedmodel_dir', gpu: true }),
    build(withRequirements(models, 'tensorflow==2.15.0'), { model: 'savedmodel_dir', gpu: true, mode: 'mount', offline: true }),
  ];
  for (const v of variants) assert.deepEqual(validate(v.text).map((d) => `${d.range.start.line + 1}: ${d.message}`), [], v.text);
});

// The `app` target's plan: which files, their contents, and the contract between the spec and the
// Python app (every env var and path the spec names is one the app reads or serves).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectedModel, ProjectDescription, Requirement } from '../../../src/core/detect/types';
import { generate, REDIS_PIN, requirementName } from '../../../src/core/scaffold/generators/app';
import { buildServingSpec, SERVING_PINS } from '../../../src/core/scaffold/spec';
import type { ContainerizeOptions, ScaffoldTarget } from '../../../src/core/scaffold/types';

const TEMPLATES = join(__dirname, '../../../src/core/scaffold/templates/serving');

function requirement(name: string, specifier: string, line: number): Requirement {
  return { name, normalizedName: requirementName(name)!, specifier, pinned: specifier.startsWith('=='), extras: [], source: 'requirements.txt', line };
}

function project(model: Partial<DetectedModel>, packages: Requirement[] = []): ProjectDescription {
  return {
    root: '/work/iris',
    models: [{ path: 'models/iris.joblib', format: 'joblib', framework: 'sklearn', bytes: 2048, evidence: 'test', ...model }],
    requirements: { files: [], packages, options: [], conda: [] },
    python: { version: '3.11', source: 'default' },
    problems: [],
  };
}

function plan(desc: ProjectDescription, options: Partial<ContainerizeOptions> = {}, targets: ScaffoldTarget[] = ['app']) {
  const spec = buildServingSpec(desc, { model: desc.models[0].path, gpu: false, mode: 'bake', targets, ...options });
  const files = generate({ spec, desc, targets });
  return { spec, files, byPath: new Map(files.map((f) => [f.path, f])) };
}

const sklearn = () => project({ details: { inputFeatures: 4 } }, [requirement('scikit-learn', '==1.2.1', 3), requirement('numpy', '>=1.24', 4)]);

test('plans the serving package, each file tagged app with a one-line purpose', () => {
  const { files } = plan(sklearn());
  assert.deepEqual(files.map((f) => f.path).sort(), [
    'serving/__init__.py', 'serving/__main__.py', 'serving/adapters.py', 'serving/app.py',
    'serving/requirements.txt', 'serving/sample.json', 'serving/worker.py',
  ]);
  for (const f of files) {
    assert.equal(f.target, 'app');
    assert.ok(f.purpose.length > 10 && !f.purpose.includes('\n'), f.path);
    assert.ok(f.contents.endsWith('\n'), `${f.path} ends with a newline`);
  }
});

test('the Python files are the templates byte for byte, whatever the model', () => {
  const a = plan(sklearn()).byPath;
  const b = plan(project({ path: 'net.pt', format: 'torchscript', framework: 'pytorch' })).byPath;
  for (const name of ['__init__.py', '__main__.py', 'adapters.py', 'app.py', 'worker.py']) {
    const template = readFileSync(join(TEMPLATES, name), 'utf8');
    assert.equal(a.get(`serving/${name}`)?.contents, template, name);
    assert.equal(b.get(`serving/${name}`)?.contents, template, name);
  }
});

test('the same input plans the same bytes', () => {
  assert.deepEqual(plan(sklearn()).files, plan(sklearn()).files);
});

test('requirements come from the spec, each with where its version came from', () => {
  const { spec, byPath } = plan(sklearn());
  const lines = byPath.get('serving/requirements.txt')!.contents.split('\n');
  assert.match(lines[0], /^# Python packages for the iris model server/);
  const reqs = lines.filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(reqs.map((l) => l.split('  # ')[0]), spec.requirements);
  assert.ok(reqs.includes('scikit-learn==1.2.1  # requirements.txt:3'), reqs.join('\n'));
  assert.ok(reqs.includes('numpy>=1.24  # requirements.txt:4'), reqs.join('\n'));
  assert.ok(reqs.includes(`fastapi==${SERVING_PINS.fastapi}  # Modelship serving pin`), reqs.join('\n'));
  assert.ok(!reqs.some((l) => l.startsWith('--') || l.startsWith('redis')), 'no torch index and no redis for a plain sklearn app');
});

test('packages the base image provides are left out and named', () => {
  const desc = project({ path: 'net.pt', format: 'torchscript', framework: 'pytorch' }, [requirement('torch', '==2.3.1', 1)]);
  const { byPath } = plan(desc, { baseProvides: ['Torch', 'numpy'] });
  const text = byPath.get('serving/requirements.txt')!.contents;
  assert.match(text, /^# Not listed because the base image provides them: torch, numpy\.$/m);
  assert.doesNotMatch(text, /^(torch|numpy)\b/m);
  assert.doesNotMatch(text, /extra-index-url/, 'no PyTorch index when torch itself is not installed');
  assert.match(text, /^fastapi==/m);
});

test('torch installs from the index the spec chose, CPU or CUDA', () => {
  const desc = project({ path: 'net.pt', format: 'torchscript', framework: 'pytorch' }, [requirement('torch', '==2.3.1', 1)]);
  const cpu = plan(desc);
  assert.ok(cpu.spec.gpu.torchIndexUrl);
  const cpuText = cpu.byPath.get('serving/requirements.txt')!.contents;
  const index = cpuText.indexOf(`--extra-index-url ${cpu.spec.gpu.torchIndexUrl}\n`);
  assert.ok(index > 0 && index < cpuText.indexOf('torch==2.3.1  # requirements.txt:1'), cpuText);
  const gpu = plan(desc, { gpu: true });
  assert.match(gpu.byPath.get('serving/requirements.txt')!.contents, new RegExp(`^--extra-index-url ${gpu.spec.gpu.torchIndexUrl}$`, 'm'));
  assert.match(gpu.byPath.get('serving/requirements.txt')!.contents, /CUDA wheels/);
});

test('with compose (the job worker) the Redis client is added, the project pin first', () => {
  const mine = plan(sklearn(), {}, ['app', 'compose']).byPath.get('serving/requirements.txt')!.contents;
  assert.ok(mine.split('\n').includes(`${REDIS_PIN}  # Modelship serving pin (job worker)`), mine);
  const pinned = project({ details: { inputFeatures: 4 } }, [requirement('redis', '==4.6.0', 9)]);
  const theirs = plan(pinned, {}, ['app', 'compose']).byPath.get('serving/requirements.txt')!.contents;
  assert.ok(theirs.split('\n').includes('redis==4.6.0  # requirements.txt:9'), theirs);
  assert.equal(theirs.match(/^redis/gm)?.length, 1);
});

test('sample.json holds one row as wide as the model, and is left out when the width is unknown', () => {
  const { byPath, spec } = plan(sklearn());
  const sample = JSON.parse(byPath.get('serving/sample.json')!.contents);
  assert.deepEqual(sample, { instances: [[0, 0, 0, 0]] });
  assert.match(byPath.get('serving/sample.json')!.purpose, new RegExp(`localhost:${spec.port}${spec.paths.predict}`));
  assert.equal(plan(project({})).byPath.get('serving/sample.json'), undefined);
});

test('the app reads every variable the spec sets and serves every path the spec probes', () => {
  const { spec, byPath } = plan(sklearn());
  const python = ['app.py', 'adapters.py', '__main__.py'].map((n) => byPath.get(`serving/${n}`)!.contents).join('\n');
  for (const name of Object.keys(spec.env)) {
    assert.match(python, new RegExp(`(os\\.environ\\.get|env_int|env_bool)\\("${name}"`), `the app never reads ${name}`);
  }
  const app = byPath.get('serving/app.py')!.contents;
  for (const path of Object.values(spec.paths)) assert.match(app, new RegExp(`\\("${path}", \\w+, \\[`), `no route for ${path}`);
  assert.match(app, new RegExp(`env_int\\("MAX_BODY_BYTES", ${Number(spec.env.MAX_BODY_BYTES)}\\)`), 'defaults agree with the spec');
  assert.match(app, new RegExp(`env_int\\("MAX_BATCH_SIZE", ${Number(spec.env.MAX_BATCH_SIZE)}\\)`));
  assert.match(byPath.get('serving/__main__.py')!.contents, new RegExp(`"PORT", "${spec.port}"`));
});

test('requirementName normalises names and ignores options', () => {
  assert.equal(requirementName('Scikit_Learn[extra]==1.2'), 'scikit-learn');
  assert.equal(requirementName('zope.interface>=5'), 'zope-interface');
  assert.equal(requirementName('--extra-index-url https://x'), undefined);
});

// Seeded fuzzing of the linters users run on every save and in CI: manifests (`lintManifestText`,
// unguarded, so a rule's exception fails the case), Dockerfiles (`analyzeDockerfile` with rethrow)
// and the cross-file rules (`lintCrossFile` over a Dockerfile and a few manifests). Inputs start
// from what Modelship generates (the scaffold's Dockerfile and Kubernetes files for two projects)
// and the lint fixtures, and are mutated the way real files go wrong: a scalar or a list where a
// map belongs, values of the wrong type anywhere, deep nesting, many documents, long lines, text
// edits. Nothing may throw but a ModelshipError, and every finding must point inside its file.
//
// Then each linter's time on hostile inputs of size 8n is compared with a benign input of the same
// size and with the hostile input of size n (fuzzSupport's assertLinear): ratios measured in the
// same run, never an absolute time. Linear work grows about 8 times from n to 8n and quadratic work
// 64; the bounds leave room for a busy machine, and the sizes are large enough for the quadratic
// code this replaced to fail them (the cross-file stream grew 51 times, the stage chain 82 to 110).
//
// MODELSHIP_FUZZ_CASES=N runs N cases per linter instead of 1000 (500 projects for the cross-file
// rules, each of up to six files); MODELSHIP_FUZZ_SEED=S shifts the seeds. A failure names its seed
// and case, and replays exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { isModelshipError } from '../../../src/core/errors';
import { loadYaml } from '../../../src/core/lazyLibraries';
import { analyzeDockerfile, type DockerfileLintContext } from '../../../src/core/lint/dockerfile';
import { prepareManifestLinter, type ManifestLintContext } from '../../../src/core/lint/kubernetes';
import { lintManifestText } from '../../../src/core/lint/kubernetes/lint';
import { lintCrossFile, type ProjectFile } from '../../../src/core/lint/project/crossFile';
import { DEFAULT_LINT_SETTINGS, type Finding } from '../../../src/core/lint/types';
import { yamlNesting } from '../../../src/core/yamlNesting';
import { scaffold } from '../../../src/core/scaffold';
import { assertLinear, forEachCase, fuzzCases, fuzzSeed, mutateText, Rng } from '../fuzz/fuzzSupport';
import { describeProject, IRIS, MODELS } from '../scaffold/kubernetes.support';

const CASES = fuzzCases(1000);
/** Each cross-file case lints a Dockerfile and up to five manifests. */
const PROJECT_CASES = fuzzCases(500);

/**
 * forEachCase, each case with a PRNG of its own. fuzzSupport seeds case i with
 * `(base * 0x9e3779b1 + i) >>> 0`, a float product past 2^53 that loses the `+ i`, so hundreds of
 * consecutive cases share one seed; drop this once it mixes with Math.imul. A failure still names
 * forEachCase's seed and case index, and this derives the same PRNG from them.
 */
const eachCase = (seed: number, body: (rng: Rng) => void, cases = CASES): Promise<void> =>
  forEachCase(seed, cases, (_, i) => body(new Rng((Math.imul(fuzzSeed(seed), 0x9e3779b1) + i) >>> 0)));
const FIXTURES = join(__dirname, '../../fixtures/lint');

function filesUnder(dir: string, match: RegExp): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, match);
    return match.test(name) ? [readFileSync(path, 'utf8')] : [];
  });
}

interface Corpus {
  manifests: string[];
  dockerfiles: string[];
  projects: ProjectDescription[];
}

let corpus: Corpus | undefined;

/** The seeds: the scaffold's output for the example project and a GPU TorchScript model, and the lint fixtures. */
async function seeds(): Promise<Corpus> {
  if (corpus) return corpus;
  const manifests = filesUnder(join(FIXTURES, 'kubernetes'), /\.ya?ml$/);
  const dockerfiles = filesUnder(join(FIXTURES, 'dockerfile'), /Dockerfile$/);
  const projects: ProjectDescription[] = [];
  for (const [root, model, gpu] of [[IRIS, 'model.joblib', false], [MODELS, 'torchscript_model.pt', true]] as const) {
    const desc = await describeProject(root);
    projects.push(desc);
    for (const file of scaffold(desc, { gpu, mode: 'bake', targets: ['dockerfile', 'k8s'], model }).files) {
      if (file.path.endsWith('Dockerfile')) dockerfiles.push(file.contents);
      else if (/\.ya?ml$/.test(file.path) && !file.path.endsWith('kustomization.yaml')) manifests.push(file.contents);
    }
  }
  return (corpus = { manifests, dockerfiles, projects });
}

/** Values of the wrong shape: scalars where maps belong (compose habits among them), lists and maps where scalars belong. */
const WRONG: unknown[] = ['nginx', 8080, true, null, '', [8080], ['MODEL_PATH=/m'], ['nginx'], { http: 80 }, {}, [], [{}], [[1]], { containerPort: 'http' }, -1, 1e308, '0x1F', 'yes'];

/** Every value in `o` (with a setter), and every list item of it. */
function slots(o: unknown, depth = 0, out: { values: ((v: unknown) => void)[]; items: ((v: unknown) => void)[] } = { values: [], items: [] }) {
  if (depth > 16 || !o || typeof o !== 'object') return out;
  for (const key of Object.keys(o)) {
    const set = (v: unknown) => {
      (o as Record<string, unknown>)[key] = v;
    };
    out.values.push(set);
    if (Array.isArray(o)) out.items.push(set);
    slots((o as Record<string, unknown>)[key], depth + 1, out);
  }
  return out;
}

/** Real manifests with wrong shapes planted: a value replaced, a list item made a scalar (`containers: [nginx]`), a map wrapped in a list. */
function retype(text: string, rng: Rng): string {
  // The yaml package's toJS and stringify recurse: leave deep or huge texts to the other mutations.
  if (text.length > 200_000 || yamlNesting(text, 64).exceeded) return text;
  const Y = loadYaml();
  try {
    const objects = Y.parseAllDocuments(text).map((d) => d.toJS() as unknown);
    const all = { values: [] as ((v: unknown) => void)[], items: [] as ((v: unknown) => void)[] };
    for (const o of objects) slots(o, 0, all);
    for (let k = 0, n = 1 + rng.int(4); k < n && all.values.length > 0; k++) {
      const pool = all.items.length > 0 && rng.int(2) === 0 ? all.items : all.values;
      rng.pick(pool)(rng.int(5) === 0 ? [rng.pick(WRONG), { name: 'x' }] : rng.pick(WRONG));
    }
    return objects.map((o) => Y.stringify(o)).join('---\n');
  } catch {
    return text;
  }
}

/** Nesting far past the limit, as text: brackets on one line, or every line indented deeper than the last. */
function nest(text: string, rng: Rng): string {
  const lines = text.split('\n');
  const at = rng.int(lines.length + 1);
  const depth = rng.int(2) === 0 ? rng.size(3000) : 1000 + rng.int(3000);
  const deep = [
    [`deep: ${'['.repeat(depth)}${rng.int(2) === 0 ? ']'.repeat(depth) : ''}`],
    Array.from({ length: Math.min(depth, 600) }, (_, i) => `${' '.repeat(i)}${rng.int(3) === 0 ? '- ' : ''}k${i}:`),
    // Compact lists closed by a line at the margin: the parser recursed once per level on the way out.
    [`${'- '.repeat(depth * 2)}x`, 'y: 1'],
  ][rng.int(3)]!;
  lines.splice(at, 0, ...deep);
  return lines.join('\n');
}

/** The text as many documents (the stream stays under about 100 KB, so that a case costs milliseconds). */
function manyDocuments(text: string, rng: Rng): string {
  return Array.from({ length: Math.min(1 + rng.size(40), Math.ceil(100_000 / (text.length + 5))) }, () => text).join('\n---\n');
}

function longLine(text: string, rng: Rng): string {
  const lines = text.split('\n');
  const at = rng.int(lines.length);
  lines[at] = `${lines[at]}${rng.pick(['', ' ', ': ', ' "'])}${rng.pick(['x', '[', '{a: ', '- ', '"', 'a: b '])}`.padEnd(rng.size(20_000), rng.pick(['x', ' ', '[', 'a: ']));
  return lines.join('\n');
}

function mutateManifest(text: string, rng: Rng, donors: string[]): string {
  let out = text;
  for (let k = 0, n = 1 + rng.int(3); k < n; k++) {
    switch (rng.int(7)) {
      case 0:
      case 5: out = retype(out, rng); break;
      case 1: out = nest(out, rng); break;
      case 2: out = manyDocuments(out, rng); break;
      case 3: out = longLine(out, rng); break;
      default: out = mutateText(out, rng, donors);
    }
  }
  return out;
}

const DOCKERFILE_LINES = [
  'FROM python:3.11-slim AS s', 'FROM s', 'WORKDIR /app', 'WORKDIR sub', 'COPY . .', 'COPY models/ /models/', 'COPY ["model.joblib", "/models/model.joblib"]',
  'ENV MODEL_PATH=/models/model.joblib PORT=8080', 'ENV A=${A:-x}', 'RUN pip install -r requirements.txt', 'RUN pip install torch==2.3.1 && echo ok | tee x',
  'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'EXPOSE 8080', 'VOLUME ["/models"]', 'USER 10001', 'RUN set -e; \\', 'ARG BASE=python:3.11', 'FROM $BASE',
];

function mutateDockerfile(text: string, rng: Rng, donors: string[]): string {
  let out = text;
  for (let k = 0, n = 1 + rng.int(3); k < n; k++) {
    const lines = out.split('\n');
    switch (rng.int(5)) {
      case 0: // Many instructions: a known line repeated.
        lines.splice(rng.int(lines.length + 1), 0, ...Array.from({ length: rng.size(200) }, (_, i) => rng.pick(DOCKERFILE_LINES).replace(/ s$/, ` s${i}`)));
        break;
      case 1: // One long line, or a long continuation.
        lines.splice(rng.int(lines.length + 1), 0, rng.int(2) === 0 ? `RUN ${'echo x && '.repeat(rng.size(2000))}true` : `RUN ${'echo x \\\n '.repeat(rng.size(500))}true`);
        break;
      case 2:
        out = longLine(out, rng);
        continue;
      default:
        out = mutateText(out, rng, donors);
        continue;
    }
    out = lines.join('\n');
  }
  return out;
}

/** Fails unless `run` returns or throws a ModelshipError; returns the findings. */
function noCrash(run: () => Finding[]): Finding[] {
  try {
    return run();
  } catch (error) {
    if (isModelshipError(error)) return [];
    throw error;
  }
}

/** What the manifest linter cannot check is said, never a pass, and never a stack overflow passed off as a syntax error. */
function assertReported(text: string, findings: Finding[]): void {
  assert.ok(!findings.some((f) => /call stack/i.test(f.message)), 'a stack overflow reported as a syntax error');
  if (/^\s*apiVersion\s*:/m.test(text) && /^\s*kind\s*:/m.test(text) && !text.includes('{{') && yamlNesting(text).exceeded) assert.ok(findings.length > 0, 'nested past the limit, and nothing reported');
}

function assertInside(findings: Finding[], files: { path: string; text: string }[]): void {
  const lineCounts = new Map(files.map((f) => [f.path, f.text.split(/\r\n|\r|\n/).length]));
  for (const f of findings) {
    const lines = lineCounts.get(f.file);
    assert.ok(lines !== undefined, `${f.ruleId} in ${f.file}, which was not linted`);
    for (const p of [f.range.start, f.range.end]) assert.ok(p.line >= 0 && p.line < lines && p.character >= 0, `${f.ruleId} at ${p.line}:${p.character} of ${lines} lines`);
  }
}

test('fuzz: prepare the seeds and the schema validators', async () => {
  await prepareManifestLinter();
  const { manifests, dockerfiles } = await seeds();
  assert.ok(manifests.length > 50 && dockerfiles.length > 40);
});

test(`fuzz: ${CASES} mutated manifests never throw, and findings stay inside the file`, async () => {
  const { manifests, projects } = await seeds();
  await eachCase(0x4b385300, (rng) => {
    const text = mutateManifest(rng.pick(manifests), rng, manifests);
    const ctx: ManifestLintContext = { file: rng.pick(['deploy/app.yaml', 'deploy/k8s/overlays/prod/deployment-patch.yaml']), settings: DEFAULT_LINT_SETTINGS, project: rng.pick(projects) };
    const findings = noCrash(() => lintManifestText(text, ctx));
    assertInside(findings, [{ path: ctx.file, text }]);
    assertReported(text, findings);
  });
});

test(`fuzz: ${CASES} mutated Dockerfiles never throw, and findings stay inside the file`, async () => {
  const { dockerfiles, projects } = await seeds();
  await eachCase(0x44463000, (rng) => {
    const text = mutateDockerfile(rng.pick(dockerfiles), rng, dockerfiles);
    const ctx: DockerfileLintContext = { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS, project: rng.pick(projects) };
    assertInside(noCrash(() => analyzeDockerfile(text, ctx, { rethrow: true })), [{ path: ctx.file, text }]);
  });
});

test(`fuzz: ${PROJECT_CASES} projects of mutated files never make the cross-file rules throw`, async () => {
  const { manifests, dockerfiles, projects } = await seeds();
  await eachCase(0x58463000, (rng) => {
    const files: ProjectFile[] = [{ path: 'Dockerfile', text: rng.int(2) === 0 ? rng.pick(dockerfiles) : mutateDockerfile(rng.pick(dockerfiles), rng, dockerfiles) }];
    for (let k = 0, n = 1 + rng.int(4); k < n; k++) files.push({ path: `deploy/m${k}.yaml`, text: mutateManifest(rng.pick(manifests), rng, manifests) });
    assertInside(noCrash(() => lintCrossFile(files, rng.int(3) === 0 ? undefined : rng.pick(projects))), files);
  }, PROJECT_CASES);
});

/** `text` repeated (each copy's names made unique) until it is about `size` characters. */
function repeatTo(size: number, text: string): string {
  const parts: string[] = [];
  for (let n = 0, i = 0; n < size; i++) {
    const part = text.replace(/name: ([\w.-]+)$/gm, `name: $1-${i}`);
    parts.push(part);
    n += part.length;
  }
  return parts.join('');
}

/** `text` repeated to about `size` characters, each `KEY` numbered so that no two keys are equal. */
function numbered(size: number, text: string): string {
  let i = 0;
  return repeatTo(size, text).replace(/KEY/g, () => `k${i++}`);
}

/** A ConfigMap of short string entries: the benign manifest every hostile one is compared with. */
const plainConfigMap = (size: number): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n${numbered(size, '  KEY: "value"\n')}`;

const DEPLOYMENT_AND_SERVICE = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: server
          image: web:0.1.0
          ports: [{name: http, containerPort: 8080}]
          env: [{name: MODEL_PATH, value: /models/model.joblib}]
          readinessProbe: {httpGet: {path: /readyz, port: http}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 9090}]
`;

const manifestCtx: ManifestLintContext = { file: 'deploy/app.yaml', settings: DEFAULT_LINT_SETTINGS };
const lintManifest = (text: string) => lintManifestText(text, manifestCtx);

test('linear: manifests with many documents, wide maps, long lines, deep nesting or scalars where maps belong', async () => {
  const hostile: [string, (size: number) => string][] = [
    ['many documents', (n) => repeatTo(n, DEPLOYMENT_AND_SERVICE)],
    ['a container with thousands of unknown fields', (n) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: x:1\n${numbered(n, '      KEY: 1\n')}`],
    ['thousands of scalars where containers belong', (n) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n${repeatTo(n, '    - nginx\n')}`],
    ['one long line', (n) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: "${'x'.repeat(n)}"\n`],
    ['every line one level deeper', (n) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n${Array.from({ length: Math.sqrt(n) | 0 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n`],
  ];
  for (const [name, make] of hostile) {
    await assertLinear({ name, hostile: make, benign: plainConfigMap, run: lintManifest, size: 16_000, maxRatio: 30, maxGrowth: 32, reps: 3 });
  }
});

const dockerfileCtx: DockerfileLintContext = { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS };
const lintDocker = (text: string) => analyzeDockerfile(text, dockerfileCtx, { rethrow: true });
const plainDockerfile = (size: number): string => `FROM python:3.11-slim\n${repeatTo(size, 'RUN echo hello\n')}CMD ["python"]\n`;

test('linear: Dockerfiles with many stages, WORKDIRs, COPYs, pip installs, long lines and continuations', async () => {
  // A single instruction of thousands of arguments is parsed by dockerfile-ast into an object per
  // argument: garbage collection, not our code, makes its growth noisy, hence the looser bound.
  const hostile: [string, (size: number) => string, number?][] = [
    ['a chain of stages', (n) => `FROM python:3.11-slim AS s0\n${Array.from({ length: n / 40 }, (_, i) => `FROM s${i} AS s${i + 1}\nRUN echo ${i} | tee x\n`).join('')}`],
    ['WORKDIRs and COPYs', (n) => `FROM python:3.11-slim\n${Array.from({ length: n / 40 }, (_, i) => `WORKDIR /w${i}\nWORKDIR sub\nCOPY a${i} b/\n`).join('')}`],
    ['pip installs', (n) => `FROM python:3.11-slim\n${Array.from({ length: n / 36 }, (_, i) => `RUN pip install pkg${i}==1.0 | tee\n`).join('')}`],
    ['one long RUN', (n) => `FROM python:3.11-slim\nRUN ${'echo x && '.repeat(n / 10)}true\n`, 96],
    ['a long continuation', (n) => `FROM python:3.11-slim\nRUN ${'echo x \\\n '.repeat(n / 10)}true\n`, 96],
  ];
  for (const [name, make, maxGrowth = 64] of hostile) {
    await assertLinear({ name, hostile: make, benign: plainDockerfile, run: lintDocker, size: 10_000, maxRatio: 30, maxGrowth });
  }
});

test('linear: the cross-file rules over a stream of thousands of documents (it was quadratic)', async () => {
  const dockerfile = 'FROM python:3.11-slim\nENV MODEL_PATH=/models/model.joblib PORT=8080\nCOPY model.joblib /models/\nEXPOSE 8080\n';
  const project = (await seeds()).projects[0]!;
  const cross = (text: string) => lintCrossFile([{ path: 'Dockerfile', text: dockerfile }, { path: 'deploy/all.yaml', text }], project);
  // Small documents dense with what the rules read and report (an image tag each, a port, a probe and
  // a Service target that all disagree), as in the stream that took minutes.
  let i = 0;
  const pair = () => `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}}\nspec: {template: {spec: {containers: [{name: a, image: "web:1.${i++}", ports: [{name: http, containerPort: 8081}], readinessProbe: {httpGet: {port: 9999}}}]}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec: {ports: [{port: 80, targetPort: 7070}]}\n`;
  const stream = (n: number): string => {
    const parts: string[] = [];
    for (let length = 0; length < n; length += parts[parts.length - 1]!.length) parts.push(pair());
    return parts.join('');
  };
  await assertLinear({ name: 'cross-file, a stream of documents', hostile: stream, benign: plainConfigMap, run: cross, size: 48_000, maxRatio: 30, maxGrowth: 32, reps: 3 });
});

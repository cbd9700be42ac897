// The snippets under snippets/: each file is contributed and parses, and each body, with every
// default accepted, is a Dockerfile or manifest that the project's own linters pass without a
// warning (and, for KServe, whose predictor passes the checks a Deployment's pod would).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { DEFAULT_LINT_SETTINGS, lintFile, type Finding } from '../../../src/core/lint';
import { expandSnippet } from './expandSnippet';

const ROOT = join(__dirname, '../../..');

/** A parsed manifest, read loosely: the assertions say what shape they expect. */
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** kubernetes-models' classes validate their fields (their types leave `validate` out). */
type Validatable = new (data: never) => { validate(): void };

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}

interface Contribution {
  language: string;
  path: string;
}

const contributions = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { snippets?: Contribution[] } }).contributes.snippets ?? [];

function snippetsOf(language: string): [string, Snippet][] {
  return contributions
    .filter((c) => c.language === language)
    .flatMap((c) => Object.entries(JSON.parse(readFileSync(join(ROOT, c.path), 'utf8')) as Record<string, Snippet>));
}

/** Snippets meant to go inside a file (a container, a stage), not to be one, and the text that hosts them. */
const FRAGMENT = '__FRAGMENT__';
const FRAGMENT_HOSTS: Record<string, { file: string; host: string }> = {
  'Modelship: startupProbe for a large model': {
    file: 'deploy/deployment.yaml',
    host: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: model-server',
      'spec:',
      '  selector:',
      '    matchLabels: { app.kubernetes.io/name: model-server }',
      '  template:',
      '    metadata:',
      '      labels: { app.kubernetes.io/name: model-server }',
      '    spec:',
      '      containers:',
      '        - name: model-server',
      '          image: registry.example.com/model-server:0.1.0',
      '          ports: [{ name: http, containerPort: 8080 }]',
      '          resources: { requests: { cpu: 500m, memory: 1Gi }, limits: { memory: 1Gi } }',
      '          readinessProbe: { httpGet: { path: /readyz, port: http } }',
      '          livenessProbe: { httpGet: { path: /healthz, port: http } }',
      '          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }',
      `          ${FRAGMENT}`,
      '',
    ].join('\n'),
  },
  'Modelship: pip install with a secret pip.conf': {
    file: 'Dockerfile',
    host: [
      '# syntax=docker/dockerfile:1',
      'FROM python:3.11-slim',
      'RUN python -m venv /opt/venv',
      'WORKDIR /build',
      'COPY requirements.txt requirements.txt',
      FRAGMENT,
      'USER 10001:10001',
      'CMD ["python", "-m", "serving"]',
      '',
    ].join('\n'),
  },
};

/** Puts a fragment where the host marks it, indented as VS Code indents a multi-line insertion. */
function host(name: string, text: string): { file: string; text: string } | undefined {
  const h = FRAGMENT_HOSTS[name];
  if (!h) return undefined;
  const line = h.host.split('\n').find((l) => l.includes(FRAGMENT))!;
  const indent = line.slice(0, line.indexOf(FRAGMENT));
  const body = text.replace(/\n$/, '').split('\n').map((l, i) => (i === 0 || l === '' ? l : indent + l)).join('\n');
  return { file: h.file, text: h.host.replace(FRAGMENT, body) };
}

const describe = (findings: Finding[]) => findings.map((f) => `${f.ruleId} ${f.severity} line ${f.range.start.line + 1}: ${f.message}`).join('\n');

/** Findings above info of the project's linter (picked by the file's name and text), with default settings. */
async function lint(file: string, text: string): Promise<Finding[]> {
  return (await lintFile({ file, text, settings: DEFAULT_LINT_SETTINGS })).filter((f) => f.severity !== 'info');
}

/** A snippet with its defaults accepted, as a whole file (in its host if it is a fragment). */
function snippetFile(name: string, s: Snippet, file: string): { file: string; text: string } {
  const expanded = expandSnippet(s.body).text;
  return host(name, expanded) ?? { file, text: expanded };
}

test('every snippet file is contributed for dockerfile or yaml and every file in snippets/ is contributed', () => {
  assert.deepEqual([...new Set(contributions.map((c) => c.language))].sort(), ['dockerfile', 'yaml']);
  const contributed = contributions.map((c) => c.path.replace(/^\.\//, '')).sort();
  const present = readdirSync(join(ROOT, 'snippets')).map((f) => `snippets/${f}`).sort();
  assert.deepEqual(contributed, present);
  for (const c of contributions) assert.doesNotThrow(() => JSON.parse(readFileSync(join(ROOT, c.path), 'utf8')), c.path);
});

test('each snippet has a unique ms- prefix, a description, and tab stops numbered 1..n without gaps', () => {
  const prefixes = contributions.flatMap((c) => Object.values(JSON.parse(readFileSync(join(ROOT, c.path), 'utf8')) as Record<string, Snippet>)).flatMap((s) => [s.prefix].flat());
  assert.equal(new Set(prefixes).size, prefixes.length, `duplicate prefixes: ${prefixes.join(', ')}`);
  for (const [name, s] of [...snippetsOf('dockerfile'), ...snippetsOf('yaml')]) {
    for (const p of [s.prefix].flat()) assert.match(p, /^ms-[a-z0-9-]+$/, name);
    assert.ok(s.description && /\.$/.test(s.description), `${name}: a description that is a sentence`);
    const { stops } = expandSnippet(s.body);
    const numbered = [...stops.indices].filter((i) => i > 0).sort((a, b) => a - b);
    assert.deepEqual(numbered, numbered.map((_, i) => i + 1), `${name}: tab stops ${numbered.join(', ')}`);
    assert.ok(stops.indices.has(0), `${name}: ends at $0`);
    assert.deepEqual(stops.redefined, [], `${name}: a tab stop given its default twice`);
  }
});

test('the expander accepts defaults, first choices, mirrors and escapes, and refuses a bare variable', () => {
  assert.equal(expandSnippet(['a: ${1:x}', 'b: $1 ${2|p,q|} \\$HOME ${3:${4:in}ner} $0']).text, 'a: x\nb: x p $HOME inner ');
  assert.equal(expandSnippet('${1|a\\,b,c|}').text, 'a,b');
  assert.equal(expandSnippet('ENV X=$2 ${2:v}').text, 'ENV X=v v');
  assert.throws(() => expandSnippet('ENV PATH=/opt/venv/bin:$PATH'), /unescaped "\$"/);
  assert.throws(() => expandSnippet('${1:open'), /unclosed/);
});

test('each Kubernetes snippet, with its defaults, is YAML that the manifest linter passes without warnings', async (t) => {
  const snippets = snippetsOf('yaml');
  assert.ok(snippets.length >= 6);
  for (const [name, s] of snippets) await t.test(name, async () => {
    const { file, text } = snippetFile(name, s, 'deploy/snippet.yaml');
    const docs = parseAllDocuments(text);
    for (const d of docs) assert.deepEqual(d.errors, [], `${name}: YAML errors`);
    const objects = docs.map((d) => d.toJS() as Record<string, unknown>);
    assert.ok(objects.every((o) => typeof o.apiVersion === 'string' && typeof o.kind === 'string'), `${name}: apiVersion and kind`);
    const findings = await lint(file, text);
    assert.deepEqual(findings, [], `${name}:\n${describe(findings)}\n${text}`);
  });
});

/** An InferenceService's predictor as a Deployment, so the pod and container rules apply to it. */
function predictorAsDeployment(isvc: Obj): string {
  const { containers, volumes, tolerations, securityContext, nodeSelector, serviceAccountName } = isvc.spec.predictor;
  const labels = { 'app.kubernetes.io/name': isvc.metadata.name };
  const spec = Object.fromEntries(Object.entries({ containers, volumes, tolerations, securityContext, nodeSelector, serviceAccountName }).filter(([, v]) => v !== undefined));
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: isvc.metadata.name }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } } };
  return stringify(deployment);
}

test('the KServe snippets are v1beta1 InferenceServices whose predictor passes the pod and container checks', async (t) => {
  const kserve = snippetsOf('yaml').filter(([, s]) => /^ms-kserve/.test([s.prefix].flat()[0]!));
  assert.equal(kserve.length, 2);
  const Container = (await import('kubernetes-models/v1')).Container as unknown as Validatable;
  for (const [name, s] of kserve) await t.test(name, async () => {
    const isvc = parseAllDocuments(expandSnippet(s.body).text)[0]!.toJS() as Obj;
    assert.equal(isvc.apiVersion, 'serving.kserve.io/v1beta1', name);
    assert.equal(isvc.kind, 'InferenceService', name);
    const predictor = isvc.spec.predictor;
    assert.ok(predictor.minReplicas >= 1 && predictor.minReplicas <= predictor.maxReplicas, name);
    assert.equal(['model', 'containers'].filter((k) => k in predictor).length, 1, `${name}: exactly one of model/containers`);
    if (predictor.containers) {
      assert.equal(predictor.containers[0].name, 'kserve-container');
      for (const c of predictor.containers) new Container(c as never).validate();
      const findings = await lint('deploy/predictor.yaml', predictorAsDeployment(isvc));
      assert.deepEqual(findings, [], `${name}:\n${describe(findings)}`);
    } else {
      const { modelFormat, storageUri, protocolVersion, ...container } = predictor.model;
      assert.match(modelFormat.name, /^[a-z]+$/);
      assert.match(storageUri, /^(s3|gs|pvc|https?|hf):\/\//);
      assert.ok(['v1', 'v2'].includes(protocolVersion));
      new Container({ name: 'kserve-container', ...container } as never).validate();
      assert.equal(container.resources.limits.memory, container.resources.requests.memory);
    }
  });
});

test('the GPU Deployment asks for whole GPUs, tolerates the GPU taint and mounts a memory-backed /dev/shm', () => {
  const [, s] = snippetsOf('yaml').find(([, x]) => x.prefix === 'ms-deployment-gpu')!;
  const d = parseAllDocuments(expandSnippet(s.body).text)[0]!.toJS() as Obj;
  const pod = d.spec.template.spec;
  const [container] = pod.containers;
  assert.ok(Number.isInteger(container.resources.limits['nvidia.com/gpu']));
  assert.ok(pod.tolerations.some((t: Record<string, string>) => t.key === 'nvidia.com/gpu' && t.effect === 'NoSchedule'));
  const shm = pod.volumes.find((v: Obj) => v.emptyDir?.medium === 'Memory');
  assert.ok(shm, 'a Memory emptyDir');
  assert.ok(container.volumeMounts.some((m: Record<string, string>) => m.name === shm.name && m.mountPath === '/dev/shm'));
});

test('the startup budget comments name the formula and mirror the probe\'s own numbers', () => {
  const probes: Record<string, (doc: Obj) => Record<string, number>> = {
    'ms-startup-probe': (doc) => doc.startupProbe,
    'ms-deployment-gpu': (doc) => doc.spec.template.spec.containers[0].startupProbe,
  };
  for (const [prefix, probeOf] of Object.entries(probes)) {
    const [, s] = snippetsOf('yaml').find(([, x]) => x.prefix === prefix)!;
    const text = expandSnippet(s.body).text;
    const m = /initialDelaySeconds \+ failureThreshold × periodSeconds = (\d+) \+ (\d+) × (\d+) s/.exec(text);
    assert.ok(m, `${prefix}: the budget comment`);
    const probe = probeOf(parseAllDocuments(text)[0]!.toJS() as Obj);
    assert.deepEqual([probe.initialDelaySeconds, probe.failureThreshold, probe.periodSeconds], [Number(m[1]), Number(m[2]), Number(m[3])], prefix);
    assert.ok(probe.initialDelaySeconds! + probe.failureThreshold! * probe.periodSeconds! >= 600, `${prefix}: at least 10 minutes for a large model`);
  }
});

test('each Dockerfile snippet, with its defaults, passes the Dockerfile linter without warnings', async (t) => {
  const snippets = snippetsOf('dockerfile');
  assert.ok(snippets.length >= 2);
  for (const [name, s] of snippets) await t.test(name, async () => {
    const { file, text } = snippetFile(name, s, 'Dockerfile');
    const findings = await lint(file, text);
    assert.deepEqual(findings, [], `${name}:\n${describe(findings)}\n${text}`);
  });
});

test('the Python model-server Dockerfile runs as a non-root user and checks /readyz; the pip install mounts pip.conf as a secret', () => {
  const [, server] = snippetsOf('dockerfile').find(([, x]) => x.prefix === 'ms-dockerfile-python')!;
  const text = expandSnippet(server.body).text;
  assert.equal((text.match(/^FROM /gm) ?? []).length, 2, 'multi-stage');
  assert.match(text, /^USER [1-9]\d*(:[1-9]\d*)?$/m);
  assert.match(text, /^HEALTHCHECK [^\n]*\\\n\s+CMD \[[^\n]*\/readyz/m);
  const [, pip] = snippetsOf('dockerfile').find(([, x]) => x.prefix === 'ms-pip-secret')!;
  assert.match(expandSnippet(pip.body).text, /^RUN --mount=type=secret,id=pip\.conf,[^\n]*\\\n\s+\S*pip install /m);
});

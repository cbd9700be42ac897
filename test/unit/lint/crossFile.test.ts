import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintCrossFile } from '../../../src/core/lint/project/crossFile';
import { lintDockerfile } from '../../../src/core/lint/dockerfile';
import { DEFAULT_LINT_SETTINGS } from '../../../src/core/lint/types';
import type { ProjectDescription } from '../../../src/core/detect/types';

const dockerfile = (port = 8080, expose = port, model = '/models/model.joblib') => `FROM python:3.11-slim
ENV MODEL_PATH=${model} \\
    PORT=${port}
COPY ["model.joblib", "/models/model.joblib"]
EXPOSE ${expose}
CMD ["python", "-m", "serving"]
`;

const deployment = (containerPort = 8080, probePort: number | string = 'http', image = 'iris:0.1.0') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: iris
spec:
  selector:
    matchLabels: {app: iris}
  template:
    metadata:
      labels: {app: iris}
    spec:
      containers:
        - name: server
          image: ${image}
          ports:
            - name: http
              containerPort: ${containerPort}
          readinessProbe:
            httpGet: {path: /readyz, port: ${probePort}}
`;

const service = (target: number | string = 'http') => `apiVersion: v1
kind: Service
metadata:
  name: iris
spec:
  selector: {app: iris}
  ports:
    - port: 80
      targetPort: ${target}
`;

const project: ProjectDescription = {
  root: '/p', models: [{ path: 'model.joblib', format: 'joblib', framework: 'sklearn', bytes: 10, evidence: '' }],
  requirements: { files: [], packages: [], options: [], conda: [] }, python: { version: '3.11', source: 'default' }, problems: [],
};

const ids = (findings: { ruleId: string }[]): string[] => findings.map((f) => f.ruleId).sort();

test('one port everywhere: no finding', () => {
  const findings = lintCrossFile([
    { path: 'Dockerfile', text: dockerfile() },
    { path: 'deploy/deployment.yaml', text: deployment() },
    { path: 'deploy/service.yaml', text: `${service()}---\n${service(8080)}` },
  ], project);
  assert.deepEqual(findings, []);
});

test('EXPOSE that differs from PORT is an error on the EXPOSE line', () => {
  const findings = lintCrossFile([{ path: 'Dockerfile', text: dockerfile(8080, 9000) }], project);
  assert.deepEqual(ids(findings), ['MS-X001']);
  assert.equal(findings[0]!.range.start.line, 4);
});

test('a containerPort other than the image port is an error on that value, pointing at the Dockerfile', () => {
  const findings = lintCrossFile([{ path: 'Dockerfile', text: dockerfile() }, { path: 'd.yaml', text: deployment(8081) }], project);
  assert.deepEqual(ids(findings), ['MS-X001']);
  assert.equal(findings[0]!.file, 'd.yaml');
  assert.equal(findings[0]!.range.start.line, 16);
  assert.equal(findings[0]!.related?.[0]?.file, 'Dockerfile');
});

test('a probe on an undeclared port, and a Service targeting no container port, are errors', () => {
  const findings = lintCrossFile([{ path: 'd.yaml', text: deployment(8080, 9090) }, { path: 's.yaml', text: service(7070) }]);
  assert.deepEqual(ids(findings), ['MS-X001', 'MS-X001']);
  assert.ok(findings.some((f) => /probe port 9090/.test(f.message)));
  assert.ok(findings.some((f) => /targetPort 7070/.test(f.message)));
});

test('MODEL_PATH where nothing is copied, and manifests overriding it, are reported', () => {
  const findings = lintCrossFile([
    { path: 'Dockerfile', text: dockerfile(8080, 8080, '/models/other.joblib') },
    { path: 'cm.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  MODEL_PATH: /models/model.joblib\n' },
  ], project);
  assert.deepEqual(ids(findings), ['MS-X002', 'MS-X002']);
});

test('two tags of one image across manifests is a warning', () => {
  const findings = lintCrossFile([{ path: 'a.yaml', text: deployment() }, { path: 'b.yaml', text: deployment(8080, 'http', 'iris:0.2.0') }]);
  assert.deepEqual(ids(findings), ['MS-X003']);
  assert.equal(findings[0]!.severity, 'warning');
});

test('garbage in YAML or Dockerfiles never throws', () => {
  assert.doesNotThrow(() => lintCrossFile([{ path: 'Dockerfile', text: '\u0000EXPOSE abc\nENV PORT=' }, { path: 'x.yaml', text: 'kind: [unclosed\n' }]));
});

test('a scalar or a list where a map belongs never throws: the schema rules report the type, the cross-file rules read around it', () => {
  const pod = (containers: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: ${containers}\n`;
  const svc = (ports: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: p}\n  ports: ${ports}\n`;
  const shapes = [
    // The shapes of issue 12: compose habits and realistic slips.
    pod('[nginx]'), pod('[{name: a, image: x, ports: [8080]}]'), pod('[{name: a, image: x, env: [MODEL_PATH=/m]}]'), svc('[80]'), svc('{http: 80}'),
    // Their neighbours: every reader meets a scalar, a list or a map where it expects another.
    pod('nginx'), pod('{name: a}'), pod('[{name: a, ports: {http: 8080}, env: {MODEL_PATH: /m}}]'), pod('[{name: [a], image: {repo: x}, ports: [{containerPort: {a: 1}, name: 5}]}]'),
    pod('[{name: a, readinessProbe: 5, livenessProbe: {httpGet: [1]}, startupProbe: {tcpSocket: {port: [8080]}}}]'), pod('[{name: a, env: [{name: MODEL_PATH, value: [x]}, {name: {a: 1}}, 5]}]'),
    svc('80'), svc('[{port: [80], targetPort: {a: 1}}, null, [1]]'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: 5\n', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: [a]}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [PORT=8080]\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {PORT: {a: 1}, MODEL_PATH: [m]}\n',
    'kind: Deployment\n--- 5\n--- [a]\n--- {kind: [Service]}\n',
  ];
  for (const text of shapes) {
    assert.doesNotThrow(() => lintCrossFile([{ path: 'Dockerfile', text: dockerfile() }, { path: 'k.yaml', text }, { path: 's.yaml', text: service(9090) }], project), text);
  }
  // A well-formed container beside a scalar one is still checked.
  const findings = lintCrossFile([{ path: 'Dockerfile', text: dockerfile() }, { path: 'k.yaml', text: pod('[nginx, {name: b, image: x, ports: [{containerPort: 9090}]}]') }], project);
  assert.deepEqual(ids(findings), ['MS-X001']);
  assert.match(findings[0]!.message, /containerPort 9090 of container b/);
});

test('a COPY that puts a Git LFS pointer at MODEL_PATH is a copy: MS-X002 leaves the pointer to MS-DF014', () => {
  const pointer = (path: string) => ({ path, format: 'lfs-pointer' as const, framework: 'unknown' as const, bytes: 131, evidence: '', details: { lfsSize: 47185920 } });
  const pointers: ProjectDescription = { ...project, models: [pointer('model.joblib'), pointer('models/m.joblib')] };
  const copies = [
    'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nENV MODEL_PATH=/app/model.joblib\nCMD ["python", "-m", "serving"]\n',
    'FROM python:3.11-slim\nCOPY . /app\nENV MODEL_PATH=/app/model.joblib\nCMD ["python", "-m", "serving"]\n',
    'FROM python:3.11-slim\nCOPY models/ /models/\nENV MODEL_PATH=/models/m.joblib\nCMD ["python", "-m", "serving"]\n',
  ];
  for (const text of copies) {
    assert.deepEqual(lintCrossFile([{ path: 'Dockerfile', text }], pointers), [], text);
    assert.ok(lintDockerfile(text, { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS, project: pointers }).some((f) => f.ruleId === 'MS-DF014'), text);
  }
  // What is not copied, and what is copied but is no model, are still reported.
  const missing = lintCrossFile([{ path: 'Dockerfile', text: 'FROM python:3.11-slim\nCOPY requirements.txt /app/\nENV MODEL_PATH=/models/model.joblib\n' }], pointers);
  assert.deepEqual(findings(missing), [['MS-X002', 'warning', 2]]);
  const notModel = lintCrossFile([{ path: 'Dockerfile', text: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nENV MODEL_PATH=/app/train.py\n' }], pointers);
  assert.deepEqual(findings(notModel), [['MS-X002', 'error', 2]]);
  assert.match(notModel[0]!.message, /copied from train\.py \(\.\), which is not a model/);
});

const findings = (list: { ruleId: string; severity: string; range: { start: { line: number } } }[]) => list.map((f) => [f.ruleId, f.severity, f.range.start.line]);

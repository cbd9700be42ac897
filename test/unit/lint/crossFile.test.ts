import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintCrossFile } from '../../../src/core/lint/project/crossFile';
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

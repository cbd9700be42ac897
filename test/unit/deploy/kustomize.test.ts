import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderKustomization, rewriteImage, type KustomizeFileReader } from '../../../src/core/deploy/kustomize';
import { isModelshipError } from '../../../src/core/errors';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.js');

const readFs: KustomizeFileReader = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Every kubectl here to compare with: the lab's 1.24 (kustomize v4.5), 1.32 from scripts/install-kubectl.sh (kustomize v5) and the one on PATH. */
function findKubectls(): { path: string; version: string }[] {
  const found: { path: string; version: string }[] = [];
  const installed = join(process.env.MODELSHIP_CACHE ?? join(homedir(), '.cache/modelship'), 'kubectl-v32-2.1.0/bin/kubectl');
  for (const candidate of ['/root/.cache/kube-lab/bin/kubectl', installed, 'kubectl']) {
    const probe = spawnSync(candidate, ['version', '--client'], { encoding: 'utf8' });
    if (probe.status === 0) found.push({ path: candidate, version: /Kustomize Version: (\S+)/.exec(probe.stdout)?.[1] ?? 'unknown' });
  }
  return found;
}
const KUBECTLS = findKubectls();
const NO_KUBECTL = KUBECTLS.length > 0 ? false : 'neither /root/.cache/kube-lab/bin/kubectl nor kubectl on PATH runs, so there is no kustomize to compare with: run `bash scripts/setup-test-deps.sh` (Debian\'s kubectl)';
if (NO_KUBECTL) console.log(`# skipping comparisons with kubectl kustomize: ${NO_KUBECTL}`);

function kubectlKustomize(kubectl: string, dir: string): unknown[] {
  const result = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
  assert.equal(result.status, 0, `${kubectl} kustomize ${dir}: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}

/** The built-in output equals what every kubectl here renders. */
function assertSameAsKubectl(dir: string): void {
  const ours = renderKustomization(readFs, dir);
  for (const kubectl of KUBECTLS) assert.deepEqual(ours, kubectlKustomize(kubectl.path, dir), `${dir} against ${kubectl.path} (kustomize ${kubectl.version})`);
}

/** A freshly containerized copy of examples/iris-sklearn (k8s manifests only). */
function containerize(extra: string[] = []): string {
  if (!existsSync(CLI)) {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  }
  const dir = join(mkdtempSync(join(tmpdir(), 'modelship-kustomize-')), 'iris');
  cpSync(join(ROOT, 'examples/iris-sklearn'), dir, { recursive: true });
  const result = spawnSync(process.execPath, [CLI, 'containerize', dir, '--only', 'k8s', '--force', ...extra], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr + result.stdout);
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

function refusal(fn: () => unknown): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    if (isModelshipError(error)) return error;
    throw error;
  }
  assert.fail('expected a refusal');
}

for (const gpu of [false, true]) {
  test(`every overlay containerize generates${gpu ? ' with --gpu' : ''} renders as kubectl kustomize renders it`, { skip: NO_KUBECTL }, () => {
    const project = containerize(gpu ? ['--gpu'] : []);
    for (const env of ['dev', 'staging', 'prod']) {
      const overlay = join(project, 'deploy/k8s/overlays', env);
      assertSameAsKubectl(overlay);
      assert.equal(renderKustomization(readFs, overlay)[0]!.kind, 'Namespace');
    }
  });
}

test('overlays in the deprecated form earlier versions generated (`bases`, `patchesStrategicMerge`) render as today\'s do, as kubectl kustomize renders them', { skip: NO_KUBECTL }, () => {
  const project = containerize();
  for (const env of ['dev', 'staging', 'prod']) {
    const overlay = join(project, 'deploy/k8s/overlays', env);
    const current = renderKustomization(readFs, overlay);
    const file = join(overlay, 'kustomization.yaml');
    const text = readFileSync(file, 'utf8');
    const old = text
      .replace('resources:\n  - ../../base\n', 'bases:\n  - ../../base\nresources:\n')
      .replace('patches:\n  - path: deployment-patch.yaml\n', 'patchesStrategicMerge:\n  - deployment-patch.yaml\n');
    assert.match(old, /bases:/, `${file}: the old form is written`);
    writeFileSync(file, old);
    assert.deepEqual(renderKustomization(readFs, overlay), current, `${env}: the old form renders the same objects`);
    assertSameAsKubectl(overlay);
  }
});

test('hand-made overlays with images, commonLabels, labels, annotations, patches and replicas render as kubectl kustomize does', { skip: NO_KUBECTL }, () => {
  const project = containerize();
  const k8s = join(project, 'deploy/k8s');
  write(k8s, {
    'overlays/custom/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'namespace: team-a',
      'resources:',
      '  - ../staging',
      '  - extra/',
      'commonLabels:',
      '  team: a',
      'labels:',
      '  - pairs: { tier: backend }',
      '  - pairs: { track: stable }',
      '  - pairs: { owner: ml }',
      '    includeSelectors: true',
      'commonAnnotations:',
      '  contact: ml@example.com',
      'images:',
      '  - name: iris',
      '    newName: registry.example.com:5000/ml/iris',
      '    newTag: "2.0"',
      '  - name: busybox',
      '    digest: sha256:' + 'b'.repeat(64),
      'replicas:',
      '  - name: iris',
      '    count: 3',
      'patchesStrategicMerge:',
      '  - sidecar.yaml',
      'patches:',
      '  - path: env.yaml',
      '  - patch: |-',
      '      apiVersion: v1',
      '      kind: Service',
      '      metadata:',
      '        name: iris',
      '      spec:',
      '        ports:',
      '          - port: 8080',
      '            name: web',
      '            protocol: TCP',
      '          - port: 9090',
      '            name: metrics',
      '',
    ].join('\n'),
    'overlays/custom/sidecar.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: iris',
      '  annotations:',
      '    note: patched',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: sidecar',
      '          image: busybox:1.36',
      '          args: [sleep, infinity]',
      '        - name: server',
      '          ports:',
      '            - containerPort: 9090',
      '              name: metrics',
      '          volumeMounts:',
      '            - mountPath: /cache',
      '              name: cache',
      '      volumes:',
      '        - name: cache',
      '          emptyDir: {}',
      '      tolerations:',
      '        - key: gpu',
      '          operator: Exists',
      '',
    ].join('\n'),
    'overlays/custom/env.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: iris',
      'spec:',
      '  strategy:',
      '    rollingUpdate:',
      '      maxSurge: 2',
      '  template:',
      '    metadata:',
      '      annotations:',
      '        prometheus.io/path: null',
      '    spec:',
      '      containers:',
      '        - name: server',
      '          env:',
      '            - name: LOG_LEVEL',
      '              value: debug',
      '          resources:',
      '            limits:',
      '              memory: 1Gi',
      '',
    ].join('\n'),
    'overlays/custom/extra/kustomization.yaml': 'resources:\n  - objects.yaml\n',
    'overlays/custom/extra/objects.yaml': [
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: runner',
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: RoleBinding',
      'metadata:',
      '  name: runner',
      'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader }',
      'subjects:',
      '  - { kind: ServiceAccount, name: default, namespace: elsewhere }',
      '  - { kind: ServiceAccount, name: runner, namespace: elsewhere }',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: iris',
      'spec:',
      '  podSelector:',
      '    matchLabels: { app.kubernetes.io/name: iris }',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: batch/v1',
      '    kind: CronJob',
      '    metadata: { name: retrain }',
      '    spec:',
      '      schedule: "0 3 * * *"',
      '      jobTemplate:',
      '        spec:',
      '          template:',
      '            spec:',
      '              restartPolicy: Never',
      '              initContainers: [{ name: fetch, image: "busybox" }]',
      '              containers: [{ name: train, image: "iris:old@sha256:' + 'c'.repeat(64) + '" }]',
      '',
    ].join('\n'),
  });
  assertSameAsKubectl(join(k8s, 'overlays/custom'));
  const deployment = renderKustomization(readFs, join(k8s, 'overlays/custom')).find((o) => o.kind === 'Deployment') as { spec: { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } } };
  assert.equal(deployment.spec.replicas, 3);
  // The last patch names only `server`, and kustomize puts the containers a patch names first.
  assert.deepEqual(deployment.spec.template.spec.containers.map((c) => [c.name, c.image]), [['server', 'registry.example.com:5000/ml/iris:2.0'], ['sidecar', 'busybox@sha256:' + 'b'.repeat(64)]]);
});

test('$patch: delete on a list element removes it, as kubectl kustomize does', { skip: NO_KUBECTL }, () => {
  const project = containerize();
  const overlay = join(project, 'deploy/k8s/overlays/trim');
  write(overlay, {
    'kustomization.yaml': 'resources:\n  - ../../base\npatches:\n  - path: trim.yaml\n',
    'trim.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: iris }',
      'spec:',
      '  template:',
      '    spec:',
      '      volumes:',
      '        - name: tmp',
      '          $patch: delete',
      '      containers:',
      '        - name: server',
      '          volumeMounts:',
      '            - mountPath: /tmp',
      '              $patch: delete',
      '',
    ].join('\n'),
  });
  assertSameAsKubectl(overlay);
});

test('labels with includeTemplates reach pod templates and not selectors (kustomize v5; v4 has no includeTemplates)', () => {
  const files: Record<string, string> = {
    '/p/kustomization.yaml': 'resources: [d.yaml]\nlabels:\n  - pairs: { track: stable }\n    includeTemplates: true\n',
    '/p/d.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  selector: { matchLabels: { app: d } }\n  template:\n    metadata: { labels: { app: d } }\n',
  };
  const [deployment] = renderKustomization((file) => files[file], '/p') as { metadata: { labels: object }; spec: { selector: { matchLabels: object }; template: { metadata: { labels: object } } } }[];
  assert.deepEqual(deployment!.metadata.labels, { track: 'stable' });
  assert.deepEqual(deployment!.spec.selector.matchLabels, { app: 'd' });
  assert.deepEqual(deployment!.spec.template.metadata.labels, { app: 'd', track: 'stable' });
});

test('image references are rewritten as kustomize does: by name without tag or digest, the registry port kept', () => {
  assert.equal(rewriteImage('iris:0.1.0-abc', { name: 'iris', newName: 'localhost:5000/iris', newTag: 'v2' }), 'localhost:5000/iris:v2');
  assert.equal(rewriteImage('localhost:5000/iris:1', { name: 'localhost:5000/iris', digest: 'sha256:aa' }), 'localhost:5000/iris@sha256:aa');
  assert.equal(rewriteImage('iris-extra:1', { name: 'iris', newTag: '2' }), 'iris-extra:1');
  assert.equal(rewriteImage('iris@sha256:aa', { name: 'iris', newName: 'other' }), 'other@sha256:aa');
  assert.equal(rewriteImage('iris', { name: 'iris', newTag: '3' }), 'iris:3');
});

test('objects come out in kustomize legacy order, whatever order the resources list them in', () => {
  const files: Record<string, string> = {
    '/p/kustomization.yaml': 'resources:\n  - all.yaml\n',
    '/p/all.yaml': ['HorizontalPodAutoscaler', 'Deployment', 'Service', 'ConfigMap', 'Namespace', 'ValidatingWebhookConfiguration', 'PodDisruptionBudget']
      .map((kind) => `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x\n`).join('---\n'),
  };
  const objects = renderKustomization((file) => files[file], '/p');
  assert.deepEqual(objects.map((o) => o.kind), ['Namespace', 'ConfigMap', 'Service', 'Deployment', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ValidatingWebhookConfiguration']);
});

test('kustomizations using what the built-in renderer does not handle are refused with the file, the line and what to install', () => {
  const cases: [string, string, number][] = [
    ['resources:\n  - a.yaml\nconfigMapGenerator:\n  - name: c\n    literals: [A=1]\n', 'configMapGenerator', 3],
    ['secretGenerator:\n  - name: s\n', 'secretGenerator', 1],
    ['resources: [a.yaml]\nhelmCharts:\n  - name: x\n', 'helmCharts', 2],
    ['resources: [a.yaml]\n\ncomponents:\n  - ../c\n', 'components', 3],
    ['resources: [a.yaml]\ntransformers: [t.yaml]\n', 'transformers', 2],
    ['resources: [a.yaml]\ngenerators: [g.yaml]\n', 'generators', 2],
    ['resources: [a.yaml]\nvars: []\n', 'vars', 2],
    ['resources: [a.yaml]\nreplacements: []\n', 'replacements', 2],
    ['resources: [a.yaml]\nnamePrefix: dev-\n', 'namePrefix', 2],
    ['resources: [a.yaml]\nnameSuffix: -x\n', 'nameSuffix', 2],
    ['resources:\n  - a.yaml\n  - https://github.com/org/repo//deploy?ref=v1\n', 'remote resource', 1],
    ['resources: [a.yaml]\npatches:\n  - target: { kind: Deployment }\n    path: p.yaml\n', 'target', 2],
    ['resources: [a.yaml]\npatches:\n  - path: json.yaml\n', 'JSON 6902', 2],
    ['resources: [a.yaml]\npatchesJson6902: []\n', 'patchesJson6902', 2],
    ['resources: [a.yaml]\npatches:\n  - path: retain.yaml\n', '$retainKeys', 2],
    ['resources: [a.yaml, s.yaml]\npatches:\n  - path: port.yaml\n', 'without its protocol TCP', 2],
  ];
  for (const [kustomization, what, line] of cases) {
    const files: Record<string, string> = {
      '/p/kustomization.yaml': kustomization,
      '/p/a.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n',
      '/p/json.yaml': '- op: replace\n  path: /spec/replicas\n  value: 2\n',
      '/p/s.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - { port: 80, protocol: TCP }\n',
      '/p/port.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - { port: 80, name: web }\n',
      '/p/retain.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  strategy:\n    $retainKeys: [type]\n    type: Recreate\n',
    };
    const error = refusal(() => renderKustomization((file) => files[file], '/p'));
    assert.equal(error.code, 'KUSTOMIZE_UNSUPPORTED', `${what}: ${error.message}`);
    assert.match(error.message, new RegExp(`^/p/kustomization\\.yaml:${line}: `), what);
    assert.ok(error.message.includes(what), `${error.message} names ${what}`);
    assert.match(error.hint ?? '', /Install kubectl \(https:\/\/kubernetes\.io\/docs\/tasks\/tools\/.*\) or kustomize/);
  }
});

test('a patch naming no object, a missing resource and a missing kustomization are errors that say which', () => {
  const files: Record<string, string> = {
    '/p/kustomization.yaml': 'resources:\n  - a.yaml\npatches:\n  - path: p.yaml\n',
    '/p/a.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n',
    '/p/p.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n',
    '/q/kustomization.yaml': 'resources:\n  - missing.yaml\n',
  };
  assert.match(refusal(() => renderKustomization((file) => files[file], '/p')).message, /^\/p\/kustomization\.yaml:3: the patch p\.yaml names Service b/);
  assert.match(refusal(() => renderKustomization((file) => files[file], '/q')).message, /^\/q\/kustomization\.yaml:1: missing\.yaml is neither a file nor a folder/);
  assert.equal(refusal(() => renderKustomization((file) => files[file], '/r')).code, 'NO_OVERLAY');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffObject } from '../../../src/core/deploy/diff';
import { ENVIRONMENT_LABEL, prepareObjects } from '../../../src/core/deploy/prepareObjects';
import type { KubeObject } from '../../../src/core/deploy/records';

const rendered: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'iris-staging' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'iris', namespace: 'iris-staging' }, spec: { ports: [{ port: 80 }] } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'iris', namespace: 'iris-staging', labels: { app: 'iris' } },
    spec: { template: { metadata: { labels: { app: 'iris' } }, spec: { containers: [{ name: 'server', image: 'iris:0.1.0-abc' }, { name: 'sidecar', image: 'busybox:1.36' }] } } },
  },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } },
];

test('objects go to the environment namespace, the Namespace is left to deploy, cluster-scoped kinds keep none', () => {
  const prepared = prepareObjects(rendered, { namespace: 'staging', environment: 'staging' });
  assert.deepEqual(prepared.objects.map((o) => [o.kind, o.metadata?.namespace]), [['Service', 'staging'], ['Deployment', 'staging'], ['ClusterRole', undefined]]);
  assert.deepEqual(prepared.skipped.map((s) => s.kind), ['Namespace']);
  assert.deepEqual(prepared.deployments, ['iris']);
  for (const o of prepared.objects) assert.equal(o.metadata?.labels?.[ENVIRONMENT_LABEL], 'staging');
  // The input is not changed in place.
  assert.equal(rendered[1]!.metadata?.namespace, 'iris-staging');
});

test('only the project image becomes the digest; pull secret and policy are set on its pod spec', () => {
  const digest = 'localhost:5000/iris@sha256:' + 'a'.repeat(64);
  const prepared = prepareObjects(rendered, { namespace: 'staging', environment: 'staging', image: digest, sourceImage: 'iris:0.1.0-abc', pullSecret: 'regcred', pullPolicy: 'IfNotPresent' });
  const deployment = prepared.objects.find((o) => o.kind === 'Deployment') as { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string; imagePullPolicy?: string }[]; imagePullSecrets: { name: string }[] } } } };
  assert.deepEqual(deployment.spec.template.spec.containers.map((c) => [c.image, c.imagePullPolicy]), [[digest, 'IfNotPresent'], ['busybox:1.36', undefined]]);
  assert.deepEqual(deployment.spec.template.spec.imagePullSecrets, [{ name: 'regcred' }]);
  assert.equal(deployment.spec.template.metadata.labels[ENVIRONMENT_LABEL], 'staging');
});

test('a diff ignores what the server manages and never shows a Secret value', () => {
  const planned: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'staging' }, data: { token: 'bmV3', same: 'eA==' } };
  const live: KubeObject = { ...planned, metadata: { ...planned.metadata, uid: 'u', resourceVersion: '9', managedFields: [] } as KubeObject['metadata'], data: { token: 'b2xk', same: 'eA==' } };
  const d = diffObject(live, planned);
  assert.equal(d.change, 'update');
  assert.doesNotMatch(d.patch, /bmV3|b2xk|eA==/);
  assert.match(d.patch, /\+\s+token: \(redacted, changed\)/);
  assert.doesNotMatch(d.patch, /same: \(redacted, changed\)/);
  assert.equal(diffObject({ ...planned, status: {}, metadata: { ...planned.metadata, uid: 'u' } }, planned).change, 'unchanged');
  const created = diffObject(undefined, planned);
  assert.equal(created.change, 'create');
  assert.doesNotMatch(created.patch, /bmV3/);
});

test('a rejected field maps to the overlay patch that sets it, else to the base file', async () => {
  const { locateField, splitFieldPath } = await import('../../../src/core/deploy/locateField');
  assert.deepEqual(splitFieldPath('spec.template.spec.containers[0].resources.limits.memory'), ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'memory']);
  const base = { path: 'deploy/k8s/base/deployment.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: iris\nspec:\n  template:\n    spec:\n      containers:\n        - name: server\n          resources:\n            limits:\n              memory: lots\n' };
  const patch = { path: 'deploy/k8s/overlays/prod/deployment-patch.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: iris\nspec:\n  replicas: -1\n' };
  const other = { path: 'deploy/k8s/base/service.yaml', text: 'kind: Service\nmetadata:\n  name: iris\nspec:\n  replicas: 1\n' };
  assert.deepEqual(locateField([base, patch, other], 'Deployment', 'iris', 'spec.template.spec.containers[0].resources.limits.memory'), { file: base.path, line: 12, matched: 'spec.template.spec.containers[0].resources.limits.memory' });
  assert.deepEqual(locateField([base, patch, other], 'Deployment', 'iris', 'spec.replicas'), { file: patch.path, line: 6, matched: 'spec.replicas' });
  assert.equal(locateField([other], 'Deployment', 'iris', 'spec.replicas'), undefined);
  assert.equal(locateField([{ path: 'x.yaml', text: ': : [' }], 'Deployment', 'iris', 'spec'), undefined);
});

test('an HPA in status: bounds, replicas, each metric against its target, and why it cannot scale', async () => {
  const { hpaLine, summarizeHpa } = await import('../../../src/core/deploy/hpa');
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'iris' },
    spec: { minReplicas: 2, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    status: {
      currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: '' }],
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' }, { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu' }],
    },
  };
  const s = summarizeHpa(hpa);
  assert.deepEqual(s.metrics, [{ name: 'cpu', target: '70%', current: '?' }]);
  assert.equal(s.problems.length, 1);
  assert.match(s.problems[0]!, /^ScalingActive: FailedGetResourceMetric: .*unable to get metrics .*metrics-server/);
  assert.equal(hpaLine(s), 'hpa/iris  2..4 replicas, 2 now; cpu ?/70%');
  const measured = summarizeHpa({ ...hpa, status: { currentReplicas: 3, desiredReplicas: 4, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 91 } } }] } });
  assert.equal(hpaLine(measured), 'hpa/iris  2..4 replicas, 3 now, wants 4; cpu 91%/70%');
  assert.deepEqual(measured.problems, []);
});

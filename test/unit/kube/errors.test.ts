// client-node failures (recorded Status bodies and network error shapes) mapped to messages that say
// what failed and what to do, and the retry policy for 429/5xx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toKubeError, withRetry, KubeError } from '../../../src/kube/errors';
import { planRollback, revisionsOf, assembleSnapshot } from '../../../src/kube/rollout';

const target = { context: 'lab-staging', cluster: 'kube-lab', server: 'https://127.0.0.1:6443', namespace: 'staging', user: 'admin' };
const api = (code: number, status: object, headers: Record<string, string> = {}) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify(status), headers });

test('409 from server-side apply names the manager that owns each field and offers --force-conflicts', () => {
  const err = toKubeError(api(409, { kind: 'Status', code: 409, reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "other" using apps/v1: .spec.replicas', details: { name: 'iris', group: 'apps', kind: 'deployments', causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "other" using apps/v1', field: '.spec.replicas' }] } }), target);
  assert.equal(err.code, 'KUBE_CONFLICT');
  assert.match(err.message, /"other"/);
  assert.match(err.message, /\.spec\.replicas/);
  assert.match(err.hint ?? '', /--force-conflicts/);
});

test('403 quotes RBAC: verb, resource and namespace', () => {
  const message = 'deployments.apps "iris" is forbidden: User "system:serviceaccount:ms:limited" cannot get resource "deployments" in API group "apps" in the namespace "ms"';
  const err = toKubeError(api(403, { kind: 'Status', code: 403, reason: 'Forbidden', message, details: { name: 'iris', group: 'apps', kind: 'deployments' } }), target);
  assert.equal(err.code, 'KUBE_FORBIDDEN');
  assert.match(err.message, /to get deployments\.apps in namespace "ms"/);
  assert.ok(err.message.includes(message));
});

test('422 lists the field paths', () => {
  const err = toKubeError(api(422, { kind: 'Status', code: 422, reason: 'Invalid', message: 'Deployment.apps "x" is invalid', details: { name: 'x', kind: 'Deployment', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].image' }] } }), target);
  assert.equal(err.code, 'KUBE_INVALID');
  assert.match(err.message, /spec\.template\.spec\.containers\[0\]\.image/);
  assert.deepEqual((err as KubeError).causes.map((c) => c.field), ['spec.template.spec.containers[0].image']);
});

test('network and TLS failures name the server and context, or the CA setting', () => {
  const refused = Object.assign(new Error('request to https://127.0.0.1:6443/api failed, reason: connect ECONNREFUSED 127.0.0.1:6443'), { name: 'FetchError', type: 'system', code: 'ECONNREFUSED', errno: 'ECONNREFUSED' });
  const u = toKubeError(refused, target);
  assert.equal(u.code, 'KUBE_UNREACHABLE');
  assert.match(u.message, /https:\/\/127\.0\.0\.1:6443 \(context "lab-staging"\)/);
  const tls = toKubeError(Object.assign(new Error('self signed'), { name: 'FetchError', type: 'system', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), target);
  assert.equal(tls.code, 'KUBE_TLS');
  assert.match(tls.hint ?? '', /certificate-authority/);
  assert.equal(toKubeError(api(401, { code: 401, message: 'Unauthorized' }), target).code, 'KUBE_UNAUTHORIZED');
});

test('429 and 5xx are retried with backoff; others are not', async () => {
  const waits: number[] = [];
  let calls = 0;
  const value = await withRetry(
    async () => {
      calls++;
      if (calls === 1) throw toKubeError(api(429, { code: 429, message: 'slow down' }, { 'retry-after': '2' }), target);
      if (calls === 2) throw toKubeError(api(503, { code: 503, message: 'unavailable' }), target);
      return 'ok';
    },
    { sleep: async (ms) => void waits.push(ms) },
  );
  assert.equal(value, 'ok');
  assert.equal(waits[0], 2000);
  assert.ok(waits[1] > 0 && waits[1] < 1000);
  calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    throw toKubeError(api(403, { code: 403, message: 'no' }), target);
  }, { sleep: async () => undefined }));
  assert.equal(calls, 1);
});

test('rollback plans as kubectl rollout undo: previous revision, pod-template-hash dropped', () => {
  const rs = (rev: number, image: string) => ({ metadata: { name: `iris-${rev}`, uid: `u${rev}`, annotations: { 'deployment.kubernetes.io/revision': String(rev) }, ownerReferences: [{ kind: 'Deployment', name: 'iris', uid: 'd' }] }, spec: { template: { metadata: { labels: { app: 'iris', 'pod-template-hash': `h${rev}` } }, spec: { containers: [{ name: 'c', image }] } } } });
  const sets = [rs(1, 'img:1'), rs(3, 'img:3'), rs(2, 'img:2')];
  const plan = planRollback('iris', sets, 3);
  assert.equal(plan.revision, 2);
  assert.deepEqual(plan.template.metadata?.labels, { app: 'iris' });
  assert.equal(planRollback('iris', sets, 3, 1).revision, 1);
  assert.throws(() => planRollback('iris', [rs(1, 'img:1')], 1), /no previous revision/);
  assert.deepEqual(revisionsOf(sets).map((r) => [r.revision, r.image]), [[3, 'img:3'], [2, 'img:2'], [1, 'img:1']]);
  const snap = assembleSnapshot({ metadata: { name: 'iris', uid: 'd' }, spec: { selector: { matchLabels: { app: 'iris' } } } }, [...sets, { metadata: { name: 'other', ownerReferences: [{ kind: 'Deployment', uid: 'x' }] } }], [{ metadata: { name: 'p', uid: 'p1', labels: { app: 'iris' } } }, { metadata: { name: 'q', labels: { app: 'db' } } }], [
    { involvedObject: { kind: 'Pod', name: 'p', uid: 'p1' }, lastTimestamp: '2024-01-01T00:00:02Z', reason: 'B' },
    { involvedObject: { kind: 'Pod', name: 'q', uid: 'q1' }, lastTimestamp: '2024-01-01T00:00:01Z', reason: 'X' },
    { involvedObject: { kind: 'Deployment', name: 'iris', uid: 'd' }, lastTimestamp: '2024-01-01T00:00:01Z', reason: 'A' },
  ]);
  assert.equal(snap.replicaSets.length, 3);
  assert.deepEqual(snap.pods.map((p) => p.metadata?.name), ['p']);
  assert.deepEqual(snap.events.map((e) => e.reason), ['A', 'B']);
});

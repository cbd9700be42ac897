// Rollout reasons, replayed from snapshots recorded on the kube-lab (v1.24) by
// test/fixtures/deploy/record.mjs: one Deployment per failure kind, a Ready one, a rollout whose
// old pods crash while the new ones start, and a probe past its progress deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RolloutSnapshot } from '../../../src/core/deploy/records';
import { assessRollout, describeRolloutFailure, findNewReplicaSet } from '../../../src/core/deploy/rollout';
import { startupBudgetSeconds } from '../../../src/core/deploy/podReasons';

const GiB = 1024 ** 3;

function fixture(name: string): RolloutSnapshot {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/deploy', `${name}.json`), 'utf8')) as RolloutSnapshot;
}

test('a rolled-out Deployment is ready, as kubectl rollout status says', () => {
  const result = assessRollout(fixture('ready'));
  assert.equal(result.state, 'ready');
  assert.equal(result.summary, 'deployment "ms-core-ready" successfully rolled out');
  assert.deepEqual(result.reasons, []);
  assert.equal(result.newPods.length, 2);
});

test('a fixed rollout is ready once the old crashing ReplicaSet is gone', () => {
  const result = assessRollout(fixture('ready-after-fix'));
  assert.equal(result.state, 'ready');
  assert.equal(result.newReplicaSet, 'ms-core-crash-5cf68b8cd8');
});

test("old ReplicaSet pods are ignored: the old pod's crash does not fail the new rollout", () => {
  const snapshot = fixture('old-rs-crash');
  assert.ok(snapshot.pods.some((p) => p.status?.containerStatuses?.[0]?.restartCount === 3), 'the recording holds the crashing old pod');
  const result = assessRollout(snapshot);
  assert.equal(result.state, 'progressing');
  assert.deepEqual(result.newPods, ['ms-core-crash-5cf68b8cd8-fjrs4']);
  assert.deepEqual(result.reasons, []);
  assert.match(result.summary, /^Waiting for deployment "ms-core-crash" rollout to finish: 1 old replicas are pending termination/);
});

test('image-pull on the new ReplicaSet fails while the old pods keep serving', () => {
  const result = assessRollout(fixture('new-rs-image-pull'));
  assert.equal(result.state, 'failed');
  const [reason] = result.reasons;
  assert.equal(reason!.kind, 'image-pull');
  assert.equal(reason!.pod, 'ms-core-ready-7b45cd96db-lgtsv');
  assert.equal(reason!.image, 'localhost:5000/k8slab/pause:no-such-tag');
  assert.match(reason!.message, /cannot pull localhost:5000\/k8slab\/pause:no-such-tag: the registry does not have that tag or digest \(ImagePullBackOff\)/);
  assert.match(reason!.fix, /reach/);
  assert.match(reason!.fix, /not only your laptop/);
  assert.match(reason!.detail![0]!, /Failed to pull image .*not found/);
});

test('image-pull of a first Deployment fails fast after its BackOff', () => {
  const result = assessRollout(fixture('image-pull'));
  assert.equal(result.state, 'failed');
  assert.equal(result.reasons.length, 1, 'the Failed events are folded into the one reason');
  assert.equal(result.reasons[0]!.fatal, true);
  // A first ErrImagePull is still retried.
  const first = fixture('image-pull');
  first.pods[0]!.status!.containerStatuses![0]!.state = { waiting: { reason: 'ErrImagePull', message: 'rpc error' } };
  assert.equal(assessRollout(first).state, 'progressing');
});

test('crash: exit code, restarts, and a request for the previous logs', () => {
  const result = assessRollout(fixture('crash'));
  assert.equal(result.state, 'failed');
  const [reason] = result.reasons;
  assert.deepEqual([reason!.kind, reason!.container, reason!.exitCode, reason!.needsPreviousLogs, reason!.fatal], ['crash', 'server', 3, true, true]);
  assert.match(reason!.message, /Container server exited with code 3 .*restarted 3 times/);
  // The adapter puts the previous container's last lines in detail; the CLI's paragraph shows them.
  reason!.detail = ['FileNotFoundError: /models/missing.joblib'];
  const text = describeRolloutFailure(result);
  assert.match(text, /ms-core-crash-c5fb4c85b-ffb42\/server: Container server exited with code 3/);
  assert.match(text, / {2}\| FileNotFoundError: \/models\/missing.joblib/);
});

test('oom: OOMKilled set beside limits.memory and the model size', () => {
  const result = assessRollout(fixture('oom'), { modelBytes: 1.5 * GiB });
  assert.equal(result.state, 'failed');
  assert.equal(result.reasons.length, 1, 'the CrashLoopBackOff it causes is not reported twice');
  const [reason] = result.reasons;
  assert.equal(reason!.kind, 'oom');
  assert.equal(reason!.exitCode, 137);
  assert.match(reason!.message, /OOMKilled\): limits.memory 64Mi, model 1.5 GiB\./);
  assert.match(reason!.fix, /limits.memory .*e\.g\. 3328Mi/);
  assert.doesNotMatch(assessRollout(fixture('oom')).reasons[0]!.message, /model/);
});

test('unschedulable: the scheduler message word for word, with a GPU fix', () => {
  const result = assessRollout(fixture('unschedulable-gpu'));
  assert.equal(result.state, 'failed');
  const [reason] = result.reasons;
  assert.equal(reason!.kind, 'unschedulable');
  assert.ok(reason!.message.includes('0/1 nodes are available: 1 Insufficient nvidia.com/gpu.'));
  assert.match(reason!.fix, /NVIDIA device plugin/);
  // A message without `Insufficient` (a taint, a selector) waits for the deadline.
  const tainted = fixture('unschedulable-gpu');
  tainted.pods[0]!.status!.conditions![0]!.message = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";
  const waiting = assessRollout(tainted);
  assert.equal(waiting.state, 'progressing');
  assert.match(waiting.reasons[0]!.fix, /node selector, affinity or tolerations/);
});

test('config: a missing Secret fails at once and names it', () => {
  const result = assessRollout(fixture('config'));
  assert.equal(result.state, 'failed');
  const [reason] = result.reasons;
  assert.equal(reason!.kind, 'config');
  assert.match(reason!.message, /secret "ms-core-missing-secret" not found/);
  assert.match(reason!.fix, /Create the missing Secret or ConfigMap in namespace staging/);
});

test('probe failures are reported against the startup budget but keep progressing', () => {
  const now = Date.parse('2026-12-06T22:07:00Z');
  const result = assessRollout(fixture('probe-progressing'), { now, modelBytes: 1.5 * GiB });
  assert.equal(result.state, 'progressing');
  const [reason] = result.reasons;
  assert.deepEqual([reason!.kind, reason!.fatal, reason!.count], ['probe', false, 8]);
  assert.match(reason!.message, /^Startup probe failing: Startup probe failed: Get "http:\/\/[\d.]+:8080\/v2\/health\/ready"/);
  assert.match(reason!.message, /The startup budget is 121 s and the container has run 15 s; the model \(1.5 GiB\) may need longer to load\./);
  assert.match(reason!.fix, /failureThreshold/);
});

test('ProgressDeadlineExceeded fails with the last reason seen: here the startup probe that restarted the container', () => {
  const result = assessRollout(fixture('probe-deadline'));
  assert.equal(result.state, 'failed');
  assert.match(result.summary, /^deployment "ms-core-probe" exceeded its progress deadline \(25 s\); last reason: ms-core-probe-5bbfd4994b-psz8x\/server: Startup probe kept failing, so the kubelet restarted container server \(1 restart\)/);
  assert.equal(result.reasons.length, 1, 'the restart is the probe\'s reason, not also a crash');
  assert.deepEqual([result.reasons[0]!.kind, result.reasons[0]!.fatal, result.reasons[0]!.count], ['probe', true, 22]);
  const text = describeRolloutFailure(result);
  assert.match(text, /The startup budget is 121 s; the model may need longer to load\. If the app is still loading the model, raise startupProbe.failureThreshold/);
});

test('a startup probe that restarts the container fails the rollout before the deadline', () => {
  const snapshot = fixture('probe-deadline');
  snapshot.deployment!.status!.conditions = snapshot.deployment!.status!.conditions!.filter((c) => c.type !== 'Progressing');
  const result = assessRollout(snapshot);
  assert.equal(result.state, 'failed');
  assert.match(result.summary, /^Rollout of deployment "ms-core-probe" failed: .*Startup probe kept failing/);
});

test('kubectl order: unobserved generation, then updated, then available replicas', () => {
  const s = fixture('ready');
  s.deployment!.metadata!.generation = 2;
  assert.equal(assessRollout(s).summary, 'Waiting for deployment spec update to be observed');
  const t = fixture('ready');
  t.deployment!.spec!.replicas = 3;
  assert.match(assessRollout(t).summary, /2 out of 3 new replicas have been updated$/);
  const u = fixture('ready');
  u.deployment!.status!.availableReplicas = 1;
  assert.match(assessRollout(u).summary, /1 of 2 updated replicas are available$/);
  assert.equal(assessRollout({ replicaSets: [], pods: [], events: [] }).state, 'progressing');
});

test('the new ReplicaSet is the one whose template matches, else the current revision', () => {
  const s = fixture('new-rs-image-pull');
  assert.equal(findNewReplicaSet(s.deployment!, s.replicaSets)?.metadata?.name, 'ms-core-ready-7b45cd96db');
  // Before the controller has created the new ReplicaSet no pod counts, so nothing fails fast.
  const pending = fixture('new-rs-image-pull');
  pending.deployment!.metadata!.generation = 3;
  pending.deployment!.spec!.template!.spec!.containers![0]!.image = 'localhost:5000/k8slab/pause:next';
  assert.equal(findNewReplicaSet(pending.deployment!, pending.replicaSets), undefined);
  assert.equal(assessRollout(pending).state, 'progressing');
});

test('other Warning events of the new ReplicaSet are reported once, with their count', () => {
  const s = fixture('ready-after-fix');
  const rs = s.replicaSets.find((r) => r.metadata?.name === 'ms-core-crash-5cf68b8cd8')!;
  const event = { type: 'Warning', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota', count: 2, involvedObject: { kind: 'ReplicaSet', name: rs.metadata!.name, uid: rs.metadata!.uid }, lastTimestamp: '2026-12-06T22:09:00Z' };
  s.events.push(event, { ...event, count: 3 }, { ...event, lastTimestamp: '2020-01-01T00:00:00Z' });
  s.deployment!.status!.availableReplicas = 0;
  const result = assessRollout(s);
  assert.equal(result.state, 'progressing');
  assert.equal(result.reasons.length, 1);
  assert.deepEqual([result.reasons[0]!.kind, result.reasons[0]!.pod, result.reasons[0]!.count], ['warning-event', 'replicaset/ms-core-crash-5cf68b8cd8', 5]);
  assert.match(result.reasons[0]!.message, /^FailedCreate: pods "x" is forbidden: exceeded quota$/);
});

test('startupBudgetSeconds uses the API defaults', () => {
  assert.equal(startupBudgetSeconds({ failureThreshold: 60, periodSeconds: 2, initialDelaySeconds: 1 }), 121);
  assert.equal(startupBudgetSeconds({}), 30);
  assert.equal(startupBudgetSeconds(undefined), undefined);
});

test('describeRolloutFailure puts the first reason first and counts the rest', () => {
  const result = assessRollout(fixture('new-rs-image-pull'));
  const twice = { ...result, reasons: [...result.reasons, { ...result.reasons[0]!, pod: 'other-pod' }, { pod: 'p', kind: 'probe' as const, message: 'm', fix: 'f', fatal: false }] };
  const text = describeRolloutFailure(twice);
  assert.ok(text.startsWith('Rollout of deployment "ms-core-ready" failed: ms-core-ready-7b45cd96db-lgtsv/server: The cluster cannot pull'), text);
  assert.match(text, /\(1 more pod with the same problem; also seen: probe\)$/);
});

// The status panel's model, built from the snapshots recorded on the kube-lab (test/fixtures/deploy,
// the same ones rollout.test.ts replays): the failure with its fix first, container states with
// lastState (OOMKilled, exit codes), probes as short text, resources, ages as kubectl prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RolloutSnapshot } from '../../../src/core/deploy/records';
import { assessRollout } from '../../../src/core/deploy/rollout';
import { buildStatusModel, describeProbe, humanAge, MAX_EVENTS, type StatusModel } from '../../../src/core/deploy/statusModel';

function fixture(name: string): RolloutSnapshot {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/deploy', `${name}.json`), 'utf8')) as RolloutSnapshot;
}

/** The model of a recorded snapshot, a minute after its last event. */
function model(name: string, now = Date.parse('2026-12-06T22:09:00Z'), edit?: (s: RolloutSnapshot) => void): StatusModel {
  const snapshot = fixture(name);
  edit?.(snapshot);
  return buildStatusModel({
    snapshot,
    assessment: assessRollout(snapshot, { now }),
    revisions: [{ revision: 1, image: 'old:1', createdAt: '2026-12-05T22:09:00Z' }, { revision: 2, image: 'new:2', createdAt: '2026-12-06T22:06:39Z', current: true }],
    now,
    environment: 'staging',
    context: 'kube-lab',
    namespace: snapshot.deployment?.metadata?.namespace ?? 'default',
    deployment: snapshot.deployment?.metadata?.name ?? '',
  });
}

test('OOMKilled: the failure is on top with its fix, and the container shows its last state', () => {
  const m = model('oom');
  assert.equal(m.header.state, 'failed');
  assert.equal(m.failure?.severity, 'error');
  const [reason] = m.failure!.reasons;
  assert.deepEqual([reason!.kind, reason!.pod, reason!.container, reason!.previousLogs], ['oom', 'ms-core-oom-5b87d985cd-tlzbc', 'server', true]);
  assert.match(reason!.message, /OOMKilled.*limits\.memory 64Mi/);
  assert.match(reason!.fix, /Raise resources\.limits\.memory/);
  const [pod] = m.pods;
  assert.deepEqual([pod!.status, pod!.phase, pod!.ready, pod!.restarts, pod!.node], ['CrashLoopBackOff', 'Running', '0/1', 2, 'k8slab-node']);
  const [server] = pod!.containers;
  assert.deepEqual([server!.state, server!.stateReason, server!.ready, server!.restarts], ['waiting', 'CrashLoopBackOff', false, 2]);
  assert.match(server!.stateMessage, /^back-off 20s restarting failed container/);
  assert.deepEqual(server!.lastState, { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-06T22:07:25Z', ago: '95s' });
  assert.deepEqual(server!.resources, { requests: { memory: '64Mi' }, limits: { memory: '64Mi' } });
  assert.deepEqual(server!.probes, {});
});

test('CrashLoopBackOff: exit code 3 now and before, restarts, a request for the previous logs', () => {
  const m = model('crash');
  assert.equal(m.header.state, 'failed');
  const [reason] = m.failure!.reasons;
  assert.equal(reason!.kind, 'crash');
  assert.equal(reason!.previousLogs, true);
  assert.match(reason!.message, /exited with code 3/);
  const [server] = m.pods[0]!.containers;
  assert.deepEqual([server!.state, server!.stateReason, server!.restarts], ['terminated', 'Error', 3]);
  assert.deepEqual(server!.lastState, { reason: 'Error', exitCode: 3, finishedAt: '2026-12-06T22:07:12Z', ago: '108s' });
  assert.equal(m.pods[0]!.status, 'Error');
});

test('probes read as short text with the API defaults spelled out, the startup budget included', () => {
  const m = model('probe-deadline');
  const [server] = m.pods[0]!.containers;
  assert.deepEqual(server!.probes, {
    startup: 'http GET :8080/v2/health/ready every 2s, 60 failures, after 1s, budget 121s',
    readiness: 'http GET :8080/v2/health/ready every 5s, 3 failures',
  });
  assert.equal(describeProbe({ httpGet: { path: '/ready', port: 8080 } }), 'http GET :8080/ready every 10s, 3 failures');
  assert.equal(describeProbe({ tcpSocket: { port: 'grpc' }, periodSeconds: 5, failureThreshold: 1, timeoutSeconds: 3 } as never), 'tcp :grpc every 5s, 1 failure, timeout 3s');
  assert.equal(describeProbe({ exec: { command: ['cat', '/tmp/ready'] } } as never), 'exec cat /tmp/ready every 10s, 3 failures');
  assert.equal(describeProbe({ httpGet: { path: '/healthz', port: 8443, scheme: 'HTTPS' } } as never), 'https GET :8443/healthz every 10s, 3 failures');
  assert.equal(describeProbe(undefined), undefined);
  // The deadline passed: the failure names it, and the probe that restarted the container.
  assert.equal(m.failure?.severity, 'error');
  assert.match(m.failure!.summary, /exceeded its progress deadline/);
  assert.equal(m.failure!.reasons[0]!.kind, 'probe');
  assert.deepEqual(server!.lastState, { reason: 'Completed', exitCode: 0, finishedAt: '2026-12-06T22:08:45Z', ago: '15s' });
});

test('progressing with reasons puts them on top as a warning; a ready Deployment has no failure', () => {
  const pending = model('unschedulable-gpu', Date.parse('2026-12-06T22:09:00Z'), (s) => {
    // Without "Insufficient" the scheduler's message waits for the deadline: still progressing.
    const c = s.pods[0]!.status!.conditions!.find((x) => x.type === 'PodScheduled')!;
    c.message = '0/1 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector.';
  });
  assert.equal(pending.header.state, 'progressing');
  assert.equal(pending.failure?.severity, 'warning');
  assert.equal(pending.failure!.reasons[0]!.kind, 'unschedulable');
  assert.deepEqual(pending.pods[0]!.containers[0]!.resources.limits, { 'nvidia.com/gpu': '1' });
  assert.deepEqual([pending.pods[0]!.containers[0]!.state, pending.pods[0]!.containers[0]!.stateReason], ['waiting', ''], 'no status yet: waiting, for no reason of its own');
  assert.equal(pending.pods[0]!.status, 'Pending');

  const ready = model('ready');
  assert.equal(ready.header.state, 'ready');
  assert.equal(ready.failure, undefined);
  assert.deepEqual([ready.header.ready, ready.header.desired, ready.header.revision], [2, 2, 1]);
  assert.equal(ready.pods.length, 2);
  assert.deepEqual(ready.conditions.map((c) => [c.type, c.status, c.reason]), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
});

test('header: image from the template, digest from the running pod; revisions newest first', () => {
  const m = model('ready', Date.parse('2026-12-06T22:09:00Z'), (s) => {
    s.pods[0]!.status!.containerStatuses![0]!.imageID = 'docker-pullable://localhost:5000/iris@sha256:0123abcd';
  });
  assert.equal(m.header.image, fixture('ready').deployment!.spec!.template!.spec!.containers![0]!.image);
  assert.equal(m.header.digest, 'sha256:0123abcd');
  assert.deepEqual([m.header.environment, m.header.context, m.header.namespace], ['staging', 'kube-lab', 'staging']);
  assert.deepEqual(m.revisions, [
    { revision: 2, image: 'new:2', age: '2m21s', current: true },
    { revision: 1, image: 'old:1', age: '24h', current: false },
  ]);
});

test('events: oldest first, newest last, at most MAX_EVENTS, with object and age', () => {
  const m = model('image-pull');
  assert.deepEqual(m.events.map((e) => [e.type, e.reason, e.object, e.age]), [
    ['Warning', 'Failed', 'pod/ms-core-pull-79455cc668-smwbz', '2m16s'],
    ['Warning', 'Failed', 'pod/ms-core-pull-79455cc668-smwbz', '2m4s'],
    ['Warning', 'Failed', 'pod/ms-core-pull-79455cc668-smwbz', '2m4s'],
  ]);
  const many = model('crash', Date.parse('2026-12-06T22:09:00Z'), (s) => {
    s.events = Array.from({ length: 80 }, (_, i) => ({ type: 'Normal', reason: `R${i}`, message: 'm', involvedObject: { kind: 'Pod', name: 'p' }, lastTimestamp: new Date(Date.UTC(2026, 11, 6, 22, 0, 80 - i)).toISOString() }));
  });
  assert.equal(many.events.length, MAX_EVENTS);
  assert.equal(many.events.at(-1)!.reason, 'R0', 'the newest event comes last');
});

test('the model is plain JSON: it survives a round trip unchanged', () => {
  const m = model('oom');
  assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
});

test('ages as kubectl prints them', () => {
  const s = 1000;
  const table: [number, string][] = [
    [-5 * s, '<invalid>'], [-0.5 * s, '0s'], [45 * s, '45s'], [119 * s, '119s'], [150 * s, '2m30s'], [240 * s, '4m'],
    [25 * 60 * s, '25m'], [200 * 60 * s, '3h20m'], [10 * 3600 * s, '10h'], [50 * 3600 * s, '2d2h'], [30 * 86400 * s, '30d'],
    [(3 * 365 + 4) * 86400 * s, '3y4d'], [9 * 365 * 86400 * s, '9y'],
  ];
  for (const [ms, text] of table) assert.equal(humanAge(ms), text, `${ms} ms`);
});

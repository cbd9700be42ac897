// The pure parts of status and undeploy: ages as kubectl prints them, one row per pod, and the
// selector of what a deploy applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { age, podRow, undeploySelector } from '../../../src/flows/clusterStatus';
import { snapshotFixture } from './project';

test('age: seconds under two minutes, then minutes, hours and days', () => {
  assert.deepEqual([age(-5), age(45_000), age(119_000), age(12 * 60_000), age(3 * 3600_000), age(47 * 3600_000), age(3 * 86400_000)], ['0s', '45s', '119s', '12m', '3h', '47h', '3d']);
});

test('podRow: ready containers, restarts summed, the waiting reason, node and age', () => {
  const pod = snapshotFixture('crash').pods.find((p) => p.metadata?.name === 'ms-core-crash-c5fb4c85b-ffb42')!;
  const started = Date.parse(pod.status!.startTime!);
  const row = podRow(pod, started + 90_000);
  assert.equal(row.name, 'ms-core-crash-c5fb4c85b-ffb42');
  assert.equal(row.ready, '0/1');
  assert.equal(row.restarts, 3);
  assert.match(row.reason ?? '', /CrashLoopBackOff|Error/);
  assert.equal(row.age, '90s');
  assert.deepEqual(podRow({}), { name: '?', phase: '?', ready: '0/0', restarts: 0 });
});

test('undeploySelector: managed by modelship, the project, the environment', () => {
  assert.equal(undeploySelector('iris', 'dev'), 'app.kubernetes.io/managed-by=modelship,app.kubernetes.io/instance=iris,modelship.io/environment=dev');
});

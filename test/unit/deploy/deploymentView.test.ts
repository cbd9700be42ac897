// The Deployments view's rows from rollout snapshots recorded on the kube-lab
// (test/fixtures/deploy/record.mjs): ready, crashing, and a fixed rollout with two revisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RolloutSnapshot } from '../../../src/core/deploy/records';
import { deploymentView } from '../../../src/extension/deploy/deploymentView';

const fixture = (name: string): RolloutSnapshot => JSON.parse(readFileSync(join(__dirname, '../../fixtures/deploy', `${name}.json`), 'utf8')) as RolloutSnapshot;

test('a ready Deployment: ready/desired, revision, image, every pod Running', () => {
  const view = deploymentView(fixture('ready'), Date.parse('2026-12-06T23:00:00Z'))!;
  assert.equal(view.name, 'ms-core-ready');
  assert.equal(view.state, 'ready');
  assert.deepEqual([view.ready, view.desired, view.revision], [2, 2, 1]);
  assert.equal(view.image, 'localhost:5000/k8slab/pause:3.7');
  assert.equal(view.digest, undefined);
  assert.equal(view.rollbackable, false);
  assert.equal(view.pods.length, 2);
  assert.ok(view.pods.every((p) => p.phase === 'Running' && p.ready === '1/1' && p.restarts === 0), JSON.stringify(view.pods));
  assert.ok(view.pods.every((p) => /^\d+(s|m|h|d)$/.test(p.age ?? '')), 'ages as kubectl prints them');
});

test('a crashing Deployment: failed, with the pod restarts and the waiting reason', () => {
  const view = deploymentView(fixture('crash'))!;
  assert.equal(view.state, 'failed');
  assert.equal(view.ready, 0);
  assert.ok(view.pods[0]!.restarts >= 3);
  assert.match(view.pods[0]!.reason ?? '', /CrashLoopBackOff|Error/);
  assert.match(view.summary, /crash|exit/i);
});

test('two ReplicaSets make the Deployment rollbackable, at revision 2', () => {
  const view = deploymentView(fixture('ready-after-fix'))!;
  assert.equal(view.revision, 2);
  assert.equal(view.rollbackable, true);
});

test('a digest-pinned image shows its digest; no Deployment gives no row', () => {
  const snapshot = fixture('ready');
  const digest = `sha256:${'ab'.repeat(32)}`;
  snapshot.deployment!.spec!.template!.spec!.containers![0]!.image = `localhost:5000/iris@${digest}`;
  assert.equal(deploymentView(snapshot)!.digest, digest);
  assert.equal(deploymentView({ ...snapshot, deployment: undefined }), undefined);
});

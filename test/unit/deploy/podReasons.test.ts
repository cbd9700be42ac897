import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podReasons } from '../../../src/core/deploy/podReasons';
import type { EventRecord, PodRecord } from '../../../src/core/deploy/records';

const pod = (started: boolean): PodRecord => ({
  metadata: { name: 'iris-1' },
  spec: { containers: [{ name: 'server', startupProbe: { periodSeconds: 5, failureThreshold: 7 }, readinessProbe: { httpGet: { path: '/never-ready' } } }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'server', ready: false, started, restartCount: 0, state: { running: { startedAt: '2026-12-06T10:00:00Z' } } }] },
});
const unhealthy = (message: string, at: string): EventRecord => ({ type: 'Warning', reason: 'Unhealthy', message, lastTimestamp: at, involvedObject: { kind: 'Pod', name: 'iris-1', fieldPath: 'spec.containers{server}' } });
const events = [
  unhealthy('Startup probe failed: Get "http://10.88.0.9:8080/readyz": dial tcp 10.88.0.9:8080: connect: connection refused', '2026-12-06T10:00:03Z'),
  unhealthy('Readiness probe failed: HTTP probe failed with statuscode: 404', '2026-12-06T10:00:20Z'),
];

test('once the container has started, its startup probe failures are history; a failing readiness probe is the reason', () => {
  const reasons = podReasons(pod(true), events, {});
  assert.deepEqual(reasons.map((r) => r.kind), ['probe']);
  assert.match(reasons[0]!.message, /Readiness probe failed: HTTP probe failed with statuscode: 404/);
  assert.equal(reasons[0]!.fatal, false);
});

test('before it has started, the startup probe failures stand', () => {
  const reasons = podReasons(pod(false), events.slice(0, 1), {});
  assert.match(reasons[0]!.message, /Startup probe failing/);
});

test('a shortage of cpu or memory fails only after it lasted a minute (pods come and go; autoscalers add nodes); a missing GPU at once', () => {
  const pending = (resource: string, since: string): PodRecord => ({
    metadata: { name: 'iris-1' },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: `0/1 nodes are available: 1 Insufficient ${resource}.`, lastTransitionTime: since }] },
  });
  const t0 = Date.parse('2026-12-07T01:00:00Z');
  const at = (seconds: number) => ({ now: t0 + seconds * 1000 });
  const [fresh] = podReasons(pending('cpu', '2026-12-07T01:00:00Z'), [], at(5));
  assert.equal(fresh?.kind, 'unschedulable');
  assert.equal(fresh?.fatal, false, 'reported, not yet fatal');
  assert.equal(podReasons(pending('memory', '2026-12-07T01:00:00Z'), [], at(61))[0]?.fatal, true);
  assert.equal(podReasons(pending('nvidia.com/gpu', '2026-12-07T01:00:00Z'), [], at(1))[0]?.fatal, true);
});

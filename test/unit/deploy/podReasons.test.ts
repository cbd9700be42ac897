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

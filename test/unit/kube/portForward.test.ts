/**
 * Which pod and port a port-forward to a Service uses, from plain records: the Service port (named
 * or numbered), its targetPort resolved per pod (a number, or a named containerPort), the pod
 * chosen among the Ready ones (kept while it stays ready, else the one ready last), and why none
 * can be used.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseTarget, containerPortFor, describeNoReadyPod, isPodReady, selectorOf, servicePortOf, type ForwardPodRecord, type ServiceRecord } from '../../../src/kube/portForward';

const service: ServiceRecord = {
  metadata: { name: 'iris' },
  spec: {
    selector: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris' },
    ports: [
      { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
    ],
  },
};

function pod(name: string, options: { ready?: boolean; phase?: string; readySince?: string; port?: { name: string; containerPort: number }; deleting?: boolean; waiting?: string } = {}): ForwardPodRecord {
  const ready = options.ready ?? true;
  return {
    metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z', ...(options.deleting ? { deletionTimestamp: '2024-01-01T01:00:00Z' } : {}) },
    spec: { containers: [{ name: 'server', ports: [options.port ?? { name: 'http', containerPort: 8080 }] }] },
    status: {
      phase: options.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: options.readySince ?? '2024-01-01T00:00:10Z' }],
      containerStatuses: [{ name: 'server', ready, restartCount: 0, state: options.waiting ? { waiting: { reason: options.waiting } } : { running: {} } }],
    },
  };
}

test('the Service port: asked for by number or name, else the one named http, else the first TCP one', () => {
  assert.equal(servicePortOf(service).name, 'http');
  assert.equal(servicePortOf(service, 9090).name, 'metrics');
  assert.equal(servicePortOf(service, 'metrics').port, 9090);
  assert.equal(servicePortOf({ spec: { ports: [{ port: 8080 }] } }).port, 8080);
  assert.throws(() => servicePortOf(service, 53), /no TCP port 53 \(its TCP ports: metrics=9090, http=80\)/);
  assert.throws(() => servicePortOf({ metadata: { name: 'x' }, spec: {} }), /service\/x has no TCP port \(its TCP ports: none\)/);
});

test('the selector as a label selector; a Service without one is an error', () => {
  assert.equal(selectorOf(service), 'app.kubernetes.io/name=iris,app.kubernetes.io/instance=iris');
  assert.throws(() => selectorOf({ metadata: { name: 'external' }, spec: {} }), (e: Error & { code?: string }) => e.code === 'NO_SELECTOR');
});

test('targetPort: a number as is, a name looked up in the pod\'s containers, absent means the port', () => {
  const p = pod('a', { port: { name: 'http', containerPort: 8081 } });
  assert.equal(containerPortFor(p, { port: 80, targetPort: 'http' }), 8081);
  assert.equal(containerPortFor(p, { port: 80, targetPort: 9000 }), 9000);
  assert.equal(containerPortFor(p, { port: 80, targetPort: '7000' }), 7000);
  assert.equal(containerPortFor(p, { port: 80 }), 80);
  assert.equal(containerPortFor(p, { port: 80, targetPort: 'grpc' }), undefined);
});

test('ready: Running with the Ready condition True, and not being deleted', () => {
  assert.equal(isPodReady(pod('a')), true);
  assert.equal(isPodReady(pod('a', { ready: false })), false);
  assert.equal(isPodReady(pod('a', { phase: 'Pending' })), false);
  assert.equal(isPodReady(pod('a', { deleting: true })), false);
  assert.equal(isPodReady({ metadata: { name: 'bare' } }), false);
});

test('the pod: the current one while it stays ready, else the one ready last; the named port resolved per pod', () => {
  const http = servicePortOf(service);
  const old = pod('iris-old', { readySince: '2024-01-01T00:00:10Z' });
  const fresh = pod('iris-new', { readySince: '2024-01-01T00:05:00Z', port: { name: 'http', containerPort: 9999 } });
  assert.deepEqual(chooseTarget([old, fresh], http), { pod: 'iris-new', port: 9999 });
  assert.deepEqual(chooseTarget([old, fresh], http, 'iris-old'), { pod: 'iris-old', port: 8080 }, 'a ready current pod is kept');
  assert.deepEqual(chooseTarget([pod('iris-old', { deleting: true }), fresh], http, 'iris-old'), { pod: 'iris-new', port: 9999 }, 'a terminating one is left');
  assert.deepEqual(chooseTarget([pod('iris-old', { ready: false }), fresh], http, 'iris-old'), { pod: 'iris-new', port: 9999 });
  assert.deepEqual(chooseTarget([pod('b'), pod('a')], http), { pod: 'a', port: 8080 }, 'ties go by name');
  assert.deepEqual(chooseTarget([pod('grpc-only', { port: { name: 'grpc', containerPort: 50051 } }), old], http), { pod: 'iris-old', port: 8080 }, 'a pod without the named port is skipped');
  assert.equal(chooseTarget([pod('a', { ready: false })], http), undefined);
  assert.equal(chooseTarget([], http), undefined);
});

test('no ready pod: the reason of each pod, from its statuses', () => {
  const http = servicePortOf(service);
  const none = describeNoReadyPod('iris', 'app=iris', 'staging', [], http);
  assert.equal(none.code, 'NO_READY_POD');
  assert.match(none.message, /service\/iris in namespace "staging" selects no pods \(app=iris\)/);
  const stuck = describeNoReadyPod('iris', 'app=iris', 'staging', [pod('iris-a', { ready: false, phase: 'Pending', waiting: 'ImagePullBackOff' }), pod('iris-b', { ready: false }), pod('iris-c', { deleting: true })], http);
  assert.match(stuck.message, /^no ready pod behind service\/iris in namespace "staging": /);
  assert.match(stuck.details?.[0] ?? '', /^iris-a: .*ImagePullBackOff|^iris-a: .*pull/i);
  assert.equal(stuck.details?.[1], 'iris-b: Running (running, readiness probe not passed yet)');
  assert.equal(stuck.details?.[2], 'iris-c: terminating');
  assert.match(stuck.hint ?? '', /modelship status/);
});

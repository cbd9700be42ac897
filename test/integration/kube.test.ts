// The kube adapter against a real cluster (the kube-lab, or MODELSHIP_TEST_KUBECONFIG): server-side
// apply (dry run, idempotence, a conflict with another field manager, force), RBAC 403 from a narrow
// ServiceAccount, an unreachable API, a rollout watch that survives its connection being cut, and
// rollback. Each run works in its own namespace `ms-kube-<random>`, deleted at the end.
// Without a cluster the tests skip saying why; with MODELSHIP_REQUIRE_KUBE=1 they fail.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { connectKube, type KubeSession } from '../../src/kube';
import { isModelshipError } from '../../src/core/errors';
import type { KubeObject, RolloutSnapshot } from '../../src/core/deploy/records';
import { requireKubeLab, writeKubeconfig, labServer, CuttableProxy, type KubeLab } from '../helpers/kubeLab';

const NS = `ms-kube-${randomBytes(4).toString('hex')}`;
const IMAGE = 'localhost:5000/k8slab/pause:3.7';
let labUsed: KubeLab | undefined;

after(() => {
  labUsed?.kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
});

async function admin(lab: KubeLab): Promise<KubeSession> {
  labUsed = lab;
  const session = await connectKube({ kubeconfig: lab.kubeconfig, context: 'lab-admin', namespace: NS });
  await session.ensureNamespace(NS);
  return session;
}

function deployment(name: string, extra: { replicas?: number; env?: string } = {}): KubeObject {
  const labels = { app: name, 'app.kubernetes.io/managed-by': 'modelship' };
  const container: Record<string, unknown> = { name: 'main', image: IMAGE };
  if (extra.env) container.env = [{ name: 'REV', value: extra.env }];
  const spec: Record<string, unknown> = { selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: { containers: [container], terminationGracePeriodSeconds: 0 } } };
  if (extra.replicas !== undefined) spec.replicas = extra.replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels }, spec };
}

const isReady = (s: RolloutSnapshot) => {
  const d = s.deployment;
  const want = d?.spec?.replicas ?? 1;
  return Boolean(d && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && d.status?.updatedReplicas === want && d.status?.availableReplicas === want && (d.status?.replicas ?? 0) === want);
};

function expectCode(code: string, check?: (e: { message: string; hint?: string }) => void) {
  return (e: unknown) => {
    assert.ok(isModelshipError(e), `expected a ModelshipError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    check?.(e);
    return true;
  };
}

/** Waits for a snapshot satisfying `done`, via the adapter's own reads. */
async function until(session: KubeSession, name: string, done: (s: RolloutSnapshot) => boolean, timeoutMs = 60_000): Promise<RolloutSnapshot> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await session.readRolloutSnapshot(name);
    if (done(s)) return s;
    if (Date.now() > end) assert.fail(`timed out waiting on ${name}: ${JSON.stringify(s.deployment?.status)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('server-side apply: dry run creates nothing, apply is idempotent, a conflict names the other manager, force takes over', async (t) => {
  const lab = requireKubeLab(t);
  if (!lab) return;
  const session = await admin(lab);
  const obj = deployment('applied', { replicas: 1 });
  let started = Date.now();
  const [dry] = await session.applyObjects([obj], { dryRun: true, force: false });
  t.diagnostic(`dry-run apply: ${Date.now() - started} ms`);
  assert.equal(dry.metadata?.name, 'applied');
  assert.equal(dry.metadata?.namespace, NS);
  assert.deepEqual(await session.readLive([obj]), [undefined]);

  started = Date.now();
  const [first] = await session.applyObjects([obj], { dryRun: false, force: false });
  t.diagnostic(`apply: ${Date.now() - started} ms`);
  const [second] = await session.applyObjects([obj], { dryRun: false, force: false });
  // The controller writes status in between, so resourceVersion may move; the spec does not.
  assert.equal(second.metadata?.generation, first.metadata?.generation, 're-applying the same object changes nothing');
  assert.deepEqual(second.spec, first.spec);
  const [live] = await session.readLive([obj]);
  assert.equal(live?.metadata?.uid, first.metadata?.uid);

  // Another manager takes spec.replicas.
  lab.kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-n', NS, '-f', '-'], JSON.stringify(deployment('applied', { replicas: 2 })));
  await assert.rejects(
    session.applyObjects([obj], { dryRun: false, force: false }),
    expectCode('KUBE_CONFLICT', (e) => {
      assert.match(e.message, /"other"/);
      assert.match(e.message, /\.spec\.replicas/);
      assert.match(e.hint ?? '', /--force-conflicts/);
    }),
  );
  const [forced] = await session.applyObjects([obj], { dryRun: false, force: true });
  assert.equal((forced.spec as { replicas?: number }).replicas, 1);
  const managers = (forced.metadata as { managedFields?: { manager?: string; fieldsV1?: unknown }[] }).managedFields ?? [];
  assert.ok(JSON.stringify(managers.find((m) => m.manager === 'modelship')?.fieldsV1).includes('f:replicas'), 'modelship now owns spec.replicas');

  // Undeploy by labels.
  const listed = await session.listByLabels('app.kubernetes.io/managed-by=modelship');
  assert.deepEqual(listed.map((o) => `${o.kind}/${o.metadata?.name}`), ['Deployment/applied']);
  const deleted = await session.deleteByLabels('app.kubernetes.io/managed-by=modelship');
  assert.deepEqual(deleted.map((o) => `${o.kind}/${o.metadata?.name}`), ['Deployment/applied']);
});

test('403 from a ServiceAccount that may only get pods names the verb, resource and namespace', async (t) => {
  const lab = requireKubeLab(t);
  if (!lab) return;
  await admin(lab);
  lab.kubectl(['-n', NS, 'create', 'serviceaccount', 'limited']);
  lab.kubectl(['-n', NS, 'create', 'role', 'pods-get', '--verb=get', '--resource=pods']);
  lab.kubectl(['-n', NS, 'create', 'rolebinding', 'limited-pods-get', '--role=pods-get', `--serviceaccount=${NS}:limited`]);
  const token = lab.kubectl(['-n', NS, 'create', 'token', 'limited', '--duration=10m']).trim();
  const kubeconfig = writeKubeconfig(lab, { context: 'limited-ctx', namespace: NS, token });
  const session = await connectKube({ kubeconfig });
  assert.equal(session.target.namespace, NS);
  await assert.rejects(
    session.readRolloutSnapshot('anything'),
    expectCode('KUBE_FORBIDDEN', (e) => {
      assert.match(e.message, /to get deployments\.apps in namespace "ms-kube-/);
      assert.ok(e.message.includes(`system:serviceaccount:${NS}:limited`), e.message);
      assert.match(e.message, /cannot get resource "deployments"/, 'the server\'s own message is quoted');
      assert.match(e.hint ?? '', /auth can-i get deployments\.apps/);
    }),
  );
  await assert.rejects(session.ensureNamespace('kube-system'), expectCode('KUBE_FORBIDDEN', (e) => assert.match(e.message, /get namespaces/)));
});

test('an API that cannot be reached is named with its context, quickly', async (t) => {
  const lab = requireKubeLab(t);
  if (!lab) return;
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const kubeconfig = writeKubeconfig(lab, { context: 'gone-ctx', namespace: 'x', server: `https://127.0.0.1:${port}` });
  const session = await connectKube({ kubeconfig });
  const started = Date.now();
  await assert.rejects(
    session.readRolloutSnapshot('x'),
    expectCode('KUBE_UNREACHABLE', (e) => {
      assert.ok(e.message.includes(`https://127.0.0.1:${port}`), e.message);
      assert.ok(e.message.includes('context "gone-ctx"'), e.message);
      assert.match(e.message, /ECONNREFUSED/);
    }),
  );
  t.diagnostic(`unreachable reported in ${Date.now() - started} ms`);
  assert.ok(Date.now() - started < 3000, 'a refused connection is not retried for long');
});

test('watchRollout keeps going when its API connection is cut, and ends Ready', async (t) => {
  const lab = requireKubeLab(t);
  if (!lab) return;
  const direct = await admin(lab);
  const upstream = labServer(lab);
  const proxy = new CuttableProxy({ host: upstream.hostname, port: Number(upstream.port || 443) });
  const port = await proxy.start();
  const kubeconfig = writeKubeconfig(lab, { context: 'proxied', namespace: NS, server: `https://127.0.0.1:${port}` });
  const session = await connectKube({ kubeconfig });
  const controller = new AbortController();
  const snapshots: { at: number; snapshot: RolloutSnapshot }[] = [];
  let wake: () => void = () => undefined;
  const watching = session.watchRollout('watched', (snapshot) => {
    snapshots.push({ at: Date.now(), snapshot });
    wake();
  }, controller.signal);
  const next = (check: (s: RolloutSnapshot) => boolean, ms: number) =>
    new Promise<RolloutSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching snapshot in ${ms} ms (${snapshots.length} seen; last ${JSON.stringify(snapshots.at(-1)?.snapshot.deployment?.status)})`)), ms);
      wake = () => {
        const last = snapshots.at(-1)?.snapshot;
        if (last && check(last)) {
          clearTimeout(timer);
          resolve(last);
        }
      };
      wake();
    });
  try {
    await next((s) => s.deployment === undefined, 10_000);
    // Let the four watches connect, then cut every connection and refuse new ones.
    await new Promise((r) => setTimeout(r, 1000));
    await proxy.cut();
    const cutAt = Date.now();
    await direct.applyObjects([deployment('watched', { replicas: 1 })], { dryRun: false, force: false });
    await new Promise((r) => setTimeout(r, 2000));
    await proxy.start();
    const restartedAt = Date.now();
    const ready = await next(isReady, 60_000);
    t.diagnostic(`cut for ${restartedAt - cutAt} ms; Ready seen ${Date.now() - restartedAt} ms after the proxy came back; ${snapshots.length} snapshots`);
    assert.equal(ready.pods.length, 1);
    assert.ok(ready.replicaSets.length >= 1);
    assert.ok(ready.events.some((e) => e.reason === 'ScalingReplicaSet'), 'events of the Deployment are in the snapshot');
    assert.ok(snapshots.some((s) => s.at > restartedAt), 'snapshots continued after the cut');
    // Reading a log is a one-shot call that works on any container (pause writes nothing).
    const pod = ready.pods[0].metadata!.name!;
    assert.equal(typeof (await direct.containerLogs(pod, 'main', { tailLines: 10 })), 'string');
    assert.equal(await direct.containerLogs(pod, 'main', { sinceTime: new Date().toISOString() }), '');
  } finally {
    controller.abort();
    await watching;
    await proxy.cut();
  }
});

test('rollback restores the previous revision, as kubectl rollout undo does', async (t) => {
  const lab = requireKubeLab(t);
  if (!lab) return;
  const session = await admin(lab);
  await session.applyObjects([deployment('rolled', { replicas: 1, env: 'one' })], { dryRun: false, force: false });
  await until(session, 'rolled', isReady);
  await assert.rejects(session.rollback('rolled'), expectCode('KUBE_NO_REVISION'));
  await session.applyObjects([deployment('rolled', { replicas: 1, env: 'two' })], { dryRun: false, force: false });
  await until(session, 'rolled', (s) => isReady(s) && s.replicaSets.length === 2);
  assert.deepEqual((await session.revisions('rolled')).map((r) => [r.revision, r.image]), [[2, IMAGE], [1, IMAGE]]);
  const started = Date.now();
  assert.equal(await session.rollback('rolled'), 1);
  const after = await until(session, 'rolled', (s) => isReady(s) && s.deployment?.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3');
  t.diagnostic(`rollback to Ready: ${Date.now() - started} ms`);
  const env = after.deployment?.spec?.template?.spec?.containers?.[0].env;
  assert.deepEqual(env, [{ name: 'REV', value: 'one' }]);
  assert.equal(after.deployment?.spec?.template?.metadata?.labels?.['pod-template-hash'], undefined);
  assert.deepEqual((await session.revisions('rolled')).map((r) => r.revision), [3, 2]);
  assert.equal(await session.rollback('rolled', 2), 2);
  await assert.rejects(session.rollback('rolled', 9), expectCode('KUBE_NO_REVISION', (e) => assert.match(e.hint ?? '', /Known revisions: 4, 3/)));
  await assert.rejects(session.rollback('missing'), expectCode('KUBE_NOT_FOUND'));
});

/**
 * Port-forward and the cluster smoke test on a real cluster (the kube lab): iris is containerized,
 * built, deployed to a namespace of its own (deleted at the end), then reached through
 * openPortForward (readyz, predict), `runClusterSmoke` (saved predictions match: exit 0; a drifted
 * expected file: exit 1), a rollout while the forward stays open (new connections reach the new
 * pod through the same local port), a ServiceAccount without pods/portforward (403 naming the
 * verb) and a Service with no pods left (NO_READY_POD).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { runCli, type CliResult } from '../helpers/engineHarness';
import { ClusterSuite, containerizedIris, TEST_REGISTRY as REGISTRY } from '../helpers/irisProject';
import { findKubeLab, writeKubeconfig, type KubeLab } from '../helpers/kubeLab';
import { openPortForward, type PortForwardHandle } from '../../src/kube/portForward';

const NS = `ms-pf-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const suite = new ClusterSuite();
const dirs = suite.dirs;
let project: string | undefined;
let lab: KubeLab | undefined;

async function ready(t: TestContext): Promise<boolean> {
  const ok = await suite.ready(t);
  ({ lab, project } = suite);
  return ok;
}

before(async () => {
  // Only to find the lab: each test checks again, and skips or fails (CI) with the reason.
  const found = findKubeLab();
  if (!found) return;
  const kubeconfig = found.kubeconfig;
  lab = found;
  await suite.prepare('could not deploy iris for the port-forward tests', async () => {
    const dir = await containerizedIris(dirs);
    const deployed = await runCli(['deploy', dir, '--context', 'lab-admin', '--namespace', NS, '--registry', REGISTRY], { env: { ...process.env, KUBECONFIG: kubeconfig }, timeoutMs: 300_000 });
    assert.equal(deployed.code, 0, deployed.stderr);
    return dir;
  });
});

after(() => {
  try {
    lab?.kubectl(['--context', 'lab-admin', 'delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
  } catch {
    // Best effort: a namespace that is already gone is fine.
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** One request on a connection of its own (no keep-alive), so each one is a new forwarded stream. */
function request(url: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = http.request(`${url}${path}`, { method: body === undefined ? 'GET' : 'POST', agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json' }, timeout: 20_000 }, (reply) => {
      let text = '';
      reply.on('data', (c: Buffer) => (text += c.toString()));
      reply.on('end', () => res({ status: reply.statusCode ?? 0, text }));
    });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function forward(): Promise<PortForwardHandle> {
  return openPortForward({ service: 'iris-sklearn', context: 'lab-admin', namespace: NS, kubeconfig: lab!.kubeconfig });
}

/** `modelship smoke DIR --context … --namespace …` through the real CLI. */
function clusterSmoke(flags: { context: string; namespace: string; expect?: string }): Promise<CliResult> {
  const args = ['smoke', project!, '--context', flags.context, '--namespace', flags.namespace, ...(flags.expect ? ['--expect', flags.expect] : [])];
  return runCli(args, { env: { ...process.env, KUBECONFIG: lab!.kubeconfig }, timeoutMs: 120_000 });
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('port-forward to the Service: /readyz 200 and /predict answers through 127.0.0.1', async (t) => {
  if (!(await ready(t))) return;
  const started = Date.now();
  const pf = await forward();
  t.diagnostic(`forward opened in ${Date.now() - started} ms to ${pf.current()?.pod}`);
  try {
    assert.match(pf.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(pf.current()?.port, 8080, 'the named targetPort "http" resolves to the pod\'s containerPort');
    const readyz = await request(pf.url, '/readyz');
    assert.equal(readyz.status, 200, readyz.text);
    const predicted = await request(pf.url, '/predict', { instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] });
    assert.equal(predicted.status, 200, predicted.text);
    assert.deepEqual((JSON.parse(predicted.text) as { predictions: number[] }).predictions, [0, 2]);
    // Several connections at once, each its own stream.
    const many = await Promise.all(Array.from({ length: 8 }, () => request(pf.url, '/readyz')));
    assert.ok(many.every((r) => r.status === 200));
  } finally {
    await pf.close();
  }
});

test('smoke --env staging through the port-forward: saved predictions match (0), drifted ones fail (1)', async (t) => {
  if (!(await ready(t))) return;
  const flags = { context: 'lab-admin', namespace: NS };
  const ok = await clusterSmoke(flags);
  t.diagnostic(`cluster smoke in ${ok.ms} ms`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^ok {2}service\/iris-sklearn in staging \(pod\/iris-sklearn-[a-z0-9-]+\) {2}2 row\(s\) from sample\.json {2}200 in \d+ ms {2}predictions match expected_predictions\.json$/m);
  assert.match(ok.stdout, /"predictions":\[0,2\]/);

  const drifted = join(mkdtempSync(join(tmpdir(), 'modelship-pf-expect-')), 'expected.json');
  dirs.push(resolve(drifted, '..'));
  writeFileSync(drifted, JSON.stringify({ predictions: [0, 1] }));
  const bad = await clusterSmoke({ ...flags, expect: drifted });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /smoke test on the cluster failed: .*1 of 2 prediction\(s\) differ/);
  assert.match(bad.stderr, /row 1: expected 1, got 2/);
});

test('after a rollout, new connections reach the new pod through the same local port', async (t) => {
  if (!(await ready(t))) return;
  const pf = await forward();
  try {
    const before = pf.current()?.pod;
    assert.ok(before);
    assert.equal((await request(pf.url, '/readyz')).status, 200);
    const started = Date.now();
    // A changed pod-template annotation, as `kubectl rollout restart` makes.
    lab!.kubectl(['--context', 'lab-admin', '-n', NS, 'rollout', 'restart', 'deployment/iris-sklearn']);
    const after = await until('the forward to move to a new pod', () => {
      const now = pf.current()?.pod;
      return now && now !== before ? now : undefined;
    });
    t.diagnostic(`re-targeted from ${before} to ${after} in ${Date.now() - started} ms`);
    lab!.kubectl(['--context', 'lab-admin', '-n', NS, 'rollout', 'status', 'deployment/iris-sklearn', '--timeout=120s']);
    const pods = lab!.kubectl(['--context', 'lab-admin', '-n', NS, 'get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']).split(' ');
    assert.ok(pods.includes(after), `${after} is one of ${pods.join(', ')}`);
    const predicted = await request(pf.url, '/predict', { instances: [[6.7, 3.0, 5.2, 2.3]] });
    assert.equal(predicted.status, 200, predicted.text);
    assert.equal(pf.current()?.pod, after);

    // The pod deleted outright: the forward moves to its replacement once that is Ready.
    lab!.kubectl(['--context', 'lab-admin', '-n', NS, 'delete', 'pod', after, '--wait=false']);
    const replacement = await until('a replacement pod', () => {
      const now = pf.current()?.pod;
      return now && now !== after ? now : undefined;
    });
    assert.notEqual(replacement, after);
    assert.equal((await request(pf.url, '/readyz')).status, 200);
  } finally {
    await pf.close();
  }
});

test('a user without pods/portforward gets a 403 that names the verb and resource', async (t) => {
  if (!(await ready(t))) return;
  const kubectl = (...args: string[]) => lab!.kubectl(['--context', 'lab-admin', '-n', NS, ...args]);
  kubectl('create', 'serviceaccount', 'no-forward');
  kubectl('create', 'role', 'no-forward', '--verb=get,list,watch', '--resource=pods,services');
  kubectl('create', 'rolebinding', 'no-forward', '--role=no-forward', `--serviceaccount=${NS}:no-forward`);
  const token = kubectl('create', 'token', 'no-forward').trim();
  const kubeconfig = writeKubeconfig(lab!, { context: 'restricted', namespace: NS, token });
  dirs.push(resolve(kubeconfig, '..'));
  await assert.rejects(openPortForward({ service: 'iris-sklearn', kubeconfig }), (error: Error & { code?: string; hint?: string }) => {
    assert.equal(error.code, 'KUBE_FORBIDDEN');
    assert.match(error.message, /forbids .* to get pods\/portforward \(pod iris-sklearn-[a-z0-9-]+\) in namespace "ms-pf-/);
    assert.match(error.hint ?? '', /"get" on "pods\/portforward"/);
    return true;
  });
});

test('no Service, and a Service with no pods left, are errors that say so', async (t) => {
  if (!(await ready(t))) return;
  await assert.rejects(openPortForward({ service: 'not-deployed', context: 'lab-admin', namespace: NS, kubeconfig: lab!.kubeconfig }), /KUBE_NOT_FOUND|service\/not-deployed does not exist/);
  lab!.kubectl(['--context', 'lab-admin', '-n', NS, 'scale', 'deployment/iris-sklearn', '--replicas=0']);
  await until('the pods to go', () => (lab!.kubectl(['--context', 'lab-admin', '-n', NS, 'get', 'pods', '-o', 'name']).trim() === '' ? true : undefined));
  await assert.rejects(forward(), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'NO_READY_POD');
    assert.match(error.message, /service\/iris-sklearn in namespace "ms-pf-[^"]+" selects no pods/);
    return true;
  });
});

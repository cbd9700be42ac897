// `modelship logs --context …` on a real cluster (the kube-lab, or MODELSHIP_TEST_KUBECONFIG):
// every pod of a 2-replica Deployment with its pod/container prefix, the previous container of one
// that crashed, a third pod joining while following, and a log stream cut through a TCP proxy that
// resumes with no numbered line missing or printed twice. runClusterLogs runs in-process with its
// stdout captured. Each run works in its own namespace `ms-logs-<random>`, deleted at the end.
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runClusterLogs, type ClusterLogsFlags } from '../../src/cli/commands/clusterLogs';
import { requireLabRegistry } from '../helpers/irisProject';
import { requireKubeLab, writeKubeconfig, labServer, CuttableProxy, type KubeLab } from '../helpers/kubeLab';
import { CLUSTER_REGISTRY } from '../helpers/testInfra';

const NS = `ms-logs-${randomBytes(4).toString('hex')}`;
/** Debian + python, from the registry the lab pulls from (pushed there by the deploy tests). */
const IMAGE = process.env.MODELSHIP_TEST_PY_IMAGE ?? `${CLUSTER_REGISTRY}/iris-sklearn:0.1.0-8755e46a`;
let labUsed: KubeLab | undefined;
const dirs: string[] = [];

after(() => {
  labUsed?.kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project whose Dockerfile names the service `name`: what runClusterLogs finds the Deployment by. */
function project(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ms-logs-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nLABEL org.opencontainers.image.title="${name}" org.opencontainers.image.version="0.1.0"\n`);
  return dir;
}

/** A Deployment whose container runs `script` in python3 (unbuffered). */
function apply(lab: KubeLab, name: string, replicas: number, script: string, scratch = false): void {
  const labels = { app: name };
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: IMAGE, command: ['python3', '-u', '-c', script], ...(scratch ? { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] } : {}) }],
          ...(scratch ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
        },
      },
    },
  };
  lab.kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
}

/** Prints `n 1`, `n 2`, … every `ms` milliseconds, forever (or `count` lines, then sleeps). */
const counter = (ms: number, count?: number) =>
  `import time, itertools\nfor i in ${count ? `range(1, ${count + 1})` : 'itertools.count(1)'}:\n    print(f"n {i}", flush=True)\n    time.sleep(${ms / 1000})\ntime.sleep(100000)`;

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const podsOf = (lab: KubeLab, app: string) =>
  JSON.parse(lab.kubectl(['get', 'pods', '-n', NS, '-l', `app=${app}`, '-o', 'json'])) as { items: { metadata: { name: string }; status: { phase?: string; containerStatuses?: { restartCount?: number; state?: { running?: unknown } }[] } }[] };

const runningPods = (lab: KubeLab, app: string, n: number) => {
  const running = podsOf(lab, app).items.filter((p) => p.status.containerStatuses?.[0]?.state?.running);
  return running.length === n ? running.map((p) => p.metadata.name).sort() : undefined;
};

/** runClusterLogs with stdout captured; `stop` ends a follow. */
function capture(dir: string, flags: Partial<ClusterLogsFlags> & { kubeconfig: string; context: string }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  let notices = '';
  stdout.on('data', (c: Buffer) => (text += c.toString()));
  stderr.on('data', (c: Buffer) => (notices += c.toString()));
  const controller = new AbortController();
  const done = runClusterLogs(dir, { namespace: NS, yes: false, json: false, follow: false, previous: false, timestamps: false, ...flags }, { stdout, stderr, signal: controller.signal, env: {} });
  return { done, stop: () => controller.abort(), text: () => text, notices: () => notices };
}

const linesOf = (text: string) => text.split('\n').filter(Boolean);

let lab: KubeLab | undefined;
/** MODELSHIP_TEST_PY_IMAGE names an image of the tester's own: no registry check then. */
const OWN_IMAGE = Boolean(process.env.MODELSHIP_TEST_PY_IMAGE);

/** The lab (pulling from the test registry) with this run's namespace, or undefined after skipping `t`. */
async function labWithNamespace(t: TestContext): Promise<KubeLab | undefined> {
  const found = OWN_IMAGE ? requireKubeLab(t) : await requireLabRegistry(t, requireKubeLab(t));
  if (!found) return undefined;
  if (!labUsed) found.kubectl(['create', 'namespace', NS]);
  labUsed = found;
  return found;
}

test('logs of every pod of a 2-replica Deployment, each line prefixed pod/container', async (t) => {
  lab = await labWithNamespace(t);
  if (!lab) return;
  apply(lab, 'counter', 2, counter(20, 50));
  const pods = await waitFor('2 running counter pods', () => runningPods(lab!, 'counter', 2));
  await waitFor('50 lines in each pod', () => pods.every((p) => lab!.kubectl(['logs', '-n', NS, p]).includes('n 50\n')));
  const run = capture(project('counter'), { kubeconfig: lab.kubeconfig, context: 'lab-admin', tail: '-1' });
  assert.equal(await run.done, 0, run.notices());
  const lines = linesOf(run.text());
  for (const p of pods) {
    const own = lines.filter((l) => l.startsWith(`${p}/main `)).map((l) => l.slice(`${p}/main `.length));
    assert.deepEqual(own, Array.from({ length: 50 }, (_, i) => `n ${i + 1}`), `lines of ${p}`);
  }
  assert.equal(lines.length, 100);
  assert.ok(!run.text().includes('\u001b['), 'no colour when stdout is not a terminal');

  // The default is kubectl's for a selector: the last 10 lines of each container; --json has the fields.
  const tail = capture(project('counter'), { kubeconfig: lab.kubeconfig, context: 'lab-admin', json: true, container: 'main' });
  assert.equal(await tail.done, 0);
  const objects = linesOf(tail.text()).map((l) => JSON.parse(l) as { pod: string; container: string; ts: string; line: string });
  assert.equal(objects.length, 20);
  assert.deepEqual(new Set(objects.map((o) => o.pod)), new Set(pods));
  assert.ok(objects.every((o) => o.container === 'main' && /^\d{4}-\d\d-\d\dT/.test(o.ts)));
  assert.deepEqual(objects.filter((o) => o.pod === pods[0]).map((o) => o.line), Array.from({ length: 10 }, (_, i) => `n ${i + 41}`));
});

test('--previous shows the output of the container that crashed', async (t) => {
  lab = await labWithNamespace(t);
  if (!lab) return;
  // Crashes once (its output is the previous container's), then runs on: the marker survives in an emptyDir.
  const script = 'import os, sys, time\nif os.path.exists("/scratch/crashed"):\n    print("second life", flush=True)\n    time.sleep(100000)\nopen("/scratch/crashed", "w").close()\nprint("starting pid", os.getpid(), flush=True)\nprint("Traceback: model.pkl not found", flush=True)\nsys.exit(3)';
  apply(lab, 'crasher', 1, script, true);
  await waitFor('a restarted, running crasher container', () => podsOf(lab!, 'crasher').items.some((p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p.status.containerStatuses?.[0]?.state?.running), 120_000);
  const run = capture(project('crasher'), { kubeconfig: lab.kubeconfig, context: 'lab-admin', previous: true });
  assert.equal(await run.done, 0, run.notices());
  const lines = linesOf(run.text());
  assert.ok(lines.some((l) => / crasher-[^/]+\/main Traceback: model.pkl not found$/.test(` ${l}`)), run.text() + run.notices());
  assert.ok(lines.some((l) => l.includes('starting pid')));
  assert.ok(!lines.some((l) => l.includes('second life')), 'the current container is not shown');
  const follow = capture(project('crasher'), { kubeconfig: lab.kubeconfig, context: 'lab-admin', previous: true, follow: true });
  await assert.rejects(follow.done, /--previous/);
});

test('following: a new pod (scale to 3) joins', async (t) => {
  lab = await labWithNamespace(t);
  if (!lab) return;
  apply(lab, 'joiner', 2, counter(200));
  const pods = await waitFor('2 running joiner pods', () => runningPods(lab!, 'joiner', 2));
  const run = capture(project('joiner'), { kubeconfig: lab.kubeconfig, context: 'lab-admin', follow: true });
  try {
    await waitFor('lines of both pods', () => pods.every((p) => run.text().includes(`${p}/main n `)), 60_000);
    lab.kubectl(['scale', 'deployment/joiner', '-n', NS, '--replicas=3']);
    const third = await waitFor('a third pod', () => podsOf(lab!, 'joiner').items.map((p) => p.metadata.name).find((n) => !pods.includes(n)), 60_000);
    // A container that starts while following is printed from its first line.
    await waitFor(`${third} in the output from its first line`, () => run.text().includes(`${third}/main n 1\n`) && run.text().includes(`${third}/main n 3\n`), 90_000);
    assert.match(run.notices(), new RegExp(`\\+ ${third}/main`));
  } finally {
    run.stop();
  }
  assert.equal(await run.done, 0);
});

test('a cut log stream resumes with no missing and no duplicated lines', async (t) => {
  lab = await labWithNamespace(t);
  if (!lab) return;
  apply(lab, 'ticker', 1, counter(10));
  await waitFor('a running ticker pod', () => runningPods(lab!, 'ticker', 1));
  const upstream = labServer(lab);
  const proxy = new CuttableProxy({ host: upstream.hostname, port: Number(upstream.port || 443) });
  const port = await proxy.start();
  const kubeconfig = writeKubeconfig(lab, { context: 'proxied', namespace: NS, server: `https://127.0.0.1:${port}` });
  const run = capture(project('ticker'), { kubeconfig, context: 'proxied', follow: true });
  const numbers = () => linesOf(run.text()).map((l) => Number(/ n (\d+)$/.exec(l)?.[1] ?? NaN));
  try {
    await waitFor('100 lines before the cut', () => numbers().length >= 100, 60_000);
    for (let cut = 0; cut < 2; cut++) {
      await proxy.cut();
      await new Promise((r) => setTimeout(r, 200));
      const before = numbers().length;
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(numbers().length, before, 'nothing arrives while the proxy is down');
      await proxy.start();
      await waitFor('lines after the cut', () => numbers().length >= before + 200, 60_000);
    }
  } finally {
    run.stop();
    await proxy.cut();
  }
  assert.equal(await run.done, 0);
  const got = numbers();
  assert.ok(got.every((n) => Number.isInteger(n)), run.text().slice(0, 500));
  const first = got[0];
  assert.deepEqual(got, Array.from({ length: got.length }, (_, i) => first + i), 'numbered lines, each once, in order');
  assert.match(run.notices(), /resuming/);
});

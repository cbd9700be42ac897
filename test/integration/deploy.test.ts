/**
 * `modelship deploy | status | rollback | undeploy` end to end on a real cluster (the kube lab):
 * the iris project is containerized, built on the real engine, pushed to the loopback registry the
 * cluster pulls from, rendered by a real kustomize, applied server-side and followed to Ready; then
 * one broken variant per failure a model service meets, each checked for the reason printed.
 * Each test gets namespaces of its own, deleted at the end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { runCli, type CliResult } from '../helpers/engineHarness';
import { ClusterSuite, containerizedIris, TEST_REGISTRY as REGISTRY } from '../helpers/irisProject';
import type { KubeLab } from '../helpers/kubeLab';

const run = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const namespaces: string[] = [];
const suite = new ClusterSuite();
const dirs = suite.dirs;
let project: string | undefined;

/** A copy of the containerized project with `edit` applied to its files. */
function variant(name: string, edit: (dir: string) => void): string {
  assert.ok(project);
  const parent = mkdtempSync(join(tmpdir(), `modelship-deploy-${name}-`));
  dirs.push(parent);
  const dir = join(parent, 'iris-sklearn');
  cpSync(project, dir, { recursive: true });
  edit(dir);
  return dir;
}

function replaceIn(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  assert.notEqual(next, text, `${file} holds ${String(from)}`);
  writeFileSync(file, next);
}

function namespace(label: string): string {
  const ns = `ms-${label}-${run}`.slice(0, 63);
  namespaces.push(ns);
  return ns;
}

function deploy(dir: string, ns: string, ...extra: string[]): Promise<CliResult> {
  return runCli(['deploy', dir, '--context', 'lab-admin', '--namespace', ns, '--registry', REGISTRY, ...extra], { env: { ...process.env, KUBECONFIG: lab!.kubeconfig }, timeoutMs: 240_000 });
}

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { env: { ...process.env, KUBECONFIG: lab!.kubeconfig }, timeoutMs: 240_000 });
}

let lab: KubeLab | undefined;

async function ready(t: TestContext): Promise<boolean> {
  const ok = await suite.ready(t);
  ({ lab, project } = suite);
  return ok;
}

before(() => suite.prepare('could not containerize and build iris', () => containerizedIris(dirs, { build: true })));

after(() => {
  for (const ns of namespaces) {
    try {
      lab?.kubectl(['--context', 'lab-admin', 'delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    } catch {
      // Best effort: a namespace that is already gone is fine.
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('deploy → Ready → status → a second revision → rollback → undeploy', async (t) => {
  if (!(await ready(t))) return;
  const ns = namespace('loop');
  const first = await deploy(project!, ns);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`is Ready in staging \\(context lab-admin, namespace ${ns}\\), running ${REGISTRY.replace('.', '\\.')}/.*@sha256:[0-9a-f]{64}`));
  assert.match(first.stderr, /server-side, field manager modelship/);
  const image = lab!.kubectl(['--context', 'lab-admin', '-n', ns, 'get', 'deploy', 'iris-sklearn', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
  assert.match(image, /@sha256:[0-9a-f]{64}$/, 'the cluster runs the pushed digest, never a tag');
  const managers = lab!.kubectl(['--context', 'lab-admin', '-n', ns, 'get', 'deploy', 'iris-sklearn', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}']);
  assert.match(managers, /\bmodelship\b/);

  const status = await cli(['status', project!, '--context', 'lab-admin', '--namespace', ns, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout) as { state: string; pods: { phase: string; ready: string }[]; revisions: { revision: number }[]; hpa: { name: string; minReplicas: number; maxReplicas: number } | null };
  assert.equal(parsed.state, 'ready');
  assert.ok(parsed.pods.length >= 1 && parsed.pods.every((p) => p.phase === 'Running'), JSON.stringify(parsed.pods));
  assert.deepEqual(parsed.revisions.map((r) => r.revision), [1]);
  // Staging autoscales (containerize's profile: 2..4); the lab has no metrics-server, which status names.
  assert.deepEqual([parsed.hpa?.name, parsed.hpa?.minReplicas, parsed.hpa?.maxReplicas], ['iris-sklearn', 2, 4]);
  const text = await cli(['status', project!, '--context', 'lab-admin', '--namespace', ns]);
  assert.match(text.stdout, /^hpa\/iris-sklearn {2}2\.\.4 replicas/m);

  // An unchanged project changes nothing: the dry run says so.
  const dry = await deploy(project!, ns, '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /= Deployment\/.*iris-sklearn \(unchanged\)/);

  // A second revision: a pod-template annotation from the overlay.
  replaceIn(join(project!, 'deploy/k8s/overlays/staging/kustomization.yaml'), /\nresources:/, '\ncommonAnnotations:\n  modelship.test/revision: "2"\nresources:');
  const diff = await deploy(project!, ns, '--dry-run');
  assert.match(diff.stdout, /\+\s+modelship\.test\/revision: "2"/);
  const second = await deploy(project!, ns);
  assert.equal(second.code, 0, second.stderr);
  const annotation = () => lab!.kubectl(['--context', 'lab-admin', '-n', ns, 'get', 'deploy', 'iris-sklearn', '-o', "jsonpath={.spec.template.metadata.annotations.modelship\\.test/revision}"]);
  assert.equal(annotation(), '2');
  assert.match(second.stderr, /is up to date \([\d.]+ s, from cache\)/, 'unchanged sources: the image is a cache hit and is not pushed again');
  assert.match(second.stderr, /was pushed already/);

  // Edited serving code is built and shipped, though the tag (the model's hash) is the same.
  const app = join(project!, 'serving/app.py');
  writeFileSync(app, `${readFileSync(app, 'utf8')}\n# edited after the first deploy\n`);
  const third = await deploy(project!, ns);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, /Built \S+ in [\d.]+ s/);
  assert.match(third.stderr, /Pushing /);
  const edited = lab!.kubectl(['--context', 'lab-admin', '-n', ns, 'get', 'deploy', 'iris-sklearn', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
  assert.notEqual(edited, image, 'the cluster runs the rebuilt image');

  const back = await cli(['rollback', project!, '--context', 'lab-admin', '--namespace', ns, '--yes']);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /is Ready at revision 2/);
  const restored = lab!.kubectl(['--context', 'lab-admin', '-n', ns, 'get', 'deploy', 'iris-sklearn', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
  assert.equal(restored, image, 'the previous image is back');
  assert.equal(annotation(), '2', 'the previous template is back');

  const gone = await cli(['undeploy', project!, '--context', 'lab-admin', '--namespace', ns, '--yes']);
  assert.equal(gone.code, 0, gone.stderr);
  assert.match(gone.stdout, /Deleted .*Deployment\/iris-sklearn/);
  assert.equal(lab!.kubectl(['--context', 'lab-admin', '-n', ns, 'get', 'deploy,svc,cm', '-l', 'app.kubernetes.io/instance=iris-sklearn', '-o', 'name']).trim(), '');
});

test('prod is refused without --yes, and nothing reaches the cluster', async (t) => {
  if (!(await ready(t))) return;
  const before = lab!.kubectl(['--context', 'lab-prod', 'get', 'deploy,svc,cm', '-l', 'app.kubernetes.io/instance=iris-sklearn', '-o', 'name']);
  const refused = await cli(['deploy', project!, '--env', 'prod', '--context', 'lab-prod', '--registry', REGISTRY]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /Refusing to deploy to prod without --yes; nothing was sent to the cluster/);
  assert.doesNotMatch(refused.stderr, /Pushing|Rendered|Applied/);
  assert.equal(lab!.kubectl(['--context', 'lab-prod', 'get', 'deploy,svc,cm', '-l', 'app.kubernetes.io/instance=iris-sklearn', '-o', 'name']), before);
  const rollback = await cli(['rollback', project!, '--env', 'prod', '--context', 'lab-prod']);
  assert.equal(rollback.code, 2);
  assert.match(rollback.stderr, /Refusing to roll back prod without --yes/);
});

interface Failure {
  name: string;
  edit(dir: string): void;
  timeout: string;
  expect: RegExp[];
}

const FAILURES: Failure[] = [
  {
    name: 'modelpath',
    edit: (dir) => replaceIn(join(dir, 'deploy/k8s/base/configmap.yaml'), 'MODEL_PATH: /models/model.joblib', 'MODEL_PATH: /models/missing.joblib'),
    timeout: '120',
    // The app's own error, from the previous (crashed) container.
    expect: [/exit code|exited/i, /previous container/, /missing\.joblib/],
  },
  {
    name: 'oom',
    // The dev overlay's patch sets the resources the dev Deployment gets.
    edit: (dir) => replaceIn(join(dir, 'deploy/k8s/overlays/dev/deployment-patch.yaml'), /memory: \d+Mi([\s\S]*)memory: \d+Mi/, 'memory: 24Mi$1memory: 24Mi'),
    timeout: '120',
    expect: [/OOMKilled/, /limits\.memory 24Mi/],
  },
  {
    name: 'gpu',
    edit: (dir) => replaceIn(join(dir, 'deploy/k8s/overlays/dev/deployment-patch.yaml'), /(limits:\n\s+cpu: "1"\n)(\s+)(memory: \d+Mi)/, '$1$2$3\n$2nvidia.com/gpu: 1'),
    timeout: '60',
    expect: [/Insufficient nvidia\.com\/gpu/],
  },
  {
    name: 'pull',
    edit: (dir) => replaceIn(join(dir, 'deploy/k8s/overlays/dev/kustomization.yaml'), /\nresources:/, `\nimages:\n  - name: iris-sklearn\n    newName: ${REGISTRY}/modelship-missing\n    newTag: nope\nresources:`),
    timeout: '90',
    expect: [/modelship-missing:nope/, /ImagePullBackOff|ErrImagePull|pull/i],
  },
  {
    name: 'probe',
    edit: (dir) => replaceIn(join(dir, 'deploy/k8s/base/deployment.yaml'), /(readinessProbe:\n\s+httpGet:\n\s+path: )\/readyz/, '$1/never-ready'),
    timeout: '30',
    expect: [/did not finish within 30 s|probe/i, /never-ready|[Rr]eadiness probe/],
  },
];

test('each failure ends the rollout with its reason (exit 1): wrong MODEL_PATH, OOM, GPU, missing tag, failing probe', async (t) => {
  if (!(await ready(t))) return;
  const results = await Promise.all(FAILURES.map(async (failure) => {
    const dir = variant(failure.name, failure.edit);
    const started = Date.now();
    // dev: one replica and no autoscaler, so five broken services at once still fit the one node.
    const result = await deploy(dir, namespace(failure.name), '--env', 'dev', '--timeout', failure.timeout);
    return { failure, result, seconds: (Date.now() - started) / 1000 };
  }));
  for (const { failure, result, seconds } of results) {
    t.diagnostic(`${failure.name}: exit ${result.code} after ${seconds.toFixed(1)} s`);
    assert.equal(result.code, 1, `${failure.name}: ${result.stderr}`);
    for (const pattern of failure.expect) assert.match(result.stderr, pattern, `${failure.name}: ${result.stderr}`);
  }
});

test('a field the API server rejects (422) is named with the manifest file and line that sets it (exit 2)', async (t) => {
  if (!(await ready(t))) return;
  const dir = variant('invalid', (d) => replaceIn(join(d, 'deploy/k8s/base/deployment.yaml'), /(startupProbe:\n(?:.*\n)*?\s+periodSeconds: )5/, '$1-5'));
  const result = await deploy(dir, namespace('invalid'));
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /deploy\/k8s\/base\/deployment\.yaml:\d+: spec\.template\.spec\.containers\[0\]\.startupProbe\.periodSeconds: Invalid value: -5/);
  assert.doesNotMatch(result.stderr, /Applied/);
});

test('the environments file alone picks context, namespace, registry and the Helm chart (helm template renders)', async (t) => {
  if (!(await ready(t))) return;
  const helm = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' });
  if (helm.error || helm.status !== 0) {
    t.skip('helm is not on PATH: run `export PATH="$(bash scripts/install-helm.sh):$PATH"`');
    return;
  }
  const ns = namespace('helm');
  const dir = variant('helm', () => undefined);
  const chart = await runCli(['containerize', dir, '--force', '--only', 'helm']);
  assert.equal(chart.code, 0, chart.stderr);
  writeFileSync(join(dir, 'deploy/environments.yaml'), `# Written by the test, as a person would.\nstaging:\n  context: lab-admin\n  namespace: ${ns}\n  registry: ${REGISTRY}\n  chart: deploy/helm/iris-sklearn\n  timeoutSeconds: 180\n`);
  const result = await cli(['deploy', dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^staging: context lab-admin, namespace .* server https:/m);
  assert.match(result.stderr, /Rendered \d+ objects with helm template iris-sklearn \. --namespace/);
  assert.match(result.stdout, new RegExp(`is Ready in staging \\(context lab-admin, namespace ${ns}\\)`));
});

// The deploy flow on a temp project with a fake session and an image step that needs no engine
// (the render is real: kustomize, kubectl kustomize or the built-in renderer): the order the
// reporter hears the steps in, a dry run that writes nothing, cancelling before the apply, stopping
// after it, and a 422 located in the manifests as data.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isModelshipError } from '../../../src/core/errors';
import { KubeError } from '../../../src/kube/errors';
import { resolveClusterTarget } from '../../../src/flows/clusterTarget';
import { manifestLocationsOf, runDeployFlow, type DeployAdapters, type DeployReporter } from '../../../src/flows/deployFlow';
import { fakeSession, makeProject, snapshotFixture, type FakeSession } from './project';

const PINNED = 'localhost:5000/iris@sha256:' + 'a'.repeat(64);

function adaptersFor(session: FakeSession): DeployAdapters {
  return {
    connect: async () => session,
    pinImage: async (_target, _kube, options) => {
      options.say('push', `Pushed ${PINNED}`);
      return { image: PINNED };
    },
  };
}

/** Runs the flow on a fresh temp project with `session`, recording what the reporter hears; `onStep` may abort. */
function deploy(t: TestContext, session: FakeSession, options: { dryRun?: boolean; signal?: AbortSignal; onStep?: (step: string) => void } = {}) {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  const heard: string[] = [];
  const reporter: DeployReporter = {
    step: (step, text) => {
      heard.push(`${step}: ${text}`);
      options.onStep?.(step);
    },
    assessment: (a) => heard.push(`assessment ${a.state}`),
    rolloutDone: (d) => heard.push(`done ${d.deployment} ${d.state}`),
  };
  const target = resolveClusterTarget(dir, { surface: 'editor' });
  const running = runDeployFlow(target, { dryRun: options.dryRun ?? false, forceConflicts: false, streamLogs: false, ...(options.signal ? { signal: options.signal } : {}), reporter }, adaptersFor(session));
  return { heard, running };
}

test('a deploy says connect, the image, render, the namespace, each change, apply and the rollout, in that order', async (t) => {
  const session = fakeSession({ snapshots: [snapshotFixture('ready')] });
  const { heard, running } = deploy(t, session);
  const result = await running;
  const steps = heard.map((line) => line.replace(/^render: Rendered 1 objects with .*/, 'render: Rendered 1 objects'));
  assert.deepEqual(steps, [
    "connect: staging: context lab (the kubeconfig's current context), namespace ns, server https://127.0.0.1:6443",
    `push: Pushed ${PINNED}`,
    'render: Rendered 1 objects',
    'apply: Created namespace ns',
    'diff: + Deployment/ns/iris',
    'apply: Applied 1 objects (server-side, field manager modelship); following the rollout…',
    'rollout: Following the rollout of deployment/iris…',
    'assessment ready',
    'done iris ready',
  ]);
  assert.deepEqual(session.calls, ['ensureNamespace', 'apply dry-run', 'apply', 'watch']);
  assert.equal(result.failed, false);
  assert.equal(result.image, PINNED);
  assert.deepEqual([result.environment, result.context, result.namespace, result.server], ['staging', 'lab', 'ns', 'https://127.0.0.1:6443']);
  assert.deepEqual(result.changes.map((c) => [c.id, c.change]), [['Deployment/ns/iris', 'create']]);
  assert.deepEqual(result.deployments.map((d) => [d.deployment, d.state]), [['iris', 'ready']]);
});

test('a dry run diffs and stops: no namespace, no apply, no rollout', async (t) => {
  const session = fakeSession();
  const { heard, running } = deploy(t, session, { dryRun: true });
  const result = await running;
  assert.deepEqual(session.calls, ['apply dry-run']);
  assert.ok(!heard.some((line) => /^(apply|rollout):/.test(line)), heard.join('\n'));
  assert.equal(result.dryRun, true);
  assert.deepEqual(result.deployments, []);
  assert.equal(result.changes[0]!.change, 'create');
});

test('cancelled before the apply: CANCELLED, and nothing was written', async (t) => {
  const session = fakeSession();
  const controller = new AbortController();
  const { running } = deploy(t, session, { signal: controller.signal, onStep: (step) => step === 'render' && controller.abort() });
  await assert.rejects(running, (error: unknown) => {
    assert.ok(isModelshipError(error));
    assert.equal(error.code, 'CANCELLED');
    assert.equal(error.message, 'Deploy cancelled before anything was applied; the cluster is unchanged.');
    return true;
  });
  assert.deepEqual(session.calls, []);
});

test('stopped after the apply: INTERRUPTED, the rollout goes on', async (t) => {
  const session = fakeSession();
  const controller = new AbortController();
  const { running } = deploy(t, session, { signal: controller.signal, onStep: (step) => step === 'rollout' && setTimeout(() => controller.abort(), 10) });
  await assert.rejects(running, /Stopped following the rollout of iris; it goes on in the cluster\./);
  assert.deepEqual(session.calls, ['ensureNamespace', 'apply dry-run', 'apply', 'watch']);
});

test('a 422 names the manifest line in its details and carries the locations as data', async (t) => {
  const invalid = new KubeError('KUBE_INVALID', 'Deployment "iris" is invalid', undefined, 422, false, [{ field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: -1' }, { message: 'something else' }]);
  invalid.object = { kind: 'Deployment', name: 'iris' };
  const session = fakeSession({ applyError: invalid });
  const error = await deploy(t, session).running.then(() => undefined, (e: unknown) => e);
  assert.ok(isModelshipError(error));
  assert.equal(error.code, 'KUBE_INVALID');
  assert.deepEqual(error.details, ['deploy/k8s/base/deployment.yaml:6: spec.replicas: Invalid value: -1', '(object): something else']);
  assert.deepEqual(manifestLocationsOf(error), [{ file: 'deploy/k8s/base/deployment.yaml', line: 6, field: 'spec.replicas', matched: 'spec.replicas', message: 'Invalid value: -1' }]);
  assert.deepEqual(manifestLocationsOf(new Error('other')), []);
  assert.ok(!session.calls.includes('apply'));
});

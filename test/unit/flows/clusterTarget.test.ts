// Resolving where a cluster flow acts, on a temp project: staging by default with containerize's
// namespaces, the environments file over the defaults, the request over the file, a bad file named
// by file:line, and the target line both front ends say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isModelshipError } from '../../../src/core/errors';
import { describeTarget, readEnvironments, resolveClusterTarget } from '../../../src/flows/clusterTarget';
import { findWorkspace } from '../../../src/flows/workspace';
import { fakeSession, makeProject } from './project';

test('no environments file: staging, containerize\'s namespace and overlay, the kubeconfig\'s context, 300 s', (t) => {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  const target = resolveClusterTarget(join(dir, 'deploy/k8s'), { surface: 'cli' });
  assert.equal(target.ws.dir, dir, 'found from a folder below the project');
  assert.equal(target.ws.target.name, 'iris');
  assert.equal(target.environment, 'staging');
  assert.deepEqual(target.entry, { namespace: 'iris-staging', overlay: 'deploy/k8s/overlays/staging', timeoutSeconds: 300 });
  assert.equal(target.contextSource, 'kubeconfig');
  assert.equal(target.timeoutSeconds, 300);
});

test('the file overrides the defaults, and the request overrides the file', (t) => {
  const { dir, cleanup } = makeProject({
    'deploy/environments.yaml': 'staging:\n  context: lab-staging\n  namespace: team-staging\n  registry: localhost:5000\n  timeoutSeconds: 600\n  pullSecret: regcred\n',
  });
  t.after(cleanup);
  const fromFile = resolveClusterTarget(dir, { surface: 'editor' });
  assert.deepEqual(fromFile.entry, { namespace: 'team-staging', overlay: 'deploy/k8s/overlays/staging', timeoutSeconds: 600, context: 'lab-staging', registry: 'localhost:5000', pullSecret: 'regcred' });
  assert.equal(fromFile.contextSource, 'file');
  const overridden = resolveClusterTarget(dir, { surface: 'cli', context: 'other', namespace: 'mine', registry: 'ghcr.io/acme', timeoutSeconds: 42 });
  assert.deepEqual(overridden.entry, { namespace: 'mine', overlay: 'deploy/k8s/overlays/staging', timeoutSeconds: 42, context: 'other', registry: 'ghcr.io/acme', pullSecret: 'regcred' });
  assert.equal(overridden.contextSource, 'flag');
  assert.equal(overridden.timeoutSeconds, 42);
  // Environments the file leaves out keep their defaults.
  assert.deepEqual(readEnvironments(findWorkspace(dir)).dev, { namespace: 'iris-dev', overlay: 'deploy/k8s/overlays/dev' });
  assert.equal(resolveClusterTarget(dir, { surface: 'cli', env: 'prod', yes: true }).entry.namespace, 'iris-prod');
});

test('a bad environments file is BAD_ENVIRONMENTS naming file:line; the hint fits who asks', (t) => {
  const { dir, cleanup } = makeProject({ 'deploy/environments.yaml': 'staging:\n  namespace: team-staging\n  timeoutSeconds: soon\n' });
  t.after(cleanup);
  const file = join(dir, 'deploy/environments.yaml');
  for (const [surface, hint] of [['cli', /pass --context\/--namespace/], ['editor', /^Fix deploy\/environments\.yaml\.$/]] as const) {
    assert.throws(() => resolveClusterTarget(dir, { surface }), (error: unknown) => {
      assert.ok(isModelshipError(error));
      assert.equal(error.code, 'BAD_ENVIRONMENTS');
      assert.ok(error.message.startsWith(`${file}:3: `), error.message);
      assert.match(error.hint ?? '', hint);
      return true;
    });
  }
});

test('an unknown environment or an invalid value is a usage error before anything connects', (t) => {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  assert.throws(() => resolveClusterTarget(dir, { surface: 'cli', env: 'qa' }), /Unknown environment "qa"/);
  assert.throws(() => resolveClusterTarget(dir, { surface: 'cli', namespace: 'Not_A_Label' }), /--namespace/);
});

test('describeTarget says the environment, the session\'s context, namespace and server, and where the context came from', (t) => {
  const { dir, cleanup } = makeProject();
  t.after(cleanup);
  const session = fakeSession();
  const target = resolveClusterTarget(dir, { surface: 'cli' });
  assert.equal(describeTarget(target, session), "staging: context lab (the kubeconfig's current context), namespace ns, server https://127.0.0.1:6443");
  assert.equal(describeTarget({ ...target, contextSource: 'flag' }, session), 'staging: context lab, namespace ns, server https://127.0.0.1:6443');
});

// Local clusters: which kube targets are kind, minikube, k3d or a desktop engine (tables of what
// each tool writes into the kubeconfig), and the loader CLIs as they are invoked. The CLIs are fake:
// small shell scripts named kind, minikube and k3d in a temporary folder, put first on the PATH of
// the environment passed to the call (the process's own PATH is never changed). Each appends the
// argv it received to a file, one argument a line, so the exact invocation can be asserted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  LOADER_INSTALL_URL, detectLocalCluster, findLocalCluster, listMinikubeProfiles, loadImage, loaderCommand, parseMinikubeProfiles,
  type LocalCluster, type MinikubeProfile,
} from '../../../src/kube/localCluster';
import { isModelshipError } from '../../../src/core/errors';

const posix = process.platform !== 'win32';
const root = mkdtempSync(join(tmpdir(), 'ms-localcluster-'));
after(() => rmSync(root, { recursive: true, force: true }));

const IMAGE = 'iris:0.1.0-8755e46a';

test('detects each local cluster from the names its tool writes', () => {
  const profiles: MinikubeProfile[] = [
    { name: 'ml', ips: ['192.168.49.2'] },
    { name: 'mac', ips: ['192.168.58.2'] },
    { name: 'staging', ips: ['192.168.67.2'] },
    { name: 'noips', ips: [] },
  ];
  const table: [string, { context: string; cluster: string; server: string }, LocalCluster | undefined][] = [
    ['kind default', { context: 'kind-kind', cluster: 'kind-kind', server: 'https://127.0.0.1:40123' }, { kind: 'kind', name: 'kind', loader: 'kind' }],
    ['kind named', { context: 'kind-dev', cluster: 'kind-dev', server: 'https://127.0.0.1:40123' }, { kind: 'kind', name: 'dev', loader: 'kind' }],
    ['kind, context renamed', { context: 'my-laptop', cluster: 'kind-ml-test', server: 'https://127.0.0.1:1' }, { kind: 'kind', name: 'ml-test', loader: 'kind' }],
    ['kind, internal kubeconfig', { context: 'kind-dev', cluster: 'kind-dev', server: 'https://dev-control-plane:6443' }, { kind: 'kind', name: 'dev', loader: 'kind' }],
    ['k3d', { context: 'k3d-demo', cluster: 'k3d-demo', server: 'https://0.0.0.0:6550' }, { kind: 'k3d', name: 'demo', loader: 'k3d' }],
    ['minikube default, no CLI', { context: 'minikube', cluster: 'minikube', server: 'https://192.168.49.2:8443' }, { kind: 'minikube', name: 'minikube', loader: 'minikube' }],
    ['minikube profile by node IP', { context: 'ml', cluster: 'ml', server: 'https://192.168.49.2:8443' }, { kind: 'minikube', name: 'ml', loader: 'minikube' }],
    ['minikube profile, docker driver on macOS', { context: 'mac', cluster: 'mac', server: 'https://127.0.0.1:55021' }, { kind: 'minikube', name: 'mac', loader: 'minikube' }],
    ['minikube profile without IPs listed', { context: 'noips', cluster: 'noips', server: 'https://10.1.2.3:8443' }, { kind: 'minikube', name: 'noips', loader: 'minikube' }],
    ['a remote cluster sharing a profile name', { context: 'staging', cluster: 'staging', server: 'https://k8s.example.com' }, undefined],
    ['docker-desktop', { context: 'docker-desktop', cluster: 'docker-desktop', server: 'https://kubernetes.docker.internal:6443' }, { kind: 'docker-desktop', name: 'docker-desktop' }],
    ['docker-for-desktop (old)', { context: 'docker-for-desktop', cluster: 'docker-for-desktop-cluster', server: 'https://localhost:6443' }, { kind: 'docker-desktop', name: 'docker-for-desktop' }],
    ['rancher-desktop', { context: 'rancher-desktop', cluster: 'rancher-desktop', server: 'https://127.0.0.1:6443' }, { kind: 'rancher-desktop', name: 'rancher-desktop' }],
    ['the lab', { context: 'lab-staging', cluster: 'lab', server: 'https://127.0.0.1:6443' }, undefined],
    ['EKS', { context: 'arn:aws:eks:eu-west-1:1:cluster/ml', cluster: 'arn:aws:eks:eu-west-1:1:cluster/ml', server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com' }, undefined],
    ['bare prefix kind-', { context: 'kind-', cluster: 'kind-', server: 'https://127.0.0.1:1' }, undefined],
    ['kind only in the context', { context: 'kind-x', cluster: 'prod', server: 'https://prod.example' }, undefined],
    ['a profile name only as context', { context: 'ml', cluster: 'other', server: 'https://192.168.49.2:8443' }, undefined],
  ];
  for (const [name, target, expected] of table) assert.deepEqual(detectLocalCluster(target, profiles), expected, name);
  // Without the CLI's profile list, only the default profile's name counts.
  assert.equal(detectLocalCluster({ context: 'ml', cluster: 'ml', server: 'https://192.168.49.2:8443' }), undefined);
});

test('reads minikube profile list -o json, valid and invalid profiles, and rejects other output', () => {
  const json = JSON.stringify({
    invalid: [{ Name: 'broken', Status: '', Config: null }],
    valid: [
      { Name: 'minikube', Status: 'Running', Config: { Name: 'minikube', Nodes: [{ Name: '', IP: '192.168.49.2', Port: 8443, ControlPlane: true }] } },
      { Name: 'multi', Status: 'Stopped', Config: { Nodes: [{ IP: '192.168.58.2' }, { Name: 'm02', IP: '192.168.58.3' }] } },
    ],
  });
  assert.deepEqual(parseMinikubeProfiles(json), [
    { name: 'minikube', ips: ['192.168.49.2'] },
    { name: 'multi', ips: ['192.168.58.2', '192.168.58.3'] },
    { name: 'broken', ips: [] },
  ]);
  assert.equal(parseMinikubeProfiles('* No minikube profile was found.'), undefined);
  assert.equal(parseMinikubeProfiles('{"error":"x"}'), undefined);
  assert.deepEqual(parseMinikubeProfiles('{"valid":[]}'), []);
});

test('the loader commands, exactly', () => {
  assert.deepEqual(loaderCommand({ kind: 'kind', name: 'dev', loader: 'kind' }, IMAGE), { command: 'kind', args: ['load', 'docker-image', IMAGE, '--name', 'dev'], display: `kind load docker-image ${IMAGE} --name dev` });
  assert.deepEqual(loaderCommand({ kind: 'minikube', name: 'ml', loader: 'minikube' }, IMAGE), { command: 'minikube', args: ['image', 'load', IMAGE, '-p', 'ml'], display: `minikube image load ${IMAGE} -p ml` });
  assert.deepEqual(loaderCommand({ kind: 'k3d', name: 'demo', loader: 'k3d' }, IMAGE), { command: 'k3d', args: ['image', 'import', IMAGE, '-c', 'demo'], display: `k3d image import ${IMAGE} -c demo` });
  assert.equal(loaderCommand({ kind: 'docker-desktop', name: 'docker-desktop' }, IMAGE), undefined);
});

/** A folder holding fake CLIs; each records its argv in <name>.argv and then runs `body`. */
function fakeBin(scripts: Record<string, string>): { dir: string; env: NodeJS.ProcessEnv; argv: (name: string) => string[] | undefined } {
  const dir = mkdtempSync(join(root, 'bin-'));
  for (const [name, body] of Object.entries(scripts)) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$@" >> "${join(dir, `${name}.argv`)}"\n${body}\n`);
    chmodSync(file, 0o755);
  }
  // A PATH with the fakes first; /bin and /usr/bin follow for sh and printf. Passed explicitly, never set on process.env.
  const env = { ...process.env, PATH: [dir, '/usr/bin', '/bin'].join(delimiter) };
  const argv = (name: string) => {
    const file = join(dir, `${name}.argv`);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1) : undefined;
  };
  return { dir, env, argv };
}

test('loads through each fake CLI with the exact argv', { skip: !posix && 'the fake CLIs are sh scripts' }, async () => {
  const bin = fakeBin({ kind: 'echo "Image loaded" >&2', minikube: 'exit 0', k3d: 'echo "INFO Successfully imported"' });
  const pathBefore = process.env.PATH;
  const kind = await loadImage({ kind: 'kind', name: 'dev', loader: 'kind' }, IMAGE, { env: bin.env });
  assert.equal(kind?.command, `kind load docker-image ${IMAGE} --name dev`);
  assert.deepEqual(bin.argv('kind'), ['load', 'docker-image', IMAGE, '--name', 'dev']);
  await loadImage({ kind: 'minikube', name: 'ml', loader: 'minikube' }, IMAGE, { env: bin.env });
  assert.deepEqual(bin.argv('minikube'), ['image', 'load', IMAGE, '-p', 'ml']);
  await loadImage({ kind: 'k3d', name: 'demo', loader: 'k3d' }, IMAGE, { env: bin.env });
  assert.deepEqual(bin.argv('k3d'), ['image', 'import', IMAGE, '-c', 'demo']);
  assert.equal(process.env.PATH, pathBefore);
  // A desktop engine has its images already: nothing runs.
  assert.equal(await loadImage({ kind: 'docker-desktop', name: 'docker-desktop' }, IMAGE, { env: bin.env }), undefined);
});

test('a failing CLI\'s stderr is in the error, with what to do', { skip: !posix && 'the fake CLIs are sh scripts' }, async () => {
  const bin = fakeBin({
    kind: 'echo "Deleted nodes" >&2\necho "ERROR: no nodes found for cluster \\"dev\\"" >&2\nexit 1',
    minikube: 'echo "X Exiting due to GUEST_STATUS: state: unknown state \\"ml\\"" >&2\nexit 80',
  });
  await assert.rejects(loadImage({ kind: 'kind', name: 'dev', loader: 'kind' }, IMAGE, { env: bin.env }), (error: unknown) => {
    assert.ok(isModelshipError(error));
    assert.equal(error.code, 'LOCAL_LOAD_FAILED');
    assert.match(error.message, /`kind load docker-image iris:0\.1\.0-8755e46a --name dev` failed \(exit 1\)/);
    assert.deepEqual(error.details, ['Deleted nodes', 'ERROR: no nodes found for cluster "dev"']);
    assert.match(error.hint ?? '', /kind get clusters/);
    return true;
  });
  await assert.rejects(loadImage({ kind: 'minikube', name: 'ml', loader: 'minikube' }, IMAGE, { env: bin.env }), (error: unknown) => {
    assert.ok(isModelshipError(error));
    assert.match(error.message, /exit 80/);
    assert.ok(error.details?.some((line) => line.includes('GUEST_STATUS')));
    assert.match(error.hint ?? '', /minikube status -p ml/);
    return true;
  });
});

test('a CLI that hangs is stopped at the timeout', { skip: !posix && 'the fake CLIs are sh scripts' }, async () => {
  const bin = fakeBin({ k3d: 'echo "importing…" >&2\nexec sleep 30' });
  const started = Date.now();
  await assert.rejects(loadImage({ kind: 'k3d', name: 'demo', loader: 'k3d' }, IMAGE, { env: bin.env, timeoutMs: 300 }), (error: unknown) => {
    assert.ok(isModelshipError(error));
    assert.equal(error.code, 'LOCAL_LOAD_TIMEOUT');
    assert.match(error.message, /k3d image import .* did not finish/);
    return true;
  });
  assert.ok(Date.now() - started < 10_000);
});

test('a missing CLI names where to get it, or --registry', async () => {
  const empty = mkdtempSync(join(root, 'empty-'));
  const env = { ...process.env, PATH: empty };
  for (const loader of ['kind', 'minikube', 'k3d'] as const) {
    await assert.rejects(loadImage({ kind: loader, name: 'x', loader }, IMAGE, { env }), (error: unknown) => {
      assert.ok(isModelshipError(error));
      assert.equal(error.code, 'LOCAL_LOADER_MISSING');
      assert.match(error.message, new RegExp(`\`${loader}\` .*is not on PATH`));
      assert.ok(error.hint?.includes(LOADER_INSTALL_URL[loader]), error.hint);
      assert.match(error.hint ?? '', /--registry/);
      return true;
    });
  }
});

test('minikube profiles come from the CLI when it is on PATH, and from nowhere when it is not', { skip: !posix && 'the fake CLIs are sh scripts' }, async () => {
  const listing = JSON.stringify({ invalid: [], valid: [{ Name: 'ml', Config: { Nodes: [{ IP: '192.168.49.2' }] } }] });
  const bin = fakeBin({ minikube: `cat <<'JSON'\n${listing}\nJSON` });
  assert.deepEqual(await listMinikubeProfiles({ env: bin.env }), [{ name: 'ml', ips: ['192.168.49.2'] }]);
  assert.deepEqual(bin.argv('minikube'), ['profile', 'list', '-o', 'json']);
  const target = { context: 'ml', cluster: 'ml', server: 'https://192.168.49.2:8443' };
  assert.deepEqual(await findLocalCluster(target, { env: bin.env }), { kind: 'minikube', name: 'ml', loader: 'minikube' });

  // kind's names decide without asking minikube.
  const other = fakeBin({ minikube: 'exit 0' });
  assert.deepEqual(await findLocalCluster({ context: 'kind-dev', cluster: 'kind-dev', server: 'https://127.0.0.1:1' }, { env: other.env }), { kind: 'kind', name: 'dev', loader: 'kind' });
  assert.equal(other.argv('minikube'), undefined);

  // No profiles (minikube exits non-zero, printing no JSON): only the default name counts.
  const none = fakeBin({ minikube: 'echo "* No minikube profile was found." >&2\nexit 85' });
  assert.equal(await findLocalCluster(target, { env: none.env }), undefined);
  assert.deepEqual(await findLocalCluster({ context: 'minikube', cluster: 'minikube', server: 'https://192.168.49.2:8443' }, { env: none.env }), { kind: 'minikube', name: 'minikube', loader: 'minikube' });

  const empty = mkdtempSync(join(root, 'nothing-'));
  mkdirSync(join(empty, 'sub'));
  assert.deepEqual(await listMinikubeProfiles({ env: { ...process.env, PATH: empty } }), []);
});

test('a timed-out CLI whose child still holds the pipes does not hold the deploy', { skip: !posix && 'the fake CLIs are sh scripts' }, async () => {
  // sh is stopped; the sleep it started keeps stdout and stderr open for 5 s more.
  const bin = fakeBin({ kind: 'sleep 5\necho late' });
  const started = Date.now();
  await assert.rejects(loadImage({ kind: 'kind', name: 'dev', loader: 'kind' }, IMAGE, { env: bin.env, timeoutMs: 200 }), { code: 'LOCAL_LOAD_TIMEOUT' });
  assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
});

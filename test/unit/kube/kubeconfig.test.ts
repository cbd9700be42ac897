// The kubeconfig loader against temporary kubeconfig files (never the user's): KUBECONFIG lists are
// merged as kubectl merges them, the context is chosen in memory, nothing is written, and a missing
// exec credential plugin or an unknown context is a ModelshipError that says what to do.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, chmodSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadKubeconfig } from '../../../src/kube/kubeconfig';
import { isModelshipError } from '../../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'ms-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const fileA = join(dir, 'a.yaml');
const fileB = join(dir, 'b.yaml');
writeFileSync(join(dir, 'ca.crt'), 'not really a CA');
writeFileSync(fileA, `apiVersion: v1
kind: Config
current-context: alpha
clusters:
- name: shared
  cluster: { server: "https://a.example:6443", certificate-authority: ca.crt }
users:
- name: ua
  user: { token: abc }
contexts:
- name: alpha
  context: { cluster: shared, user: ua, namespace: team-a }
`);
writeFileSync(fileB, `apiVersion: v1
kind: Config
current-context: beta
clusters:
- name: shared
  cluster: { server: "https://b.example:6443" }
- name: gke
  cluster: { server: "https://gke.example" }
users:
- name: ub
  user: { token: def }
- name: gke-user
  user:
    exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin, interactiveMode: IfAvailable }
- name: eks-user
  user:
    exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token] }
contexts:
- name: alpha
  context: { cluster: gke, user: ub, namespace: shadowed }
- name: beta
  context: { cluster: shared, user: ub }
- name: gke
  context: { cluster: gke, user: gke-user }
- name: eks
  context: { cluster: gke, user: eks-user }
`);
const emptyPath = join(dir, 'empty-bin');
mkdirSync(emptyPath);
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ KUBECONFIG: [fileA, join(dir, 'missing.yaml'), fileB].join(delimiter), HOME: dir, PATH: emptyPath, ...extra });

test('KUBECONFIG files merge as kubectl merges them: first current-context and first definition win', () => {
  const before = [readFileSync(fileA, 'utf8'), readFileSync(fileB, 'utf8'), statSync(fileA).mtimeMs, statSync(fileB).mtimeMs];
  const { target, config } = loadKubeconfig({ env: env() });
  assert.deepEqual(target, { context: 'alpha', cluster: 'shared', server: 'https://a.example:6443', namespace: 'team-a', user: 'ua' });
  // The relative CA path is resolved against its own file's folder.
  assert.equal(config.getCurrentCluster()?.caFile, join(dir, 'ca.crt'));
  const beta = loadKubeconfig({ env: env(), context: 'beta', namespace: 'override' });
  assert.deepEqual(beta.target, { context: 'beta', cluster: 'shared', server: 'https://a.example:6443', namespace: 'override', user: 'ub' });
  assert.equal(beta.config.getCurrentContext(), 'beta');
  // Choosing a context is in memory only: the files are untouched.
  assert.deepEqual([readFileSync(fileA, 'utf8'), readFileSync(fileB, 'utf8'), statSync(fileA).mtimeMs, statSync(fileB).mtimeMs], before);
  assert.equal(loadKubeconfig({ env: env() }).target.context, 'alpha');
});

test('an explicit kubeconfig path overrides KUBECONFIG; a missing one is an error naming it', () => {
  assert.equal(loadKubeconfig({ env: env(), kubeconfig: fileB }).target.context, 'beta');
  assert.throws(() => loadKubeconfig({ env: env(), kubeconfig: join(dir, 'nope.yaml') }), (e: unknown) => isModelshipError(e) && e.code === 'KUBECONFIG_MISSING' && e.message.includes('nope.yaml'));
  assert.throws(() => loadKubeconfig({ env: { HOME: join(dir, 'nohome'), PATH: emptyPath } }), (e: unknown) => isModelshipError(e) && e.code === 'KUBECONFIG_MISSING');
});

test('an unknown context lists the known ones', () => {
  assert.throws(
    () => loadKubeconfig({ env: env(), context: 'gamma' }),
    (e: unknown) => isModelshipError(e) && e.code === 'KUBE_CONTEXT_UNKNOWN' && e.message.includes('"gamma"') && /alpha, beta, gke, eks/.test(e.hint ?? ''),
  );
});

test('an exec credential plugin missing from PATH is named, with where to get it', () => {
  assert.throws(
    () => loadKubeconfig({ env: env(), context: 'gke' }),
    (e: unknown) => isModelshipError(e) && e.code === 'KUBE_AUTH_PLUGIN_MISSING' && e.message.includes('gke-gcloud-auth-plugin') && (e.hint ?? '').includes('gcloud components install gke-gcloud-auth-plugin'),
  );
  assert.throws(() => loadKubeconfig({ env: env(), context: 'eks' }), (e: unknown) => isModelshipError(e) && e.message.includes('`aws`') && (e.hint ?? '').includes('AWS CLI v2'));
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'gke-gcloud-auth-plugin'), '#!/bin/sh\n');
  chmodSync(join(bin, 'gke-gcloud-auth-plugin'), 0o755);
  assert.equal(loadKubeconfig({ env: env({ PATH: bin }), context: 'gke' }).target.server, 'https://gke.example');
});

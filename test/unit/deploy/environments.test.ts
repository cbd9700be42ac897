// The environments file: defaults from containerize, parsing with located problems, rendering,
// comment-preserving edits, and resolving a deploy target from the file and flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironments, parseEnvironments, renderEnvironmentsFile, setEnvironmentField } from '../../../src/core/deploy/environments';
import { defaultTimeoutSeconds, resolveTarget } from '../../../src/core/deploy/resolveTarget';
import { isModelshipError } from '../../../src/core/errors';

const FILE = 'deploy/environments.yaml';

test('defaultEnvironments names <name>-<env> namespaces and the generated overlays', () => {
  assert.deepEqual(defaultEnvironments({ name: 'iris' }), {
    dev: { namespace: 'iris-dev', overlay: 'deploy/k8s/overlays/dev' },
    staging: { namespace: 'iris-staging', overlay: 'deploy/k8s/overlays/staging' },
    prod: { namespace: 'iris-prod', overlay: 'deploy/k8s/overlays/prod' },
  });
});

test('renderEnvironmentsFile round-trips through parseEnvironments and explains every key', () => {
  const envs = { ...defaultEnvironments({ name: 'iris' }), staging: { namespace: 'iris-staging', overlay: 'deploy/k8s/overlays/staging', context: 'lab-staging', registry: 'localhost:5000', timeoutSeconds: 600 } };
  const text = renderEnvironmentsFile(envs);
  for (const key of ['context', 'namespace', 'overlay', 'registry', 'pullSecret', 'timeoutSeconds', 'chart']) assert.match(text, new RegExp(`^#\\s+${key}\\s`, 'm'));
  assert.ok(text.indexOf('dev:') < text.indexOf('staging:') && text.indexOf('staging:') < text.indexOf('prod:'));
  assert.deepEqual(parseEnvironments(text, FILE), { environments: envs, problems: [] });
});

test('parseEnvironments reads every key and defaults nothing it was not told', () => {
  const text = 'staging:\n  context: lab-staging\n  namespace: staging\n  overlay: deploy/k8s/overlays/staging/\n  registry: localhost:5000\n  pullSecret: regcred\n  timeoutSeconds: 900\n  chart: deploy/helm/iris\ndev:\nprod: {}\n';
  const { environments, problems } = parseEnvironments(text, FILE);
  assert.deepEqual(problems, []);
  assert.deepEqual(environments, {
    staging: { context: 'lab-staging', namespace: 'staging', overlay: 'deploy/k8s/overlays/staging', registry: 'localhost:5000', pullSecret: 'regcred', timeoutSeconds: 900, chart: 'deploy/helm/iris' },
    dev: {},
    prod: {},
  });
});

test('parseEnvironments locates each problem on its line and says what to do', () => {
  const text = [
    '# comment',
    'staging:',
    '  namespce: iris-staging', // 3: typo
    '  namespace: Iris_Staging', // 4: not a DNS-1123 label
    '  timeoutSeconds: 10m', // 5: wrong type
    '  registry: https://localhost:5000', // 6: scheme
    'production:', // 7: unknown environment
    '  namespace: iris-prod',
    'dev:',
    '  timeoutSeconds: -5', // 10: invalid timeout
    '  overlay: ../elsewhere', // 11: outside the project
    '  context: [a, b]', // 12: not a scalar
    '',
  ].join('\n');
  const { environments, problems } = parseEnvironments(text, FILE);
  const got = problems.map((p) => [p.line, p.code]);
  assert.deepEqual(got, [[3, 'unknown-key'], [4, 'invalid-value'], [5, 'wrong-type'], [6, 'invalid-value'], [7, 'unknown-environment'], [10, 'invalid-value'], [11, 'invalid-value'], [12, 'wrong-type']]);
  assert.ok(problems.every((p) => p.path === FILE && p.fix && p.severity === 'error'));
  assert.match(problems[0]!.fix!, /Did you mean `namespace`\?/);
  assert.match(problems[1]!.message, /63 lower-case letters, digits and dashes/);
  assert.match(problems[4]!.fix!, /Did you mean `prod`\?/);
  // Bad fields are dropped, good ones kept.
  assert.deepEqual(environments, { staging: {}, dev: {} });
});

test('parseEnvironments never throws, whatever the text', () => {
  for (const text of ['', '   \n', '# only a comment\n', '- a\n- b\n', 'just text', 'a: [1\nb: c: d\n', '{', '"\\', 'staging: 3\n', 'staging: [x]\n', '? [a]\n: 1\n', 'dev: &a {namespace: x}\nprod: *a\n', '\t\0\x7f']) {
    const result = parseEnvironments(text, FILE);
    assert.ok(Array.isArray(result.problems), text);
    assert.ok(result.problems.every((p) => Number.isInteger(p.line) && p.line! >= 1), text);
  }
  assert.equal(parseEnvironments('a: [1\n', FILE).problems[0]!.code, 'yaml-syntax');
  assert.equal(parseEnvironments('- a\n', FILE).problems[0]!.code, 'not-a-map');
  assert.deepEqual(parseEnvironments('', FILE), { environments: {}, problems: [] });
});

test('setEnvironmentField remembers a context and keeps every comment', () => {
  const text = '# Where modelship deploys.\n\nstaging:\n  # the shared cluster\n  namespace: iris-staging # team namespace\nprod: {}\n';
  const once = setEnvironmentField(text, 'staging', 'context', 'lab-staging');
  assert.equal(once, '# Where modelship deploys.\n\nstaging:\n  # the shared cluster\n  namespace: iris-staging # team namespace\n  context: lab-staging\nprod: {}\n');
  const twice = setEnvironmentField(setEnvironmentField(once, 'prod', 'context', 'lab-prod'), 'dev', 'namespace', 'iris-dev');
  assert.match(twice, /^prod:\n {2}context: lab-prod$/m);
  assert.match(twice, /^dev:\n {2}namespace: iris-dev$/m);
  assert.match(twice, /# the shared cluster/);
  assert.match(twice, /# team namespace/);
  assert.deepEqual(parseEnvironments(twice, FILE).environments.staging, { namespace: 'iris-staging', context: 'lab-staging' });
  const removed = setEnvironmentField(twice, 'staging', 'context', undefined);
  assert.equal(parseEnvironments(removed, FILE).environments.staging?.context, undefined);
  assert.equal(parseEnvironments(setEnvironmentField('', 'staging', 'timeoutSeconds', 600), FILE).environments.staging?.timeoutSeconds, 600);
  assert.equal(parseEnvironments(setEnvironmentField('dev:\n', 'dev', 'context', 'kind-kind'), FILE).environments.dev?.context, 'kind-kind');
});

test('setEnvironmentField refuses invalid values and unreadable files', () => {
  const refuses = (fn: () => unknown) => assert.throws(fn, (e: unknown) => isModelshipError(e) && e.code === 'ENVIRONMENTS_INVALID');
  refuses(() => setEnvironmentField('', 'staging', 'namespace', 'Not_A_Label'));
  refuses(() => setEnvironmentField('', 'staging', 'timeoutSeconds', 0));
  refuses(() => setEnvironmentField('a: [1\n', 'staging', 'context', 'x'));
  refuses(() => setEnvironmentField('- a\n', 'staging', 'context', 'x'));
});

const envs = { ...defaultEnvironments({ name: 'iris' }), staging: { namespace: 'iris-staging', context: 'lab-staging', registry: 'localhost:5000' } };

test('resolveTarget defaults to staging and records where each value came from', () => {
  const t = resolveTarget(envs, undefined);
  assert.equal(t.environment, 'staging');
  assert.equal(t.environmentSource, 'default');
  assert.deepEqual([t.context, t.contextSource, t.namespace, t.namespaceSource], ['lab-staging', 'file', 'iris-staging', 'file']);
  assert.deepEqual([t.overlay, t.overlaySource, t.registry, t.registrySource, t.renderer], ['deploy/k8s/overlays/staging', 'default', 'localhost:5000', 'file', 'kustomize']);
  assert.deepEqual([t.timeoutSeconds, t.timeoutSource], [300, 'default']);
  assert.deepEqual(t.guard, { requiresConfirmation: false });
});

test('resolveTarget lets flags override the file', () => {
  const t = resolveTarget(envs, 'staging', { context: 'kind-kind', namespace: 'team-a', registry: 'ghcr.io/acme', timeoutSeconds: 42 });
  assert.deepEqual([t.context, t.contextSource, t.namespace, t.namespaceSource, t.registry, t.registrySource, t.timeoutSeconds, t.timeoutSource], ['kind-kind', 'flag', 'team-a', 'flag', 'ghcr.io/acme', 'flag', 42, 'flag']);
});

test('resolveTarget leaves a missing context to the surface: the editor asks, the CLI uses the current context', () => {
  assert.equal(resolveTarget(envs, 'dev').contextSource, 'current-context');
  assert.equal(resolveTarget(envs, 'dev', {}, { surface: 'editor' }).contextSource, 'ask');
  assert.equal(resolveTarget(envs, 'dev').context, undefined);
});

test('resolveTarget guards prod unless --yes', () => {
  const guarded = resolveTarget(envs, 'prod');
  assert.equal(guarded.guard.requiresConfirmation, true);
  assert.match(guarded.guard.message!, /--yes/);
  assert.match(guarded.guard.message!, /namespace iris-prod/);
  assert.deepEqual(resolveTarget(envs, 'prod', { yes: true }).guard, { requiresConfirmation: false });
  assert.equal(resolveTarget(envs, 'staging').guard.requiresConfirmation, false);
});

test('resolveTarget derives the timeout from the startup budget and picks Helm for a chart', () => {
  assert.deepEqual([defaultTimeoutSeconds(), defaultTimeoutSeconds(60), defaultTimeoutSeconds(900)], [300, 300, 1020]);
  const t = resolveTarget({ prod: { namespace: 'p', chart: 'deploy/helm/iris', timeoutSeconds: 77 } }, 'prod', { yes: true }, { startupBudgetSeconds: 900 });
  assert.deepEqual([t.renderer, t.chart, t.timeoutSeconds, t.timeoutSource], ['helm', 'deploy/helm/iris', 77, 'file']);
  const derived = resolveTarget(envs, 'dev', {}, { startupBudgetSeconds: 900 });
  assert.deepEqual([derived.timeoutSeconds, derived.timeoutSource], [1020, 'startup-budget']);
});

test('resolveTarget refuses unknown environments, bad flags and a missing namespace with USAGE', () => {
  const usage = (fn: () => unknown, text: RegExp) => assert.throws(fn, (e: unknown) => isModelshipError(e) && e.code === 'USAGE' && text.test(`${e.message} ${e.hint ?? ''}`));
  usage(() => resolveTarget(envs, 'production'), /dev, staging or prod/);
  usage(() => resolveTarget(envs, 'staging', { namespace: 'Bad_NS' }), /--namespace/);
  usage(() => resolveTarget(envs, 'staging', { timeoutSeconds: 1.5 }), /--timeout/);
  usage(() => resolveTarget({}, 'dev'), /--namespace/);
});

// Where each environment deploys as the editor resolves it: the environments file over the
// generated defaults, under the user's modelship.deploy.* settings (which act as the CLI's flags).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editorTargets, mergeEnvironmentsFile, settingsFlags } from '../../../src/core/deploy/editorTargets';
import { setEnvironmentField } from '../../../src/core/deploy/environments';

const NO_SETTINGS = { environments: {} };

test('with no file every environment uses the generated namespace and is not set up (the editor asks for the context)', () => {
  const { targets, problems } = editorTargets('iris', undefined, NO_SETTINGS);
  assert.deepEqual(problems, []);
  assert.equal(targets.staging?.namespace, 'iris-staging');
  assert.equal(targets.staging?.contextSource, 'ask');
  assert.equal(targets.staging?.configured, false);
  assert.equal(targets.prod?.guard.requiresConfirmation, true);
});

test('a context written by the first deploy makes the environment set up, keeping the other environments asking', () => {
  const text = setEnvironmentField(setEnvironmentField('', 'staging', 'context', 'lab-staging'), 'staging', 'namespace', 'iris-s');
  const { targets } = editorTargets('iris', text, NO_SETTINGS);
  assert.equal(targets.staging?.context, 'lab-staging');
  assert.equal(targets.staging?.namespace, 'iris-s');
  assert.equal(targets.staging?.configured, true);
  assert.equal(targets.dev?.configured, false);
});

test('settings override the file per environment, like the CLI flags', () => {
  const text = 'staging:\n  context: team-staging\n  namespace: iris-staging\n';
  const { targets } = editorTargets('iris', text, { environments: { staging: { context: 'my-staging' } }, registry: 'localhost:5000', rolloutTimeoutSeconds: 900 });
  assert.equal(targets.staging?.context, 'my-staging');
  assert.equal(targets.staging?.contextSource, 'flag');
  assert.equal(targets.staging?.registry, 'localhost:5000');
  assert.equal(targets.staging?.timeoutSeconds, 900);
});

test("the default registry fills in only where the environment names none", () => {
  const text = 'staging:\n  registry: ghcr.io/acme\n';
  const { targets } = editorTargets('iris', text, { environments: {}, registry: 'localhost:5000' });
  assert.equal(targets.staging?.registry, 'ghcr.io/acme');
  assert.equal(targets.dev?.registry, 'localhost:5000');
});

test('errors in the file are named as file:line, and the targets fall back to the defaults', () => {
  const text = 'staging:\n  namespace: Not_A_Namespace\n';
  const { problems, environments } = mergeEnvironmentsFile('iris', text, 'svc/deploy/environments.yaml');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^svc\/deploy\/environments\.yaml:2: /);
  assert.equal(environments.dev?.namespace, 'iris-dev');
});

test('an invalid setting is named as the setting, and only its environment is left out', () => {
  const { targets, problems } = editorTargets('iris', undefined, { environments: { prod: { namespace: 'Bad Name' } } });
  assert.equal(targets.prod, undefined);
  assert.ok(targets.staging);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^settings: modelship\.deploy\.environments\.prod\.namespace/);
});

test('settingsFlags passes only what is set', () => {
  assert.deepEqual(settingsFlags(NO_SETTINGS, 'staging'), {});
  assert.deepEqual(settingsFlags({ environments: { dev: { namespace: 'x', timeoutSeconds: 60 } }, rolloutTimeoutSeconds: 900 }, 'dev'), { namespace: 'x', timeoutSeconds: 60 });
});

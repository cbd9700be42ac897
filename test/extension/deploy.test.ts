// The Deployments capability against the real cluster (../shared/kube-lab) and engine: a copy of
// examples/iris-sklearn, containerized by the CLI inside the fixture workspace, is deployed to
// staging through executeCommand (the context and namespace answered by a scripted prompter and
// written to deploy/environments.yaml), watched in the Deployments view and the status bar, opened
// in the status and logs panels, forwarded and asked for a prediction, rolled back, guarded in
// prod (cancelling sends nothing) and undeployed. Everything it creates is removed.
//
// Without the lab or the engine (and its test base) the suite skips, saying why; with
// MODELSHIP_REQUIRE_VSCODE or CI set it fails instead.
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import Mocha = require('mocha');
import type { DeployOutcome } from '../../src/extension/deploy/deployProgress';
import type { ModelshipApi } from '../../src/extension/extension';
import { CLUSTER_REGISTRY, clusterRegistryProblem, TEST_BASE_IMAGE, testBase } from '../helpers/testInfra';
import { ScriptedPrompter, cancel, choose, type, type Answer } from './scriptedPrompter';
import { EXTENSION_ID, activated, waitFor, workspaceFolder } from './testApi';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './workspaceSnapshot';

const REQUIRED = Boolean(process.env.MODELSHIP_REQUIRE_VSCODE || process.env.CI);
const PROJECT = 'ext-deploy-iris';
/** The registry the lab pulls from (not MODELSHIP_TEST_REGISTRY, which the cluster cannot reach). */
const REGISTRY = CLUSTER_REGISTRY;
const SUFFIX = `${process.pid}-${Date.now().toString(36)}`;
const STAGING_NS = `msext-${SUFFIX}`;
const PROD_NS = `msext-prod-${SUFFIX}`;

function say(line: string): void {
  (Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void }).consoleLog(line);
}

/** The lab's kubeconfig and a kubectl on it, or why there is none. */
function probeLab(): { kubeconfig: string; kubectl: (args: string[]) => string } | { missing: string } {
  const kubeconfig = process.env.MODELSHIP_TEST_KUBECONFIG || path.join(os.homedir(), '.cache', 'kube-lab', 'kubeconfig');
  if (!fs.existsSync(kubeconfig)) return { missing: `no cluster: ${kubeconfig} does not exist (run bash ../shared/kube-lab/up.sh)` };
  const labKubectl = path.join(path.dirname(kubeconfig), 'bin', 'kubectl');
  const bin = fs.existsSync(labKubectl) ? labKubectl : 'kubectl';
  const kubectl = (args: string[]): string => {
    const res = spawnSync(bin, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 60_000 });
    if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr || res.error?.message}`);
    return res.stdout;
  };
  try {
    kubectl(['get', '--raw', '/readyz', '--request-timeout=5s']);
  } catch (error) {
    return { missing: `no cluster: ${kubeconfig} does not answer (${(error as Error).message.slice(0, 200)})` };
  }
  return { kubeconfig, kubectl };
}

/** What the test base provides, once the registry the lab pulls from is the test registry too; or what is missing. */
async function probeBase(): Promise<{ provides: string } | { missing: string }> {
  const base = testBase();
  if ('missing' in base) return base;
  const registry = await clusterRegistryProblem();
  return registry ?? base;
}

suite('deployments (real cluster and engine)', function () {
  let api: ModelshipApi;
  let lab: { kubeconfig: string; kubectl: (args: string[]) => string };
  let before: Snapshot;
  let projectDir: string;
  let prompter: ScriptedPrompter;

  const setPrompter = (...answers: Answer[]): ScriptedPrompter => {
    prompter = new ScriptedPrompter(...answers);
    api.testing.setPrompter(prompter);
    return prompter;
  };

  suiteSetup(async function () {
    this.timeout(180_000);
    const found = probeLab();
    const base = 'missing' in found ? found : await probeBase();
    if ('missing' in found || 'missing' in base) {
      const why = 'missing' in found ? found.missing : (base as { missing: string }).missing;
      if (REQUIRED) assert.fail(`MODELSHIP_REQUIRE_VSCODE/CI need the kube lab and the engine: ${why}`);
      say(`    deployments SKIPPED: ${why}`);
      this.skip();
    }
    lab = found as typeof lab;
    api = await activated();
    api.testing.setTrusted(true);
    const repo = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    before = takeSnapshot(workspaceFolder().uri.fsPath);
    projectDir = path.join(workspaceFolder().uri.fsPath, PROJECT);
    fs.cpSync(path.join(repo, 'examples/iris-sklearn'), projectDir, { recursive: true });
    execFileSync(process.execPath, [path.join(repo, 'dist/cli.js'), 'containerize', projectDir, '--only', 'dockerfile,app,k8s', '--base-image', TEST_BASE_IMAGE, '--base-provides', (base as { provides: string }).provides], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe', timeout: 60_000,
    });
    // The lab is one 2-CPU node the other suites' pods share: small requests keep a rolling update from
    // waiting for room ("Insufficient cpu") whatever the generated request per worker is.
    const deployment = path.join(projectDir, 'deploy/k8s/base/deployment.yaml');
    const requests = /(requests:\n\s+cpu: )\d+m/;
    assert.match(fs.readFileSync(deployment, 'utf8'), requests);
    fs.writeFileSync(deployment, fs.readFileSync(deployment, 'utf8').replace(requests, '$150m'));
    const config = vscode.workspace.getConfiguration('modelship');
    await config.update('kube.kubeconfig', lab.kubeconfig, vscode.ConfigurationTarget.Global);
    await config.update('deploy.registry', REGISTRY, vscode.ConfigurationTarget.Global);
    await api.deployments.refresh();
  });

  suiteTeardown(async function () {
    this.timeout(120_000);
    if (!api) return;
    api.testing.setPrompter(undefined);
    await vscode.commands.executeCommand('modelship.stopPortForward');
    for (const ns of [STAGING_NS, PROD_NS]) {
      try {
        lab.kubectl(['--context', 'lab-admin', 'delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
      } catch (error) {
        say(`    cleanup: ${(error as Error).message}`);
      }
    }
    const config = vscode.workspace.getConfiguration('modelship');
    await config.update('kube.kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await config.update('deploy.registry', undefined, vscode.ConfigurationTarget.Global);
    api.testing.setTrusted(undefined);
    if (before) restoreSnapshot(before);
  });

  test('the status bar names staging, and that its context is yet to be chosen', async () => {
    const text = await waitFor('the deploy status bar item', () => api.deployments.statusBarText());
    assert.match(text, new RegExp(`staging: choose a context / ${PROJECT}-staging`));
  });

  test('Deploy to Staging asks the context (current first) and namespace, remembers them, and follows the rollout to Ready', async function () {
    this.timeout(420_000);
    const asked = setPrompter(choose('lab-staging'), type(STAGING_NS));
    const outcome = await vscode.commands.executeCommand<DeployOutcome>('modelship.deployStaging', vscode.Uri.file(path.join(projectDir, 'Dockerfile')));
    assert.ok(outcome, `the deploy returned its outcome (last notice: ${api.lastNotice()})`);
    assert.strictEqual(outcome.state, 'ready', `${outcome.message}\n${api.deployments.channelText()}`);
    const contextPick = asked.asked[0]!;
    assert.strictEqual(contextPick.kind, 'pickOne');
    if (contextPick.kind === 'pickOne') assert.strictEqual(contextPick.items[0]!.label, 'lab-staging', 'the current context comes first');
    const file = fs.readFileSync(path.join(projectDir, 'deploy/environments.yaml'), 'utf8');
    assert.match(file, /staging:[\s\S]*context: lab-staging/);
    assert.match(file, new RegExp(`namespace: ${STAGING_NS}`));
    assert.match(outcome.result?.image ?? '', new RegExp(`^${REGISTRY.replace('.', '\\.')}/${PROJECT}@sha256:[0-9a-f]{64}$`));
    const channel = api.deployments.channelText() ?? '';
    for (const step of ['[connect]', '[diff]', '[apply]', '[rollout]']) assert.ok(channel.includes(step), `the channel shows ${step}:\n${channel}`);
    const live = JSON.parse(lab.kubectl(['--context', 'lab-admin', '-n', STAGING_NS, 'get', 'deployment', PROJECT, '-o', 'json'])) as { status: { readyReplicas?: number } };
    assert.ok((live.status.readyReplicas ?? 0) >= 1, 'the cluster reports ready replicas');
  });

  test('the Deployments view shows staging → the Deployment (ready, revision, digest) → its pods', async function () {
    this.timeout(60_000);
    await api.deployments.refresh();
    const rows = await waitFor('the staging row', () => api.deployments.rows().find((r) => r.label === 'staging'), 30_000);
    assert.match(rows.description, new RegExp(`^lab-staging / ${STAGING_NS}`));
    const deployment = rows.children[0]!;
    assert.strictEqual(deployment.label, PROJECT);
    assert.match(deployment.description, /^\d+\/\d+ ready · rev 1 · @[0-9a-f]{12}$/);
    assert.match(deployment.contextValue, /^modelship\.deployment\.ready/);
    assert.ok(deployment.children.length >= 1, JSON.stringify(deployment));
    assert.match(deployment.children[0]!.description, /^Running · 1\/1/);
    assert.match(api.deployments.statusBarText() ?? '', new RegExp(`staging: lab-staging / ${STAGING_NS}`));
  });

  test('the status panel shows the live model, and the logs panel streams every pod', async function () {
    this.timeout(90_000);
    const arg = { projectDir, environment: 'staging', deployment: PROJECT };
    await vscode.commands.executeCommand('modelship.showDeploymentStatus', arg);
    const status = await waitFor('the status panel model', () => api.deployments.panels().status[0]?.lastModel(), 30_000);
    assert.strictEqual(status.header.deployment, PROJECT);
    await vscode.commands.executeCommand('modelship.showDeploymentLogs', arg);
    const logs = await waitFor('log lines', () => (api.deployments.panels().logs[0]?.bufferedLines() ?? 0) > 0 && api.deployments.panels().logs[0], 60_000);
    const text = logs.visibleText(0, 50).join('\n');
    assert.match(text, new RegExp(`${PROJECT}-[a-z0-9]+-[a-z0-9]+`), text);
    for (const p of [...api.deployments.panels().status, ...api.deployments.panels().logs]) p.dispose();
  });

  test('Try a Prediction forwards to the Service and shows the answer beside the expected predictions', async function () {
    this.timeout(120_000);
    const result = await vscode.commands.executeCommand<{ report: { markdown: string; compared: number; matches: number } }>('modelship.tryPrediction', { projectDir, environment: 'staging' });
    assert.ok(result, `a result (last notice: ${api.lastNotice()})`);
    assert.ok(result.report.compared > 0 && result.report.matches === result.report.compared, result.report.markdown);
    assert.match(result.report.markdown, /\| row \| prediction \| expected \|/);
  });

  test('prod asks for the typed context name; cancelling sends nothing to the cluster', async function () {
    this.timeout(60_000);
    setPrompter(choose('prod'), choose('lab-prod'), type(PROD_NS), cancel);
    const outcome = await vscode.commands.executeCommand<DeployOutcome>('modelship.deployEnvironment', { projectDir, environment: undefined });
    assert.strictEqual(outcome, undefined, 'cancelled');
    const last = prompter.asked.at(-1)!;
    assert.strictEqual(last.kind, 'input');
    if (last.kind === 'input') assert.match(last.options.prompt, /Type the context name/);
    const namespaces = lab.kubectl(['--context', 'lab-admin', 'get', 'namespaces', '-o', 'name']);
    assert.ok(!namespaces.includes(`namespace/${PROD_NS}`), 'no prod namespace was created');
  });

  test('a second deploy makes revision 2; Roll Back returns to revision 1', async function () {
    this.timeout(420_000);
    const overlay = path.join(projectDir, 'deploy/k8s/overlays/staging/kustomization.yaml');
    fs.appendFileSync(overlay, '\ncommonAnnotations:\n  modelship.test/revision: "2"\n');
    setPrompter();
    const second = await vscode.commands.executeCommand<DeployOutcome>('modelship.deployStaging', { projectDir, environment: 'staging' });
    assert.strictEqual(second?.state, 'ready', second?.message);
    setPrompter(choose('revision 1'), choose('Roll Back'));
    const rolled = await vscode.commands.executeCommand<DeployOutcome>('modelship.rollback', { projectDir, environment: 'staging', deployment: PROJECT });
    assert.strictEqual(rolled?.state, 'ready', rolled?.message);
    const revision = lab.kubectl(['--context', 'lab-admin', '-n', STAGING_NS, 'get', 'deployment', PROJECT, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']);
    assert.strictEqual(revision, '3', 'kubectl rollout undo makes the old template the newest revision');
  });

  test('Undeploy asks, then deletes what deploy created', async function () {
    this.timeout(120_000);
    setPrompter(choose('Undeploy'));
    const result = await vscode.commands.executeCommand<{ deleted: string[] }>('modelship.undeploy', { projectDir, environment: 'staging' });
    assert.ok(result?.deleted.includes(`Deployment/${PROJECT}`), JSON.stringify(result));
    const left = lab.kubectl(['--context', 'lab-admin', '-n', STAGING_NS, 'get', 'deployments', '-o', 'name']);
    assert.strictEqual(left.trim(), '');
  });
});

// The real engines behind the editor: what `lintFile` and `scanModelSafety` report for a file, the
// editor shows (and fixes) for it. Each test first asks the core directly; while an engine has not
// been wired in yet the core reports nothing, and the test says so and skips.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { ALL_RULES, DEFAULT_LINT_SETTINGS, lintFile, ruleDoc, scanModelSafety, type Finding } from '../../src/core/lint';
import type { WorkspaceReader } from '../../src/core/workspaceReader';
import type { ContainerizeResult } from '../../src/extension/containerize/containerize';
import type { ModelshipApi } from '../../src/extension/extension';
import { PEER_COVERAGE } from '../../src/extension/lint/lintPeers';
import { EVIL_PICKLE, applyAction, codeActionsAt, codeOf, ours, skipBecause, writeFile } from './lintKit';
import { ScriptedPrompter, cancel } from './scriptedPrompter';
import { activated, modelPaths, uriOf, waitFor, workspaceFolder } from './testApi';
import { addedFiles, restoreSnapshot, takeSnapshot, type Snapshot } from './workspaceSnapshot';

const DIR = 'lint-real';
const BAD_DOCKERFILE = 'FROM python:latest\n';
const NO_RESOURCES = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: iris
spec:
  replicas: 1
  selector:
    matchLabels:
      app: iris
  template:
    metadata:
      labels:
        app: iris
    spec:
      containers:
        - name: iris
          image: iris:0.1.0
          ports:
            - containerPort: 8080
`;

function memoryReader(files: Record<string, Uint8Array>): WorkspaceReader {
  return {
    list: async () => [],
    realpath: async (p) => p,
    stat: async (p) => ({ kind: 'file', size: files[p]?.length ?? 0 }),
    read: async (p, offset, length) => (files[p] ?? new Uint8Array()).subarray(offset, offset + length),
  };
}

/** The core's findings for a text file, as the CLI would report them. */
async function coreFindings(file: string, text: string): Promise<Finding[]> {
  return lintFile({ file, text, settings: DEFAULT_LINT_SETTINGS });
}

async function openDoc(relative: string, text: string): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument }> {
  const uri = await writeFile(`${DIR}/${relative}`, text);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return { uri, doc };
}

suite('lint: the real engines in the editor', () => {
  let api: ModelshipApi;
  let before: Snapshot;

  suiteSetup(async () => {
    api = await activated();
    api.testing.setLinter(undefined);
    api.testing.setModelScanner(undefined);
    api.testing.setPeerExtensions(undefined);
    before = takeSnapshot(workspaceFolder().uri.fsPath);
  });
  teardown(async () => {
    api.testing.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('modelship').update('lint.rules', undefined, vscode.ConfigurationTarget.Workspace);
    restoreSnapshot(before);
    await vscode.commands.executeCommand('modelship.refresh');
    await api.lint.whenIdle();
  });

  test('FROM python:latest: an MS-DF finding with a fix on line 0; its quick fix removes it', async function () {
    const core = (await coreFindings('Dockerfile', BAD_DOCKERFILE)).find((f) => f.ruleId.startsWith('MS-DF') && f.range.start.line === 0 && (f.fixes?.length ?? 0) > 0);
    if (!core) skipBecause(this, `the Dockerfile engine reports no fixable MS-DF finding on line 0 for "FROM python:latest" yet (${ALL_RULES.length} rules registered)`);
    const { uri } = await openDoc('Dockerfile', BAD_DOCKERFILE);
    const diagnostic = await waitFor(`${core.ruleId} on line 0`, () => ours(uri).find((d) => codeOf(d) === core.ruleId && d.range.start.line === 0));
    assert.strictEqual(diagnostic.message, core.message);
    const actions = await codeActionsAt(uri, diagnostic.range);
    const fix = actions.find((a) => a.title === core.fixes?.[0]?.title);
    assert.ok(fix, `the fix "${core.fixes?.[0]?.title}" is offered; got ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(actions.some((a) => a.title === `Ignore ${core.ruleId} for this line`));
    await applyAction(fix, core.fixes?.[0]?.title ?? 'fix');
    await waitFor(`${core.ruleId} gone from line 0`, () => !ours(uri).some((d) => codeOf(d) === core.ruleId && d.range.start.line === 0));
  });

  test('an ignore comment and the rules setting silence a real Dockerfile finding', async function () {
    const core = (await coreFindings('Dockerfile', BAD_DOCKERFILE)).find((f) => f.ruleId.startsWith('MS-DF') && f.range.start.line === 0);
    if (!core) skipBecause(this, 'the Dockerfile engine reports nothing on line 0 for "FROM python:latest" yet');
    const { uri, doc } = await openDoc('ignored/Dockerfile', BAD_DOCKERFILE);
    await waitFor(`${core.ruleId}`, () => ours(uri).some((d) => codeOf(d) === core.ruleId));
    const actions = await codeActionsAt(uri, new vscode.Range(0, 0, 0, 0));
    await applyAction(actions.find((a) => a.title === `Ignore ${core.ruleId} for this line`), 'ignore');
    assert.strictEqual(doc.lineAt(0).text, `# modelship-ignore ${core.ruleId}`);
    await waitFor(`${core.ruleId} silenced by the comment`, () => !ours(uri).some((d) => codeOf(d) === core.ruleId));
    const other = await openDoc('off/Dockerfile', BAD_DOCKERFILE);
    await waitFor(`${core.ruleId}`, () => ours(other.uri).some((d) => codeOf(d) === core.ruleId));
    await vscode.workspace.getConfiguration('modelship').update('lint.rules', { [core.ruleId]: 'off' }, vscode.ConfigurationTarget.Workspace);
    await waitFor(`${core.ruleId} off by setting`, () => !ours(other.uri).some((d) => codeOf(d) === core.ruleId));
    await vscode.workspace.getConfiguration('modelship').update('lint.rules', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('a Deployment without resources gets an MS-K8S finding (and its fix, when it has one, removes it)', async function () {
    const core = (await coreFindings('deploy/deployment.yaml', NO_RESOURCES))
      .find((f) => f.ruleId.startsWith('MS-K8S') && /resources/.test(ruleDoc(f.ruleId)?.name ?? ''));
    if (!core) skipBecause(this, `the Kubernetes engine reports no MS-K8S finding about resources yet (${ALL_RULES.filter((r) => r.id.startsWith('MS-K8S')).length} K8S rules registered)`);
    const { uri } = await openDoc('deploy/deployment.yaml', NO_RESOURCES);
    const diagnostic = await waitFor(`${core.ruleId}`, () => ours(uri).find((d) => codeOf(d) === core.ruleId && d.message === core.message));
    assert.strictEqual(diagnostic.range.start.line, core.range.start.line);
    if (core.fixes?.length) {
      const actions = await codeActionsAt(uri, diagnostic.range);
      await applyAction(actions.find((a) => a.title === core.fixes?.[0]?.title), core.fixes[0]?.title ?? 'fix');
      await waitFor(`${core.ruleId} fixed`, () => !ours(uri).some((d) => codeOf(d) === core.ruleId && d.message === core.message));
    }
  });

  test('a malicious pickle: MS-PKL001 error in Problems, "unsafe" in the tree, and Containerize asks (Cancel writes nothing)', async function () {
    const safety = await scanModelSafety(memoryReader({ 'evil.pkl': EVIL_PICKLE }), 'evil.pkl', EVIL_PICKLE.length, 'pickle');
    if (!safety) skipBecause(this, 'scanModelSafety returns nothing yet (the pickle scanner is not wired in)');
    assert.strictEqual(safety.verdict, 'unsafe', 'the core calls os.system unsafe');
    const uri = await writeFile('untrusted-real/evil.pkl', EVIL_PICKLE);
    await waitFor('evil.pkl detected', () => modelPaths(api).includes('untrusted-real/evil.pkl'));
    await waitFor('MS-PKL001 as an error', () => ours(uri).some((d) => codeOf(d) === 'MS-PKL001' && d.severity === vscode.DiagnosticSeverity.Error), 10000);
    assert.strictEqual(api.lint.verdictFor(uri)?.verdict, 'unsafe');
    const node = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'untrusted-real/evil.pkl');
    assert.ok(node);
    assert.match(String(api.tree.getTreeItem(node).description), / · unsafe$/);
    const start = takeSnapshot(workspaceFolder().uri.fsPath);
    const prompter = new ScriptedPrompter(cancel);
    api.testing.setPrompter(prompter);
    const result = await vscode.commands.executeCommand<ContainerizeResult>('modelship.containerize', uri);
    assert.deepStrictEqual(result, { kind: 'cancelled', at: 'warnings' });
    const q = prompter.asked[0];
    assert.ok(q?.kind === 'confirm');
    assert.match(q.message, /unsafe: loading it calls (os|posix|nt)\.system/);
    assert.deepStrictEqual(addedFiles(start), []);
  });

  test('the fixture models get a verdict, and none of them is unsafe', async function () {
    if (!(await scanModelSafety(memoryReader({ 'evil.pkl': EVIL_PICKLE }), 'evil.pkl', EVIL_PICKLE.length, 'pickle'))) {
      skipBecause(this, 'scanModelSafety returns nothing yet');
    }
    await api.lint.whenIdle();
    for (const path of ['models/iris.pkl', 'weights/net.bin']) {
      const verdict = await waitFor(`a verdict for ${path}`, () => api.lint.verdictFor(uriOf(path)), 10000);
      assert.notStrictEqual(verdict.verdict, 'unsafe', `${path}: ${JSON.stringify(verdict.globals)}`);
    }
  });

  test('the rules the peer extensions cover exist and are the syntax/schema rules', function () {
    const landed = PEER_COVERAGE.filter((p) => ALL_RULES.some((r) => r.category === p.kind));
    if (landed.length === 0) skipBecause(this, 'no Dockerfile or Kubernetes rules are registered yet');
    for (const peer of landed) {
      for (const id of peer.rules) {
        const doc = ruleDoc(id);
        assert.ok(doc, `${id} (covered by ${peer.extension}) is a registered rule`);
        assert.match(`${doc.name} ${doc.summary}`, /syntax|schema|parse|invalid/i, `${id} is a syntax or schema rule: ${doc.name}: ${doc.summary}`);
      }
    }
  });
});

// The pickle scan's wiring, driven by a scripted scanner (lintKit.ts): findings in Problems on a
// binary file nobody opened, the verdict on the tree item, caching by size and mtime, and the
// question Containerize asks before packaging an unsafe model.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ContainerizeResult } from '../../src/extension/containerize/containerize';
import type { ModelshipApi } from '../../src/extension/extension';
import type { ModelsNode } from '../../src/extension/models/modelsTreeNodes';
import { EVIL_PICKLE, FakeScanner, codes, ours, waitForCodes, writeFile } from './lintKit';
import { ScriptedPrompter, accept, cancel, choose } from './scriptedPrompter';
import { activated, modelPaths, uriOf, waitFor, workspaceFolder } from './testApi';
import { addedFiles, restoreSnapshot, takeSnapshot, type Snapshot } from './workspaceSnapshot';

const EVIL = 'untrusted/evil.pkl';

function modelItem(api: ModelshipApi, path: string): vscode.TreeItem {
  const node = api.tree.getChildren().find((n: ModelsNode) => n.kind === 'model' && n.model.path === path);
  assert.ok(node, `the tree lists ${path}`);
  return api.tree.getTreeItem(node);
}

function iconId(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

function tooltipText(item: vscode.TreeItem): string {
  assert.ok(item.tooltip instanceof vscode.MarkdownString);
  return item.tooltip.value.replace(/\\(.)/g, '$1');
}

suite('model safety: Problems, tree and Containerize (scripted scanner)', () => {
  let api: ModelshipApi;
  let before: Snapshot;
  const scanner = new FakeScanner();

  suiteSetup(async () => {
    api = await activated();
    before = takeSnapshot(workspaceFolder().uri.fsPath);
    api.testing.setModelScanner(scanner);
    await api.lint.whenIdle();
  });
  teardown(() => {
    api.testing.setPrompter(undefined);
  });
  suiteTeardown(async () => {
    api.testing.setModelScanner(undefined);
    await vscode.workspace.getConfiguration('modelship').update('lint.enable', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    restoreSnapshot(before);
    await vscode.commands.executeCommand('modelship.refresh');
    await api.lint.whenIdle();
  });

  test('a malicious pickle copied into the workspace shows an MS-PKL001 error in Problems, unopened, and "unsafe" on its tree item', async () => {
    await writeFile(EVIL, EVIL_PICKLE);
    const uri = uriOf(EVIL);
    await waitFor(`${EVIL} detected`, () => modelPaths(api).includes(EVIL));
    await waitForCodes(uri, ['MS-PKL001'], 10000);
    const [d] = ours(uri);
    assert.ok(d);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /os\.system/);
    assert.strictEqual((d.code as { target: vscode.Uri }).target.fragment, 'ms-pkl001');
    assert.ok(!vscode.workspace.textDocuments.some((t) => t.uri.toString() === uri.toString()), 'the pickle was never opened');
    assert.strictEqual(api.lint.verdictFor(uri)?.verdict, 'unsafe');
    await waitFor('the tree shows the verdict', () => String(modelItem(api, EVIL).description).endsWith(' · unsafe'));
    const item = modelItem(api, EVIL);
    assert.strictEqual(item.description, 'pickle · unknown · 26 B · unsafe');
    assert.strictEqual(iconId(item), 'error');
    const md = tooltipText(item);
    assert.match(md, /\*\*Pickle scan:\*\* unsafe/);
    assert.match(md, /`os\.system` \(unsafe\) at byte 0: runs a command/);
  });

  test('a safe pickle gets the shield icon, no suffix and no diagnostics', async () => {
    const uri = uriOf('models/iris.pkl');
    await waitFor('iris.pkl scanned', () => api.lint.verdictFor(uri));
    assert.strictEqual(api.lint.verdictFor(uri)?.verdict, 'safe');
    const item = modelItem(api, 'models/iris.pkl');
    assert.strictEqual(item.description, 'pickle · sklearn · 829 B');
    assert.strictEqual(iconId(item), 'shield');
    assert.match(tooltipText(item), /\*\*Pickle scan:\*\* no dangerous imports/);
    assert.deepStrictEqual(codes(uri), []);
    assert.strictEqual(api.lint.verdictFor(uriOf('models/booster.json')), undefined, 'an XGBoost JSON model is not a pickle: not scanned');
  });

  test('scans are cached by size and mtime: a rescan does not scan again, changing the file does', async () => {
    await api.lint.whenIdle();
    const scans = api.lint.modelScans();
    await vscode.commands.executeCommand('modelship.refresh');
    await api.lint.whenIdle();
    assert.strictEqual(api.lint.modelScans(), scans, 'nothing rescanned after a full detection rescan');
    await writeFile(EVIL, Buffer.from("cposix\nsystem\n(S'id'\ntR.", 'latin1'));
    await waitFor('the changed pickle rescanned', () => ours(uriOf(EVIL))[0]?.message.includes('posix.system'), 10000);
    assert.ok(api.lint.modelScans() > scans);
  });

  test('Containerize on an unsafe model asks first, naming the globals; Cancel writes nothing', async () => {
    const start = takeSnapshot(workspaceFolder().uri.fsPath);
    const prompter = new ScriptedPrompter(cancel);
    api.testing.setPrompter(prompter);
    const result = await vscode.commands.executeCommand<ContainerizeResult>('modelship.containerize', uriOf(EVIL));
    assert.deepStrictEqual(result, { kind: 'cancelled', at: 'warnings' });
    const [q] = prompter.asked;
    assert.ok(q?.kind === 'confirm', `a confirmation was asked: ${JSON.stringify(prompter.asked)}`);
    assert.match(q.message, /^untrusted\/evil\.pkl is unsafe: loading it calls posix\.system/);
    assert.deepStrictEqual(q.options.buttons, ['Containerize Anyway']);
    assert.match(q.options.detail ?? '', /• posix\.system \(unsafe\) at byte 0 in untrusted\/evil\.pkl: runs a command/);
    assert.deepStrictEqual(addedFiles(start), [], 'nothing written');
  });

  test('"Containerize Anyway" goes on to the questions and writes the files', async () => {
    const start = takeSnapshot(workspaceFolder().uri.fsPath);
    const prompter = new ScriptedPrompter(choose('Containerize Anyway'), choose('Dockerfile'), accept, accept);
    api.testing.setPrompter(prompter);
    try {
      const result = await vscode.commands.executeCommand<ContainerizeResult>('modelship.containerize', uriOf(EVIL));
      assert.strictEqual(result?.kind, 'containerized', JSON.stringify(result));
      assert.strictEqual(prompter.remaining, 0);
      assert.ok(result.files.length > 0 && result.files.every((f) => f.action === 'written'), JSON.stringify(result.files));
      // Besides the planned files, the record of what was generated (so a re-run updates only unedited files).
      assert.deepStrictEqual(addedFiles(start), [...result.files.map((f) => f.path), '.modelship/generated.json'].sort());
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      restoreSnapshot(start);
    }
  });

  test('a safe model is containerized without the question', async () => {
    const prompter = new ScriptedPrompter(cancel);
    api.testing.setPrompter(prompter);
    const result = await vscode.commands.executeCommand<ContainerizeResult>('modelship.containerize', uriOf('models/iris.pkl'));
    assert.deepStrictEqual(result, { kind: 'cancelled', at: 'targets' }, 'the first question is the targets one');
  });

  test('modelship.lint.enable off hides the model\'s diagnostics but keeps its verdict', async () => {
    const uri = uriOf(EVIL);
    await vscode.workspace.getConfiguration('modelship').update('lint.enable', false, vscode.ConfigurationTarget.Workspace);
    await waitForCodes(uri, []);
    assert.strictEqual(api.lint.verdictFor(uri)?.verdict, 'unsafe');
    await vscode.workspace.getConfiguration('modelship').update('lint.enable', undefined, vscode.ConfigurationTarget.Workspace);
    await waitForCodes(uri, ['MS-PKL001']);
  });

  test('deleting the model removes its diagnostics and its verdict', async () => {
    const uri = uriOf(EVIL);
    await vscode.workspace.fs.delete(uriOf('untrusted'), { recursive: true });
    await waitFor(`${EVIL} gone`, () => !modelPaths(api).includes(EVIL));
    await waitForCodes(uri, []);
    assert.strictEqual(api.lint.verdictFor(uri), undefined);
  });
});

import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ModelshipApi } from '../../src/extension/extension';
import { activated, rootRows, workspaceFolder } from './testApi';

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : item.label?.label ?? '';
}

suite('Models tree', () => {
  let api: ModelshipApi;
  suiteSetup(async () => {
    api = await activated();
  });

  test('lists exactly the fixture models with format, framework and size, then the Project node', () => {
    assert.deepStrictEqual(rootRows(api), [
      { label: 'saved_model', description: 'savedmodel · tensorflow · 3.7 KiB', contextValue: 'modelship.model' },
      { label: 'booster.json', description: 'xgboost-json · xgboost · 2.6 KiB', contextValue: 'modelship.model' },
      { label: 'iris.pkl', description: 'pickle · sklearn · 829 B', contextValue: 'modelship.model' },
      { label: 'lgbm_model.txt', description: 'lightgbm-text · lightgbm · 3.1 KiB', contextValue: 'modelship.model' },
      { label: 'net.bin', description: 'pytorch · pytorch · 1.7 KiB', contextValue: 'modelship.model' },
      { label: 'Project', description: 'Python 3.11 · 3 problems', contextValue: 'modelship.project' },
    ]);
  });

  test('notes.pkl (text with a .pkl name) is not listed, and is a problem that says it holds text', () => {
    const paths = api.store.models().map((r) => r.model.path);
    assert.ok(!paths.includes('notes.pkl'), `models: ${paths.join(', ')}`);
    const problems = api.store.all().flatMap((f) => f.description?.problems ?? []);
    const notes = problems.find((p) => p.path === 'notes.pkl');
    assert.match(notes?.message ?? '', /notes\.pkl is named like a model but holds text/, JSON.stringify(problems));
  });

  test('a model item has a markdown tooltip with evidence and Python, and reveals the file on click', () => {
    const node = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'models/iris.pkl');
    assert.ok(node);
    const item = api.tree.getTreeItem(node);
    assert.ok(item.tooltip instanceof vscode.MarkdownString, 'tooltip is markdown');
    const md = item.tooltip.value.replace(/\\(.)/g, '$1'); // undo the markdown escaping of workspace text
    assert.match(md, /^\*\*models\/iris\.pkl\*\*/);
    assert.match(md, /\*\*Evidence:\*\* pickle protocol 4; imports sklearn\.linear_model/);
    assert.match(md, /\*\*Python:\*\* 3\.11 \(from \.python-version\)/);
    assert.strictEqual(item.command?.command, 'modelship.revealModel');
    assert.strictEqual((item.command?.arguments?.[0] as vscode.Uri).path, vscode.Uri.joinPath(workspaceFolder().uri, 'models', 'iris.pkl').path);
  });

  test('a model lists the requirement of its framework with its pin state', () => {
    const node = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'models/iris.pkl');
    assert.ok(node);
    const rows = api.tree.getChildren(node).map((n) => api.tree.getTreeItem(n));
    const sk = rows.find((r) => labelOf(r) === 'scikit-learn');
    assert.ok(sk, `children: ${rows.map(labelOf).join(', ')}`);
    assert.strictEqual(sk.description, '==1.2.1 · pinned');
    assert.strictEqual(sk.contextValue, 'modelship.requirement');
    const torchNode = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'weights/net.bin');
    assert.ok(torchNode);
    const torch = api.tree.getChildren(torchNode).map((n) => api.tree.getTreeItem(n)).find((r) => labelOf(r) === 'torch');
    assert.strictEqual(torch?.description, '>=1.13 · not pinned');
  });

  test('a model whose framework no requirements file lists shows that as a row and a warning', () => {
    const node = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'models/booster.json');
    assert.ok(node);
    const children = api.tree.getChildren(node);
    const rows = children.map((n) => api.tree.getTreeItem(n));
    assert.deepStrictEqual(rows.map((r) => [labelOf(r), r.description, r.contextValue]), [
      ['xgboost', 'not in requirements', 'modelship.requirement'],
      ['This XGBoost model needs xgboost, which no requirements file lists (requirements.txt)', 'framework-missing', 'modelship.problem'],
    ]);
    assert.strictEqual((rows[1]?.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.strictEqual((api.tree.getTreeItem(node).iconPath as vscode.ThemeIcon).id, 'warning', 'the model icon shows its worst problem');
  });

  test('the Project node shows the Python version source and the requirements file', () => {
    const project = api.tree.getChildren().find((n) => n.kind === 'project');
    assert.ok(project);
    const rows = api.tree.getChildren(project).map((n) => api.tree.getTreeItem(n));
    assert.deepStrictEqual(rows.slice(0, 2).map((r) => [labelOf(r), r.description]), [
      ['Python 3.11', 'from .python-version'],
      ['requirements.txt', 'requirements.txt'],
    ]);
    for (const r of rows.slice(2)) assert.strictEqual(r.contextValue, 'modelship.problem');
  });
});

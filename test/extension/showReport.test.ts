import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ModelshipApi } from '../../src/extension/extension';
import type { ModelReport } from '../../src/extension/models/modelReport';
import type { ShowReportResult } from '../../src/extension/models/reportProvider';
import { ScriptedPrompter, choose } from './scriptedPrompter';
import { activated, uriOf } from './testApi';

function reportJson(text: string): ModelReport {
  const m = /```json\n([\s\S]*?)\n```/.exec(text);
  assert.ok(m, `the report has a JSON block:\n${text}`);
  return JSON.parse(m[1] as string) as ModelReport;
}

suite('modelship.showReport', () => {
  let api: ModelshipApi;
  suiteSetup(async () => {
    api = await activated();
  });
  teardown(async () => {
    api.testing.setPrompter(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('on models/iris.pkl it opens the detection report for that model', async () => {
    const result = await vscode.commands.executeCommand<ShowReportResult>('modelship.showReport', uriOf('models/iris.pkl'));
    assert.strictEqual(result?.kind, 'report', JSON.stringify(result));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.strictEqual(editor.document.uri.scheme, 'modelship-report');
    assert.strictEqual(editor.document.uri.toString(), result.uri);
    const text = editor.document.getText();
    assert.match(text, /^# Modelship report: models\/iris\.pkl/);
    const report = reportJson(text);
    assert.strictEqual(report.selection, 'models/iris.pkl');
    assert.deepStrictEqual(report.models.map((m) => [m.path, m.format, m.framework, m.bytes]), [['models/iris.pkl', 'pickle', 'sklearn', 829]]);
    const model = report.models[0];
    assert.ok(model && model.evidence.length > 0, 'evidence is given');
    assert.deepStrictEqual(model.requirements.find((r) => r.name === 'scikit-learn'),
      { name: 'scikit-learn', specifier: '==1.2.1', pinned: true, source: 'requirements.txt', line: 2 });
    assert.deepStrictEqual(report.python, { version: '3.11', source: '.python-version' });
    assert.deepStrictEqual(report.requirements.files.map((f) => f.path), ['requirements.txt']);
    assert.strictEqual(api.lastReport()?.uri, result.uri);
  });

  test('on a folder it reports every model below it', async () => {
    const result = await vscode.commands.executeCommand<ShowReportResult>('modelship.showReport', uriOf('models'));
    assert.strictEqual(result?.kind, 'report');
    assert.deepStrictEqual(result.models, ['models/booster.json', 'models/iris.pkl', 'models/lgbm_model.txt']);
    assert.deepStrictEqual(reportJson(api.lastReport()?.text ?? '').models.map((m) => m.framework), ['xgboost', 'sklearn', 'lightgbm']);
  });

  test('on a SavedModel folder, or a file inside it, it reports the SavedModel', async () => {
    for (const target of ['export/saved_model', 'export/saved_model/variables/variables.index']) {
      const result = await vscode.commands.executeCommand<ShowReportResult>('modelship.showReport', uriOf(target));
      assert.strictEqual(result?.kind, 'report', target);
      assert.deepStrictEqual(result.models, ['export/saved_model'], target);
    }
    const model = reportJson(api.lastReport()?.text ?? '').models[0];
    assert.deepStrictEqual([model?.format, model?.framework, model?.bytes], ['savedmodel', 'tensorflow', 3789]);
    assert.deepStrictEqual(model?.requirements, [{ name: 'tensorflow', missing: true }]);
    assert.deepStrictEqual(model?.problems.map((p) => p.code), ['framework-missing']);
  });

  test('from a Models tree item (inline action) it reports that model', async () => {
    const node = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'weights/net.bin');
    assert.ok(node);
    const result = await vscode.commands.executeCommand<ShowReportResult>('modelship.showReport', node);
    assert.strictEqual(result?.kind, 'report');
    assert.deepStrictEqual(result.models, ['weights/net.bin']);
  });

  test('on notes.pkl (text, not a model) it says so and opens nothing', async () => {
    const result = await vscode.commands.executeCommand<ShowReportResult>('modelship.showReport', uriOf('notes.pkl'));
    assert.strictEqual(result?.kind, 'not-a-model', JSON.stringify(result));
    assert.match(result.message, /"notes\.pkl" is not a model/);
    assert.match(result.message, /\.pkl extension/);
    assert.strictEqual(api.lastNotice(), result.message);
    assert.notStrictEqual(vscode.window.activeTextEditor?.document.uri.scheme, 'modelship-report');
  });

  test('on requirements.txt it says that is not a model', async () => {
    const result = await vscode.commands.executeCommand<ShowReportResult>('modelship.showReport', uriOf('requirements.txt'));
    assert.strictEqual(result?.kind, 'not-a-model');
    assert.match(result.message, /"requirements\.txt" is not a model/);
  });

  test('from the palette (no argument) it asks which model, then reports it', async () => {
    const prompter = new ScriptedPrompter(choose('models/lgbm_model.txt'));
    api.testing.setPrompter(prompter);
    const result = await vscode.commands.executeCommand<ShowReportResult>('modelship.showReport');
    assert.strictEqual(result?.kind, 'report');
    assert.deepStrictEqual(result.models, ['models/lgbm_model.txt']);
    const q = prompter.asked[0];
    assert.ok(q?.kind === 'pickOne');
    assert.deepStrictEqual(q.items.map((i) => i.label), ['export/saved_model', 'models/booster.json', 'models/iris.pkl', 'models/lgbm_model.txt', 'weights/net.bin']);
  });
});

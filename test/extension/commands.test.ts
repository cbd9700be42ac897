import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ModelshipApi } from '../../src/extension/extension';
import { activated, modelPaths, uriOf, workspaceFolder } from './testApi';

suite('commands', () => {
  let api: ModelshipApi;
  suiteSetup(async () => {
    api = await activated();
  });

  test('modelship.refresh rescans every folder and returns the model count', async () => {
    const before = api.statsFor(workspaceFolder())?.scans ?? 0;
    const count = await vscode.commands.executeCommand<number>('modelship.refresh');
    assert.strictEqual(count, 5);
    assert.strictEqual(api.statsFor(workspaceFolder())?.scans, before + 1);
    assert.deepStrictEqual(modelPaths(api), ['export/saved_model', 'models/booster.json', 'models/iris.pkl', 'models/lgbm_model.txt', 'weights/net.bin']);
  });

  test('modelship.revealModel reveals a model given as a URI', async () => {
    const uri = uriOf('weights/net.bin');
    assert.strictEqual(await vscode.commands.executeCommand<string>('modelship.revealModel', uri), uri.toString());
  });

  test('a failing command is caught by the wrapper (logged, short message) instead of throwing', async () => {
    // No argument: the handler throws; the wrapper must turn that into a message and resolve.
    const result = await vscode.commands.executeCommand('modelship.revealModel');
    assert.strictEqual(result, undefined);
    assert.strictEqual(api.lastNotice(), 'Modelship: no model was given to reveal; click a model in the Models view');
  });

  test('modelship.showLog runs', async () => {
    await vscode.commands.executeCommand('modelship.showLog');
  });
});

import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ModelshipApi } from '../../src/extension/extension';
import { activated, modelPaths, uriOf, waitFor, workspaceFolder } from './testApi';

suite('file watcher: incremental updates', () => {
  let api: ModelshipApi;
  suiteSetup(async () => {
    api = await activated();
  });

  function stats() {
    const s = api.statsFor(workspaceFolder());
    assert.ok(s, 'detection stats exist');
    return s;
  }

  test('a model copied into the workspace appears through update(), without a rescan', async () => {
    const scansBefore = stats().scans;
    const detector = api.detectorFor(workspaceFolder());
    assert.ok(detector);
    const detectorScans = detector.counters.scans;
    await vscode.workspace.fs.copy(uriOf('models/iris.pkl'), uriOf('models/copied.pkl'));
    await waitFor('models/copied.pkl in the store', () => modelPaths(api).includes('models/copied.pkl'));
    assert.strictEqual(stats().scans, scansBefore, 'no full rescan ran');
    assert.strictEqual(api.detectorFor(workspaceFolder()), detector, 'the same detector kept its state');
    assert.strictEqual(detector.counters.scans, detectorScans, 'the detector itself did not rescan');
    assert.ok(stats().updatePaths.some((paths) => paths.includes('models/copied.pkl')),
      `update() was called with the new path; calls: ${JSON.stringify(stats().updatePaths)}`);
    const row = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'models/copied.pkl');
    assert.ok(row, 'the tree shows the new model');
    assert.strictEqual(api.tree.getTreeItem(row).description, 'pickle · sklearn · 829 B');
  });

  test('deleting it removes it, again without a rescan', async () => {
    const scansBefore = stats().scans;
    await vscode.workspace.fs.delete(uriOf('models/copied.pkl'));
    await waitFor('models/copied.pkl gone from the store', () => !modelPaths(api).includes('models/copied.pkl'));
    assert.strictEqual(stats().scans, scansBefore, 'no full rescan ran');
    assert.ok(!api.tree.getChildren().some((n) => n.kind === 'model' && n.model.path === 'models/copied.pkl'));
  });

  test('a SavedModel folder copied in appears (and goes) as one model, without a rescan', async () => {
    const scansBefore = stats().scans;
    await vscode.workspace.fs.copy(uriOf('export/saved_model'), uriOf('export/second_model'));
    await waitFor('export/second_model in the store', () => modelPaths(api).includes('export/second_model'));
    assert.ok(!modelPaths(api).some((p) => p.startsWith('export/second_model/')), 'its files are not separate models');
    await vscode.workspace.fs.delete(uriOf('export/second_model'), { recursive: true });
    await waitFor('export/second_model gone', () => !modelPaths(api).includes('export/second_model'));
    assert.strictEqual(stats().scans, scansBefore, 'no full rescan ran');
  });

  test('a burst of new files is coalesced into few update() calls', async () => {
    const before = stats().updates;
    const bytes = await vscode.workspace.fs.readFile(uriOf('models/iris.pkl'));
    const names = ['burst/a.pkl', 'burst/b.pkl', 'burst/c.pkl'];
    await vscode.workspace.fs.createDirectory(uriOf('burst'));
    for (const n of names) await vscode.workspace.fs.writeFile(uriOf(n), bytes);
    await waitFor('the burst models in the store', () => names.every((n) => modelPaths(api).includes(n)));
    await api.whenIdle();
    const calls = stats().updatePaths.slice(-(stats().updates - before));
    assert.ok(stats().updates - before < names.length, `expected fewer than ${names.length} update calls, got ${JSON.stringify(calls)}`);
    await vscode.workspace.fs.delete(uriOf('burst'), { recursive: true });
    await waitFor('the burst folder gone', () => !modelPaths(api).some((p) => p.startsWith('burst/')));
  });

  test('changing modelship.detect.exclude rescans and drops excluded folders', async () => {
    const config = vscode.workspace.getConfiguration('modelship');
    const scansBefore = stats().scans;
    await config.update('detect.exclude', ['weights'], vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('weights/net.bin excluded', () => !modelPaths(api).includes('weights/net.bin') && stats().scans > scansBefore);
      assert.ok(modelPaths(api).includes('models/iris.pkl'));
    } finally {
      await config.update('detect.exclude', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('weights/net.bin back', () => modelPaths(api).includes('weights/net.bin'));
  });
});

// The reader used for non-`file:` workspace folders, exercised over the fixture folder through
// vscode.workspace.fs: same detection result as the local reader, and a clear refusal above its cap.
import * as assert from 'assert';
import { detectProject } from '../../src/core/detect';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { NodeFsReader } from '../../src/platform/nodeFsReader';
import { VscodeFsReader } from '../../src/extension/common/vscodeFsReader';
import { workspaceFolder } from './testApi';

suite('VscodeFsReader (virtual and remote workspaces)', () => {
  test('lists, stats and reads byte ranges like the local reader', async () => {
    const folder = workspaceFolder();
    const reader = new VscodeFsReader(folder.uri);
    const local = new NodeFsReader(folder.uri.fsPath);
    const names = (entries: { name: string; kind: string }[]) => entries.map((e) => `${e.name}:${e.kind}`).sort();
    assert.deepStrictEqual(names(await reader.list('')), names(await local.list('')));
    assert.deepStrictEqual(names(await reader.list('models')), names(await local.list('models')));
    const stat = await reader.stat('models/iris.pkl');
    assert.deepStrictEqual([stat.kind, stat.size], ['file', 829]);
    assert.deepStrictEqual(await reader.read('models/iris.pkl', 2, 40), await local.read('models/iris.pkl', 2, 40));
    assert.strictEqual((await reader.read('models/iris.pkl', 800, 100)).length, 29, 'a read past the end is short');
  });

  test('detection through it finds the same models', async () => {
    const folder = workspaceFolder();
    const settings = DEFAULT_SETTINGS.detect;
    const viaVscode = await detectProject(new VscodeFsReader(folder.uri), settings, 'x');
    const viaNode = await detectProject(new NodeFsReader(folder.uri.fsPath), settings, 'x');
    assert.deepStrictEqual(viaVscode.models, viaNode.models);
    assert.ok(viaVscode.models.length >= 3);
  });

  test('refuses files above its whole-file cap with a message that says why and what to do', async () => {
    const reader = new VscodeFsReader(workspaceFolder().uri, 512);
    await assert.rejects(reader.read('models/iris.pkl', 0, 16), (err: Error) => {
      assert.match(err.message, /models\/iris\.pkl is 829 bytes/);
      assert.match(err.message, /cannot read part of a file/);
      assert.match(err.message, /local disk/);
      return true;
    });
  });
});

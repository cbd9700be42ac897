import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/extension/commands';
import { EXTENSION_ID, activated } from './testApi';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    views: Record<string, { id: string }[]>;
  };
}

suite('activation', () => {
  test('the extension activates in the fixture workspace and returns its API', async () => {
    const api = await activated();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive, 'extension is active');
    assert.strictEqual(typeof api.detectorFor, 'function');
    assert.strictEqual(typeof api.lastReport, 'function');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    assert.ok(api.detectorFor(folder), 'a detector exists for the folder after the first scan');
    assert.strictEqual(api.statsFor(folder)?.scans, 1, 'exactly one full scan ran at startup');
  });

  test('every command in the table is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of COMMAND_IDS) assert.ok(registered.has(id), `${id} is registered`);
  });

  test('package.json contributes.commands matches the command table in src/extension/commands.ts', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepStrictEqual(contributed, [...COMMAND_IDS].sort());
    for (const c of manifest.contributes.commands) assert.match(c.title, /^Modelship: /, `${c.command} title says Modelship`);
    // Every command is also an activation event (engines ^1.85 does not infer onCommand for us).
    for (const id of COMMAND_IDS) assert.ok(manifest.activationEvents.includes(`onCommand:${id}`), `onCommand:${id}`);
    // Menus only name commands that exist.
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const e of entries) assert.ok(COMMAND_IDS.includes(e.command), `${menu} names unknown command ${e.command}`);
    }
    assert.deepStrictEqual(manifest.contributes.views.modelship?.map((v) => v.id), ['modelship.models']);
  });
});

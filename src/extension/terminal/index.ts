/**
 * Puts the `modelship` CLI the extension ships on the PATH of the editor's integrated terminals:
 * `bin/` (a shell and a .cmd shim running dist/cli.js) goes last on PATH, so a `modelship` the user
 * installed keeps winning, and MODELSHIP_NODE names the extension host's own runtime, so the
 * command needs no Node of the user's. VS Code keeps the collection across sessions and applies it
 * to each new terminal; activation writes nothing and reads no file for it. The setting
 * `modelship.terminal.cliOnPath` turns it off.
 * Uses: no sibling api.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

const SETTING = 'modelship.terminal.cliOnPath';

export function putCliOnTerminalPath(context: vscode.ExtensionContext): void {
  const apply = () => {
    const collection = context.environmentVariableCollection;
    collection.clear();
    if (!vscode.workspace.getConfiguration().get<boolean>(SETTING, true)) return;
    collection.description = 'Puts the `modelship` command (the CLI this extension ships) on PATH, after your own.';
    collection.append('PATH', path.delimiter + path.join(context.extensionPath, 'bin'));
    collection.replace('MODELSHIP_NODE', process.execPath);
  };
  apply();
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SETTING)) apply();
  }));
}

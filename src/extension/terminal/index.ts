/**
 * Puts the `modelship` CLI the extension ships on the PATH of the editor's integrated terminals:
 * `bin/` (a shell and a .cmd shim running dist/cli.js) goes first on PATH, and MODELSHIP_NODE names
 * the extension host's own runtime, so the command needs no Node of the user's. VS Code keeps the
 * collection across sessions and applies it to each new terminal; activation writes nothing and
 * reads no file for it.
 * Uses: no sibling api.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';

export function putCliOnTerminalPath(context: vscode.ExtensionContext): void {
  const collection = context.environmentVariableCollection;
  collection.description = 'Puts the `modelship` command (the CLI this extension ships) on PATH.';
  collection.prepend('PATH', path.join(context.extensionPath, 'bin') + path.delimiter);
  collection.replace('MODELSHIP_NODE', process.execPath);
}

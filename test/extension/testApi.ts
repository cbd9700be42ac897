// Shared helpers for the extension-host suites (bundled into each suite that imports them).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ModelshipApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'modelship.modelship';

/** Activates the extension and waits for the first scan to finish. */
export async function activated(): Promise<ModelshipApi> {
  const ext = vscode.extensions.getExtension<ModelshipApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} should be installed in the test host`);
  const api = await ext.activate();
  await api.whenIdle();
  return api;
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace should be open');
  return folder;
}

export function uriOf(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...relative.split('/'));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - t0 > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function modelPaths(api: ModelshipApi): string[] {
  return api.store.models().map((r) => r.model.path).sort();
}

/** Label and description of each root item of the Models tree. */
export function rootRows(api: ModelshipApi): { label: string; description: string; contextValue: string }[] {
  return api.tree.getChildren().map((node) => {
    const item = api.tree.getTreeItem(node);
    return {
      label: typeof item.label === 'string' ? item.label : item.label?.label ?? '',
      description: typeof item.description === 'string' ? item.description : '',
      contextValue: item.contextValue ?? '',
    };
  });
}

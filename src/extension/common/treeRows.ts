/** A tree view's rows as plain data (label, description, contextValue, children), for the test API. */
import type * as vscode from 'vscode';

export interface TreeRow {
  label: string;
  description: string;
  contextValue: string;
  children: TreeRow[];
}

export function treeRows<N>(provider: { getChildren(node?: N): N[]; getTreeItem(node: N): vscode.TreeItem }, node?: N): TreeRow[] {
  return provider.getChildren(node).map((child) => {
    const item = provider.getTreeItem(child);
    return {
      label: typeof item.label === 'string' ? item.label : item.label?.label ?? '',
      description: typeof item.description === 'string' ? item.description : '',
      contextValue: item.contextValue ?? '',
      children: treeRows(provider, child),
    };
  });
}

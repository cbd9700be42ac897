/**
 * The Models view's data provider. It owns no data: it reads the ProjectStore and refreshes
 * whenever the store fires.
 */
import * as vscode from 'vscode';
import { treeItemFor } from './modelsTreeItems';
import { childrenOf, type ModelsNode } from './modelsTreeNodes';
import type { ProjectStore } from './projectStore';

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: ProjectStore) {
    this.subscription = store.onDidChange(() => this.emitter.fire(undefined));
  }

  getChildren(node?: ModelsNode): ModelsNode[] {
    return childrenOf(this.store, node);
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    return treeItemFor(node, this.store.get(node.folder)?.description);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

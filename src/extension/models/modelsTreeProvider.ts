/**
 * The Models view's data provider. It owns no data: it reads the ProjectStore (and the pickle
 * scan's verdicts) and refreshes whenever either fires.
 */
import * as vscode from 'vscode';
import type { ModelSafetyService } from './modelSafety';
import { treeItemFor } from './modelsTreeItems';
import { childrenOf, type ModelsNode } from './modelsTreeNodes';
import type { ProjectStore } from './projectStore';

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: ProjectStore, private readonly safety?: ModelSafetyService) {
    this.subscriptions = [store.onDidChange(() => this.emitter.fire(undefined))];
    if (safety) this.subscriptions.push(safety.onDidChange(() => this.emitter.fire(undefined)));
  }

  getChildren(node?: ModelsNode): ModelsNode[] {
    return childrenOf(this.store, node);
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    const verdict = node.kind === 'model' ? this.safety?.verdictNow(node.folder, node.model) : undefined;
    return treeItemFor(node, this.store.get(node.folder)?.description, verdict);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}

/**
 * The Images & Containers view's data provider. It owns no data: it renders the ImagesStore's
 * latest snapshot (an image per project, its containers as children) and redraws when it changes.
 * An unreachable engine or an untrusted workspace empties the tree, so its welcome content shows.
 */
import * as vscode from 'vscode';
import { treeRows, type TreeRow } from '../common/treeRows';
import type { ImagesNode } from './imagesModel';
import type { ImagesStore } from './imagesStore';
import { imagesTreeItem } from './imagesTreeItems';


export class ImagesTreeProvider implements vscode.TreeDataProvider<ImagesNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ImagesNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: ImagesStore) {
    this.subscription = store.onDidChange(() => this.emitter.fire(undefined));
  }

  getChildren(node?: ImagesNode): ImagesNode[] {
    if (node) return node.kind === 'image' ? node.project.containers.map((container) => ({ kind: 'container', project: node.project, container })) : [];
    const snapshot = this.store.latest();
    if (!snapshot) {
      void this.store.refresh();
      return [];
    }
    if (snapshot.engine !== 'reachable') return [];
    return snapshot.projects.map((project) => ({ kind: 'image', project }));
  }

  getTreeItem(node: ImagesNode): vscode.TreeItem {
    return imagesTreeItem(node);
  }

  /** The tree as rows (label, description, contextValue, children), for the test API. */
  rows(node?: ImagesNode): TreeRow[] {
    return treeRows(this, node);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

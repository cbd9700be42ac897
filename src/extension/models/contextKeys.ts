/**
 * Context keys derived from the ProjectStore, for `when` clauses in package.json:
 * - `modelship.state`: `noFolder` | `scanning` | `empty` | `error` | `ready` (drives the welcome views);
 * - `modelship.modelPaths`: absolute paths of detected models (file, directory and shard paths, as
 *   both `fsPath` and URI path), so `resourcePath in modelship.modelPaths` puts "Containerize" on
 *   models whose extension says nothing (a LightGBM `.txt`, a SavedModel folder);
 * - `modelship.engine`: `unknown` | `reachable` | `unreachable` | `untrusted`, whether the container
 *   engine answered the last time (drives the Images & Containers welcome views; set by EngineHost);
 * - `modelship.hasShipProjects`: whether the Images & Containers view found a Modelship Dockerfile.
 */
import * as vscode from 'vscode';
import { setContextKey } from '../common/contextKey';
import { fileUri } from '../common/fileUri';
import type { ProjectStore } from './projectStore';

export type ModelshipState = 'noFolder' | 'scanning' | 'empty' | 'error' | 'ready';

export function stateOf(store: ProjectStore, folderCount: number): ModelshipState {
  if (folderCount === 0) return 'noFolder';
  const states = store.all();
  if (states.some((s) => (s.description?.models.length ?? 0) > 0)) return 'ready';
  if (states.length < folderCount || states.some((s) => s.status === 'scanning')) return 'scanning';
  if (states.some((s) => s.status === 'error')) return 'error';
  return 'empty';
}

export function modelPaths(store: ProjectStore): string[] {
  const paths = new Set<string>();
  for (const { folder, model } of store.models()) {
    for (const relative of [model.path, ...(model.details?.shards ?? [])]) {
      const uri = fileUri(folder, relative);
      paths.add(uri.fsPath);
      paths.add(uri.path);
    }
  }
  return [...paths].sort();
}

export class ContextKeys implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private last = new Map<string, string>();

  constructor(private readonly store: ProjectStore) {
    this.subscription = store.onDidChange(() => this.update());
    this.set('modelship.state', (vscode.workspace.workspaceFolders?.length ?? 0) > 0 ? 'scanning' : 'noFolder');
  }

  update(): void {
    this.set('modelship.state', stateOf(this.store, vscode.workspace.workspaceFolders?.length ?? 0));
    this.set('modelship.modelPaths', modelPaths(this.store));
  }

  private set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (this.last.get(key) === json) return;
    this.last.set(key, json);
    setContextKey(key, value);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * Holds the latest ProjectDescription per workspace folder and fires one change event.
 * Views, context keys and reports read from here; only the detection service writes.
 */
import * as vscode from 'vscode';
import type { DetectedModel, ProjectDescription } from '../../core/detect/types';

export type FolderStatus = 'scanning' | 'ready' | 'error';

export interface FolderState {
  folder: vscode.WorkspaceFolder;
  status: FolderStatus;
  /** The latest accepted result; kept while a rescan runs so the view does not flicker. */
  description?: ProjectDescription;
  /** The one-line reason when `status` is `error`. */
  error?: string;
}

export interface ModelRef {
  folder: vscode.WorkspaceFolder;
  model: DetectedModel;
}

export class ProjectStore implements vscode.Disposable {
  private readonly states = new Map<string, FolderState>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after any folder's state changed. */
  readonly onDidChange = this.emitter.event;

  get(folder: vscode.WorkspaceFolder): FolderState | undefined {
    return this.states.get(folder.uri.toString());
  }

  /** States in workspace-folder order. */
  all(): FolderState[] {
    return [...this.states.values()].sort((a, b) => a.folder.index - b.folder.index);
  }

  setScanning(folder: vscode.WorkspaceFolder): void {
    const previous = this.get(folder);
    this.put({ folder, status: 'scanning', description: previous?.description });
  }

  setDescription(folder: vscode.WorkspaceFolder, description: ProjectDescription): void {
    this.put({ folder, status: 'ready', description });
  }

  setError(folder: vscode.WorkspaceFolder, error: string): void {
    this.put({ folder, status: 'error', description: this.get(folder)?.description, error });
  }

  remove(folder: vscode.WorkspaceFolder): void {
    if (this.states.delete(folder.uri.toString())) this.emitter.fire();
  }

  /** Every detected model, folder by folder, sorted by path. */
  models(): ModelRef[] {
    return this.all().flatMap((s) =>
      [...(s.description?.models ?? [])].sort((a, b) => a.path.localeCompare(b.path)).map((model) => ({ folder: s.folder, model })),
    );
  }

  private put(state: FolderState): void {
    this.states.set(state.folder.uri.toString(), state);
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

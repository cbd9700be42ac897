/**
 * The Models capability's narrow interface for its siblings: the read side of what detection
 * found, what a command was pointed at, a model's safety verdict and its hash. Siblings import
 * this file only, never the rest of models/, and receive an implementation from `registerModels`.
 */
import type * as vscode from 'vscode';
import type { DetectedModel } from '../../core/detect/types';
import type { ModelTarget } from './modelTarget';
import type { ModelVerdict } from './modelSafety';
import type { FolderState, ModelRef } from './projectStore';

export type { FolderState, ModelRef, ModelTarget, ModelVerdict };

/** The read side of the ProjectStore: the latest ProjectDescription per workspace folder. */
export interface ProjectsView {
  /** Fires after any folder's state changed. */
  readonly onDidChange: vscode.Event<void>;
  get(folder: vscode.WorkspaceFolder): FolderState | undefined;
  /** States in workspace-folder order. */
  all(): FolderState[];
  /** Every detected model, folder by folder, sorted by path. */
  models(): ModelRef[];
}

export interface ModelsApi {
  projects: ProjectsView;
  /** Resolves an Explorer resource, a Models tree item or nothing (a quick pick) to detected models; `title` heads the pick. */
  resolveTarget(target: unknown, title: string): Promise<ModelTarget>;
  /** The pickle scan's verdict, waiting for a scan in flight; undefined for formats it does not scan. */
  verdictFor(folder: vscode.WorkspaceFolder, model: DetectedModel): Promise<ModelVerdict | undefined>;
  /** The model file's SHA-256 (streamed, cancellable for large files); undefined when it cannot be read. */
  hash(uri: vscode.Uri, label: string): Promise<string | undefined>;
}

/**
 * Owns one FolderDetection per workspace folder and feeds them: the first scan (started by
 * `start()`, after activation returned), file-system events from one `**\/*` watcher, workspace
 * folder changes and `modelship.detect.*` setting changes (which rescan the folders they touch).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelshipConfig } from '../config';
import { FolderDetection, createDetector, type DetectorFactory } from './folderDetection';
import type { Logger } from '../log';
import type { ProjectStore } from './projectStore';

export class DetectionService implements vscode.Disposable {
  private readonly folders = new Map<string, FolderDetection>();
  private readonly disposables: vscode.Disposable[] = [];
  private started = false;

  constructor(
    private readonly store: ProjectStore,
    private readonly config: ModelshipConfig,
    private readonly log: Logger,
    private readonly factory: DetectorFactory = createDetector,
  ) {}

  /** Starts watching and scans every folder once. Call after `activate` returned. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.onFileEvent(uri)),
      watcher.onDidChange((uri) => this.onFileEvent(uri)),
      watcher.onDidDelete((uri) => this.onFileEvent(uri)),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) this.removeFolder(folder);
        for (const folder of e.added) this.addFolder(folder).rescan();
      }),
      this.config.onDidChange((change) => {
        for (const detection of this.folders.values()) {
          if (change.affects('detect', detection.folder)) {
            this.log.info(`${detection.folder.name}: detection settings changed, rescanning`);
            detection.rescan();
          }
        }
      }),
    );
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.addFolder(folder).rescan();
  }

  /** The detection for a folder, once `start()` has run. */
  forFolder(folder: vscode.WorkspaceFolder): FolderDetection | undefined {
    return this.folders.get(folder.uri.toString());
  }

  all(): FolderDetection[] {
    return [...this.folders.values()];
  }

  /** Rescans every folder and resolves when all are idle again. */
  async rescanAll(): Promise<void> {
    if (!this.started) this.start();
    else for (const detection of this.folders.values()) detection.rescan();
    await this.whenIdle();
  }

  /** Runs pending (debounced) work at once and waits for it. */
  async flushAll(): Promise<void> {
    await Promise.all(this.all().map((d) => d.flush()));
  }

  async whenIdle(): Promise<void> {
    await Promise.all(this.all().map((d) => d.whenIdle()));
  }

  private addFolder(folder: vscode.WorkspaceFolder): FolderDetection {
    const key = folder.uri.toString();
    const existing = this.folders.get(key);
    if (existing) return existing;
    const detection = new FolderDetection(folder, this.config, this.store, this.log, this.factory);
    this.folders.set(key, detection);
    return detection;
  }

  private removeFolder(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.folders.get(key)?.dispose();
    this.folders.delete(key);
    this.store.remove(folder);
  }

  private onFileEvent(uri: vscode.Uri): void {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return;
    const relative = path.posix.relative(folder.uri.path, uri.path);
    if (relative === '' || relative.startsWith('..')) return;
    this.forFolder(folder)?.notify([relative]);
  }

  dispose(): void {
    for (const d of this.folders.values()) d.dispose();
    this.folders.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * What the Images & Containers view shows (STYLE pattern 10: the tree reads this store). It owns no
 * engine code: each refresh asks the EngineHost for a snapshot (loading the engine bundle the first
 * time) and fires `onDidChange` when it changed.
 * Refreshes come from the Refresh command, after every engine command, and every 5 s while the
 * view is visible (never while hidden); one read runs at a time, with at most one queued behind it.
 * An unreachable engine or an untrusted workspace empties the tree, so its welcome content shows.
 */
import * as vscode from 'vscode';
import { setContextKey } from '../common/contextKey';
import type { EngineHost } from './engineHost';
import type { ImagesNode, ImagesSnapshot } from './imagesModel';
import { errorMessage, type Logger } from '../log';

export class ImagesStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after a read that changed the snapshot. */
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private snapshot: ImagesSnapshot | undefined;
  private view: vscode.TreeView<ImagesNode> | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private rescan = false;
  private disposed = false;

  constructor(private readonly host: EngineHost, private readonly log: Logger, private readonly pollMs = 5000) {
    this.subscriptions.push(
      host.onDidRunCommand(() => void this.refresh()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()),
    );
  }

  /** Polls while `view` is visible. The first look happens after activation has returned. */
  attach(view: vscode.TreeView<ImagesNode>): void {
    this.view = view;
    this.subscriptions.push(view.onDidChangeVisibility((e) => this.setPolling(e.visible)));
    const timer = setTimeout(() => this.setPolling(view.visible), 0);
    this.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }

  private setPolling(visible: boolean): void {
    if (visible && !this.poll && !this.disposed) {
      void this.refresh();
      this.poll = setInterval(() => void this.refresh(false), this.pollMs);
    } else if (!visible && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  /**
   * Reads the engine again; resolves once the view shows the result. `rescan` (all but the polls)
   * also looks for Dockerfiles again.
   */
  refresh(rescan = true): Promise<void> {
    this.rescan ||= rescan;
    if (!this.running) {
      this.running = this.read().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.refresh(false);
    });
    return this.queued;
  }

  private async read(): Promise<void> {
    let next: ImagesSnapshot;
    const rescan = this.rescan;
    this.rescan = false;
    try {
      next = await this.host.snapshot(rescan);
    } catch (error) {
      this.log.warn(`images: ${errorMessage(error)}`);
      next = { engine: 'unreachable', message: errorMessage(error), projects: [] };
      this.host.setState('unreachable');
    }
    if (this.disposed) return;
    const changed = JSON.stringify(next) !== JSON.stringify(this.snapshot);
    this.snapshot = next;
    if (this.view) this.view.message = next.engine === 'unreachable' ? next.message : undefined;
    setContextKey('modelship.hasShipProjects', next.projects.length > 0);
    if (changed) this.emitter.fire();
  }

  /** The latest snapshot (undefined before the first read). */
  latest(): ImagesSnapshot | undefined {
    return this.snapshot;
  }

  dispose(): void {
    this.disposed = true;
    if (this.poll) clearInterval(this.poll);
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}

/**
 * What the Deployments view and the status bar show (STYLE pattern 10: they read this store).
 * While the view is visible the store watches each configured environment's Deployment (its pods,
 * ReplicaSets and events) through the deploy bundle and updates on every change; when the view is
 * hidden the watches stop. Without the view, it refreshes after each cluster command only.
 */
import * as vscode from 'vscode';
import { setContextKey } from '../common/contextKey';
import { errorMessage, type Logger } from '../log';
import type { DeployHost } from './deployHost';
import type { DeploymentsSnapshot } from './deployModel';

export class DeploymentsStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after a read or a watch event that changed the snapshot. */
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private snapshot: DeploymentsSnapshot | undefined;
  /** The last snapshot as published, serialized: a later one is compared with it, never with an object someone may mutate. */
  private published: string | undefined;
  private watching: AbortController | undefined;
  private reading: Promise<void> | undefined;
  private visible = false;
  private disposed = false;

  constructor(private readonly host: DeployHost, private readonly log: Logger) {
    this.subscriptions.push(
      host.onDidRunCommand(() => void this.restart()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
    );
  }

  /** Watches while `view` is visible. */
  attach(view: vscode.TreeView<unknown>): void {
    this.subscriptions.push(view.onDidChangeVisibility((e) => this.setVisible(e.visible)));
    const timer = setTimeout(() => this.setVisible(view.visible), 0);
    this.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }

  private setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) void this.restart();
    else this.stopWatching();
  }

  private stopWatching(): void {
    this.watching?.abort();
    this.watching = undefined;
  }

  /** Reads everything again (and, while visible, watches again): after a command, a settings or trust change. */
  restart(): Promise<void> {
    this.stopWatching();
    if (this.disposed) return Promise.resolve();
    if (!this.host.trusted) {
      this.host.setState('untrusted');
      this.publish({ kube: 'untrusted', environments: [] });
      return Promise.resolve();
    }
    if (!this.visible) return this.refresh();
    const controller = new AbortController();
    this.watching = controller;
    let first: () => void = () => undefined;
    const firstSnapshot = new Promise<void>((resolve) => (first = resolve));
    void this.host.watchDeployments((next) => {
      if (controller.signal.aborted) return;
      this.publish(next);
      first();
    }, controller.signal).catch((error: unknown) => {
      this.log.warn(`deployments: ${errorMessage(error)}`);
      first();
    });
    return firstSnapshot;
  }

  /** One read of every environment (no watch); resolves once the view shows it. */
  refresh(): Promise<void> {
    this.reading ??= (async () => {
      try {
        this.publish(await this.host.readDeployments());
      } catch (error) {
        this.log.warn(`deployments: ${errorMessage(error)}`);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private publish(next: DeploymentsSnapshot): void {
    if (this.disposed) return;
    const json = JSON.stringify(next);
    const changed = json !== this.published;
    this.published = json;
    this.snapshot = next;
    this.host.setState(next.kube);
    setContextKey('modelship.hasDeployments', next.environments.some((e) => e.deployment));
    if (changed) this.emitter.fire();
  }

  latest(): DeploymentsSnapshot | undefined {
    return this.snapshot;
  }

  dispose(): void {
    this.disposed = true;
    this.stopWatching();
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}

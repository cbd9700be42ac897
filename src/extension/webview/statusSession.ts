/**
 * The status panel's host-side state, without vscode: one watch of the StatusFeed at a time (a
 * Retry aborts the old one first), the last model, and what to post when the webview (re)loads.
 *
 * Invariants: after `dispose` nothing is posted and the watch is aborted; a model or error from an
 * aborted watch is ignored, so a slow old watch cannot overwrite what a newer one showed.
 */
import type { StatusModel } from '../../core/deploy/statusModel';
import { FeedRunner } from './feedRunner';
import type { StatusFeed } from './panelTypes';
import type { PanelTarget, StatusHostMessage } from './protocol';

export interface StatusSessionOptions {
  target: PanelTarget;
  canRollback: boolean;
  /** Returns the feed; called again on Retry when it failed. */
  feed: () => Promise<StatusFeed>;
  post: (message: StatusHostMessage) => void;
  /** For the log: why a watch stopped. */
  log: (message: string) => void;
}

export class StatusSession {
  private model: StatusModel | undefined;
  private error: string | undefined;
  private readonly runner: FeedRunner<StatusFeed>;
  private disposed = false;

  constructor(private readonly options: StatusSessionOptions) {
    this.runner = new FeedRunner(options.feed);
  }

  lastModel(): StatusModel | undefined {
    return this.model;
  }

  /** Starts (or restarts) watching. */
  start(): void {
    if (this.disposed) return;
    this.error = undefined;
    const onError = (message: string) => {
      if (!live()) return;
      this.error = message;
      this.options.post({ type: 'feedError', message });
    };
    const onModel = (model: StatusModel) => {
      if (!live()) return;
      this.model = model;
      this.error = undefined;
      this.options.post({ type: 'model', model });
    };
    const { target } = this.options;
    const live = this.runner.start((feed, signal) => feed.watch(onModel, onError, signal), {
      done: () => this.options.log(`status watch of ${target.deployment} (${target.environment}) stopped`),
      fail: onError,
    });
  }

  /** The webview (re)loaded: tell it what it shows and the last state. */
  ready(): void {
    if (this.disposed) return;
    this.options.post({ type: 'statusHello', target: this.options.target, canRollback: this.options.canRollback });
    if (this.model) this.options.post({ type: 'model', model: this.model });
    if (this.error !== undefined) this.options.post({ type: 'feedError', message: this.error });
  }

  dispose(): void {
    this.disposed = true;
    this.runner.dispose();
  }
}

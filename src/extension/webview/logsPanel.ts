/**
 * The Deployment logs panel: a webview over LogSession. The lines stay in the host's ring
 * buffer; the webview shows a virtual list and asks for the rows it shows.
 */
import type * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { LogSession } from './logSession';
import { PanelHost } from './panelHost';
import { logsPanels, type LogsPanelEntry } from './panelRegistry';
import type { PanelFeeds } from './panelTypes';
import type { LogFilter, LogQuery, LogsHostMessage, PanelTarget, WebviewMessage } from './protocol';

export class LogsPanel extends PanelHost<LogsHostMessage> implements LogsPanelEntry {
  private readonly session: LogSession;

  constructor(ctx: Ctx, panel: vscode.WebviewPanel, target: PanelTarget, feeds: PanelFeeds, query: LogQuery, filter: LogFilter = {}) {
    super(ctx, panel, 'logs', target);
    this.session = new LogSession({
      target,
      query,
      filter,
      feed: () => feeds.logs(target),
      post: (m) => this.post(m),
      log: (m) => ctx.log.info(m),
    });
    logsPanels.add(this, target);
    this.session.start();
  }

  bufferedLines(): number {
    return this.session.bufferedLines();
  }

  visibleText(start: number, count: number): string[] {
    return this.session.visibleText(start, count);
  }

  /** Shows the previous (or the running) containers' logs, restarting the stream when that changes. */
  showPrevious(previous: boolean): void {
    const query = this.session.currentQuery();
    if (query.previous !== previous) this.session.setQuery({ ...query, previous });
  }

  protected onMessage(message: WebviewMessage): void {
    if (message.type === 'showLogs' || message.type === 'rollback') {
      this.ctx.log.warn(`modelship.logs: ignored a ${message.type} message (it is for the status panel)`);
      return;
    }
    this.session.handle(message);
  }

  protected onClose(): void {
    this.session.dispose();
    logsPanels.remove(this);
  }
}

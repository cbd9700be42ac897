/**
 * The Deployment status panel: a webview over StatusSession. Live (the feed's watch runs while
 * the panel is open), with Show Logs, Show previous logs, Roll back and Retry buttons that run the
 * caller's actions with the panel's target.
 */
import type * as vscode from 'vscode';
import type { StatusModel } from '../../core/deploy/statusModel';
import type { Ctx } from '../ctx';
import { PanelHost } from './panelHost';
import { statusPanels } from './panelRegistry';
import type { PanelActions, PanelFeeds, StatusPanelHandle } from './panelTypes';
import type { PanelTarget, StatusHostMessage, WebviewMessage } from './protocol';
import { StatusSession } from './statusSession';

export class StatusPanel extends PanelHost<StatusHostMessage> implements StatusPanelHandle {
  private readonly session: StatusSession;

  constructor(ctx: Ctx, panel: vscode.WebviewPanel, private readonly target: PanelTarget, feeds: PanelFeeds, private readonly actions: PanelActions) {
    super(ctx, panel, 'status', target);
    this.session = new StatusSession({
      target,
      canRollback: typeof actions.rollback === 'function',
      feed: () => feeds.status(target),
      post: (m) => this.post(m),
      log: (m) => ctx.log.debug(m),
    });
    statusPanels.add(this, target);
    this.session.start();
  }

  lastModel(): StatusModel | undefined {
    return this.session.lastModel();
  }

  protected onMessage(message: WebviewMessage): void {
    switch (message.type) {
      case 'ready':
        this.session.ready();
        return;
      case 'retry':
        this.session.start();
        return;
      case 'showLogs':
        this.actions.showLogs(this.target, { previous: message.previous });
        return;
      case 'rollback':
        this.actions.rollback?.(this.target, message.revision === undefined ? {} : { revision: message.revision });
        return;
      default:
        this.ctx.log.warn(`modelship.status: ignored a ${message.type} message (it is for the logs panel)`);
    }
  }

  protected onClose(): void {
    this.session.dispose();
    statusPanels.remove(this);
  }
}

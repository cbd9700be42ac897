/**
 * Webview: the Deployment panels. A live status panel (header, the failure and its fix first,
 * conditions, revisions, pods with container states, probes and resources, events) and a logs
 * panel (the whole Deployment's logs in a host-side ring buffer, shown as a virtual list with
 * pod colours, follow/pause, search, filters by pod, container, level and text, and --previous,
 * since and tail). Both are restored after a reload by the serializers registered here.
 *
 * Siblings import this file only. The caller supplies the data through PanelFeeds (implemented
 * over the Kubernetes adapter) and what the buttons do through PanelActions; nothing in this
 * folder imports src/kube or another capability. Browser code is media/statusPanel.ts and
 * media/logsPanel.ts, built to dist/media; the messages between the two sides are protocol.ts.
 *
 * Call `setExtensionUri(context.extensionUri)` once in activate, then
 * `registerPanelSerializers` (and add `onWebviewPanel:modelship.status` and
 * `onWebviewPanel:modelship.logs` to activationEvents so a restored panel activates us).
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { LogsPanel } from './logsPanel';
import { createPanel, VIEW_TYPES } from './panelHost';
import { logsPanels, openPanels, statusPanels } from './panelRegistry';
import type { LogsPanelHandle, PanelActions, PanelFeeds, StatusPanelHandle } from './panelTypes';
import { parseLogFilter, parseLogQuery, parsePanelTarget, type LogFilter, type PanelTarget } from './protocol';
import { StatusPanel } from './statusPanel';

export type { StatusModel } from '../../core/deploy/statusModel';
export type { LogFeed, LogQueryOptions, LogsPanelHandle, PanelActions, PanelFeeds, StatusFeed, StatusPanelHandle } from './panelTypes';
export type { LogFilter, LogQuery, PanelTarget } from './protocol';
export { setExtensionUri } from './mediaRoot';
export { openPanels };

/** Opens the status panel for a target, or reveals the one already open. */
export function openStatusPanel(ctx: Ctx, target: PanelTarget, feeds: PanelFeeds, actions: PanelActions): StatusPanelHandle {
  const open = statusPanels.find(target);
  if (open) {
    open.panel.reveal();
    return open;
  }
  return new StatusPanel(ctx, createPanel('status', target), target, feeds, actions);
}

/** Opens the logs panel for a target, or reveals the one already open (switching to the previous containers' logs if asked). */
export function openLogsPanel(ctx: Ctx, target: PanelTarget, feeds: PanelFeeds, options: { previous?: boolean; filter?: LogFilter } = {}): LogsPanelHandle {
  const open = logsPanels.find(target);
  if (open) {
    open.panel.reveal();
    if (options.previous !== undefined) open.showPrevious(options.previous);
    return open;
  }
  // A new panel starts with the filter asked for (one pod, from the Deployments view); an open one keeps the user's.
  return new LogsPanel(ctx, createPanel('logs', target), target, feeds, { previous: options.previous === true }, options.filter ?? {});
}

/** Which panel a serializer restores. */
export type PanelKind = keyof typeof VIEW_TYPES;

/** Builds a restored panel: `restorePanel` below, reached through the caller's lazily loaded bundle. */
export type PanelRestorer = (kind: PanelKind, panel: vscode.WebviewPanel, target: PanelTarget, saved: Record<string, unknown>) => void | Promise<void>;

/**
 * Restores both panels after a reload, from the target (and filter, query) their webviews saved.
 * The serializers live in extension.js; `restore` builds the panel, so the panel classes (and
 * what feeds them) load only when there is a panel to restore.
 */
export function registerPanelSerializers(ctx: Ctx, restore: PanelRestorer): void {
  for (const kind of Object.keys(VIEW_TYPES) as PanelKind[]) {
    ctx.own(vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[kind], {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const saved = typeof state === 'object' && state !== null ? (state as Record<string, unknown>) : {};
        const target = parsePanelTarget(saved.target);
        if (!target) {
          // Saved before it knew its target (or by another version): nothing to show.
          ctx.log.warn(`${VIEW_TYPES[kind]}: cannot restore a panel without a saved target; closing it`);
          panel.dispose();
          return;
        }
        await restore(kind, panel, target, saved);
      },
    }));
  }
}

/** Rebuilds a panel the serializer handed back, with its saved query and filter. */
export function restorePanel(ctx: Ctx, kind: PanelKind, panel: vscode.WebviewPanel, target: PanelTarget, saved: Record<string, unknown>, feeds: PanelFeeds, actions: PanelActions): void {
  if (kind === 'status') new StatusPanel(ctx, panel, target, feeds, actions);
  else new LogsPanel(ctx, panel, target, feeds, parseLogQuery(saved.query) ?? { previous: false }, parseLogFilter(saved.filter) ?? {});
}

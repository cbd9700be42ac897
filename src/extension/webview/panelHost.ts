/**
 * What both Deployment panels share on the host side: the locked-down webview options, the page
 * from `buildPanelHtml` (fresh nonce), checking each incoming message with `parseWebviewMessage`
 * (anything else is logged and dropped), posting, and freeing the panel's disposables when it
 * closes (STYLE pattern 7). Subclasses only say what a valid message does.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { buildPanelHtml, newNonce } from './html';
import { mediaRoot } from './mediaRoot';
import { parseWebviewMessage, type HostMessage, type PanelTarget, type WebviewMessage } from './protocol';

export type PanelKind = 'status' | 'logs';

/** The view types the serializers are registered for. */
export const VIEW_TYPES: Readonly<Record<PanelKind, string>> = { status: 'modelship.status', logs: 'modelship.logs' };

/** No retainContextWhenHidden: a hidden panel's page is dropped and reloads from setState. */
export function webviewOptions(): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [mediaRoot()] };
}

export function panelTitle(kind: PanelKind, target: PanelTarget): string {
  return `${kind === 'status' ? 'Status' : 'Logs'}: ${target.deployment} (${target.environment})`;
}

/** A new panel in the active column, ready for `PanelHost`. */
export function createPanel(kind: PanelKind, target: PanelTarget): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(VIEW_TYPES[kind], panelTitle(kind, target), vscode.ViewColumn.Active, webviewOptions());
}

export abstract class PanelHost<M extends HostMessage> {
  private readonly disposables: vscode.Disposable[] = [];
  private closed = false;

  protected constructor(
    protected readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    kind: PanelKind,
    target: PanelTarget,
  ) {
    const webview = panel.webview;
    // A revived panel comes with the options it was saved with; set ours again.
    webview.options = webviewOptions();
    panel.title = panelTitle(kind, target);
    const media = mediaRoot();
    webview.html = buildPanelHtml({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${kind}Panel.js`)).toString(),
      styleUris: ['common.css', `${kind}Panel.css`].map((f) => webview.asWebviewUri(vscode.Uri.joinPath(media, f)).toString()),
      title: panelTitle(kind, target),
      panel: kind,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.closedByUser()),
    );
  }

  /** Closes the panel (its disposables are freed by onDidDispose). */
  dispose(): void {
    if (!this.closed) this.panel.dispose();
  }

  /** What a valid message from the webview does. */
  protected abstract onMessage(message: WebviewMessage): void;

  /** Frees what the subclass holds (feeds, timers); runs once, when the panel closes. */
  protected abstract onClose(): void;

  protected post(message: M): void {
    if (this.closed) return;
    // A hidden webview drops messages; it asks for everything again with `ready` when shown.
    this.panel.webview.postMessage(message).then(undefined, (err: unknown) => this.ctx.log.debug(`webview post failed: ${String(err)}`));
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.ctx.log.warn(`${this.panel.viewType}: dropped a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'clientError') {
      this.ctx.log.error(`${this.panel.viewType} webview: ${message.message}`);
      return;
    }
    this.onMessage(message);
  }

  private closedByUser(): void {
    this.closed = true;
    this.onClose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

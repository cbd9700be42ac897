/**
 * The one HTML page both Deployment panels load (STYLE pattern 11): a strict Content Security
 * Policy with a fresh nonce per render, one script and one stylesheet from dist/media, and an
 * empty `<main>` that the script fills with DOM nodes. Pure and vscode-free: the panel passes in
 * the webview's `cspSource` and the resources' webview URIs as strings.
 *
 * Invariants: no inline script or style (the CSP forbids both, and nothing needs them); every
 * `<script>` carries the nonce; every value put in the page is escaped.
 */
import { randomBytes } from 'node:crypto';

export interface PanelPage {
  /** `webview.cspSource`: where the webview may load our script, style, images and fonts from. */
  cspSource: string;
  /** A fresh nonce from `newNonce()`, different on each render. */
  nonce: string;
  /** The script's webview URI (`asWebviewUri(dist/media/<panel>.js)`). */
  scriptUri: string;
  /** The stylesheets' webview URIs, in order. */
  styleUris: string[];
  /** The document title (the editor tab shows the panel's own title). */
  title: string;
  /** Which panel, for the `data-panel` attribute on body. */
  panel: 'status' | 'logs';
}

/** 128 random bits, base64url: only characters a CSP nonce-source allows. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** Escapes text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The Content-Security-Policy the panels run under. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function buildPanelHtml(page: PanelPage): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(page.nonce)) throw new Error('buildPanelHtml: the nonce must be at least 16 base64url characters (use newNonce())');
  const e = escapeHtml;
  const styles = page.styleUris.map((uri) => `<link rel="stylesheet" href="${e(uri)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(page.cspSource, page.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${e(page.title)}</title>
  </head>
  <body data-panel="${e(page.panel)}">
    <main id="app" aria-busy="true"></main>
    <script nonce="${e(page.nonce)}" src="${e(page.scriptUri)}"></script>
  </body>
</html>
`;
}

// The one page both panels load: a strict CSP with a fresh nonce, the nonce on every script, no
// inline script or style, escaped values. And the browser code never turns text into markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPanelHtml, contentSecurityPolicy, escapeHtml, newNonce, type PanelPage } from '../../../src/extension/webview/html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function page(overrides: Partial<PanelPage> = {}): PanelPage {
  return {
    cspSource: CSP_SOURCE,
    nonce: newNonce(),
    scriptUri: `${CSP_SOURCE}/ext/dist/media/logsPanel.js`,
    styleUris: [`${CSP_SOURCE}/ext/dist/media/common.css`, `${CSP_SOURCE}/ext/dist/media/logsPanel.css`],
    title: 'Logs: iris (staging)',
    panel: 'logs',
    ...overrides,
  };
}

test('the CSP allows only our nonce for scripts and the webview source for the rest', () => {
  const p = page();
  const html = buildPanelHtml(p);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(csp, 'a CSP meta tag');
  assert.equal(csp, `default-src &#39;none&#39;; script-src &#39;nonce-${p.nonce}&#39;; style-src ${CSP_SOURCE}; img-src ${CSP_SOURCE} data:; font-src ${CSP_SOURCE}`);
  assert.equal(contentSecurityPolicy(CSP_SOURCE, 'n'), `default-src 'none'; script-src 'nonce-n'; style-src ${CSP_SOURCE}; img-src ${CSP_SOURCE} data:; font-src ${CSP_SOURCE}`);
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
});

test('every script carries the nonce and loads from dist/media; nothing is inline', () => {
  const p = page();
  const html = buildPanelHtml(p);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs!, new RegExp(`nonce="${p.nonce}"`));
    assert.match(attrs!, /src="[^"]*\/dist\/media\/logsPanel\.js"/);
    assert.equal(body!.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /\sstyle=|<style/i, 'no inline style');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handler');
  assert.deepEqual([...html.matchAll(/<link rel="stylesheet" href="([^"]*)">/g)].map((m) => m[1]), p.styleUris);
  assert.match(html, /<main id="app"/);
  assert.match(html, /<body data-panel="logs">/);
});

test('a fresh nonce on every render: 128 random bits in base64url', () => {
  const nonces = new Set(Array.from({ length: 100 }, () => newNonce()));
  assert.equal(nonces.size, 100);
  for (const n of nonces) assert.match(n, /^[A-Za-z0-9_-]{22}$/);
  const a = buildPanelHtml(page());
  const b = buildPanelHtml(page());
  assert.notEqual(/nonce="([^"]*)"/.exec(a)![1], /nonce="([^"]*)"/.exec(b)![1]);
  assert.throws(() => buildPanelHtml(page({ nonce: 'short' })), /nonce/);
  assert.throws(() => buildPanelHtml(page({ nonce: `${newNonce()}" onload="x` })), /nonce/);
});

test('values put in the page are escaped', () => {
  const html = buildPanelHtml(page({ title: 'Logs: <script>alert(1)</script> & "x"', scriptUri: 'https://x/a.js?"><script>' }));
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /<title>Logs: &#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; &#34;x&#34;<\/title>/);
  assert.equal(escapeHtml(`<&>"'`), '&#60;&#38;&#62;&#34;&#39;');
  assert.equal([...html.matchAll(/<script\b/g)].length, 1);
});

test('the browser code puts text in as text: no innerHTML, no inline styles, no eval', () => {
  const media = join(__dirname, '../../../media');
  const files = readdirSync(media).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('logsPanel.ts') && files.includes('statusPanel.ts'));
  for (const file of files) {
    const text = readFileSync(join(media, file), 'utf8');
    for (const sink of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function\(/, /setAttribute\(\s*['"]style['"]/, /\.cssText\b/]) {
      assert.doesNotMatch(text, sink, `${file} uses ${sink}`);
    }
  }
});

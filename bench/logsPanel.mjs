// The logs panel's webview scrolling 100,000 lines: dist/media/logsPanel.js loaded in headless
// Chromium (Debian's /usr/bin/chromium through playwright-core) in the real panel page (the CSP
// and nonce of src/extension/webview/html.ts), served by a local HTTP server, with a fake
// `acquireVsCodeApi()` playing the extension host: it answers the page's row requests from
// BENCH_PANEL_LINES synthetic lines made on demand (so the page's heap holds only what the panel
// keeps). Measured in one browser session, against a baseline of a plain static list of 2,000 DOM
// rows scrolled top to bottom in the same number of steps: requestAnimationFrame frame times
// (median, p95), rows still blank when their frame was painted, and the JS heap after a GC.
// Smoke checks, same session: a `<script>` log line shows as text and adds no element, no dialog
// opens, no console error or CSP violation on either panel, the status panel renders a failure.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commit, median } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const root = join(here, '../..');
const LINES = Number(process.env.BENCH_PANEL_LINES ?? 100_000);
const STEPS = Number(process.env.BENCH_PANEL_STEPS ?? 600);
const BASELINE_ROWS = 2000;
const XSS = '<script>alert(1)</script>';

/** A dark theme's worth of the variables the panels use (VS Code sets them on the real page). */
const THEME = `:root{--vscode-foreground:#ccc;--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#d4d4d4;
--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-editor-font-size:13px;
--vscode-button-background:#0e639c;--vscode-button-foreground:#fff;--vscode-terminal-ansiRed:#cd3131;--vscode-terminal-ansiGreen:#0dbc79;
--vscode-terminal-ansiBlue:#2472c8;--vscode-terminal-ansiCyan:#11a8cd;--vscode-focusBorder:#007fd4}`;

/** The fake host: answers the logs page like LogSession does, from lines made on demand. */
const LOGS_HOST = `(() => {
  const total = ${LINES}, xss = ${JSON.stringify(XSS)};
  const row = (i) => ({ index: i, pod: 'model-7d9f-' + (i % 4), container: 'server', colour: [31, 32, 34, 36][i % 4],
    text: i === 3 ? xss : 'INFO:     10.0.0.' + (i % 250) + ':5000 - "POST /predict HTTP/1.1" 200 OK request ' + i + ' took ' + (i % 97) / 10 + ' ms',
    level: 'info' });
  const send = (data) => setTimeout(() => window.dispatchEvent(new MessageEvent('message', { data })), 0);
  let state;
  window.__bench = { requests: 0, rowsSent: 0, posted: [] };
  window.acquireVsCodeApi = () => ({
    getState: () => state,
    setState: (s) => { state = s; },
    postMessage: (m) => {
      window.__bench.posted.push(m.type);
      if (m.type === 'ready') {
        send({ type: 'logsHello', target: { projectDir: '/w', environment: 'bench', deployment: 'model' }, query: { previous: false }, filter: {} });
        send({ type: 'logsInfo', version: 1, first: 0, total, dropped: 0, pods: ['model-7d9f-0', 'model-7d9f-1', 'model-7d9f-2', 'model-7d9f-3'], containers: ['server'], streaming: true });
      } else if (m.type === 'rows') {
        const rows = [];
        for (let i = m.start; i < Math.min(total, m.start + m.count); i++) rows.push(row(i));
        window.__bench.requests++; window.__bench.rowsSent += rows.length;
        send({ type: 'rows', version: m.version, start: m.start, rows });
      }
    },
  });
})();`;

function statusHost(model) {
  return `window.acquireVsCodeApi = () => ({ getState: () => undefined, setState: () => {}, postMessage: (m) => {
    if (m.type !== 'ready') return;
    const send = (data) => setTimeout(() => window.dispatchEvent(new MessageEvent('message', { data })), 0);
    send({ type: 'statusHello', target: { projectDir: '/w', environment: 'bench', deployment: 'model' }, canRollback: true });
    send({ type: 'model', model: ${JSON.stringify(model)} });
  } });`;
}

const BASELINE = `<!DOCTYPE html><html><head><link rel="stylesheet" href="/theme.css"><link rel="stylesheet" href="/media/common.css"><link rel="stylesheet" href="/media/logsPanel.css"></head>
<body><main id="app"><div class="viewport"><div class="spacer">${Array.from({ length: BASELINE_ROWS }, (_, i) =>
  `<div class="row"><span class="cell"><span class="prefix ansi-3${i % 4}">model-7d9f-${i % 4}/server</span><span class="text">INFO:     10.0.0.${i % 250}:5000 - "POST /predict HTTP/1.1" 200 OK request ${i}</span></span></div>`).join('')}</div></div></main></body></html>`;

/** dist/media when built, else the bundles built now into a temporary folder (same options as scripts/build.mjs). */
async function mediaDir() {
  const dist = join(root, 'dist/media');
  if (existsSync(join(dist, 'logsPanel.js')) && existsSync(join(dist, 'statusPanel.js'))) return { dir: dist, built: false };
  const esbuild = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-media-'));
  for (const panel of ['logsPanel', 'statusPanel']) {
    await esbuild.build({ entryPoints: [join(root, `media/${panel}.ts`)], outfile: join(dir, `${panel}.js`), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, logLevel: 'warning' });
  }
  for (const css of ['common.css', 'logsPanel.css', 'statusPanel.css']) copyFileSync(join(root, 'media', css), join(dir, css));
  return { dir, built: true };
}

/** The panel's real page, with the fake host's script (same nonce) ahead of the panel's. */
function panelPage(buildPanelHtml, newNonce, origin, panel) {
  const nonce = newNonce();
  const html = buildPanelHtml({ cspSource: origin, nonce, scriptUri: `${origin}/media/${panel}Panel.js`, styleUris: [`${origin}/theme.css`, `${origin}/media/common.css`, `${origin}/media/${panel}Panel.css`], title: panel, panel });
  return html.replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${origin}/host-${panel}.js"></script>\n    <script nonce="${nonce}"`);
}

async function serve(files) {
  const server = http.createServer((req, res) => {
    if (req.url === '/favicon.ico') return res.writeHead(204).end();
    const body = files[req.url.split('?')[0]];
    if (body === undefined) return res.writeHead(404).end();
    const type = req.url.endsWith('.js') ? 'text/javascript' : req.url.endsWith('.css') ? 'text/css' : 'text/html';
    res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Chromium's main-thread time so far (script, style, layout), in ms. */
async function mainThreadMs(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
}

/**
 * Scrolls `selector` from top to bottom in `steps` frames: the frame intervals, the main-thread
 * work per frame, and the share of rows still blank (waiting for their page) when painted.
 */
async function sweep(page, cdp, selector, steps) {
  await cdp.send('Performance.enable');
  const before = await mainThreadMs(cdp);
  const result = await page.evaluate(async ({ selector, steps }) => {
    const viewport = document.querySelector(selector);
    const frame = () => new Promise((r) => window.requestAnimationFrame(r));
    viewport.scrollTop = 0;
    await frame();
    await new Promise((r) => setTimeout(r, 200));
    const max = viewport.scrollHeight - viewport.clientHeight;
    const times = [];
    let blank = 0;
    let shown = 0;
    let last = await frame();
    for (let s = 1; s <= steps; s++) {
      viewport.scrollTop = Math.round((max * s) / steps);
      const t = await frame();
      times.push(t - last);
      last = t;
      const rows = viewport.querySelectorAll('.row:not([hidden])');
      shown += rows.length;
      blank += viewport.querySelectorAll('.row.loading:not([hidden])').length;
    }
    return { times, blankFraction: shown ? blank / shown : 0, atEnd: viewport.scrollTop >= max - 1 };
  }, { selector, steps });
  // The 200 ms settle before the sweep is idle time; the rest is the sweep's own work.
  return { ...result, workPerFrameMs: ((await mainThreadMs(cdp)) - before) / steps };
}

async function heapMB(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { heapMB: usedSize / 1024 / 1024, domElements: nodes };
}

const p95 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))];

async function worker() {
  const { buildPanelHtml, newNonce } = await import('../src/extension/webview/html.ts');
  const { buildStatusModel } = await import('../src/core/deploy/statusModel.ts');
  const { assessRollout } = await import('../src/core/deploy/rollout.ts');
  const { chromium } = await import('playwright-core');
  const { dir, built } = await mediaDir();
  const snapshot = JSON.parse(readFileSync(join(root, 'test/fixtures/deploy/oom.json'), 'utf8'));
  snapshot.events.push({ type: 'Warning', reason: 'Odd', message: `<img src=x onerror=alert(1)>${XSS}`, involvedObject: { kind: 'Pod', name: 'x' }, lastTimestamp: '2026-12-06T22:08:00Z' });
  const now = Date.parse('2026-12-06T22:09:00Z');
  const model = buildStatusModel({ snapshot, assessment: assessRollout(snapshot, { now }), revisions: [{ revision: 1 }, { revision: 2, current: true }], now, environment: 'bench', context: 'kind', namespace: 'staging', deployment: 'ms-core-oom' });

  const files = { '/theme.css': THEME, '/baseline.html': BASELINE, '/host-logs.js': LOGS_HOST, '/host-status.js': statusHost(model) };
  for (const f of ['logsPanel.js', 'statusPanel.js', 'common.css', 'logsPanel.css', 'statusPanel.css']) files[`/media/${f}`] = readFileSync(join(dir, f), 'utf8');
  const { server, origin } = await serve(files);
  files['/logs.html'] = panelPage(buildPanelHtml, newNonce, origin, 'logs');
  files['/status.html'] = panelPage(buildPanelHtml, newNonce, origin, 'status');

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  const version = browser.version();
  const problems = [];
  const open = async (path) => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${path} console ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`${path} page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`${path} dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${origin}${path}`);
    return { page, cdp: await page.context().newCDPSession(page) };
  };

  // Baseline: a plain static list of 2,000 rows, same stylesheet, same steps.
  const base = await open('/baseline.html');
  const baseSweep = await sweep(base.page, base.cdp, '.viewport', STEPS);
  const baseHeap = await heapMB(base.page, base.cdp);
  await base.page.close();

  const logs = await open('/logs.html');
  await logs.page.waitForSelector('.row:not(.loading) .text');
  // The page follows the end; the <script> line is line 3, at the top.
  await logs.page.evaluate(() => { document.querySelector('.viewport').scrollTop = 0; });
  await logs.page.waitForFunction((xss) => [...document.querySelectorAll('.row .text')].some((t) => t.textContent === xss), XSS, { timeout: 5000 }).catch(() => {});
  const smoke = await logs.page.evaluate((xss) => {
    const texts = [...document.querySelectorAll('.row .text')].map((t) => t.textContent);
    return { xssAsText: texts.includes(xss), scripts: document.scripts.length, scriptsInList: document.querySelectorAll('.viewport script').length, rowCount: document.querySelector('.viewport').getAttribute('aria-rowcount') };
  }, XSS);
  const loadHeap = await heapMB(logs.page, logs.cdp);
  const logsSweep = await sweep(logs.page, logs.cdp, '.viewport', STEPS);
  const endHeap = await heapMB(logs.page, logs.cdp);
  const stats = await logs.page.evaluate(() => ({ ...window.__bench, posted: undefined, lastRow: document.querySelector('.row:not([hidden]):last-of-type .text')?.textContent }));
  await logs.page.close();

  const status = await open('/status.html');
  await status.page.waitForSelector('.failure');
  const statusSmoke = await status.page.evaluate((xss) => ({
    failure: document.querySelector('.failure')?.textContent ?? '',
    eventAsText: document.querySelector('.events')?.textContent?.includes(xss) ?? false,
    images: document.images.length,
    scripts: document.scripts.length,
  }), XSS);
  await status.page.close();
  await browser.close();
  server.close();
  if (built) rmSync(dir, { recursive: true, force: true });

  const ours = { median: median(logsSweep.times), p95: p95(logsSweep.times) };
  const baseline = { median: median(baseSweep.times), p95: p95(baseSweep.times) };
  process.stdout.write(JSON.stringify({
    lines: LINES, steps: STEPS, baselineRows: BASELINE_ROWS, chromium: version,
    frameMedianMs: ours.median, frameP95Ms: ours.p95, baselineFrameMedianMs: baseline.median, baselineFrameP95Ms: baseline.p95,
    ratioMedian: ours.median / baseline.median, ratioP95: ours.p95 / baseline.p95,
    workPerFrameMs: logsSweep.workPerFrameMs, baselineWorkPerFrameMs: baseSweep.workPerFrameMs, ratioWork: logsSweep.workPerFrameMs / baseSweep.workPerFrameMs,
    blankRowFraction: logsSweep.blankFraction, reachedEnd: logsSweep.atEnd,
    heapMB: endHeap.heapMB, heapAfterLoadMB: loadHeap.heapMB, baselineHeapMB: baseHeap.heapMB, heapRatio: endHeap.heapMB / baseHeap.heapMB,
    domElements: endHeap.domElements, baselineDomElements: baseHeap.domElements,
    rowRequests: stats.requests, rowsSent: stats.rowsSent,
    smoke: {
      scriptLineShownAsText: smoke.xssAsText, scriptElements: smoke.scripts, scriptsInList: smoke.scriptsInList, ariaRowCount: Number(smoke.rowCount),
      statusFailureShown: /OOMKilled/.test(statusSmoke.failure) && /Fix:/.test(statusSmoke.failure), statusEventAsText: statusSmoke.eventAsText, statusImages: statusSmoke.images, statusScripts: statusSmoke.scripts,
      problems,
    },
  }));
}

export async function benchLogsPanel() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', here, '--worker'], { encoding: 'utf8', maxBuffer: 1 << 24, env: process.env, cwd: root });
  if (r.status !== 0) throw new Error(`logsPanel worker failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout);
  const s = result.smoke;
  const smokePass = s.scriptLineShownAsText && s.scriptElements === 2 && s.scriptsInList === 0 && s.ariaRowCount === result.lines
    && s.statusFailureShown && s.statusEventAsText && s.statusImages === 0 && s.statusScripts === 2 && s.problems.length === 0 && result.reachedEnd;
  return { machine: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`, commit: commit(), ...result, smokePass };
}

export function printLogsPanel(r) {
  console.log(`logs panel webview: ${r.lines.toLocaleString('en')} lines, scrolled top to bottom in ${r.steps} frames, Chromium ${r.chromium}, ${r.machine} @ ${r.commit}`);
  console.log(`  frame time   median ${r.frameMedianMs.toFixed(1)} ms, p95 ${r.frameP95Ms.toFixed(1)} ms; rows blank when painted ${(r.blankRowFraction * 100).toFixed(1)}%`);
  console.log(`  baseline     ${r.baselineRows} static DOM rows: median ${r.baselineFrameMedianMs.toFixed(1)} ms, p95 ${r.baselineFrameP95Ms.toFixed(1)} ms -> ours ${r.ratioMedian.toFixed(2)}x median, ${r.ratioP95.toFixed(2)}x p95`);
  console.log(`  main thread  ${r.workPerFrameMs.toFixed(2)} ms of work per frame, baseline ${r.baselineWorkPerFrameMs.toFixed(2)} ms -> ours ${r.ratioWork.toFixed(2)}x`);
  console.log(`  JS heap      ${r.heapMB.toFixed(1)} MB after the sweep (${r.heapAfterLoadMB.toFixed(1)} MB after load), baseline ${r.baselineHeapMB.toFixed(1)} MB -> ${r.heapRatio.toFixed(2)}x; DOM elements ${r.domElements} vs ${r.baselineDomElements}`);
  console.log(`  row requests ${r.rowRequests} (${r.rowsSent.toLocaleString('en')} rows sent)`);
  console.log(`  smoke        <script> line as text: ${r.smoke.scriptLineShownAsText}; status failure shown: ${r.smoke.statusFailureShown}; console errors/CSP/dialogs: ${r.smoke.problems.length}  ${r.smokePass ? 'PASS' : 'FAIL'}`);
  for (const p of r.smoke.problems) console.log(`    ${p}`);
}

if (process.argv.includes('--worker')) await worker();

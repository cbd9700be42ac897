#!/usr/bin/env node
// End-to-end UI test of Deployments against the real kube lab (../shared/kube-lab) and Docker engine: installs
// ./modelship.vsix (built by `npm run build && npm run package`) into a fresh code-server, opens a scratch workspace
// holding a copy of examples/iris-sklearn containerized by the CLI, and drives the real UI in headless chromium:
//   the walkthrough's Deploy button (asks the context; Escape writes nothing), Deploy to Staging from the palette
//   (context pick, namespace input, progress notification, Ready notification), the Deployments view (environment →
//   Deployment → pods) and the status bar, the logs panel (every pod's lines; a line holding markup shows as text),
//   the status panel, the walkthrough's Show Logs button, Try a Prediction (Markdown beside), a broken deploy
//   (MODEL_PATH patched: failure notification → Show Logs with the previous container's error → the status panel's
//   reason at the top), the fix deployed, Roll Back from the view (revision picked, confirmed, Ready), prod's typed
//   confirmation (Escape sends nothing), Developer: Reload Window restoring both panels (target and filter kept), and
//   light, dark and high-contrast screenshots of both panels.
// Every step also fails on errors in a webview's console, on `[error]` lines in the Modelship logs of the extension
// host, and on a panel whose Content-Security-Policy is not `default-src 'none'` with a script nonce on every script.
// Screenshots: test-artifacts/e2e-deploy/NN-name.png. Prints "N passed, N failed", writes .test-results/e2e-deploy.json.
// A step that fails stops the run; later steps count as skipped. Without code-server, chromium, the vsix, the lab, the
// engine (and its test base) or the registry the suite prints SKIPPED with the reason and exits 0 (1 with
// MODELSHIP_REQUIRE_VSCODE=1 or CI set). Everything it creates in the cluster (one namespace per run) is deleted.
// Env: KEEP_ARTIFACTS=1 keeps the scratch dirs; MODELSHIP_TEST_KUBECONFIG, MODELSHIP_TEST_CLUSTER_REGISTRY as in the extension tests.
'use strict';
const assert = require('assert');
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const cs = require('./codeServer');
const infra = require('../helpers/testInfra');

const SUITE = 'e2e-deploy';
const VSIX = path.resolve(process.env.VSIX || path.join(cs.REPO, 'modelship.vsix'));
const SHOTS = path.join(cs.REPO, 'test-artifacts', SUITE);
const T = 30000;
const REQUIRED = process.env.MODELSHIP_REQUIRE_VSCODE === '1' || Boolean(process.env.CI);
const PROJECT = 'e2e-deploy-iris';
const KUBECONFIG = process.env.MODELSHIP_TEST_KUBECONFIG || path.join(os.homedir(), '.cache', 'kube-lab', 'kubeconfig');
/** Where the lab pulls from (MODELSHIP_TEST_CLUSTER_REGISTRY, else localhost:5000), shared with start-engine.sh's registry. */
const REGISTRY = infra.CLUSTER_REGISTRY;
const SUFFIX = crypto.randomBytes(3).toString('hex');
const STAGING_NS = `mse2e-${SUFFIX}`;
const PROD_NS = `mse2e-${SUFFIX}-prod`;
const ENGINE_BASE = infra.TEST_BASE_IMAGE;
const SOCKET = process.env.DOCKER_HOST && process.env.DOCKER_HOST.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';
/** A first deploy builds the image (30-60 s on a 2-core machine, more under load), pushes it and waits for the rollout. */
const DEPLOY_TIMEOUT = 300000;
const ROLLOUT_TIMEOUT = 150000;
/** Browser console errors every offline code-server prints (gallery, auth providers, vsda). */
const KNOWN_NOISE = /open-vsx\.org|ENOTFOUND|ERR_NAME_NOT_RESOLVED|authentication provider|vsda|Failed to load resource|DEP0169|url\.parse\(\)|Long running operations during shutdown|IndexedDB database '[\w-]+' is closed|Aborted onWillSaveTextDocument/;
/** A line that shows in the logs panel as text, never as markup. */
const MARKUP = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** A step that cannot run here (it says why); it counts as skipped, not failed. */
class StepSkipped extends Error {}

// ---------------------------------------------------------------------------------------------
// The lab, the engine, the registry
// ---------------------------------------------------------------------------------------------

function kubectlBin() {
  const lab = path.join(path.dirname(KUBECONFIG), 'bin', 'kubectl');
  return fs.existsSync(lab) ? lab : 'kubectl';
}

/** kubectl on the lab's admin context; throws with stderr. */
function kubectl(args, { allowFail = false, timeout = 60000 } = {}) {
  const res = spawnSync(kubectlBin(), ['--kubeconfig', KUBECONFIG, '--context', 'lab-admin', ...args], { encoding: 'utf8', timeout });
  if (res.status !== 0 && !allowFail) throw new Error(`kubectl ${args.join(' ')}: ${(res.stderr || res.error?.message || '').trim()}`);
  return res.status === 0 ? res.stdout : '';
}

function engineRequest(method, urlPath, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: SOCKET, path: urlPath, method, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${SOCKET} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Why the cluster paths cannot run here, or undefined; sets ctx.baseProvides. */
async function probeCluster(ctx) {
  if (!fs.existsSync(KUBECONFIG)) return `no cluster: ${KUBECONFIG} does not exist (run bash ../shared/kube-lab/up.sh)`;
  const ready = spawnSync(kubectlBin(), ['--kubeconfig', KUBECONFIG, '--context', 'lab-admin', 'get', '--raw', '/readyz', '--request-timeout=5s'], { encoding: 'utf8', timeout: 15000 });
  if (ready.status !== 0) return `no cluster: ${KUBECONFIG} does not answer (${(ready.stderr || ready.error?.message || '').trim().slice(0, 200)})`;
  const contexts = spawnSync(kubectlBin(), ['--kubeconfig', KUBECONFIG, 'config', 'get-contexts', '-o', 'name'], { encoding: 'utf8' }).stdout.split('\n');
  for (const c of ['lab-staging', 'lab-prod', 'lab-admin']) if (!contexts.includes(c)) return `${KUBECONFIG} has no context ${c} (not the kube lab?)`;
  try {
    const version = await engineRequest('GET', '/version', 5000);
    if (version.status !== 200) return `GET /version on ${SOCKET} answered ${version.status}`;
    const base = await engineRequest('GET', `/images/${encodeURIComponent(ENGINE_BASE)}/json`);
    if (base.status !== 200) return `the engine has no ${ENGINE_BASE} image (scripts/docker/build-base-images.sh builds it)`;
    ctx.baseProvides = (JSON.parse(base.body).Config.Labels || {})['org.modelship.base-provides'];
    if (!ctx.baseProvides) return `${ENGINE_BASE} is not the Modelship test base (no org.modelship.base-provides label)`;
  } catch (e) {
    return `no Docker engine on ${SOCKET} (${e.message})`;
  }
  const registry = await infra.clusterRegistryProblem();
  return registry && registry.missing;
}

/** A copy of examples/iris-sklearn in the workspace, containerized by the CLI (Dockerfile, serving app, k8s manifests). */
function prepareProject(ctx) {
  fs.cpSync(path.join(cs.REPO, 'examples/iris-sklearn'), ctx.project, { recursive: true });
  const made = spawnSync(process.execPath, [path.join(cs.REPO, 'dist/cli.js'), 'containerize', ctx.project, '--only', 'dockerfile,app,k8s', '--base-image', ENGINE_BASE, '--base-provides', ctx.baseProvides], { encoding: 'utf8', timeout: 120000 });
  assert.strictEqual(made.status, 0, `containerize: ${made.stderr || made.stdout}`);
  // The lab is one 2-CPU node that other suites' pods share: at the generated request (250m per worker) a rolling update
  // (maxSurge 1) may find no room for a while (Pending, "Insufficient cpu"). 50m keeps this suite's pods small and its
  // timings steady.
  const deployment = path.join(ctx.project, 'deploy/k8s/base/deployment.yaml');
  const text = fs.readFileSync(deployment, 'utf8');
  const requests = /(requests:\n\s+cpu: )\d+m/;
  assert.match(text, requests, 'the generated Deployment requests a CPU share in millicores');
  fs.writeFileSync(deployment, text.replace(requests, '$150m'));
  ctx.overlay = path.join(ctx.project, 'deploy/k8s/overlays/staging');
  ctx.overlayKustomization = fs.readFileSync(path.join(ctx.overlay, 'kustomization.yaml'), 'utf8');
}

function deploymentJson(ns = STAGING_NS) {
  return JSON.parse(kubectl(['-n', ns, 'get', 'deployment', PROJECT, '-o', 'json']));
}

function namespaceExists(ns) {
  return kubectl(['get', 'namespaces', '-o', 'name']).split('\n').includes(`namespace/${ns}`);
}

// ---------------------------------------------------------------------------------------------
// Workbench helpers
// ---------------------------------------------------------------------------------------------

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const toasts = (page) => page.locator('.notifications-toasts .notification-toast');
const DEPLOYMENTS = '.part.sidebar .pane:has(> .pane-header[aria-label^="Deployments"])';

/** Runs a command from the palette, clicking the row whose label is exactly `title` (recently used rows come first). */
async function palette(page, title) {
  const input = page.locator('.quick-input-widget input[type="text"]').first();
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(title)}$`) }) }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      // Keys typed while a webview has focus stay in its frame: give the focus back to the workbench first.
      await page.evaluate(() => document.activeElement?.tagName === 'IFRAME' && document.activeElement.blur());
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      // A webview that (re)loads takes the focus, which closes the palette: then open it again.
      await input.waitFor({ timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await row.waitFor({ timeout: attempt < 3 ? 5000 : T });
      await page.waitForTimeout(150);
      await row.click({ timeout: 5000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw new Error(`palette "${title}": ${e.message}`);
      await page.waitForTimeout(500);
    }
  }
}

async function quickTitle(page) {
  return (await page.locator('.quick-input-widget .quick-input-title').innerText()).trim();
}

async function quickRows(page) {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ timeout: T });
  await page.waitForTimeout(250); // the list renders its rows just after the title
  // "label description detail" (innerText runs label and description together).
  return rows.evaluateAll((rs) => rs.map((r) => {
    const label = r.querySelector('.label-name')?.textContent?.trim() ?? '';
    const description = r.querySelector('.label-description')?.textContent?.trim() ?? '';
    const detail = r.innerText.split('\n').slice(1).join(' ').trim();
    return [label, description, detail].filter(Boolean).join(' ').replace(/\s+/g, ' ');
  }));
}

/** Clicks the quick pick row whose label is exactly `label`. */
async function pickRow(page, label) {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(label)}$`) }) }).first();
  await row.waitFor({ timeout: T });
  await row.click();
}

/** Waits for a quick input whose title holds `text`. */
async function waitQuickTitle(page, text, timeout = T) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor({ timeout });
}

/** Shows the Modelship container with only the Deployments view expanded (room for its rows in the screenshots). */
async function showDeploymentsView(page) {
  const tab = page.locator('.activitybar .action-item a[aria-label^="Modelship"]');
  if (!(await page.locator(`${DEPLOYMENTS}`).isVisible().catch(() => false))) await tab.click();
  await page.locator(DEPLOYMENTS).waitFor({ timeout: T });
  for (const title of ['Models', 'Images & Containers']) {
    const header = page.locator(`.part.sidebar .pane > .pane-header[aria-label^="${title}"]`);
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }
  const header = page.locator(`${DEPLOYMENTS} > .pane-header`);
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  await widenSidebar(page, 480);
}

/** Drags the side bar's edge so that it is `width` px wide (room for the rows' descriptions in the screenshots). */
async function widenSidebar(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || Math.abs(box.width - width) < 10) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

/** The Deployments view's rows as "label description". */
async function deploymentRows(page) {
  return page.locator(`${DEPLOYMENTS} .monaco-list-row`).evaluateAll((rows) => rows.map((r) =>
    ['.label-name', '.label-description'].map((sel) => r.querySelector(sel)?.textContent?.trim()).filter(Boolean).join(' ')));
}

/** Polls the Deployments view until `check(rows)` holds. */
async function waitForRows(page, what, check, timeout = 60000) {
  const t0 = Date.now();
  for (;;) {
    const rows = await deploymentRows(page);
    if (check(rows)) return rows;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}; Deployments view: ${JSON.stringify(rows)}`);
    await page.waitForTimeout(500);
  }
}

/** Hovers the Deployment row and clicks its inline action `Modelship: <label>`. */
async function deploymentAction(page, label) {
  const row = page.locator(`${DEPLOYMENTS} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${PROJECT}$`) }) });
  await row.waitFor({ timeout: T });
  await row.hover();
  const action = row.locator(`.actions a.action-label[aria-label="Modelship: ${label}"]`);
  await action.waitFor({ timeout: T });
  await action.click();
}

/**
 * Polls the toasts until one matches `done` (returns its text) or one matches `fail` (throws with its text);
 * `onText` hears each distinct text of the toasts (the progress steps).
 */
async function waitForToast(page, done, { fail, timeout = T, onText } = {}) {
  const t0 = Date.now();
  let last = '';
  for (;;) {
    const texts = (await toasts(page).allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
    const joined = texts.join(' || ');
    if (onText && joined !== last) onText(texts, Date.now() - t0);
    last = joined;
    const hit = texts.find((t) => done.test(t));
    if (hit) return hit;
    const bad = fail && texts.find((t) => fail.test(t));
    if (bad) throw new Error(`unexpected notification: ${bad}`);
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for a notification ${done}; showing: ${JSON.stringify(texts)}`);
    await page.waitForTimeout(250);
  }
}

async function clearNotifications(page) {
  await palette(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(300);
}

/** The editor tabs' labels. */
async function tabLabels(page) {
  return page.locator('.tabs-container .tab').evaluateAll((ts) => ts.map((t) => t.querySelector('.label-name')?.textContent?.trim() ?? ''));
}

async function closeTab(page, label) {
  const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}`) }) }).first();
  if (!(await tab.count())) return;
  await tab.hover();
  await tab.locator('.tab-actions a.action-label').first().click();
  await tab.waitFor({ state: 'detached', timeout: T });
}

async function clickTab(page, label) {
  const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(label)}`) }) }).first();
  await tab.waitFor({ timeout: T });
  await tab.click();
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

/**
 * The inner frame of the visible Modelship panel of `kind` ('status' | 'logs'), once its script ran (#app no longer busy).
 * code-server serves webviews from its own origin: the content is the child frame of .../webview/browser/pre/index.html.
 */
async function panelFrame(page, kind, timeout = T) {
  const t0 = Date.now();
  for (;;) {
    for (const frame of page.frames()) {
      // (frame.name() is the id the frame had when attached: VS Code renames its 'pending-frame' to 'active-frame' later.)
      if (frame.isDetached() || !/\/webview\/|vscode-webview/.test(frame.url()) || !/\/webview\/|vscode-webview/.test(frame.parentFrame()?.url() ?? '')) continue;
      const state = await withTimeout(frame.evaluate(() => ({ panel: document.body?.dataset.panel, busy: document.getElementById('app')?.getAttribute('aria-busy') })), 3000, 'evaluate')
        .catch(() => undefined);
      if (state && state.panel === kind && state.busy === null) {
        const visible = await frame.frameElement().then((el) => el.isVisible()).catch(() => false);
        if (visible) return frame;
      }
    }
    if (Date.now() - t0 > timeout) throw new Error(`no visible ${kind} panel within ${timeout} ms (frames: ${page.frames().map((f) => f.name() || f.url().slice(0, 60)).join(', ')})`);
    await page.waitForTimeout(250);
  }
}

/** Polls `fn(frame)` in the panel until it returns a truthy value. */
async function inPanel(page, kind, what, fn, timeout = T) {
  const t0 = Date.now();
  let lastError;
  for (;;) {
    try {
      const frame = await panelFrame(page, kind, Math.max(1000, timeout - (Date.now() - t0)));
      const value = await withTimeout(fn(frame), 5000, what);
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}${lastError ? ` (${lastError.message})` : ''}`);
    await page.waitForTimeout(300);
  }
}

/** The panel's CSP and scripts: default-src 'none', a script nonce, and every script (but VS Code's own API shim) carrying it. */
async function checkCsp(frame, kind) {
  const page = await frame.evaluate(() => ({
    csps: [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map((m) => m.getAttribute('content')),
    scripts: [...document.scripts].map((s) => ({ id: s.id, src: s.getAttribute('src'), nonce: s.nonce || s.getAttribute('nonce') || '', inline: s.textContent.trim().length })),
    inlineHandlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).map((e) => e.tagName),
  }));
  assert.strictEqual(page.csps.length, 1, `${kind}: one CSP meta, got ${JSON.stringify(page.csps)}`);
  const csp = page.csps[0];
  assert.match(csp, /(^|;)\s*default-src 'none'\s*(;|$)/, `${kind}: default-src 'none' in ${csp}`);
  const nonce = /script-src 'nonce-([A-Za-z0-9_+/=-]+)'/.exec(csp)?.[1];
  assert.ok(nonce, `${kind}: script-src 'nonce-…' in ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${kind}: no unsafe-* in ${csp}`);
  // VS Code prepends its acquireVsCodeApi shim (#_vscodeApiScript) before the page's CSP meta; every other script is ours.
  const ours = page.scripts.filter((s) => s.id !== '_vscodeApiScript');
  assert.ok(ours.length >= 1, `${kind}: the panel's script is there`);
  for (const s of ours) assert.strictEqual(s.nonce, nonce, `${kind}: script ${s.src ?? `(inline, ${s.inline} chars)`} carries the nonce`);
  assert.ok(ours.every((s) => s.src && s.inline === 0), `${kind}: no inline script: ${JSON.stringify(ours)}`);
  assert.deepStrictEqual(page.inlineHandlers, [], `${kind}: no inline event handler attributes`);
  return { csp, scripts: ours.length };
}

/** Picks a color theme from Preferences: Color Theme by its label ("Light Modern", "Dark Modern", "Dark High Contrast"). */
async function colorTheme(page, label) {
  await palette(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input[type="text"]').first();
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ timeout: T });
  await input.fill(label);
  const row = page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label^="${label}"]`).first();
  await row.waitFor({ timeout: T });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: T });
}

// ---------------------------------------------------------------------------------------------
// What every step is checked for: webview console errors and Modelship's [error] log lines
// ---------------------------------------------------------------------------------------------

/** Collects console errors of the workbench and its webviews; `take()` returns the webview ones since the last call. */
function watchConsole(page) {
  const webview = [];
  const other = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text().replace(/%c/g, '');
    // VS Code also logs each error notification to the console: the failed deploy's is expected.
    if (KNOWN_NOISE.test(text) || text.startsWith(`${PROJECT} did not become Ready in staging`)) return;
    const url = msg.location()?.url ?? '';
    const fromWebview = /vscode-webview|\/webview\/browser\/pre\/|vscode-resource|vscode-cdn\.net/.test(url) || /Content Security Policy|webview/i.test(text) || url === '';
    (fromWebview ? webview : other).push(`${url ? `${url.slice(-80)}: ` : ''}${text.slice(0, 400)}`);
  });
  page.on('pageerror', (e) => webview.push(`pageerror: ${e.message}`));
  return {
    take: () => webview.splice(0),
    others: () => other.splice(0),
  };
}

/** New `[error]` lines in the extension host's Modelship logs (its log channel, the deploy channel, the host log). */
function watchLogs(logsRoot) {
  const offsets = new Map();
  const files = (dir) => {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  };
  return {
    /** The log files read so far. */
    read: () => [...offsets.keys()].map((f) => path.relative(logsRoot, f)),
    take() {
      const found = [];
      for (const file of files(logsRoot)) {
        const base = path.basename(file);
        const modelshipLog = /Modelship/.test(base);
        const hostLog = /exthost\.log$/i.test(base);
        if (!modelshipLog && !hostLog) continue;
        const text = fs.readFileSync(file, 'utf8');
        const from = offsets.get(file) ?? 0;
        offsets.set(file, text.length);
        for (const line of text.slice(from).split('\n')) {
          const error = /\[error\]/.test(line);
          if (!error) continue;
          if (hostLog && !/modelship/i.test(line)) continue;
          found.push(`${path.relative(logsRoot, file)}: ${line.slice(0, 400)}`);
        }
      }
      return found;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The steps
// ---------------------------------------------------------------------------------------------

function defineSteps(page, ctx) {
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${ctx.stepNo}-${name}.png`) });
  const envFile = () => path.join(ctx.project, 'deploy/environments.yaml');
  const deployFromPalette = async (onText) => {
    await clearNotifications(page);
    await palette(page, 'Modelship: Deploy to Staging');
    return waitForToast(page, /is Ready in staging \(context lab-staging, namespace |did not become Ready in staging|The cluster rejected/, { timeout: DEPLOY_TIMEOUT, onText });
  };
  return [
    ['workbench', async () => {
      await page.goto(`${ctx.server.url}?folder=${encodeURIComponent(ctx.workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
      await page.locator('.activitybar .action-item a[aria-label^="Modelship"]').waitFor({ timeout: 90000 });
      // The deploy target's status bar item: staging, its context yet to be chosen.
      const item = page.locator('.part.statusbar [id="modelship.modelship.modelship.deployTarget"]');
      await item.filter({ hasText: `staging: choose a context / ${PROJECT}-staging` }).waitFor({ timeout: 90000 });
      ctx.timings.workbenchReadyMs = Date.now() - ctx.t0;
    }],
    ['walkthrough-deploy-button', async () => {
      // Help → Welcome: Open Walkthrough… → "Ship a model with Modelship"; its Deploy step's button runs Deploy to Staging,
      // which (nothing set up yet) asks for the context first. Escape: nothing is written.
      await palette(page, 'Welcome: Open Walkthrough...');
      await page.locator('.quick-input-widget input[type="text"]').first().fill('Ship a model with Modelship');
      await pickRow(page, 'Ship a model with Modelship');
      const steps = page.locator('.getting-started-step');
      await steps.first().waitFor({ timeout: T });
      const titles = (await steps.locator('.step-title').allInnerTexts()).map((t) => t.trim());
      assert.deepStrictEqual(titles, ['Find your models', 'Containerize a model', 'Build and run the image', 'Deploy to staging', 'Watch its pods and logs']);
      const deploy = page.locator('.getting-started-step[data-step-id="modelship.modelship#modelship.firstDeploy#deploy"]');
      await deploy.locator('.step-title').click();
      const button = deploy.locator('.monaco-button', { hasText: 'Deploy to Staging' });
      await button.waitFor({ timeout: T });
      await page.waitForTimeout(300); // the step expands
      await shot('walkthrough');
      await button.click();
      await waitQuickTitle(page, `Modelship: Deploy to Staging (${PROJECT} → staging) (1/2)`);
      const rows = await quickRows(page);
      assert.match(rows[0], /^lab-staging current/, `the current context comes first: ${JSON.stringify(rows)}`);
      await shot('walkthrough-context-pick');
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: T });
      await page.waitForTimeout(500);
      assert.ok(!fs.existsSync(envFile()), 'Escape wrote no deploy/environments.yaml');
      assert.ok(!namespaceExists(STAGING_NS), 'nothing was sent');
      await closeTab(page, 'Welcome');
    }],
    ['deploy-context-pick', async () => {
      await palette(page, 'Modelship: Deploy to Staging');
      await waitQuickTitle(page, '1/2');
      assert.strictEqual(await quickTitle(page), `Modelship: Deploy to Staging (${PROJECT} → staging) (1/2)`);
      const rows = await quickRows(page);
      console.log(`    contexts: ${rows.join(' | ')}`);
      assert.deepStrictEqual(rows.map((r) => r.split(' ')[0]), ['lab-staging', 'lab-prod', 'lab-admin'], 'the kubeconfig\'s contexts, the current one first');
      assert.match(rows[0], /^lab-staging current · /, rows[0]);
      const focused = (await page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused').first().innerText()).trim();
      assert.match(focused, /^lab-staging/, 'the current context is the default');
    }],
    ['deploy-namespace', async () => {
      await pickRow(page, 'lab-staging');
      await waitQuickTitle(page, '2/2');
      const input = page.locator('.quick-input-widget input[type="text"]').first();
      assert.strictEqual(await input.inputValue(), `${PROJECT}-staging`, 'the namespace is prefilled <project>-staging');
      assert.match(await page.locator('.quick-input-widget .quick-input-message').innerText(), /The namespace for staging on lab-staging/);
      await input.fill('Not_A_Namespace');
      await page.locator('.quick-input-widget .quick-input-message', { hasText: 'A namespace is lowercase letters' }).waitFor({ timeout: T });
      await input.fill(STAGING_NS);
      await page.locator('.quick-input-widget .quick-input-message', { hasText: 'The namespace for staging' }).waitFor({ timeout: T });
    }],
    ['deploy-progress', async () => {
      ctx.deploySteps = [];
      ctx.deployT0 = Date.now();
      await page.keyboard.press('Enter');
      const progress = toasts(page).filter({ hasText: `Deploying ${PROJECT} to staging` });
      await progress.first().waitFor({ timeout: T });
      assert.ok(await progress.first().locator('.monaco-button', { hasText: 'Cancel' }).isVisible(), 'the progress notification can be cancelled');
      await shot('progress');
      const onText = (texts, ms) => {
        const step = texts.map((t) => /Deploying \S+ to staging: ([^:]+):?/.exec(t)?.[1]).find(Boolean);
        if (step && ctx.deploySteps.at(-1)?.step !== step) ctx.deploySteps.push({ step, at: ms });
      };
      ctx.readyText = await waitForToast(page, /is Ready in staging \(context lab-staging, namespace |did not become Ready in staging|The cluster rejected/, { timeout: DEPLOY_TIMEOUT, onText });
      ctx.timings.firstDeployMs = Date.now() - ctx.deployT0;
      console.log(`    progress: ${ctx.deploySteps.map((s) => `${(s.at / 1000).toFixed(1)}s ${s.step.slice(0, 60)}`).join(' → ')}`);
      assert.ok(ctx.deploySteps.length >= 2, `the notification named the steps: ${JSON.stringify(ctx.deploySteps)}`);
    }],
    ['deploy-ready', async () => {
      console.log(`    ${ctx.readyText.slice(0, 220)} (${(ctx.timings.firstDeployMs / 1000).toFixed(1)} s)`);
      assert.match(ctx.readyText, new RegExp(`${PROJECT} is Ready in staging \\(context lab-staging, namespace ${STAGING_NS}\\), running ${escapeRe(REGISTRY)}/${PROJECT}@sha256:[0-9a-f]{64}`));
      const toast = toasts(page).filter({ hasText: `${PROJECT} is Ready in staging` }).first();
      const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((t) => t.trim());
      assert.deepStrictEqual(buttons, ['Show Status', 'Show Logs', 'Try a Prediction']);
      ctx.digest = /@sha256:([0-9a-f]{64})/.exec(ctx.readyText)[1];
      const file = fs.readFileSync(envFile(), 'utf8');
      assert.match(file, new RegExp(`staging:\\s*\\n\\s+context: lab-staging\\s*\\n\\s+namespace: ${STAGING_NS}`), file);
      const live = deploymentJson();
      assert.ok((live.status.readyReplicas ?? 0) >= 1, 'the cluster reports ready replicas');
      assert.match(live.spec.template.spec.containers[0].image, new RegExp(`@sha256:${ctx.digest}$`), 'the digest that was announced runs');
    }],
    ['deployments-view', async () => {
      await showDeploymentsView(page);
      // The staging overlay's HPA scales the Deployment to its 2 minimum replicas shortly after the rollout.
      const rows = await waitForRows(page, 'staging → Deployment (2/2 ready, rev 1) → 2 Running pods', (r) =>
        r.some((x) => x.startsWith(`staging lab-staging / ${STAGING_NS}`))
        && r.some((x) => new RegExp(`^${PROJECT} 2/2 ready · rev 1 · @${ctx.digest.slice(0, 12)}$`).test(x))
        && r.filter((x) => new RegExp(`^${PROJECT}-[a-z0-9]+-[a-z0-9]+ Running · 1/1 · `).test(x)).length === 2, 90000);
      console.log(`    Deployments: ${rows.join(' | ')}`);
      assert.match(rows[0], new RegExp(`^staging lab-staging / ${STAGING_NS} \\(selected\\)$`));
      ctx.pods = rows.filter((x) => x.startsWith(`${PROJECT}-`)).map((x) => x.split(' ')[0]);
      const item = page.locator('.part.statusbar [id="modelship.modelship.modelship.deployTarget"]');
      await item.filter({ hasText: `staging: lab-staging / ${STAGING_NS}` }).waitFor({ timeout: T });
    }],
    ['status-bar-switch-environment', async () => {
      await page.locator('.part.statusbar [id="modelship.modelship.modelship.deployTarget"]').click();
      await waitQuickTitle(page, 'Modelship: Switch Environment');
      const rows = await quickRows(page);
      assert.deepStrictEqual(rows.map((r) => r.split(' ')[0]), ['dev', 'staging', 'prod', 'Select'], JSON.stringify(rows));
      assert.ok(rows.includes(`staging lab-staging / ${STAGING_NS}`), JSON.stringify(rows));
      await shot('switch-environment');
      await page.keyboard.press('Escape');
    }],
    ['logs-panel-every-pod', async () => {
      await deploymentAction(page, 'Show Logs');
      await page.locator('.tabs-container .tab', { hasText: `Logs: ${PROJECT} (staging)` }).first().waitFor({ timeout: T });
      const seen = await inPanel(page, 'logs', `lines from both pods ${ctx.pods.join(', ')}`, async (f) => {
        const prefixes = await f.locator('.viewport .row .prefix').allInnerTexts();
        const pods = ctx.pods.filter((p) => prefixes.some((x) => x.startsWith(`${p}/server`)));
        return pods.length === ctx.pods.length && prefixes;
      }, 60000);
      const frame = await panelFrame(page, 'logs');
      const options = await frame.locator('select').first().locator('option').allInnerTexts();
      for (const p of ctx.pods) assert.ok(options.includes(p), `the Pod filter offers ${p}: ${JSON.stringify(options)}`);
      console.log(`    ${seen.length} rows; pods: ${[...new Set(seen)].join(', ')}`);
      ctx.csp = await checkCsp(frame, 'logs');
    }],
    ['logs-markup-shows-as-text', async () => {
      // Each app container prints a line holding markup on its own stderr (what `kubectl logs` and the panel read).
      const script = `import os; fd = os.open('/proc/1/fd/2', os.O_WRONLY); os.write(fd, b'e2e-deploy says ${MARKUP}\\n')`;
      for (const pod of ctx.pods) kubectl(['-n', STAGING_NS, 'exec', pod, '-c', 'server', '--', 'python', '-c', script]);
      const rows = await inPanel(page, 'logs', 'the markup line from both pods', async (f) => {
        const texts = await f.locator('.viewport .row').evaluateAll((rs) => rs.map((r) => ({ prefix: r.querySelector('.prefix')?.textContent, text: r.querySelector('.text')?.textContent, html: r.querySelector('.text')?.innerHTML })));
        const hits = texts.filter((r) => r.text?.includes('e2e-deploy says'));
        return hits.length >= ctx.pods.length && hits;
      }, 60000);
      for (const r of rows) {
        assert.strictEqual(r.text, `e2e-deploy says ${MARKUP}`, 'the line shows its characters');
        assert.ok(r.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), `escaped in the DOM: ${r.html}`);
      }
      const frame = await panelFrame(page, 'logs');
      const injected = await frame.evaluate(() => ({
        scripts: [...document.scripts].filter((s) => s.id !== '_vscodeApiScript').length,
        inRows: document.querySelectorAll('.viewport script, .viewport img, .viewport [onerror]').length,
        images: document.images.length,
      }));
      assert.deepStrictEqual(injected, { scripts: 1, inRows: 0, images: 0 }, 'no element was injected');
      await frame.locator('.viewport .row', { hasText: 'e2e-deploy says' }).first().scrollIntoViewIfNeeded().catch(() => {});
    }],
    ['status-panel', async () => {
      await deploymentAction(page, 'Show Deployment Status');
      await page.locator('.tabs-container .tab', { hasText: `Status: ${PROJECT} (staging)` }).first().waitFor({ timeout: T });
      const text = await inPanel(page, 'status', 'the status model', async (f) => {
        const t = await f.locator('body').innerText();
        return /Summary/.test(t) && t;
      });
      assert.match(text, new RegExp(`Environment staging · context lab-staging · namespace ${STAGING_NS}`));
      assert.match(text, /State\s+Ready/);
      assert.match(text, /Ready\s+2\/2/);
      assert.match(text, new RegExp(`Digest\\s+sha256:${ctx.digest}`));
      assert.match(text, /Pods \(2\)/);
      const frame = await panelFrame(page, 'status');
      assert.strictEqual(await frame.locator('section.failure').count(), 0, 'a Ready Deployment shows no failure');
      await checkCsp(frame, 'status');
    }],
    ['walkthrough-show-logs-button', async () => {
      // The walkthrough's last step opens the logs panel: close it first, then click the step's button.
      await closeTab(page, `Logs: ${PROJECT} (staging)`);
      await palette(page, 'Welcome: Open Walkthrough...');
      await page.locator('.quick-input-widget input[type="text"]').first().fill('Ship a model with Modelship');
      await pickRow(page, 'Ship a model with Modelship');
      const step = page.locator('.getting-started-step[data-step-id="modelship.modelship#modelship.firstDeploy#logs"]');
      await step.locator('.step-title').click();
      const button = step.locator('.monaco-button', { hasText: 'Show Logs' });
      await button.waitFor({ timeout: T });
      await page.waitForTimeout(300);
      await button.click();
      await page.locator('.tabs-container .tab.active', { hasText: `Logs: ${PROJECT} (staging)` }).first().waitFor({ timeout: T });
      await inPanel(page, 'logs', 'log lines', async (f) => (await f.locator('.viewport .row .prefix').count()) > 0, 60000);
      await clickTab(page, 'Welcome');
      await step.locator('.codicon-getting-started-step-checked').waitFor({ timeout: T });
      await closeTab(page, 'Welcome');
    }],
    ['try-a-prediction', async () => {
      await clearNotifications(page);
      await showDeploymentsView(page);
      await deploymentAction(page, 'Try a Prediction');
      const text = await waitForToast(page, /^Prediction from staging: /, { fail: /failed|Modelship: /, timeout: 90000 });
      console.log(`    ${text}`);
      assert.match(text, /^Prediction from staging: 2 row\(s\), HTTP 200 in \d+ ms, all match expected_predictions\.json/);
      await page.locator('.tabs-container .tab', { hasText: `# Prediction from ${PROJECT} in sta` }).first().waitFor({ timeout: T });
      const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
      await lines.filter({ hasText: `Prediction from ${PROJECT} in staging` }).waitFor({ timeout: T });
      const md = (await lines.innerText()).replace(/\u00a0/g, ' ');
      assert.match(md, /\| row \| prediction \| expected \| \|/);
      assert.match(md, /\| 0 \| 0 \| 0 \| ✓ \|/);
      assert.match(md, /\| 1 \| 2 \| 2 \| ✓ \|/);
      assert.match(md, new RegExp(`port-forward to pod\\s+\`${PROJECT}-`));
      await page.waitForTimeout(300);
      await shot('prediction');
      // An untitled document: revert and close it, so that nothing asks to save it later.
      await palette(page, 'View: Revert and Close Editor');
      await page.locator('.tabs-container .tab', { hasText: `# Prediction from ${PROJECT} in sta` }).first().waitFor({ state: 'detached', timeout: T });
    }],
    ['broken-deploy-fails', async () => {
      // MODEL_PATH points at a file the image lacks: the new pods exit at start; the old ones keep serving.
      fs.writeFileSync(path.join(ctx.overlay, 'e2e-broken-patch.yaml'), [
        'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${PROJECT}`, 'spec:', '  template:', '    spec:', '      containers:',
        '        - name: server', '          env:', '            - name: MODEL_PATH', '              value: /models/missing.joblib', '',
      ].join('\n'));
      fs.writeFileSync(path.join(ctx.overlay, 'kustomization.yaml'), `${ctx.overlayKustomization}patches:\n  - path: e2e-broken-patch.yaml\n`);
      const t0 = Date.now();
      const text = await deployFromPalette();
      console.log(`    ${text.slice(0, 300)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      assert.match(text, new RegExp(`${PROJECT} did not become Ready in staging: `), text);
      assert.match(text, /exited with code 3|CrashLoopBackOff|MODEL_PATH/, text);
      const toast = toasts(page).filter({ hasText: 'did not become Ready in staging' }).first();
      assert.deepStrictEqual((await toast.locator('.monaco-button').allInnerTexts()).map((t) => t.trim()), ['Show Logs', 'Show Status', 'Show Output']);
      assert.ok((deploymentJson().status.readyReplicas ?? 0) >= 1, 'the old pods still serve');
    }],
    ['broken-show-logs-previous', async () => {
      const toast = toasts(page).filter({ hasText: 'did not become Ready in staging' }).first();
      await toast.locator('.monaco-button', { hasText: 'Show Logs' }).click();
      await page.locator('.tabs-container .tab.active', { hasText: `Logs: ${PROJECT} (staging)` }).first().waitFor({ timeout: T });
      const line = await inPanel(page, 'logs', "the previous container's error about MODEL_PATH", async (f) => {
        const pressed = await f.locator('button[data-key="previous"]').getAttribute('aria-pressed');
        const texts = await f.locator('.viewport .row .text').allInnerTexts();
        return pressed === 'true' && texts.find((t) => t.includes('model not found at /models/missing.joblib (MODEL_PATH)'));
      }, 60000);
      console.log(`    ${line.slice(0, 160)}…`);
    }],
    ['broken-status-names-the-reason', async () => {
      await showDeploymentsView(page);
      await deploymentAction(page, 'Show Deployment Status');
      await page.locator('.tabs-container .tab.active', { hasText: `Status: ${PROJECT} (staging)` }).first().waitFor({ timeout: T });
      const first = await inPanel(page, 'status', 'the failure at the top', async (f) => {
        const s = await f.evaluate(() => {
          const section = document.querySelector('.sections > section');
          return section ? { cls: section.className, text: section.innerText } : undefined;
        });
        return s && s.cls.startsWith('failure') && s;
      });
      console.log(`    ${first.text.split('\n').slice(0, 3).join(' / ').slice(0, 220)}`);
      assert.match(first.text, /^Rollout failed/);
      assert.match(first.text, /Container server exited with code 3/);
      assert.match(first.text, /Fix: .*MODEL_PATH/);
      const frame = await panelFrame(page, 'status');
      assert.ok(await frame.locator('section.failure button', { hasText: 'Show previous logs' }).first().isVisible(), 'the reason offers the previous logs');
    }],
    ['fix-and-deploy-revision-3', async () => {
      // Back to the generated overlay, plus a harmless annotation: a new revision that is Ready.
      fs.rmSync(path.join(ctx.overlay, 'e2e-broken-patch.yaml'));
      fs.writeFileSync(path.join(ctx.overlay, 'kustomization.yaml'), `${ctx.overlayKustomization}commonAnnotations:\n  modelship.e2e/change: "harmless"\n`);
      const t0 = Date.now();
      const text = await deployFromPalette();
      console.log(`    ${text.slice(0, 160)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      assert.match(text, /is Ready in staging/, text);
      await showDeploymentsView(page);
      await waitForRows(page, 'rev 3, ready', (r) => r.some((x) => new RegExp(`^${PROJECT} 2/2 ready · rev 3 · @`).test(x)), ROLLOUT_TIMEOUT);
    }],
    ['rollback-pick-revision', async () => {
      await clearNotifications(page);
      await showDeploymentsView(page);
      await deploymentAction(page, 'Roll Back');
      await waitQuickTitle(page, `Modelship: Roll Back ${PROJECT} in staging`);
      const rows = await quickRows(page);
      assert.deepStrictEqual(rows.map((r) => r.split(REGISTRY)[0].trim()), ['revision 2', 'revision 1'], JSON.stringify(rows));
      assert.match(await page.locator('.quick-input-widget input[type="text"]').first().getAttribute('placeholder'), /^Now at revision 3 /);
      await page.locator('.quick-input-widget input[type="text"]').first().fill('revision 1');
      await page.waitForTimeout(300);
      await shot('revisions');
      await pickRow(page, 'revision 1');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: T });
      assert.match(await dialog.innerText(), new RegExp(`Roll ${PROJECT} in staging back to revision 1\\?`));
      assert.match(await dialog.innerText(), new RegExp(`Context lab-staging, namespace ${STAGING_NS}\\.`));
    }],
    ['rollback-ready', async () => {
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Roll Back' }).click();
      const text = await waitForToast(page, new RegExp(`${PROJECT} is Ready in staging at revision`), { fail: /did not become Ready|Modelship: /, timeout: ROLLOUT_TIMEOUT });
      console.log(`    ${text}`);
      // Kubernetes renumbers the restored template as the newest revision: the notification names both.
      assert.match(text, new RegExp(`${PROJECT} is Ready in staging at revision 4 \\(revision 1's template\\)`));
      const live = deploymentJson();
      assert.strictEqual(live.metadata.annotations['deployment.kubernetes.io/revision'], '4', 'rolling back makes the old template the newest revision');
      assert.strictEqual(live.spec.template.metadata.annotations?.['modelship.e2e/change'], undefined, "revision 1's template is back");
      await showDeploymentsView(page);
      await waitForRows(page, 'rev 4, ready', (r) => r.some((x) => new RegExp(`^${PROJECT} 2/2 ready · rev 4 · @`).test(x)), ROLLOUT_TIMEOUT);
    }],
    ['prod-asks-for-the-context-name', async () => {
      ctx.before = { generation: deploymentJson().metadata.generation, namespaces: kubectl(['get', 'namespaces', '-o', 'name']) };
      await palette(page, 'Modelship: Deploy to Environment…');
      await waitQuickTitle(page, 'Modelship: Deploy to Environment');
      const envs = await quickRows(page);
      assert.deepStrictEqual(envs.map((r) => r.split(' ')[0]), ['dev', 'staging', 'prod'], JSON.stringify(envs));
      assert.ok(envs[2].includes('Asks you to type the context name'), envs[2]);
      await pickRow(page, 'prod');
      await waitQuickTitle(page, `Modelship: Deploy to Environment (${PROJECT} → prod) (1/2)`);
      await pickRow(page, 'lab-prod');
      await waitQuickTitle(page, '2/2');
      const input = page.locator('.quick-input-widget input[type="text"]').first();
      assert.strictEqual(await input.inputValue(), `${PROJECT}-prod`);
      await input.fill(PROD_NS);
      await page.keyboard.press('Enter');
      await waitQuickTitle(page, 'Modelship: Deploy to prod');
      const message = page.locator('.quick-input-widget .quick-input-message');
      assert.match(await message.innerText(), new RegExp(`You are about to deploy to prod \\(context lab-prod, namespace ${PROD_NS}\\)\\. Type the context name to go ahead\\.`));
      assert.strictEqual(await input.getAttribute('placeholder'), 'lab-prod');
      await input.fill('lab-staging');
      await message.filter({ hasText: 'Type lab-prod exactly, or press Escape to cancel.' }).waitFor({ timeout: T });
      await page.keyboard.press('Enter'); // refused: the box stays
      await page.waitForTimeout(300);
      assert.ok(await page.locator('.quick-input-widget').isVisible(), 'a wrong name is not accepted');
      await shot('typed-confirmation');
    }],
    ['prod-escape-sends-nothing', async () => {
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: T });
      await page.waitForTimeout(1500);
      assert.ok(!namespaceExists(PROD_NS), `no namespace ${PROD_NS} was created`);
      assert.strictEqual(kubectl(['get', 'namespaces', '-o', 'name']), ctx.before.namespaces, 'no namespace changed');
      assert.strictEqual(deploymentJson().metadata.generation, ctx.before.generation, 'staging is untouched');
      const shown = (await toasts(page).allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
      assert.ok(!shown.some((t) => /Deploying|prod/.test(t)), `no deploy started: ${JSON.stringify(shown)}`);
    }],
    ['reload-restores-panels', async () => {
      // Both panels open (status in front), the logs panel filtered; Developer: Reload Window brings both back.
      await clickTab(page, `Logs: ${PROJECT} (staging)`);
      // The failure path left it on the previous containers: back to the running ones (the toolbar's toggle).
      const frame = await panelFrame(page, 'logs');
      if ((await frame.locator('button[data-key="previous"]').getAttribute('aria-pressed')) === 'true') await frame.locator('button[data-key="previous"]').click();
      const pods = kubectl(['-n', STAGING_NS, 'get', 'pods', '-l', `app.kubernetes.io/name=${PROJECT}`, '--field-selector', 'status.phase=Running', '-o', 'jsonpath={.items[*].metadata.name}']).split(' ').filter(Boolean);
      const running = await inPanel(page, 'logs', `the running pods' lines (${pods.join(', ')})`, async (f) => {
        const pressed = await f.locator('button[data-key="previous"]').getAttribute('aria-pressed');
        const prefixes = [...new Set(await f.locator('.viewport .row:not(.notice) .prefix').allInnerTexts())].filter(Boolean);
        return pressed === 'false' && prefixes.some((p) => pods.some((pod) => p.startsWith(`${pod}/`))) && prefixes;
      }, 60000);
      await (await panelFrame(page, 'logs')).locator('input[type="search"][placeholder="Filter"]').fill('startup');
      await inPanel(page, 'logs', 'the filtered lines', async (f) => {
        const texts = (await f.locator('.viewport .row:not(.notice) .text').allInnerTexts()).filter((t) => t.trim() !== '');
        return texts.length > 0 && texts.every((t) => t.toLowerCase().includes('startup'));
      });
      await page.waitForTimeout(400); // the page saves its state 100 ms after a change
      ctx.logsCount = await (await panelFrame(page, 'logs')).locator('.notes .count').innerText();
      await clickTab(page, `Status: ${PROJECT} (staging)`);
      await panelFrame(page, 'status');
      const t0 = Date.now();
      // A mark on the window tells the reloaded page from the old one (a navigation event may come before anyone listens).
      await page.evaluate(() => { window.e2eBeforeReload = true; });
      await palette(page, 'Developer: Reload Window');
      await page.waitForFunction(() => !window.e2eBeforeReload && document.querySelector('.monaco-workbench'), undefined, { timeout: 90000, polling: 250 });
      const labels = await tabLabels(page);
      assert.ok(labels.includes(`Logs: ${PROJECT} (staging)`) && labels.includes(`Status: ${PROJECT} (staging)`), JSON.stringify(labels));
      const status = await inPanel(page, 'status', 'the restored status panel', async (f) => {
        const t = await f.locator('body').innerText();
        return /Summary/.test(t) && t;
      }, 90000);
      assert.match(status, new RegExp(`^${PROJECT}\\s*\\n+\\s*Environment staging · context lab-staging · namespace ${STAGING_NS}`), status.slice(0, 200));
      await clickTab(page, `Logs: ${PROJECT} (staging)`);
      const restored = await inPanel(page, 'logs', 'the restored logs panel with its filter', async (f) => {
        const filter = await f.locator('input[type="search"][placeholder="Filter"]').inputValue();
        const texts = (await f.locator('.viewport .row:not(.notice) .text').allInnerTexts()).filter((t) => t.trim() !== '');
        return filter === 'startup' && texts.length > 0 && { filter, texts };
      }, 90000);
      assert.ok(restored.texts.every((t) => t.toLowerCase().includes('startup')), 'the filter applies again');
      ctx.timings.reloadMs = Date.now() - t0;
      console.log(`    restored in ${(ctx.timings.reloadMs / 1000).toFixed(1)} s: filter "${restored.filter}", ${restored.texts.length} rows (before: ${ctx.logsCount}; pods ${running.join(', ')})`);
    }],
    ['themes', async () => {
      // Status panel in the first group, logs panel beside it; one screenshot per theme.
      await clickTab(page, `Status: ${PROJECT} (staging)`);
      await clickTab(page, `Logs: ${PROJECT} (staging)`);
      await palette(page, 'View: Move Editor into Next Group');
      await page.locator('.editor-group-container').nth(1).locator('.tab', { hasText: `Logs: ${PROJECT} (staging)` }).waitFor({ timeout: T });
      await inPanel(page, 'logs', 'the moved logs panel', async (f) => (await f.locator('.viewport .row .prefix').count()) > 0);
      await panelFrame(page, 'status');
      await page.waitForTimeout(500);
      for (const [label, bodyClass, name] of [['Light Modern', 'vscode-light', 'light'], ['Dark Modern', 'vscode-dark', 'dark'], ['Dark High Contrast', 'vscode-high-contrast', 'high-contrast']]) {
        await colorTheme(page, label);
        for (const kind of ['status', 'logs']) {
          await inPanel(page, kind, `the ${kind} panel in ${label}`, async (f) => (await f.evaluate(() => document.body.className)).split(' ').includes(bodyClass)
            && (kind === 'status' ? /Summary/.test(await f.locator('body').innerText()) : (await f.locator('.viewport .row').count()) > 0));
        }
        await page.waitForTimeout(500);
        await shot(`panels-${name}`);
      }
      await colorTheme(page, 'Light Modern');
    }],
  ];
}

async function main() {
  const t0 = Date.now();
  const ctx = { timings: {}, cleanups: [] };
  const why = cs.codeServerMissing() || cs.chromiumMissing()
    || (fs.existsSync(VSIX) ? undefined : `${path.relative(cs.REPO, VSIX)} not found (run \`npm run build && npm run package\`)`)
    || (fs.existsSync(path.join(cs.REPO, 'dist/cli.js')) ? undefined : 'dist/cli.js not found (run `npm run build`)')
    || (await probeCluster(ctx));
  if (why) {
    console.log(`${SUITE} tests SKIPPED: ${why}`);
    cs.writeResults(SUITE, 0, REQUIRED ? 1 : 0, REQUIRED ? 0 : 1, { reason: why });
    return REQUIRED ? 1 : 0;
  }
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const root = cs.scratchDir('e2e-deploy-');
  const dirs = { userDataDir: path.join(root, 'user-data'), extensionsDir: path.join(root, 'extensions') };
  fs.mkdirSync(dirs.extensionsDir, { recursive: true });
  await cs.codeServerCli(['--install-extension', VSIX], dirs);
  // Outside the repo: VS Code's workspaceContains search honours parent .gitignore files (the repo ignores .vscode-test/).
  const wsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'modelship-e2e-deploy-'));
  ctx.workspace = path.join(wsRoot, 'workspace');
  ctx.project = path.join(ctx.workspace, PROJECT);
  fs.mkdirSync(ctx.workspace, { recursive: true });
  prepareProject(ctx);
  ctx.timings.setupMs = Date.now() - t0;
  console.log(`${cs.codeServerDescription()}; namespaces ${STAGING_NS}, ${PROD_NS}; workspace ${ctx.workspace}`);
  ctx.t0 = Date.now();
  ctx.server = await cs.startCodeServer({
    root,
    folder: ctx.workspace,
    extensionsDir: dirs.extensionsDir,
    settings: { 'modelship.deploy.registry': REGISTRY },
    // "scope": "machine": a remote window (code-server) reads it from the machine's settings only.
    machineSettings: { 'modelship.kube.kubeconfig': KUBECONFIG },
  });
  const browser = await cs.launchChromium();
  const page = browser.context.pages()[0] || (await browser.context.newPage());
  const consoleErrors = watchConsole(page);
  const logErrors = watchLogs(path.join(dirs.userDataDir, 'logs'));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  const stepTimes = [];
  try {
    const steps = defineSteps(page, ctx);
    for (const [i, [name, run]] of steps.entries()) {
      if (failed > 0) { skipped++; console.log(`  - ${name} (skipped)`); continue; }
      ctx.stepNo = String(i + 1).padStart(2, '0');
      const shot = path.join(SHOTS, `${ctx.stepNo}-${name}.png`);
      const s0 = Date.now();
      try {
        await run();
        await page.waitForTimeout(300); // let fades and toasts settle for the screenshot
        await page.screenshot({ path: shot });
        // Errors that showed while the step ran fail it: in a webview's console, or logged by Modelship.
        await page.waitForTimeout(200);
        const problems = [...consoleErrors.take().map((e) => `webview console: ${e}`), ...logErrors.take().map((e) => `log: ${e}`)];
        for (const o of consoleErrors.others()) console.log(`    [workbench console error, not failing] ${o.slice(0, 300)}`);
        if (problems.length) throw new Error(`errors while the step ran:\n      ${problems.join('\n      ')}`);
        passed++;
        stepTimes.push([name, Date.now() - s0]);
        console.log(`  ✔ ${name} (${Date.now() - s0} ms)`);
      } catch (e) {
        if (e instanceof StepSkipped) {
          skipped++;
          console.log(`  - ${name} (skipped: ${e.message})`);
          continue;
        }
        failed++;
        await page.screenshot({ path: shot.replace(/\.png$/, '-FAILED.png') }).catch(() => {});
        console.log(`  ✘ ${name}: ${e.message}`);
        failures.push(`${name}: ${String(e.message).split('\n')[0].slice(0, 300)}`);
      }
    }
  } finally {
    await browser.close();
    await ctx.server.stop();
    for (const ns of [STAGING_NS, PROD_NS]) {
      try {
        kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
      } catch (e) {
        console.log(`cleanup: ${e.message}`);
      }
    }
    for (const cleanup of ctx.cleanups.reverse()) await cleanup().catch((e) => console.log(`cleanup: ${e.message}`));
  }
  const s = (ms) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);
  console.log(`setup ${s(ctx.timings.setupMs)}, workbench ready ${s(ctx.timings.workbenchReadyMs)}, first deploy ${s(ctx.timings.firstDeployMs)}, reload ${s(ctx.timings.reloadMs)}, total ${s(Date.now() - t0)}`);
  console.log(`checked for [error] lines: ${logErrors.read().join(', ') || 'no log file found'}`);
  console.log(`screenshots: ${path.relative(cs.REPO, SHOTS)}/`);
  if (failed === 0 && !process.env.KEEP_ARTIFACTS) for (const d of [root, wsRoot]) fs.rmSync(d, { recursive: true, force: true });
  else console.log(`artifacts: ${root} (code-server.log, user-data/logs), workspace ${ctx.workspace}`);
  cs.writeResults(SUITE, passed, failed, skipped, { durationMs: Date.now() - t0, namespace: STAGING_NS, steps: Object.fromEntries(stepTimes), failures });
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  cs.writeResults(SUITE, 0, 1, 0, { reason: String(e && e.message) });
  process.exit(1);
});

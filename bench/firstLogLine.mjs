// First log line on screen: the time from running "Modelship: Show Logs" in a real VS Code
// (code-server + Debian chromium through playwright-core, the extension installed from
// modelship.vsix) until the logs panel's webview shows its first log row, against the baseline
// `kubectl logs deployment/<name> --tail=500 --all-containers` (spawn → first stdout line) on the
// same Deployment in the same session. The panel's default query is the same: every pod's last 500
// lines, then following.
//   - cold: the first Show Logs after the window loaded (and the extension activated): it includes
//     loading dist/deploy.js (~5 MB), the first kube connection and the webview's first load.
//     BENCH_COLD_RUNS (default 3) window loads, median: each further one reloads the page, which
//     gets a new extension host (the old ones linger idle until code-server stops).
//   - warm: the panel closed, Show Logs again (BENCH_RUNS times, median).
// Each Show Logs is also split at two marks seen from the page: the editor tab showing (the command
// ran and created the panel), the panel's page ready (its script ran); and dist/deploy.js is
// required once more under a stand-in `vscode` in code-server's Node, for what the bundle costs.
// The workload: the local test base image (modelship-test/python:3.11-slim) re-tagged and pushed to the lab's
// registry, 2 replicas printing `INFO line N` 20 times a second, in a namespace of its own
// (msbench-…), deleted at the end; the workspace: a copy of examples/iris-sklearn containerized by
// the CLI (no build) under the Deployment's name, its staging environment on lab-staging.
// Skips, saying why (exit 0), without code-server, chromium, an up-to-date modelship.vsix (VSIX=…
// picks another, used as is), dist/cli.js, the kube lab, the Docker engine with the test base or
// the registry. Results are ratios against kubectl in the same session, never pass/fail.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { commit, median } from './common.mjs';
import testInfra from '../test/helpers/testInfra.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const require = createRequire(import.meta.url);
const cs = require('../test/vscode/codeServer.js');

const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 7);
const COLD_RUNS = Math.max(1, Number(process.env.BENCH_COLD_RUNS ?? 3));
const KUBECTL_RUNS = Number(process.env.BENCH_KUBECTL_RUNS ?? WARM_RUNS);
/** Idle time after the window is ready (extension activated) before the cold Show Logs. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 3000);
const POLL_MS = 10;
const T = 60_000;
const PROJECT = 'first-log-line';
const TAB = `Logs: ${PROJECT} (staging)`;
const COMMAND = 'Modelship: Show Logs';
const BASE = testInfra.TEST_BASE_IMAGE;
const REGISTRY = process.env.MODELSHIP_TEST_REGISTRY ?? 'localhost:5000';
const IMAGE = `${REGISTRY}/modelship-bench/logger:1`;
const KUBECONFIG = process.env.MODELSHIP_TEST_KUBECONFIG || join(homedir(), '.cache', 'kube-lab', 'kubeconfig');
const NS = `msbench-${Math.random().toString(36).slice(2, 8)}`;
const VSIX = resolve(process.env.VSIX || join(root, 'modelship.vsix'));
const LOGGER = "import time,itertools\nfor i in itertools.count(): print(f'INFO line {i}'); time.sleep(0.05)";
const WEBVIEW = /\/webview\/|vscode-webview/;

const kubectlPath = () => {
  const lab = join(dirname(KUBECONFIG), 'bin', 'kubectl');
  return existsSync(lab) ? lab : 'kubectl';
};

function kubectl(args, { context = 'lab-admin', input, timeout = 60_000 } = {}) {
  const r = spawnSync(kubectlPath(), ['--kubeconfig', KUBECONFIG, '--context', context, ...args], { encoding: 'utf8', input, timeout });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim().slice(0, 400)}`);
  return r.stdout;
}

function sh(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 180_000, ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${(r.stderr || r.stdout || r.error?.message || '').trim().slice(0, 400)}`);
  return r.stdout;
}

/** Why the bench cannot run here, or undefined; the base image's provides label when it can. */
async function preconditions() {
  const why = cs.codeServerMissing() || cs.chromiumMissing();
  if (why) return { why };
  if (!existsSync(VSIX)) return { why: `${relative(root, VSIX)} not found (run \`npm run build && npm run package\`)` };
  const ext = join(root, 'dist/extension.js');
  if (!process.env.VSIX && existsSync(ext) && statSync(VSIX).mtimeMs < statSync(ext).mtimeMs) {
    return { why: `${relative(root, VSIX)} is older than dist/extension.js (run \`npm run build && npm run package\`, or set VSIX=… to use one as is)` };
  }
  if (!existsSync(join(root, 'dist/cli.js'))) return { why: 'dist/cli.js not found (run `npm run build`)' };
  if (!existsSync(KUBECONFIG)) return { why: `no kube lab: ${KUBECONFIG} does not exist (run bash ../shared/kube-lab/up.sh, or set MODELSHIP_TEST_KUBECONFIG)` };
  const ready = spawnSync(kubectlPath(), ['--kubeconfig', KUBECONFIG, '--context', 'lab-staging', 'get', '--raw', '/readyz', '--request-timeout=5s'], { encoding: 'utf8', timeout: 15_000 });
  if (ready.status !== 0) return { why: `the kube lab does not answer (${(ready.stderr || ready.error?.message || '').trim().slice(0, 200)})` };
  const base = spawnSync('docker', ['image', 'inspect', BASE, '--format', '{{index .Config.Labels "org.modelship.base-provides"}}'], { encoding: 'utf8', timeout: 30_000 });
  if (base.error || base.status !== 0) return { why: `no Docker engine with the test base image ${BASE} (npm run setup:engine): ${(base.stderr || base.error?.message || '').trim().slice(0, 200)}` };
  const provides = base.stdout.trim();
  if (!provides || provides === '<no value>') return { why: `${BASE} is not the Modelship test base (no org.modelship.base-provides label)` };
  const registry = await fetch(`http://${REGISTRY.replace(/^localhost/, '127.0.0.1')}/v2/`).then((r) => r.status, (e) => e.message);
  if (registry !== 200) return { why: `no registry at ${REGISTRY} (GET /v2/ -> ${registry})` };
  return { provides };
}

/** The logging Deployment in NS, 2 replicas, Ready. */
function startLoggers() {
  sh('docker', ['tag', BASE, IMAGE]);
  sh('docker', ['push', '--quiet', IMAGE]);
  kubectl(['create', 'namespace', NS]);
  const labels = { 'app.kubernetes.io/name': PROJECT };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: PROJECT, namespace: NS, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'logger',
            image: IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['python3', '-u', '-c', LOGGER],
            // The lab is one 2-CPU node that other runs share.
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
          }],
        },
      },
    },
  };
  kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) });
  kubectl(['-n', NS, 'rollout', 'status', `deployment/${PROJECT}`, '--timeout=150s'], { timeout: 160_000 });
}

/** <tmp>/workspace/first-log-line: the iris example containerized (no build), staging on lab-staging / NS. */
function prepareWorkspace(provides) {
  const wsRoot = mkdtempSync(join(tmpdir(), 'ms-bench-firstlog-'));
  const workspace = join(wsRoot, 'workspace');
  const project = join(workspace, PROJECT);
  mkdirSync(workspace, { recursive: true });
  cpSync(join(root, 'examples/iris-sklearn'), project, { recursive: true });
  sh(process.execPath, [join(root, 'dist/cli.js'), 'containerize', project, '--only', 'dockerfile,app,k8s', '--base-image', BASE, '--base-provides', provides], { env: { ...process.env, MODELSHIP_NO_CODE_CACHE: '1' } });
  const label = /io\.modelship\.image="([^":]+)/.exec(readFileSync(join(project, 'Dockerfile'), 'utf8'))?.[1];
  if (label !== PROJECT) throw new Error(`the Dockerfile's io.modelship.image names "${label}", not the Deployment ${PROJECT}`);
  writeFileSync(join(project, 'deploy/environments.yaml'), `staging:\n  context: lab-staging\n  namespace: ${NS}\n`);
  return { wsRoot, workspace };
}

/** kubectl logs, spawn → first stdout line (and → exit), in ms. */
function kubectlFirstLine() {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(kubectlPath(), ['--kubeconfig', KUBECONFIG, '--context', 'lab-staging', '-n', NS, 'logs', `deployment/${PROJECT}`, '--tail=500', '--all-containers'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let first;
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      if (first === undefined && chunk.includes('\n')) first = performance.now() - t0;
      if (out.length < 200) out += chunk;
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const exit = performance.now() - t0;
      if (code !== 0 || first === undefined) reject(new Error(`kubectl logs exited ${code} with ${first === undefined ? 'no line' : 'lines'}: ${err.trim().slice(0, 300)}`));
      else if (!/^INFO line \d+/.test(out)) reject(new Error(`kubectl logs printed ${JSON.stringify(out.slice(0, 80))}`));
      else resolvePromise({ firstLineMs: first, exitMs: exit });
    });
  });
}

/** dist/deploy.js of the installed extension required under a stand-in `vscode` by code-server's Node: ms. */
function bundleRequireMs(bundle) {
  const probe = `
const Module = require('module');
function anything() { const c = new Map(); return new Proxy(function () {}, { get(_t, p) {
  if (p === Symbol.toPrimitive) return () => ''; if (p === 'then') return undefined; if (p === Symbol.iterator) return function* () {};
  if (!c.has(p)) c.set(p, anything()); return c.get(p); }, set: () => true, defineProperty: () => true, apply: () => anything(), construct: () => anything() }); }
const load = Module._load;
Module._load = function (r, ...rest) { return r === 'vscode' ? anything() : load.call(this, r, ...rest); };
const t0 = process.hrtime.bigint(); require(${JSON.stringify(bundle)}); process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
  const r = spawnSync(cs.NODE24, ['-e', probe], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? Number(r.stdout) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The workbench
// ---------------------------------------------------------------------------------------------

async function waitWorkbench(page, server, workspace) {
  await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  // The deploy target's status bar item: the extension is active and read deploy/environments.yaml.
  await page.locator('.part.statusbar [id="modelship.modelship.modelship.deployTarget"]').filter({ hasText: `staging: lab-staging / ${NS}` }).waitFor({ timeout: 120_000 });
}

/** F1, the command typed, its row focused: returns once Enter would run it. */
async function typeCommand(page) {
  const input = page.locator('.quick-input-widget input[type="text"]').first();
  for (let attempt = 0; ; attempt++) {
    // Keys typed while a webview has focus stay in its frame: give the focus back to the workbench first.
    await page.evaluate(() => document.activeElement instanceof window.HTMLElement && document.activeElement.tagName === 'IFRAME' && document.activeElement.blur());
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ timeout: attempt < 2 ? 5000 : T });
      break;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
  await input.fill(`>${COMMAND}`);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${COMMAND}$`) }) }).first().waitFor({ timeout: T });
  // "Modelship: Show Container Logs" may rank first until Show Logs is recently used: arrow down to it.
  for (let i = 0; ; i++) {
    const focused = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name').first().textContent({ timeout: T });
    if (focused?.trim() === COMMAND) return;
    if (i >= 10) throw new Error(`the palette does not focus "${COMMAND}" (focused: "${focused}")`);
    await page.keyboard.press('ArrowDown');
    await sleep(50);
  }
}

/** Inside a webview frame: which panel, whether its script ran, the first log row on screen (text), a notice or error. */
function panelState() {
  const app = document.getElementById('app');
  const state = { panel: document.body?.dataset.panel, busy: !app || app.hasAttribute('aria-busy') };
  for (const row of document.querySelectorAll('.viewport .row:not(.loading):not(.notice):not(.probe)')) {
    const text = row.querySelector('.text')?.textContent ?? '';
    const box = row.getBoundingClientRect();
    if (text.trim() !== '' && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight) {
      state.row = text;
      break;
    }
  }
  const notice = [...document.querySelectorAll('.viewport .row.notice .text, .error:not([hidden])')].map((e) => e.textContent.trim()).filter(Boolean);
  if (notice.length) state.notice = notice.join(' | ');
  return state;
}

/** Runs Show Logs from the palette; ms from Enter to the tab, the panel's page ready, and the first log row on screen. */
async function showLogs(page) {
  const before = new Set(page.frames());
  await typeCommand(page);
  const t0 = performance.now();
  await page.keyboard.press('Enter');
  const marks = {};
  let notice;
  for (;;) {
    if (marks.tabMs === undefined) {
      const tab = await page.evaluate((label) => [...document.querySelectorAll('.tabs-container .tab .label-name')].some((e) => e.textContent.trim() === label), TAB);
      if (tab) marks.tabMs = performance.now() - t0;
    }
    for (const frame of page.frames()) {
      if (before.has(frame) || frame.isDetached() || !WEBVIEW.test(frame.url()) || !WEBVIEW.test(frame.parentFrame()?.url() ?? '')) continue;
      const s = await frame.evaluate(panelState).catch(() => undefined);
      if (!s || s.panel !== 'logs') continue;
      const at = performance.now() - t0;
      if (!s.busy) marks.pageReadyMs ??= at;
      if (s.notice) notice = s.notice;
      if (s.row !== undefined) {
        marks.firstRowMs = at;
        marks.row = s.row;
      }
    }
    if (marks.firstRowMs !== undefined) break;
    if (performance.now() - t0 > T) {
      const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => []);
      throw new Error(`no log row within ${T} ms (${JSON.stringify(marks)}; panel notice: ${notice ?? 'none'}; notifications: ${JSON.stringify(toasts)})`);
    }
    await sleep(POLL_MS);
  }
  marks.tabMs ??= marks.firstRowMs;
  marks.pageReadyMs ??= marks.firstRowMs;
  return marks;
}

async function closeLogs(page) {
  const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: TAB }) }).first();
  await tab.hover();
  await tab.locator('.tab-actions a.action-label').first().click();
  await tab.waitFor({ state: 'detached', timeout: T });
  // The webview's frames go with it; let the host end the streams before the next sample.
  for (let i = 0; i < 100 && page.frames().some((f) => WEBVIEW.test(f.url()) && !f.isDetached()); i++) await sleep(50);
  await sleep(500);
}

const load = () => loadavg().map((v) => Number(v.toFixed(2)));

export async function benchFirstLogLine() {
  const checked = await preconditions();
  if (checked.why) return { skipped: checked.why };
  const started = performance.now();
  const loadBefore = load();
  let wsRoot;
  let server;
  let browser;
  let page;
  let failed = false;
  const scratch = cs.scratchDir('bench-firstlog-');
  try {
    startLoggers();
    const ws = prepareWorkspace(checked.provides);
    wsRoot = ws.wsRoot;
    const dirs = { userDataDir: join(scratch, 'user-data'), extensionsDir: join(scratch, 'extensions') };
    mkdirSync(dirs.extensionsDir, { recursive: true });
    await cs.codeServerCli(['--install-extension', VSIX], dirs);
    // "scope": "machine": a remote window (code-server) reads it from the machine's settings only.
    const machineSettings = { 'modelship.kube.kubeconfig': KUBECONFIG };
    mkdirSync(join(dirs.userDataDir, 'Machine'), { recursive: true });
    writeFileSync(join(dirs.userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));
    server = await cs.startCodeServer({ root: scratch, folder: ws.workspace, extensionsDir: dirs.extensionsDir, machineSettings });
    browser = await cs.launchChromium();
    page = browser.context.pages()[0] || (await browser.context.newPage());

    const kubectlRuns = [];
    const sampleKubectl = async () => kubectlRuns.push(await kubectlFirstLine());
    await kubectlFirstLine(); // warm-up: the page cache, kubectl's discovery cache

    const cold = [];
    const warm = [];
    const t0 = performance.now();
    await waitWorkbench(page, server, ws.workspace);
    const workbenchMs = performance.now() - t0;
    const chromium = /Chrome\/([\d.]+)/.exec(await page.evaluate(() => window.navigator.userAgent))?.[1] ?? 'unknown';
    await sleep(SETTLE_MS);
    cold.push(await showLogs(page));
    await closeLogs(page);
    await sampleKubectl();
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.push(await showLogs(page));
      await closeLogs(page);
      if (kubectlRuns.length < KUBECTL_RUNS) await sampleKubectl();
    }
    // Further cold samples: the page reloaded, a new window and extension host.
    for (let i = 1; i < COLD_RUNS; i++) {
      await page.reload();
      await waitWorkbench(page, server, ws.workspace);
      await sleep(SETTLE_MS);
      cold.push(await showLogs(page));
      await closeLogs(page);
      await sampleKubectl();
    }
    while (kubectlRuns.length < KUBECTL_RUNS) await sampleKubectl();

    const installed = spawnSync('find', [dirs.extensionsDir, '-path', '*/dist/deploy.js'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    const bundle = installed ? [1, 2, 3].map(() => bundleRequireMs(installed)).filter((v) => v !== undefined) : [];

    const pick = (runs, key) => runs.map((r) => Math.round(r[key]));
    const kubectlFirst = median(kubectlRuns.map((r) => r.firstLineMs));
    const coldMs = median(cold.map((r) => r.firstRowMs));
    const warmMs = median(warm.map((r) => r.firstRowMs));
    return {
      machine: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`,
      commit: commit(),
      codeServer: cs.codeServerDescription(),
      chromium,
      kubectl: /v\d+\.\d+\.\d+/.exec(kubectl(['version', '--client', '-o', 'json']))?.[0] ?? 'unknown',
      vsix: relative(root, VSIX),
      namespace: NS,
      load: { before: loadBefore, after: load() },
      seconds: Math.round((performance.now() - started) / 1000),
      workbenchMs: Math.round(workbenchMs),
      settleMs: SETTLE_MS,
      coldMs,
      warmMs,
      kubectlFirstLineMs: kubectlFirst,
      kubectlExitMs: median(kubectlRuns.map((r) => r.exitMs)),
      ratioCold: coldMs / kubectlFirst,
      ratioWarm: warmMs / kubectlFirst,
      breakdown: {
        cold: { tabMs: median(cold.map((r) => r.tabMs)), pageReadyMs: median(cold.map((r) => r.pageReadyMs)), firstRowMs: coldMs },
        warm: { tabMs: median(warm.map((r) => r.tabMs)), pageReadyMs: median(warm.map((r) => r.pageReadyMs)), firstRowMs: warmMs },
      },
      bundleRequireMs: bundle.length ? median(bundle) : null,
      firstRow: cold[0].row,
      samples: {
        cold: { firstRow: pick(cold, 'firstRowMs'), tab: pick(cold, 'tabMs'), pageReady: pick(cold, 'pageReadyMs') },
        warm: { firstRow: pick(warm, 'firstRowMs'), tab: pick(warm, 'tabMs'), pageReady: pick(warm, 'pageReadyMs') },
        kubectlFirstLine: kubectlRuns.map((r) => Math.round(r.firstLineMs)),
        kubectlExit: kubectlRuns.map((r) => Math.round(r.exitMs)),
        bundleRequire: bundle.map(Math.round),
      },
    };
  } catch (error) {
    failed = true;
    await page?.screenshot({ path: join(scratch, 'failure.png') }).catch(() => {});
    throw error;
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    try {
      kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
    } catch (e) {
      console.error(`first-log-line cleanup: ${e.message}`);
    }
    spawnSync('docker', ['image', 'rm', IMAGE], { stdio: 'ignore' });
    if (failed || process.env.KEEP_ARTIFACTS) console.error(`first-log-line artifacts: ${scratch} (${failed ? 'failure.png, ' : ''}code-server.log, user-data/logs), workspace ${wsRoot}`);
    else for (const d of [scratch, wsRoot]) if (d) rmSync(d, { recursive: true, force: true });
  }
}

export function printFirstLogLine(r) {
  if (r.skipped) {
    console.log(`first-log-line: skipped: ${r.skipped}`);
    return;
  }
  const s = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
  const x = (v) => `${v.toFixed(v >= 10 ? 0 : 1)}x`;
  const cold = r.samples.cold.firstRow.length > 1 ? `cold median ${s(r.coldMs)} (${r.samples.cold.firstRow.length} window loads)` : `cold ${s(r.coldMs)}`;
  console.log(`first-log-line: Show Logs → first row on screen: ${cold}, warm median ${s(r.warmMs)} (${r.samples.warm.firstRow.length} runs); kubectl logs first line median ${s(r.kubectlFirstLineMs)}; ratio warm/kubectl ${x(r.ratioWarm)}, cold/kubectl ${x(r.ratioCold)}`);
  console.log(`  ${r.machine} @ ${r.commit}; ${r.codeServer}, Chromium ${r.chromium}, kubectl ${r.kubectl}; ${r.vsix}; ${r.seconds} s in all`);
  console.log(`  load average (1/5/15 min) ${r.load.before.join(' / ')} before, ${r.load.after.join(' / ')} after; the machine and the lab are shared`);
  for (const kind of ['cold', 'warm']) {
    const b = r.breakdown[kind];
    console.log(`  ${kind.padEnd(4)} Enter → tab ${s(b.tabMs)} → panel page ready ${s(b.pageReadyMs)} → first row ${s(b.firstRowMs)}   (samples, first row: ${r.samples[kind].firstRow.join(', ')} ms)`);
  }
  console.log(`  kubectl logs deployment/${PROJECT} --tail=500 --all-containers: first line ${r.samples.kubectlFirstLine.join(', ')} ms; exit median ${s(r.kubectlExitMs)}`);
  if (r.bundleRequireMs !== null) console.log(`  dist/deploy.js require (code-server's Node, stand-in vscode, outside VS Code): median ${s(r.bundleRequireMs)} (${r.samples.bundleRequire.join(', ')} ms)`);
  console.log(`  window ready (extension active) ${s(r.workbenchMs)}, then ${s(r.settleMs)} idle before the cold run; first row shown: ${JSON.stringify(r.firstRow.slice(0, 60))}`);
}

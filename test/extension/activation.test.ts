import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/extension/commands';
import { EXTENSION_ID, activated, waitFor } from './testApi';

interface Manifest {
  activationEvents: string[];
  engines: { vscode: string };
  contributes: {
    configuration: { properties: Record<string, { type: string; default?: unknown; additionalProperties?: { enum?: string[] } }> };
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    views: Record<string, { id: string }[]>;
  };
}

/** A bundle's text and that of the shared chunks it requires, transitively (scripts/sharedChunks.mjs). */
function withChunks(extensionPath: string, bundle: string, seen = new Set<string>()): string {
  seen.add(bundle);
  const text = fs.readFileSync(path.join(extensionPath, 'dist', bundle), 'utf8');
  const chunks = [...text.matchAll(/require\("\.\/(chunk-[0-9a-f]{8}\.js)"\)/g)].map((m) => m[1]!).filter((c) => !seen.has(c));
  return [text, ...chunks.map((c) => (seen.has(c) ? '' : withChunks(extensionPath, c, seen)))].join('\n');
}

suite('activation', () => {
  test('the extension activates in the fixture workspace and returns its API', async () => {
    const api = await activated();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive, 'extension is active');
    assert.strictEqual(typeof api.detectorFor, 'function');
    assert.strictEqual(typeof api.lastReport, 'function');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    assert.ok(api.detectorFor(folder), 'a detector exists for the folder after the first scan');
    assert.strictEqual(api.statsFor(folder)?.scans, 1, 'exactly one full scan ran at startup');
  });

  test('every command in the table is registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of COMMAND_IDS) assert.ok(registered.has(id), `${id} is registered`);
  });

  test('package.json contributes.commands matches the command table in src/extension/commands.ts', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepStrictEqual(contributed, [...COMMAND_IDS].sort());
    for (const c of manifest.contributes.commands) assert.match(c.title, /^Modelship: /, `${c.command} title says Modelship`);
    // VS Code >= 1.74 activates on contributed commands and views by itself: the manifest lists no onCommand/onView events.
    const [major, minor] = (manifest.engines.vscode.match(/(\d+)\.(\d+)/) ?? []).slice(1).map(Number);
    assert.ok(major === 1 && minor >= 74, `engines.vscode ${manifest.engines.vscode} infers command and view activation`);
    assert.deepStrictEqual(manifest.activationEvents.filter((e) => /^on(Command|View):/.test(e)), []);
    // Menus only name commands that exist.
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const e of entries) assert.ok(COMMAND_IDS.includes(e.command), `${menu} names unknown command ${e.command}`);
    }
    assert.deepStrictEqual(manifest.contributes.views.modelship?.map((v) => v.id), ['modelship.models', 'modelship.images', 'modelship.deployments']);
  });

  test('deploy: the Kubernetes client, the deploy flows and the panel classes stay out of extension.js; restored panels activate it', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const bundle = fs.readFileSync(path.join(ext.extensionPath, 'dist/extension.js'), 'utf8');
    for (const marker of ['loadFromOptions', 'application/apply-patch+yaml', 'Content-Security-Policy']) assert.ok(!bundle.includes(marker), `extension.js holds ${marker}`);
    const deploy = withChunks(ext.extensionPath, 'deploy.js');
    for (const marker of ['loadFromOptions', 'application/apply-patch+yaml', 'Content-Security-Policy']) assert.ok(deploy.includes(marker), `deploy.js or a chunk it requires holds ${marker}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    for (const event of ['onWebviewPanel:modelship.status', 'onWebviewPanel:modelship.logs']) assert.ok(manifest.activationEvents.includes(event), event);
  });

  test('lint: activates on Dockerfiles, contributes its settings, and its code stays out of extension.js', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    for (const event of ['onLanguage:dockerfile', 'workspaceContains:**/Dockerfile']) assert.ok(manifest.activationEvents.includes(event), event);
    const props = manifest.contributes.configuration.properties;
    assert.deepStrictEqual([props['modelship.lint.enable']?.type, props['modelship.lint.enable']?.default], ['boolean', true]);
    assert.deepStrictEqual([props['modelship.lint.rules']?.type, props['modelship.lint.rules']?.default], ['object', {}]);
    assert.deepStrictEqual(props['modelship.lint.rules']?.additionalProperties?.enum, ['error', 'warning', 'info', 'off']);
    assert.deepStrictEqual([props['modelship.lint.kubernetesVersion']?.type, props['modelship.lint.kubernetesVersion']?.default], ['string', '1.32']);
    const bundle = fs.readFileSync(path.join(ext.extensionPath, 'dist/extension.js'), 'utf8');
    assert.ok(bundle.length < 80 * 1024, `dist/extension.js is ${bundle.length} bytes`);
    for (const marker of ['kustomization|Chart|values']) assert.ok(!bundle.includes(marker), `${marker} is not in extension.js (it belongs to the lazily loaded lint code)`);
  });

  test('terminal: a new integrated terminal has the CLI shims last on PATH (a modelship of the user\'s wins), and `modelship --version` runs there', async function () {
    if (process.platform === 'win32') this.skip();
    await activated();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modelship-terminal-')), 'env.txt');
    const script = `{ printf '%s\\n' "$PATH"; command -v modelship; modelship --version; echo "exit $?"; } > '${out}.tmp' 2>&1; mv '${out}.tmp' '${out}'`;
    const terminal = vscode.window.createTerminal({ name: 'modelship PATH test', shellPath: '/bin/sh', shellArgs: ['-c', script] });
    try {
      const text = await waitFor('the terminal to write its PATH', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 30000);
      const [pathLine, found, ...rest] = text.trim().split('\n');
      const bin = path.join(ext.extensionPath, 'bin');
      assert.strictEqual(pathLine!.split(path.delimiter).at(-1), bin, `PATH ends with the shims: ${pathLine}`);
      assert.strictEqual(found, path.join(bin, 'modelship'));
      const version = (ext.packageJSON as { version: string }).version;
      assert.match(rest.join('\n'), new RegExp(`^(${version.replace(/\./g, '\\.')}|dev)\nexit 0$`), rest.join('\n'));
    } finally {
      terminal.dispose();
    }
  });
});

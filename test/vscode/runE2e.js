#!/usr/bin/env node
// End-to-end UI test: installs ./modelship.vsix (built by `npm run package`) into a fresh code-server,
// opens a scratch copy of test/fixtures/workspace in headless chromium and drives the real UI:
// the Modelship activity-bar view, the Models tree, and "Modelship: Containerize" in the Explorer
// context menu. Screenshots: test-artifacts/e2e/NN-name.png. Prints "N passed, N failed" and
// writes .test-results/e2e.json. A step that fails stops the run; later steps count as skipped.
'use strict';
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const cs = require('./codeServer');

const SUITE = 'e2e';
const VSIX = path.resolve(process.env.VSIX || path.join(cs.REPO, 'modelship.vsix'));
const SHOTS = path.join(cs.REPO, 'test-artifacts', SUITE);
const MENU_ITEM = 'Modelship: Containerize';
const T = 30000;

/** Visible rows of the side bar's lists as "label description" ("iris.pkl pickle · sklearn · 829 B"). */
async function sidebarRows(page, scope) {
  return page.locator(`${scope} .monaco-list-row`).filter({ visible: true }).evaluateAll((rows) => rows.map((r) =>
    ['.label-name', '.label-description'].map((sel) => r.querySelector(sel)?.textContent?.trim()).filter(Boolean).join(' ')));
}

function explorerRow(page, name) {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }) });
}

/** Right-clicks an Explorer row and returns the context menu's item labels. */
async function contextMenuOf(page, name) {
  await page.keyboard.press('Escape'); // close the menu an earlier step left open for its screenshot
  await explorerRow(page, name).click({ button: 'right' });
  const menu = page.locator('.monaco-menu').filter({ visible: true }).first();
  await menu.waitFor({ timeout: T });
  await menu.locator('.action-item').first().waitFor({ timeout: T });
  await page.waitForTimeout(400); // the menu fades in, and ignores clicks that come right after it opened
  return (await menu.locator('.action-item .action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

/** Clicks our entry in the open context menu and waits for the menu to close. */
async function clickMenuItem(page) {
  await page.locator('.monaco-menu .action-item', { hasText: MENU_ITEM }).filter({ visible: true }).click();
  await page.locator('.monaco-menu').filter({ visible: true }).waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
}

function defineSteps(page, ctx) {
  const modelsView = '.part.sidebar';
  return [
    ['workbench', async () => {
      await page.goto(`${ctx.server.url}?folder=${encodeURIComponent(ctx.workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
      await explorerRow(page, 'models').waitFor({ timeout: 90000 });
      await page.locator('.activitybar .action-item a[aria-label^="Modelship"]').waitFor({ timeout: 90000 });
      ctx.timings.workbenchReadyMs = Date.now() - ctx.t0;
    }],
    ['activated-by-workspaceContains', async () => {
      // booster.json has no model extension: "Containerize" is on its menu only through the
      // modelship.modelPaths context key, so seeing it proves the extension activated on
      // workspaceContains and scanned, before any Modelship view or command was used.
      await explorerRow(page, 'models').click();
      await explorerRow(page, 'booster.json').waitFor({ timeout: T });
      let items = [];
      for (let tries = 0; tries < 20 && !items.includes(MENU_ITEM); tries++) {
        if (tries > 0) await page.waitForTimeout(500);
        items = await contextMenuOf(page, 'booster.json');
      }
      assert.ok(items.includes(MENU_ITEM), `menu on booster.json: ${JSON.stringify(items)}`);
    }],
    ['models-view', async () => {
      await page.keyboard.press('Escape');
      await page.locator('.activitybar .action-item a[aria-label^="Modelship"]').click();
      await page.locator(`${modelsView} .monaco-list-row`, { hasText: 'iris.pkl' }).waitFor({ timeout: T });
      const rows = await sidebarRows(page, modelsView);
      assert.deepStrictEqual(rows, [
        'saved_model savedmodel · tensorflow · 3.7 KiB',
        'booster.json xgboost-json · xgboost · 2.6 KiB',
        'iris.pkl pickle · sklearn · 829 B',
        'lgbm_model.txt lightgbm-text · lightgbm · 3.1 KiB',
        'net.bin pytorch · pytorch · 1.7 KiB',
        'Project Python 3.11 · 2 problems',
      ]);
    }],
    ['model-children', async () => {
      const row = page.locator(`${modelsView} .monaco-list-row`, { hasText: 'iris.pkl' });
      await row.locator('.monaco-tl-twistie').click();
      await page.locator(`${modelsView} .monaco-list-row`, { hasText: 'scikit-learn' }).waitFor({ timeout: T });
      const rows = await sidebarRows(page, modelsView);
      assert.ok(rows.includes('scikit-learn ==1.2.1 · pinned'), `rows: ${JSON.stringify(rows)}`);
    }],
    ['reveal-in-explorer', async () => {
      await page.locator(`${modelsView} .monaco-list-row`, { hasText: 'iris.pkl' }).locator('.label-name, .monaco-highlighted-label').first().click();
      await explorerRow(page, 'iris.pkl').and(page.locator('.selected, .focused')).waitFor({ timeout: T });
    }],
    ['context-menu-pkl', async () => {
      const items = await contextMenuOf(page, 'iris.pkl');
      assert.ok(items.includes(MENU_ITEM), `menu on iris.pkl: ${JSON.stringify(items)}`);
    }],
    ['containerize-report', async () => {
      await clickMenuItem(page);
      await page.locator('.tabs-container .tab', { hasText: 'iris.pkl.report.md' }).waitFor({ timeout: T });
      const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
      await lines.filter({ hasText: 'Modelship report: models/iris.pkl' }).waitFor({ timeout: T });
      const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
      assert.match(text, /- Format: pickle/);
      assert.match(text, /- Framework: sklearn/);
    }],
    ['context-menu-lightgbm-txt', async () => {
      // A .txt that IS a model (LightGBM text dump) gets the entry through modelship.modelPaths...
      const items = await contextMenuOf(page, 'lgbm_model.txt');
      assert.ok(items.includes(MENU_ITEM), `menu on lgbm_model.txt: ${JSON.stringify(items)}`);
    }],
    ['context-menu-savedmodel-folder', async () => {
      // ...and so does a SavedModel directory.
      await page.keyboard.press('Escape');
      await explorerRow(page, 'export').click();
      await explorerRow(page, 'saved_model').waitFor({ timeout: T });
      const items = await contextMenuOf(page, 'saved_model');
      assert.ok(items.includes(MENU_ITEM), `menu on the saved_model folder: ${JSON.stringify(items)}`);
    }],
    ['context-menu-txt', async () => {
      const items = await contextMenuOf(page, 'requirements.txt');
      assert.ok(items.length > 3, `a context menu opened: ${JSON.stringify(items)}`);
      assert.ok(!items.includes(MENU_ITEM), `menu on requirements.txt must not offer ${MENU_ITEM}: ${JSON.stringify(items)}`);
    }],
    ['not-a-model-message', async () => {
      const items = await contextMenuOf(page, 'notes.pkl');
      assert.ok(items.includes(MENU_ITEM), 'a .pkl name gets the entry by extension');
      await clickMenuItem(page);
      await page.locator('.notifications-toasts .notification-toast', { hasText: '"notes.pkl" is not a model' }).waitFor({ timeout: T });
    }],
    ['welcome-no-models', async () => {
      // Models deleted behind VS Code's back: the watcher updates the tree, which empties into the welcome view.
      await page.keyboard.press('Escape');
      await page.locator('.activitybar .action-item a[aria-label^="Modelship"]').click();
      for (const dir of ['models', 'weights', 'export']) fs.rmSync(path.join(ctx.workspace, dir), { recursive: true, force: true });
      const welcome = page.locator(`${modelsView} .welcome-view-content`, { hasText: 'No models found in this workspace' });
      await welcome.waitFor({ timeout: T });
      await welcome.locator('a.monaco-button, .monaco-button', { hasText: 'Rescan Workspace' }).waitFor({ timeout: T });
      assert.deepStrictEqual(await sidebarRows(page, modelsView), []);
    }],
  ];
}

async function main() {
  const t0 = Date.now();
  const why = cs.codeServerMissing() || cs.chromiumMissing() || (fs.existsSync(VSIX) ? undefined : `${path.relative(cs.REPO, VSIX)} not found (run \`npm run package\`)`);
  if (why) {
    const required = process.env.MODELSHIP_REQUIRE_VSCODE === '1';
    console.log(`e2e tests SKIPPED: ${why}`);
    cs.writeResults(SUITE, 0, required ? 1 : 0, required ? 0 : 1, { reason: why });
    return required ? 1 : 0;
  }
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const root = cs.scratchDir('e2e-');
  const dirs = { userDataDir: path.join(root, 'user-data'), extensionsDir: path.join(root, 'extensions') };
  fs.mkdirSync(dirs.extensionsDir, { recursive: true });
  await cs.codeServerCli(['--install-extension', VSIX], dirs);
  // The workspace copy lives outside the repo: VS Code's workspaceContains search honours parent
  // .gitignore files, and the repo ignores .vscode-test/, which would hide the models from it.
  const wsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'modelship-e2e-'));
  const ctx = { workspace: cs.copyWorkspace(wsRoot), timings: { installMs: Date.now() - t0 }, t0: Date.now() };
  ctx.server = await cs.startCodeServer({ root, folder: ctx.workspace, extensionsDir: dirs.extensionsDir });
  const browser = await cs.launchChromium();
  const page = browser.context.pages()[0] || (await browser.context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const steps = defineSteps(page, ctx);
    for (const [i, [name, run]] of steps.entries()) {
      if (failed > 0) { skipped++; console.log(`  - ${name} (skipped)`); continue; }
      const shot = path.join(SHOTS, `${String(i + 1).padStart(2, '0')}-${name}.png`);
      const s0 = Date.now();
      try {
        await run();
        await page.waitForTimeout(300); // let fades and toasts settle for the screenshot
        await page.screenshot({ path: shot });
        passed++;
        console.log(`  ✔ ${name} (${Date.now() - s0} ms)`);
      } catch (e) {
        failed++;
        await page.screenshot({ path: shot.replace(/\.png$/, '-FAILED.png') }).catch(() => {});
        console.log(`  ✘ ${name}: ${e.message}`);
      }
    }
  } finally {
    await browser.close();
    await ctx.server.stop();
  }
  console.log(`workbench ready ${(ctx.timings.workbenchReadyMs / 1000).toFixed(1)} s, vsix install ${(ctx.timings.installMs / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s; page errors: ${pageErrors.length}`);
  console.log(`screenshots: ${path.relative(cs.REPO, SHOTS)}/`);
  if (failed === 0 && !process.env.KEEP_ARTIFACTS) for (const d of [root, wsRoot]) fs.rmSync(d, { recursive: true, force: true });
  else console.log(`artifacts: ${root} (code-server.log, user-data/logs), workspace ${wsRoot}`);
  cs.writeResults(SUITE, passed, failed, skipped, { durationMs: Date.now() - t0 });
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  cs.writeResults(SUITE, 0, 1, 0, { reason: String(e && e.message) });
  process.exit(1);
});

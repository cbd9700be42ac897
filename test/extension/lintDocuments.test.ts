// The editor's lint wiring, driven by a scripted linter (lintKit.ts) so that it is tested whatever
// the engines report: diagnostics on open, debounced re-lint of the edited document only, stale
// results dropped, quick fixes, ignore comments, settings, peer extensions, .dockerignore, close.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelshipApi } from '../../src/extension/extension';
import { FakeLinter, applyAction, codeActionsAt, codes, ours, sleep, waitForCodes, writeFile } from './lintKit';
import { activated, uriOf, waitFor, workspaceFolder } from './testApi';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './workspaceSnapshot';

const DIR = 'lint-wiring';

async function open(relative: string, text: string): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const uri = await writeFile(`${DIR}/${relative}`, text);
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  return { uri, doc, editor };
}

async function insert(uri: vscode.Uri, position: vscode.Position, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, position, text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applied');
}

function endOf(doc: vscode.TextDocument): vscode.Position {
  return doc.lineAt(doc.lineCount - 1).range.end;
}

function file(relative: string): string {
  return `${DIR}/${relative}`;
}

suite('lint: editor wiring (scripted linter)', () => {
  let api: ModelshipApi;
  let before: Snapshot;
  const fake = new FakeLinter();
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('modelship');

  suiteSetup(async () => {
    api = await activated();
    before = takeSnapshot(workspaceFolder().uri.fsPath);
    api.testing.setLinter(fake.lint);
    api.testing.setPeerExtensions([]);
  });
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  suiteTeardown(async () => {
    api.testing.setLinter(undefined);
    api.testing.setPeerExtensions(undefined);
    for (const key of ['lint.rules', 'lint.enable']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    restoreSnapshot(before);
    await api.lint.whenIdle();
  });

  // How fast they appear is measured by the e2e suite's lint steps and bench/, not asserted here.
  test('opening a Dockerfile shows its findings, as Modelship diagnostics that link to the rule docs', async () => {
    const uri = await writeFile(file('Dockerfile'), 'FROM python:latest\nRUN pip install flask\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitForCodes(uri, ['MS-T001', 'MS-T003']);
    const [pin, pip] = ours(uri).sort((a, b) => a.range.start.line - b.range.start.line);
    assert.ok(pin && pip);
    assert.strictEqual(pin.source, 'Modelship');
    assert.strictEqual(pin.message, 'python:latest is not pinned');
    assert.strictEqual(pin.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(pip.severity, vscode.DiagnosticSeverity.Information);
    assert.deepStrictEqual([pin.range.start.line, pin.range.start.character, pin.range.end.line, pin.range.end.character], [0, 0, 0, 18], 'zero-based ranges carry over');
    const code = pin.code as { value: string; target: vscode.Uri };
    assert.strictEqual(code.value, 'MS-T001');
    assert.strictEqual(code.target.toString(true), 'https://github.com/modelship/modelship/blob/main/docs/rules.md#ms-t001');
    assert.strictEqual(pin.relatedInformation?.length, 1);
    assert.strictEqual(pin.relatedInformation?.[0]?.location.uri.toString(), uriOf('requirements.txt').toString());
    assert.strictEqual(pin.relatedInformation?.[0]?.message, 'the Python version comes from here');
    const call = fake.last(file('Dockerfile'));
    assert.strictEqual(call?.kind, 'dockerfile');
    assert.strictEqual(call?.modelCount, 5, 'the folder\'s ProjectDescription is passed to the linter');
  });

  test('quick fixes: the finding\'s own fix (preferred), "Ignore … for this line", "Disable … in settings"; applying the fix removes the diagnostic', async () => {
    const { uri, doc } = await open('fix/Dockerfile', 'FROM python:latest\nRUN pip install flask\n');
    await waitForCodes(uri, ['MS-T001', 'MS-T003']);
    const actions = await codeActionsAt(uri, new vscode.Range(0, 0, 0, 0));
    const mine = actions.filter((a) => /MS-T001|Pin python/.test(a.title));
    assert.deepStrictEqual(mine.map((a) => a.title), ['Pin python to 3.11-slim', 'Ignore MS-T001 for this line', 'Disable MS-T001 in settings']);
    for (const a of mine) assert.strictEqual(a.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.strictEqual(mine[0]?.isPreferred, true);
    await applyAction(mine[0], 'pin');
    assert.strictEqual(doc.lineAt(0).text, 'FROM python:3.11-slim');
    await waitForCodes(uri, ['MS-T003']);
    const second = await codeActionsAt(uri, new vscode.Range(1, 0, 1, 0));
    await applyAction(second.find((a) => a.title === 'Add --no-cache-dir'), '--no-cache-dir');
    assert.strictEqual(doc.lineAt(1).text, 'RUN pip install --no-cache-dir flask');
    await waitForCodes(uri, []);
  });

  test('typing re-lints only the edited document, once, after the keystrokes settle (debounced)', async () => {
    const other = await open('other/Dockerfile', 'FROM node:latest\n');
    const typed = await open('typing/Dockerfile', 'FROM python:3.11-slim\n');
    await waitForCodes(other.uri, ['MS-T001']);
    // Creating the two files fires the watcher (300 ms debounce), and a project update re-lints every
    // open document on purpose: wait until no lint has run for a whole second (a loaded machine can
    // deliver the watcher's event late) before counting what typing alone causes.
    for (let quiet = 0, seen = -1, tries = 0; quiet < 2 && tries < 30; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await api.lint.whenIdle();
      const now = fake.count(file('typing/Dockerfile')) + fake.count(file('other/Dockerfile'));
      quiet = now === seen ? quiet + 1 : 0;
      seen = now;
    }
    const [typedBefore, otherBefore] = [fake.count(file('typing/Dockerfile')), fake.count(file('other/Dockerfile'))];
    const statsBefore = api.lint.stats.calls.get(other.uri.toString());
    // A loaded machine can pause between two edits for longer than the debounce; each such pause may
    // legitimately cost one more lint, so count them instead of assuming the burst stayed tight.
    const stamps: number[] = [];
    for (const ch of 'FROM python:latest\n') {
      await insert(typed.uri, endOf(typed.doc), ch);
      stamps.push(Date.now());
    }
    const pauses = stamps.slice(1).filter((t, i) => t - stamps[i]! >= 200).length;
    if (pauses === 0) assert.strictEqual(fake.count(file('typing/Dockerfile')), typedBefore, 'no lint ran while typing (each keystroke restarted the 250 ms wait)');
    await waitForCodes(typed.uri, ['MS-T001']);
    await api.lint.whenIdle();
    const lints = fake.count(file('typing/Dockerfile')) - typedBefore;
    assert.ok(lints >= 1 && lints <= pauses + 1, `one lint per quiet period: ${lints} lints for 19 keystrokes with ${pauses} pauses over 200 ms`);
    assert.strictEqual(fake.last(file('typing/Dockerfile'))?.text, 'FROM python:3.11-slim\nFROM python:latest\n');
    assert.strictEqual(fake.count(file('other/Dockerfile')), otherBefore, 'the other document was not re-linted');
    assert.strictEqual(api.lint.stats.calls.get(other.uri.toString()), statsBefore);
    assert.strictEqual(ours(typed.uri)[0]?.range.start.line, 1);
  });

  test('a result computed for an older version of the document is dropped, and the latest one shown', async () => {
    const { uri, doc } = await open('slow/Dockerfile', '# slow\nFROM python:3.11-slim\n');
    await api.lint.whenIdle();
    const dropped = api.lint.stats.dropped;
    const calls = fake.count(file('slow/Dockerfile'));
    const release = fake.holdSlow();
    try {
      await insert(uri, endOf(doc), 'FROM python:latest\n');
      await waitFor('the slow lint to start', () => fake.count(file('slow/Dockerfile')) > calls);
      await insert(uri, endOf(doc), 'FROM node:latest\n');
    } finally {
      release();
    }
    await waitForCodes(uri, ['MS-T001', 'MS-T001']);
    await api.lint.whenIdle();
    assert.ok(api.lint.stats.dropped > dropped, 'the first result was dropped');
    assert.deepStrictEqual(ours(uri).map((d) => d.range.start.line).sort(), [2, 3]);
  });

  test('an ignore comment silences a finding; the quick fix writes it, and adds to one already there', async () => {
    const { uri, doc } = await open('ignore/Dockerfile', 'FROM python:latest BOGUS\n');
    await api.lint.whenIdle();
    assert.deepStrictEqual(codes(uri), ['MS-DF000', 'MS-T001'], JSON.stringify({ calls: fake.calls.filter((c) => c.file.includes('ignore')), stats: [...api.lint.stats.calls], dropped: api.lint.stats.dropped }));
    let actions = await codeActionsAt(uri, new vscode.Range(0, 0, 0, 0));
    await applyAction(actions.find((a) => a.title === 'Ignore MS-T001 for this line'), 'ignore MS-T001');
    assert.strictEqual(doc.getText(), '# modelship-ignore MS-T001\nFROM python:latest BOGUS\n');
    await waitForCodes(uri, ['MS-DF000']);
    actions = await codeActionsAt(uri, new vscode.Range(1, 0, 1, 0));
    assert.ok(!actions.some((a) => a.title === 'Ignore MS-T001 for this line'), 'no second ignore for a silenced rule');
    await applyAction(actions.find((a) => a.title === 'Ignore MS-DF000 for this line'), 'ignore MS-DF000');
    assert.strictEqual(doc.getText(), '# modelship-ignore MS-T001 MS-DF000\nFROM python:latest BOGUS\n');
    await waitForCodes(uri, []);
  });

  test('in YAML the ignore comment keeps the line\'s indentation', async () => {
    const { uri, doc } = await open('ignore/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: "2"\n');
    await waitForCodes(uri, ['MS-K8S001', 'MS-T002']);
    const actions = await codeActionsAt(uri, new vscode.Range(3, 2, 3, 2));
    await applyAction(actions.find((a) => a.title === 'Ignore MS-K8S001 for this line'), 'ignore MS-K8S001');
    assert.strictEqual(doc.lineAt(3).text, '  # modelship-ignore MS-K8S001');
    await waitForCodes(uri, ['MS-T002']);
  });

  test('modelship.lint.rules turns a rule off or changes its severity; modelship.lint.enable off clears everything', async () => {
    const { uri } = await open('settings/Dockerfile', 'FROM python:latest\n');
    await waitForCodes(uri, ['MS-T001']);
    await config().update('lint.rules', { 'MS-T001': 'off' }, vscode.ConfigurationTarget.Workspace);
    await waitForCodes(uri, []);
    assert.deepStrictEqual(fake.last(file('settings/Dockerfile'))?.rules, { 'MS-T001': 'off' }, 'the linter gets the settings');
    await config().update('lint.rules', { 'MS-T001': 'error' }, vscode.ConfigurationTarget.Workspace);
    await waitFor('MS-T001 as an error', () => ours(uri)[0]?.severity === vscode.DiagnosticSeverity.Error);
    await config().update('lint.rules', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('MS-T001 as a warning again', () => ours(uri)[0]?.severity === vscode.DiagnosticSeverity.Warning);
    await config().update('lint.enable', false, vscode.ConfigurationTarget.Workspace);
    await waitForCodes(uri, []);
    await config().update('lint.enable', undefined, vscode.ConfigurationTarget.Workspace);
    await waitForCodes(uri, ['MS-T001']);
  });

  test('"Disable … in settings" writes the rule off in the workspace\'s modelship.lint.rules, keeping the other entries', async () => {
    await config().update('lint.rules', { 'MS-T003': 'error' }, vscode.ConfigurationTarget.Workspace);
    const { uri } = await open('disable/Dockerfile', 'FROM python:latest\n');
    await waitForCodes(uri, ['MS-T001']);
    const actions = await codeActionsAt(uri, new vscode.Range(0, 0, 0, 0));
    await applyAction(actions.find((a) => a.title === 'Disable MS-T001 in settings'), 'disable');
    await waitForCodes(uri, []);
    assert.deepStrictEqual(config().inspect('lint.rules')?.workspaceValue, { 'MS-T003': 'error', 'MS-T001': 'off' });
    assert.strictEqual(api.lastNotice(), 'Modelship: MS-T001 is off in the workspace settings (modelship.lint.rules).');
    await config().update('lint.rules', undefined, vscode.ConfigurationTarget.Workspace);
    await waitForCodes(uri, ['MS-T001']);
  });

  test('with Docker\'s extension installed MS-DF000 is not published, with Red Hat YAML the schema rule is not; the rest still shows', async () => {
    const df = await open('peers/Dockerfile', 'FROM python:latest\nBOGUS\n');
    const yaml = await open('peers/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: "2"\n');
    await waitForCodes(df.uri, ['MS-DF000', 'MS-T001']);
    await waitForCodes(yaml.uri, ['MS-K8S001', 'MS-T002']);
    for (const docker of ['docker.docker', 'ms-azuretools.vscode-docker']) {
      api.testing.setPeerExtensions([docker]);
      await waitForCodes(df.uri, ['MS-T001']);
      await api.lint.whenIdle();
      assert.deepStrictEqual(codes(yaml.uri), ['MS-K8S001', 'MS-T002'], `${docker} changes nothing for YAML`);
    }
    api.testing.setPeerExtensions(['redhat.vscode-yaml']);
    await waitForCodes(yaml.uri, ['MS-T002']);
    await waitForCodes(df.uri, ['MS-DF000', 'MS-T001']);
    for (const d of [...ours(df.uri), ...ours(yaml.uri)]) assert.strictEqual(d.source, 'Modelship');
    // What is really installed here: neither extension, so everything shows.
    api.testing.setPeerExtensions(undefined);
    assert.strictEqual(vscode.extensions.getExtension('redhat.vscode-yaml'), undefined);
    await waitForCodes(yaml.uri, ['MS-K8S001', 'MS-T002']);
    api.testing.setPeerExtensions([]);
  });

  test('YAML is linted only when it is a manifest; a document in the dockerfile language is a Dockerfile whatever its name', async () => {
    const notes = await open('kinds/notes.yaml', 'name: not a manifest\n');
    const manifest = await open('kinds/deploy.yml', 'apiVersion: apps/v1\nkind: Deployment\n');
    await waitForCodes(manifest.uri, ['MS-T002']);
    assert.strictEqual(fake.last(file('kinds/deploy.yml'))?.kind, 'kubernetes');
    await api.lint.whenIdle();
    assert.strictEqual(fake.count(file('kinds/notes.yaml')), 0);
    assert.deepStrictEqual(codes(notes.uri), []);
    const odd = await open('kinds/build.df', 'FROM python:latest\n');
    await api.lint.whenIdle();
    assert.strictEqual(fake.count(file('kinds/build.df')), 0, 'plain text is not linted');
    await vscode.languages.setTextDocumentLanguage(odd.doc, 'dockerfile');
    await waitForCodes(odd.uri, ['MS-T001']);
    assert.strictEqual(fake.last(file('kinds/build.df'))?.kind, 'dockerfile');
  });

  test('the .dockerignore beside a Dockerfile is passed to the linter, and changing it re-lints the Dockerfile', async () => {
    const { uri } = await open('ctx/Dockerfile', 'FROM python:3.11-slim\n');
    await waitFor('a first lint', () => fake.count(file('ctx/Dockerfile')) > 0);
    await api.lint.whenIdle();
    assert.strictEqual(fake.last(file('ctx/Dockerfile'))?.dockerignore, undefined);
    await writeFile(file('ctx/.dockerignore'), '*.pkl\n');
    await waitFor('the new .dockerignore passed', () => fake.last(file('ctx/Dockerfile'))?.dockerignore === '*.pkl\n');
    await writeFile(file('ctx/.dockerignore'), 'data/\n');
    await waitFor('the changed .dockerignore passed', () => fake.last(file('ctx/Dockerfile'))?.dockerignore === 'data/\n');
    await vscode.workspace.fs.delete(uriOf(file('ctx/.dockerignore')));
    await waitFor('no .dockerignore passed', () => fake.last(file('ctx/Dockerfile'))?.dockerignore === undefined);
    assert.ok(uri);
  });

  test('the files of the build context, with their sizes, are passed to the linter; a new file there is in the next list', async () => {
    await writeFile(file('context/weights.bin'), Buffer.alloc(1234));
    await open('context/Dockerfile', 'FROM python:3.11-slim\nCOPY weights.bin /app/\n');
    const listed = (name: string, bytes?: number) => () => fake.last(file('context/Dockerfile'))?.contextFiles
      ?.some((f) => f.path === file(`context/${name}`) && (bytes === undefined || f.bytes === bytes));
    await waitFor('weights.bin in the context', listed('weights.bin', 1234));
    const paths = fake.last(file('context/Dockerfile'))?.contextFiles?.map((f) => f.path) ?? [];
    assert.deepStrictEqual(paths, [file('context/Dockerfile'), file('context/weights.bin')], 'project-relative paths of the Dockerfile\'s folder only');
    await writeFile(file('context/extra.txt'), 'x');
    await waitFor('extra.txt in the context', listed('extra.txt', 1), 10000);
  });

  test('a Dockerfile opened on its own, outside the workspace folders, is linted relative to its own folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelship-lone-'));
    try {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:latest\n');
      const uri = vscode.Uri.file(path.join(dir, 'Dockerfile'));
      assert.strictEqual(vscode.workspace.getWorkspaceFolder(uri), undefined);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await waitForCodes(uri, ['MS-T001']);
      const call = fake.last('Dockerfile');
      assert.strictEqual(call?.modelCount, undefined, 'no project description for a lone file');
      assert.strictEqual(call?.contextFiles, undefined, 'its folder is not listed');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('closing a Dockerfile clears its diagnostics', async () => {
    // Opened like a click in the Explorer: a document this host opened itself would be kept alive for minutes.
    const uri = await writeFile(file('close/Dockerfile'), 'FROM python:latest\n');
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitForCodes(uri, ['MS-T001']);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitForCodes(uri, [], 10000);
    await sleep(300);
    assert.deepStrictEqual(codes(uri), []);
  });
});

import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ProjectDescription } from '../../src/core/detect/types';
import { ALL_TARGETS, scaffold, type ContainerizeOptions, type ScaffoldResult } from '../../src/core/scaffold';
import type { ContainerizeResult } from '../../src/extension/containerize/containerize';
import type { ModelshipApi } from '../../src/extension/extension';
import { KEEP_MINE, OVERWRITE, OVERWRITE_ALL, REVIEW_EACH } from '../../src/extension/containerize/planConsent';
import { ScriptedPrompter, accept, cancel, choose, type, type Answer, type Question } from './scriptedPrompter';
import { activated, uriOf, workspaceFolder } from './testApi';
import { addedFiles, restoreSnapshot, takeSnapshot, type Snapshot } from './workspaceSnapshot';

const IRIS = 'models/iris.pkl';

function root(): string {
  return workspaceFolder().uri.fsPath;
}

function read(relative: string): string {
  return fs.readFileSync(path.join(root(), relative), 'utf8');
}

/**
 * The real scaffold, plus a stand-in Dockerfile and .dockerignore while the Dockerfile generator
 * has not landed: the consent tests need a file to disagree about whichever generators exist.
 */
function withDockerfile(desc: ProjectDescription, options: ContainerizeOptions): ScaffoldResult {
  const result = scaffold(desc, options);
  if (!options.targets.includes('dockerfile')) return result;
  const files = [...result.files];
  const add = (p: string, contents: string): void => {
    if (!files.some((f) => f.path === p)) files.push({ path: p, contents, target: 'dockerfile', purpose: 'stand-in until the generator lands' });
  };
  add('Dockerfile', `FROM ${result.spec.baseImage}\nCOPY ${result.spec.model.source} ${result.spec.model.containerPath}\nEXPOSE ${result.spec.port}\n`);
  add('.dockerignore', '*\n!serving/\n');
  return { spec: result.spec, files: files.sort((a, b) => a.path.localeCompare(b.path)) };
}

function diffTabs(): vscode.TabInputTextDiff[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input)
    .filter((i): i is vscode.TabInputTextDiff => i instanceof vscode.TabInputTextDiff && i.modified.scheme === 'modelship-plan');
}

/** Answers a confirm dialog with `button` after checking that the diff of `relative` is open behind it. */
function overDiffOf(relative: string, button: string, seen: string[]): Answer {
  return (q) => {
    assert.strictEqual(q.kind, 'confirm');
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'modelship-plan' && t.input.original.toString() === uriOf(relative).toString());
    assert.ok(tab, `a diff of ${relative} against its planned version is open; tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label).join(', ')}`);
    assert.strictEqual(tab.label, `${relative}: current ↔ Modelship`);
    seen.push(relative);
    return choose(button)(q);
  };
}

/**
 * The consent tests generate only the Dockerfile target: the files then differ only where the
 * test edits them, whatever the other generators read back from the workspace.
 */
const dockerfileOnly = choose('Dockerfile');

function titleOf(q: Question | undefined): string | undefined {
  return q && q.kind !== 'confirm' ? q.options.title : undefined;
}

suite('modelship.containerize', () => {
  let api: ModelshipApi;
  let before: Snapshot;
  suiteSetup(async () => {
    api = await activated();
    before = takeSnapshot(root());
  });
  setup(async () => {
    await api.testing.forgetAnswers();
  });
  teardown(async () => {
    api.testing.setPrompter(undefined);
    api.testing.setScaffold(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    restoreSnapshot(before);
  });
  suiteTeardown(async () => {
    // Leave detection with exactly the fixture's state for the suites after this one.
    await vscode.commands.executeCommand('modelship.refresh');
  });

  async function run(target: unknown, ...answers: Answer[]): Promise<{ result: ContainerizeResult | undefined; prompter: ScriptedPrompter }> {
    const prompter = new ScriptedPrompter(...answers);
    api.testing.setPrompter(prompter);
    const result = await vscode.commands.executeCommand<ContainerizeResult>('modelship.containerize', target);
    assert.strictEqual(prompter.remaining, 0, `every scripted answer was used; asked: ${prompter.asked.map((q) => q.kind).join(', ')}`);
    return { result, prompter };
  }

  test('asks for targets (all ticked), GPU (No) and mode (Bake), then writes exactly the planned files', async () => {
    const { result, prompter } = await run(uriOf(IRIS), accept, accept, accept);
    assert.strictEqual(result?.kind, 'containerized', `${JSON.stringify(result)} / ${api.lastNotice()}`);
    const [targets, gpu, mode] = prompter.asked;
    assert.ok(targets?.kind === 'pickMany');
    assert.deepStrictEqual(targets.items.map((i) => i.value), [...ALL_TARGETS]);
    assert.deepStrictEqual(targets.options.defaults, [...ALL_TARGETS], 'every target is ticked');
    for (const i of targets.items) assert.ok(i.description && i.detail, `${i.label} says what it generates`);
    assert.strictEqual(targets.options.title, 'Modelship: Containerize iris.pkl');
    assert.ok(gpu?.kind === 'pickOne' && mode?.kind === 'pickOne');
    assert.deepStrictEqual([gpu.options.defaults, gpu.items.map((i) => i.value)], [[false], [false, true]]);
    assert.deepStrictEqual([mode.options.defaults, mode.items.map((i) => i.value)], [['bake'], ['bake', 'mount']]);
    assert.deepStrictEqual(result.answers, { targets: [...ALL_TARGETS], gpu: false, mode: 'bake' });

    // The same plan, computed here: every file is new and on disk with exactly the planned text.
    const sha = createHash('sha256').update(fs.readFileSync(path.join(root(), IRIS))).digest('hex');
    const desc = api.store.get(workspaceFolder())?.description;
    assert.ok(desc);
    const planned = scaffold(desc, { model: IRIS, gpu: false, mode: 'bake', targets: [...ALL_TARGETS], modelSha256: sha });
    assert.strictEqual(result.image, planned.spec.image.ref);
    assert.match(result.image, new RegExp(`-${sha.slice(0, 8)}$`), 'the image tag carries the model hash');
    assert.deepStrictEqual(result.files.map((f) => [f.path, f.kind, f.action]), planned.files.map((f) => [f.path, 'new', 'written']));
    for (const f of planned.files) assert.strictEqual(read(f.path), f.contents, f.path);
    // Besides the planned files, the record of what was generated (so a re-run updates only unedited files).
    assert.deepStrictEqual(addedFiles(before), [...planned.files.map((f) => f.path), '.modelship/generated.json'].sort());

    const dockerfile = planned.files.find((f) => f.path === 'Dockerfile');
    if (dockerfile) {
      assert.strictEqual(result.opened, uriOf('Dockerfile').toString());
      assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), uriOf('Dockerfile').toString(), 'the Dockerfile is open');
      assert.match(dockerfile.contents, /^FROM /m);
      assert.match(dockerfile.contents, /iris\.pkl/);
      assert.match(dockerfile.contents, new RegExp(`EXPOSE ${planned.spec.port}`));
    } else {
      assert.strictEqual(result.opened, planned.files[0] ? uriOf(planned.files[0].path).toString() : undefined);
    }
    const n = planned.files.length;
    assert.strictEqual(api.lastNotice(), n > 0
      ? `Containerized iris.pkl: ${n} new, 0 updated, 0 unchanged.`
      : `Modelship has nothing to generate for iris.pkl with the chosen targets (${ALL_TARGETS.join(', ')}).`);
    const plan = await vscode.workspace.openTextDocument(vscode.Uri.parse(result.planUri));
    assert.match(plan.getText(), /^# Modelship plan: models\/iris\.pkl\n\nServing models\/iris\.pkl \(pickle, sklearn\) as /);
  });

  test('the Dockerfile editor opens at the end when the dockerfile target is chosen', async () => {
    api.testing.setScaffold(withDockerfile);
    const { result } = await run(uriOf(IRIS), accept, accept, accept);
    assert.strictEqual(result?.kind, 'containerized');
    assert.strictEqual(result.opened, uriOf('Dockerfile').toString());
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), uriOf('Dockerfile').toString());
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), read('Dockerfile'));
  });

  test('running it again (after detection saw the new files) plans every file unchanged and writes nothing', async () => {
    api.testing.setScaffold(withDockerfile);
    const first = (await run(uriOf(IRIS), accept, accept, accept)).result;
    assert.strictEqual(first?.kind, 'containerized');
    const mtimes = new Map(first.files.map((f) => [f.path, fs.statSync(path.join(root(), f.path)).mtimeMs]));
    // A later re-run sees a workspace where detection has read the generated files too.
    await vscode.commands.executeCommand('modelship.refresh');
    await new Promise((r) => setTimeout(r, 30));
    // A file that came out different would bring an overwrite question the script does not answer.
    const { result, prompter } = await run(uriOf(IRIS), accept, accept, accept);
    assert.strictEqual(result?.kind, 'containerized', `the second run asked nothing more: ${api.lastNotice()}`);
    assert.ok(result.files.length >= 2);
    assert.deepStrictEqual(result.files.filter((f) => f.action !== 'unchanged'), [], 'every file is unchanged on the second run');
    assert.deepStrictEqual(result.counts, { new: 0, updated: 0, unchanged: result.files.length, kept: 0 });
    assert.ok(!prompter.asked.some((q) => q.kind === 'confirm'), 'no overwrite question');
    for (const [p, mtime] of mtimes) assert.strictEqual(fs.statSync(path.join(root(), p)).mtimeMs, mtime, `${p} was not rewritten`);
    assert.strictEqual(api.lastNotice(), `iris.pkl is already containerized: ${result.files.length} files unchanged.`);
  });

  test('a Dockerfile you edited is kept with "Keep Mine", asked over its diff', async () => {
    api.testing.setScaffold(withDockerfile);
    await run(uriOf(IRIS), dockerfileOnly, accept, accept);
    const mine = `${read('Dockerfile')}# my change\n`;
    fs.writeFileSync(path.join(root(), 'Dockerfile'), mine);
    const seen: string[] = [];
    const { result, prompter } = await run(uriOf(IRIS), accept, accept, accept, overDiffOf('Dockerfile', KEEP_MINE, seen));
    assert.deepStrictEqual(seen, ['Dockerfile']);
    const q = prompter.asked[3];
    assert.ok(q?.kind === 'confirm');
    assert.match(q.message, /^Dockerfile differs from what Modelship generates\. Overwrite it\?$/);
    assert.deepStrictEqual(q.options.buttons, [KEEP_MINE, OVERWRITE], 'the default (first) button overwrites nothing');
    assert.strictEqual(read('Dockerfile'), mine, 'your Dockerfile is untouched');
    assert.strictEqual(result?.kind, 'containerized');
    assert.deepStrictEqual(result.files.find((f) => f.path === 'Dockerfile'), { path: 'Dockerfile', kind: 'changed', action: 'kept' });
    assert.strictEqual(result.counts.kept, 1);
    assert.match(api.lastNotice() ?? '', /, 1 kept \(yours\)\.$/);
    assert.deepStrictEqual(diffTabs(), [], 'the diff editor is closed once answered');
  });

  test('other options update the files nobody edited without asking, and ask only about an edited one (the record the CLI keeps too)', async () => {
    api.testing.setScaffold(withDockerfile);
    await run(uriOf(IRIS), dockerfileOnly, accept, accept);
    const record = JSON.parse(read('.modelship/generated.json')) as { files: Record<string, string> };
    assert.ok(record.files.Dockerfile && record.files['.dockerignore'], JSON.stringify(record));
    fs.writeFileSync(path.join(root(), '.dockerignore'), `${read('.dockerignore')}# mine\n`);
    // New options: every generated file comes out different.
    api.testing.setScaffold((desc, options) => {
      const result = withDockerfile(desc, options);
      return { ...result, files: result.files.map((f) => ({ ...f, contents: `${f.contents}# new options\n` })) };
    });
    const seen: string[] = [];
    const { result, prompter } = await run(uriOf(IRIS), accept, accept, accept, overDiffOf('.dockerignore', KEEP_MINE, seen));
    assert.deepStrictEqual(seen, ['.dockerignore'], 'only the edited file is asked about');
    const question = prompter.asked.find((q) => q.kind === 'confirm');
    assert.match(question?.kind === 'confirm' ? question.options.detail ?? '' : '', /1 file Modelship wrote and nobody edited since is written either way\. Cancel writes nothing\./);
    assert.strictEqual(result?.kind, 'containerized');
    assert.deepStrictEqual(result.files.find((f) => f.path === 'Dockerfile'), { path: 'Dockerfile', kind: 'outdated', action: 'written' });
    assert.deepStrictEqual(result.files.find((f) => f.path === '.dockerignore'), { path: '.dockerignore', kind: 'changed', action: 'kept' });
    assert.match(read('Dockerfile'), /# new options\n$/);
    assert.match(read('.dockerignore'), /# mine\n$/);
  });

  test('... and overwritten with "Overwrite"', async () => {
    api.testing.setScaffold(withDockerfile);
    await run(uriOf(IRIS), dockerfileOnly, accept, accept);
    const generated = read('Dockerfile');
    fs.writeFileSync(path.join(root(), 'Dockerfile'), 'FROM scratch\n');
    const seen: string[] = [];
    const { result } = await run(uriOf(IRIS), accept, accept, accept, overDiffOf('Dockerfile', OVERWRITE, seen));
    assert.deepStrictEqual(seen, ['Dockerfile']);
    assert.strictEqual(read('Dockerfile'), generated);
    assert.strictEqual(result?.kind, 'containerized');
    assert.deepStrictEqual(result.files.find((f) => f.path === 'Dockerfile'), { path: 'Dockerfile', kind: 'changed', action: 'written' });
    assert.deepStrictEqual([result.counts.updated, result.counts.kept], [1, 0]);
    assert.match(api.lastNotice() ?? '', /^Containerized iris\.pkl: 0 new, 1 updated, \d+ unchanged\.$/);
  });

  test('Cancel at the overwrite question writes nothing, not even the new files', async () => {
    api.testing.setScaffold(withDockerfile);
    await run(uriOf(IRIS), dockerfileOnly, accept, accept);
    fs.writeFileSync(path.join(root(), 'Dockerfile'), 'FROM scratch\n');
    fs.rmSync(path.join(root(), '.dockerignore'));
    const { result } = await run(uriOf(IRIS), accept, accept, accept, cancel);
    assert.deepStrictEqual(result, { kind: 'cancelled', at: 'overwrite' });
    assert.strictEqual(read('Dockerfile'), 'FROM scratch\n');
    assert.ok(!fs.existsSync(path.join(root(), '.dockerignore')));
    assert.deepStrictEqual(diffTabs(), []);
  });

  test('several edited files: "Review Each" shows each diff and asks file by file', async () => {
    api.testing.setScaffold(withDockerfile);
    await run(uriOf(IRIS), dockerfileOnly, accept, accept);
    const generated = read('Dockerfile');
    fs.writeFileSync(path.join(root(), 'Dockerfile'), 'FROM scratch\n');
    fs.writeFileSync(path.join(root(), '.dockerignore'), 'mine\n');
    const seen: string[] = [];
    const { result, prompter } = await run(uriOf(IRIS), accept, accept, accept, choose(REVIEW_EACH),
      overDiffOf('.dockerignore', KEEP_MINE, seen), overDiffOf('Dockerfile', OVERWRITE, seen));
    const [summary, first, second] = prompter.asked.slice(3);
    assert.ok(summary?.kind === 'confirm' && first?.kind === 'confirm' && second?.kind === 'confirm');
    assert.strictEqual(summary.message, '2 existing files differ from what Modelship generates.');
    assert.deepStrictEqual(summary.options.buttons, [REVIEW_EACH, KEEP_MINE, OVERWRITE_ALL]);
    assert.match(summary.options.detail ?? '', /• \.dockerignore\n• Dockerfile/);
    assert.match(first.message, /\(1 of 2\)/);
    assert.match(second.message, /\(2 of 2\)/);
    assert.deepStrictEqual([read('.dockerignore'), read('Dockerfile')], ['mine\n', generated]);
    assert.strictEqual(result?.kind, 'containerized');
    assert.deepStrictEqual(result.counts, { new: 0, updated: 1, unchanged: result.files.length - 2, kept: 1 });
  });

  test('"Overwrite All" and "Keep Mine" answer for every edited file at once', async () => {
    api.testing.setScaffold(withDockerfile);
    await run(uriOf(IRIS), dockerfileOnly, accept, accept);
    const generated = [read('.dockerignore'), read('Dockerfile')];
    for (const f of ['Dockerfile', '.dockerignore']) fs.writeFileSync(path.join(root(), f), 'mine\n');
    await run(uriOf(IRIS), accept, accept, accept, choose(KEEP_MINE));
    assert.deepStrictEqual([read('.dockerignore'), read('Dockerfile')], ['mine\n', 'mine\n']);
    await run(uriOf(IRIS), accept, accept, accept, choose(OVERWRITE_ALL));
    assert.deepStrictEqual([read('.dockerignore'), read('Dockerfile')], generated);
  });

  test('Escape at any question cancels cleanly and writes nothing', async () => {
    api.testing.setScaffold(withDockerfile);
    const notice = api.lastNotice();
    const mount = choose('Mount at run time');
    const scripts: [string, Answer[]][] = [
      ['targets', [cancel]],
      ['gpu', [accept, cancel]],
      ['mode', [accept, accept, cancel]],
      ['modelUri', [accept, accept, mount, cancel]],
    ];
    for (const [at, answers] of scripts) {
      const { result } = await run(uriOf(IRIS), ...answers);
      assert.deepStrictEqual(result, { kind: 'cancelled', at });
      assert.deepStrictEqual(addedFiles(before), [], `nothing written when cancelled at ${at}`);
    }
    assert.strictEqual(api.lastNotice(), notice, 'no message: cancelling is not an error');
  });

  test('mount mode asks for the model URI, validates it, and the answers become the next defaults', async () => {
    api.testing.setScaffold(withDockerfile);
    const first = await run(uriOf(IRIS), choose('Dockerfile', 'Serving app'), choose('GPU (NVIDIA CUDA)'), choose('Mount at run time'), type('s3://bucket/models/iris.pkl'));
    const input = first.prompter.asked[3];
    assert.ok(input?.kind === 'input');
    for (const bad of ['', 'ftp://host/model.pkl', 's3://bucket', 's3://bucket/', '/models/iris.pkl', 'pvc://claim']) {
      assert.ok(input.options.validate(bad), `"${bad}" is refused`);
    }
    for (const good of ['pvc://models/iris.pkl', 'gs://b/m/iris.pkl', 'https://example.com/iris.pkl', 's3://my.bucket-1/a/b']) {
      assert.strictEqual(input.options.validate(good), undefined, `"${good}" is accepted`);
    }
    assert.strictEqual(first.result?.kind, 'containerized');
    assert.deepStrictEqual(first.result.answers, { targets: ['dockerfile', 'app'], gpu: true, mode: 'mount', modelUri: 's3://bucket/models/iris.pkl' });
    assert.ok(first.result.files.every((f) => ['Dockerfile', '.dockerignore'].includes(f.path) || f.path.startsWith('serving/')), JSON.stringify(first.result.files));

    const second = await run(uriOf(IRIS), accept, accept, accept, accept);
    const [targets, gpu, mode, uri] = second.prompter.asked;
    assert.ok(targets?.kind === 'pickMany' && gpu?.kind === 'pickOne' && mode?.kind === 'pickOne' && uri?.kind === 'input');
    assert.deepStrictEqual(targets.options.defaults, ['dockerfile', 'app']);
    assert.deepStrictEqual(gpu.options.defaults, [true]);
    assert.deepStrictEqual(mode.options.defaults, ['mount']);
    assert.strictEqual(uri.options.value, 's3://bucket/models/iris.pkl');
    assert.strictEqual(second.result?.kind, 'containerized');
    assert.deepStrictEqual(second.result.files.filter((f) => f.action !== 'unchanged'), [], 'same answers, same files');
  });

  test('modelship.containerize.* settings give the first defaults; answers given in the workspace win after that', async () => {
    api.testing.setScaffold(withDockerfile);
    const config = vscode.workspace.getConfiguration('modelship.containerize');
    const W = vscode.ConfigurationTarget.Workspace;
    await config.update('defaultTargets', ['compose', 'dockerfile', 'no-such-target'], W);
    await config.update('gpu', true, W);
    await config.update('mode', 'mount', W);
    try {
      const fromSettings = await run(uriOf(IRIS), accept, accept, accept, cancel);
      const [t, g, m] = fromSettings.prompter.asked;
      assert.deepStrictEqual([t?.options, g?.options, m?.options].map((o) => (o as { defaults?: unknown }).defaults), [['dockerfile', 'compose'], [true], ['mount']]);
      assert.deepStrictEqual(fromSettings.result, { kind: 'cancelled', at: 'modelUri' }, 'a cancelled run remembers nothing');
      await run(uriOf(IRIS), choose('Dockerfile'), choose('No GPU'), choose('Bake into the image'));
      const remembered = await run(uriOf(IRIS), accept, accept, cancel);
      const [t2, g2, m2] = remembered.prompter.asked;
      assert.deepStrictEqual([t2?.options, g2?.options, m2?.options].map((o) => (o as { defaults?: unknown }).defaults), [['dockerfile'], [false], ['bake']]);
    } finally {
      for (const key of ['defaultTargets', 'gpu', 'mode']) await config.update(key, undefined, W);
    }
  });

  test('from the palette it asks which model first; on a folder with several models, which of them', async () => {
    const palette = await run(undefined, choose(IRIS), cancel);
    assert.deepStrictEqual(palette.result, { kind: 'cancelled', at: 'targets' });
    const pick = palette.prompter.asked[0];
    assert.ok(pick?.kind === 'pickOne');
    assert.ok(pick.items.some((i) => i.label === IRIS));
    assert.strictEqual(titleOf(palette.prompter.asked[1]), 'Modelship: Containerize iris.pkl');

    const folder = await run(uriOf('models'), choose('models/lgbm_model.txt'), cancel);
    const which = folder.prompter.asked[0];
    assert.ok(which?.kind === 'pickOne');
    assert.deepStrictEqual(which.items.map((i) => i.label), ['models/booster.json', 'models/iris.pkl', 'models/lgbm_model.txt']);
    assert.strictEqual(titleOf(folder.prompter.asked[1]), 'Modelship: Containerize lgbm_model.txt');
  });

  test('from a Models tree item it asks no model question', async () => {
    const node = api.tree.getChildren().find((n) => n.kind === 'model' && n.model.path === 'weights/net.bin');
    assert.ok(node);
    const { result, prompter } = await run(node, cancel);
    assert.deepStrictEqual(result, { kind: 'cancelled', at: 'targets' });
    assert.strictEqual(prompter.asked[0]?.kind, 'pickMany');
    assert.strictEqual(titleOf(prompter.asked[0]), 'Modelship: Containerize net.bin');
  });

  test('on notes.pkl (not a model) it says so and asks nothing', async () => {
    const { result, prompter } = await run(uriOf('notes.pkl'));
    assert.strictEqual(result?.kind, 'not-a-model');
    assert.match(result.message, /"notes\.pkl" is not a model/);
    assert.deepStrictEqual(prompter.asked, []);
    assert.deepStrictEqual(addedFiles(before), []);
  });
});

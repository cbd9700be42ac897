// The engine commands against a real Docker engine: a copy of examples/iris-sklearn, containerized by
// the CLI inside the fixture workspace, is built, run, smoke-tested, followed, pushed (to the loopback
// test registry, when it is there) and stopped through executeCommand, checking the engine itself and the
// Images & Containers view after each step. A broken copy shows its failing step in the error.
//
// Without a reachable engine (or the local modelship-test/python:3.11-slim test base) the suite skips, saying why;
// with MODELSHIP_REQUIRE_VSCODE or CI set it fails instead. Everything it creates is removed.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import Mocha = require('mocha');
import type { PushResult } from '../../src/docker/push';
import type { SmokeResult } from '../../src/docker/smokeTest';
import type { LogsShown } from '../../src/extension/engine/containersLogs';
import type { RunResult } from '../../src/extension/engine/containersCommands';
import type { BuiltImage } from '../../src/extension/engine/engineBuild';
import type { ModelshipApi } from '../../src/extension/extension';
import type { TreeRow as ImagesRow } from '../../src/extension/common/treeRows';
import { isGpuDockerfile } from '../../src/extension/engine/engineTargets';
import { validateDestination } from '../../src/extension/engine/imagesPushDestination';
import { ago, hostPort } from '../../src/extension/engine/imagesTreeItems';
import { engineRequest } from '../helpers/engineSocket';
import { TEST_BASE_IMAGE, TEST_REGISTRY, testBase, testRegistryProblem } from '../helpers/testInfra';
import { ScriptedPrompter, cancel, type } from './scriptedPrompter';
import { EXTENSION_ID, activated, waitFor, workspaceFolder } from './testApi';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './workspaceSnapshot';

const REGISTRY = TEST_REGISTRY;
const REQUIRED = Boolean(process.env.MODELSHIP_REQUIRE_VSCODE || process.env.CI);
/** The project folder inside the workspace; its name is the image's name. */
const PROJECT = 'ext-engine-iris';

/** Prints a line into the suite's output (the extension host's console does not reach the terminal). */
function say(line: string): void {
  (Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void }).consoleLog(line);
}

/** The label value Modelship's containers carry for a project (src/core/ship/containerLabels.ts). */
function projectKey(dir: string): string {
  return createHash('sha256').update(dir.replace(/[\\/]+$/, '')).digest('hex').slice(0, 12);
}

interface ContainerRecord {
  Id: string;
  State: string;
}

async function containersOf(projectDir: string): Promise<ContainerRecord[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`io.modelship.project=${projectKey(projectDir)}`] }));
  const reply = await engineRequest('GET', `/containers/json?all=1&filters=${filters}`);
  assert.strictEqual(reply.status, 200, reply.body);
  return JSON.parse(reply.body) as ContainerRecord[];
}

async function removeProjectContainers(projectDir: string): Promise<void> {
  for (const c of await containersOf(projectDir).catch(() => [])) await engineRequest('DELETE', `/containers/${c.Id}?force=1&v=1`);
}

/** Copies examples/iris-sklearn to `dir` and generates its Dockerfile and app with the CLI (reusing what the base provides). */
function containerizedCopy(repo: string, dir: string, provides: string): void {
  fs.cpSync(path.join(repo, 'examples/iris-sklearn'), dir, { recursive: true });
  execFileSync(process.execPath, [path.join(repo, 'dist/cli.js'), 'containerize', dir, '--only', 'dockerfile,app', '--base-image', TEST_BASE_IMAGE, '--base-provides', provides], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: 'pipe',
    timeout: 60_000,
  });
  assert.ok(fs.existsSync(path.join(dir, 'Dockerfile')), `the CLI wrote ${dir}/Dockerfile`);
}

function imageRow(api: ModelshipApi, ref: string): ImagesRow | undefined {
  return api.images.rows().find((r) => r.label === ref);
}

suite('engine commands (real Docker engine)', function () {
  let api: ModelshipApi;
  let repo: string;
  let before: Snapshot;
  let projectDir: string;
  let dockerfile: vscode.Uri;
  let imageRef: string;
  let runResult: RunResult | undefined;
  const extraImages: string[] = [];
  const extraDirs: string[] = [];

  suiteSetup(async function () {
    this.timeout(120_000);
    // What the test base provides (containerize's --base-provides: a build that needs no network), or what is missing.
    const probe = testBase();
    if ('missing' in probe) {
      if (REQUIRED) assert.fail(`MODELSHIP_REQUIRE_VSCODE/CI need a Docker engine for the engine commands: ${probe.missing}`);
      say(`    engine commands SKIPPED: ${probe.missing}`);
      this.skip();
    }
    api = await activated();
    repo = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    before = takeSnapshot(workspaceFolder().uri.fsPath);
    projectDir = path.join(workspaceFolder().uri.fsPath, PROJECT);
    containerizedCopy(repo, projectDir, (probe as { provides: string }).provides);
    dockerfile = vscode.Uri.file(path.join(projectDir, 'Dockerfile'));
    imageRef = /io\.modelship\.image="([^"]+)"/.exec(fs.readFileSync(dockerfile.fsPath, 'utf8'))?.[1]
      ?? /docker build -t (\S+) \./.exec(fs.readFileSync(dockerfile.fsPath, 'utf8'))![1]!;
    // A leftover of an earlier, interrupted run would make "the view shows it as not built" wrong.
    await removeProjectContainers(projectDir);
    await engineRequest('DELETE', `/images/${encodeURIComponent(imageRef)}?force=1`);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    if (!api) return;
    api.testing.setPrompter(undefined);
    if (projectDir) {
      await removeProjectContainers(projectDir);
      for (const ref of [imageRef, ...extraImages]) if (ref) await engineRequest('DELETE', `/images/${encodeURIComponent(ref)}?force=1`).catch(() => undefined);
    }
    for (const dir of extraDirs) fs.rmSync(dir, { recursive: true, force: true });
    if (before) restoreSnapshot(before);
    await api.whenIdle();
    await api.images.refresh();
  });

  test('the Images & Containers view lists the containerized project, not built yet', async () => {
    await api.images.refresh();
    assert.strictEqual(api.images.snapshot()?.engine, 'reachable');
    const row = imageRow(api, imageRef);
    assert.ok(row, `a row for ${imageRef}: ${JSON.stringify(api.images.rows())}`);
    assert.strictEqual(row.contextValue, 'modelship.image');
    assert.strictEqual(row.description, `${PROJECT} · not built`);
    assert.deepStrictEqual(row.children, []);
  });

  test('modelship.buildImage builds the image: the engine has it and the view shows it built', async function () {
    this.timeout(300_000);
    const built = await vscode.commands.executeCommand<BuiltImage>('modelship.buildImage', dockerfile);
    assert.ok(built, `the build returned its result (last notice: ${api.lastNotice()})`);
    assert.match(built.imageId, /^sha256:[0-9a-f]{64}$/);
    assert.deepStrictEqual(built.tags, [imageRef]);
    assert.strictEqual(built.projectDir, projectDir);
    const inspect = await engineRequest('GET', `/images/${encodeURIComponent(imageRef)}/json`);
    assert.strictEqual(inspect.status, 200, `the engine has ${imageRef}`);
    assert.strictEqual((JSON.parse(inspect.body) as { Id: string }).Id, built.imageId);
    await api.images.refresh();
    const row = imageRow(api, imageRef);
    // A build wholly from cache gives back the image (and the creation time) of an earlier identical build.
    assert.match(row?.description ?? '', new RegExp(`^${PROJECT} · \\d+(\\.\\d)? MiB · (just now|\\d+ (minute|hour|day)s? ago)$`), JSON.stringify(row));
    assert.match(api.lastNotice() ?? '', new RegExp(`^Built ${imageRef.replace(/[.]/g, '\\.')} in \\d+\\.\\d s\\.$`));
  });

  test('modelship.runContainer starts it on a free loopback port; the view shows it running', async function () {
    this.timeout(180_000);
    runResult = await vscode.commands.executeCommand<RunResult>('modelship.runContainer', dockerfile);
    assert.ok(runResult, `the run returned the container (last notice: ${api.lastNotice()})`);
    assert.strictEqual(runResult.state, 'running');
    assert.match(runResult.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.strictEqual(runResult.gpu, false);
    assert.ok(runResult.readyMs >= 0);
    const records = await containersOf(projectDir);
    assert.deepStrictEqual(records.map((r) => [r.Id, r.State]), [[runResult.id, 'running']]);
    await api.images.refresh();
    const children = imageRow(api, imageRef)?.children ?? [];
    assert.strictEqual(children.length, 1, JSON.stringify(children));
    assert.strictEqual(children[0]!.label, runResult.name);
    assert.strictEqual(children[0]!.contextValue, 'modelship.container.running');
    assert.ok(children[0]!.description.startsWith(`${runResult.url!.replace('http://', '')} · Up `), children[0]!.description);
  });

  test('modelship.smokeTest sends sample.json and gets the expected predictions', async function () {
    this.timeout(60_000);
    const result = await vscode.commands.executeCommand<SmokeResult>('modelship.smokeTest', dockerfile);
    assert.ok(result, `the smoke test returned its result (last notice: ${api.lastNotice()})`);
    const expected = JSON.parse(fs.readFileSync(path.join(repo, 'examples/iris-sklearn/expected_predictions.json'), 'utf8')) as { predictions: unknown[] };
    assert.deepStrictEqual(result.predictions, expected.predictions);
    assert.strictEqual(result.sampleSource, 'sample.json');
    assert.strictEqual(result.status, 200);
    assert.strictEqual(result.url, `${runResult?.url}/predict`);
  });

  test('modelship.showContainerLogs follows the container into "Modelship: <name>"', async function () {
    this.timeout(60_000);
    const shown = await vscode.commands.executeCommand<LogsShown>('modelship.showContainerLogs', dockerfile);
    assert.ok(shown, `logs were shown (last notice: ${api.lastNotice()})`);
    assert.deepStrictEqual(shown, { name: runResult?.name, channel: `Modelship: ${runResult?.name}`, following: true });
    const started = (): boolean => Boolean(api.images.containerLog(shown.name)?.some((l) => /Uvicorn running on|Application startup complete/.test(l)));
    await waitFor('uvicorn\'s start-up lines in the channel', started, 20_000).catch(() => assert.fail(`no uvicorn start-up line in: ${JSON.stringify(api.images.containerLog(shown.name))}`));
    // Running it again restarts the one follow (the channel is refilled, not doubled).
    await vscode.commands.executeCommand('modelship.showContainerLogs', dockerfile);
    await waitFor('the refilled channel', () => api.images.containerLog(shown.name)?.some((l) => /Uvicorn running on/.test(l)), 20_000);
    const lines = api.images.containerLog(shown.name) ?? [];
    // uvicorn's parent prints "running on" once, whatever WORKERS=auto started (each worker says "startup complete").
    assert.strictEqual(lines.filter((l) => /Uvicorn running on/.test(l)).length, 1, lines.join('\n'));
  });

  test('modelship.pushImage asks the destination, remembers it, and pushes to the loopback registry', async function () {
    this.timeout(180_000);
    const registry = await testRegistryProblem();
    if (registry) {
      if (REQUIRED) assert.fail(`MODELSHIP_REQUIRE_VSCODE/CI need the test registry: ${registry.missing}`);
      say(`      (push skipped: ${registry.missing})`);
      this.skip();
    }
    const destination = `${REGISTRY}/modelship-ext-test`;
    const prompter = new ScriptedPrompter(type(destination));
    api.testing.setPrompter(prompter);
    const pushed = await vscode.commands.executeCommand<PushResult>('modelship.pushImage', dockerfile);
    assert.ok(pushed, `the push returned its result (last notice: ${api.lastNotice()})`);
    extraImages.push(pushed.ref);
    assert.strictEqual(pushed.ref, `${destination}/${imageRef}`);
    assert.match(pushed.digest, /^sha256:[0-9a-f]{64}$/);
    assert.strictEqual(pushed.pinned, `${destination}/${imageRef.split(':')[0]}@${pushed.digest}`);
    assert.strictEqual(prompter.remaining, 0);
    // The next push proposes the destination used last in this workspace.
    const again = new ScriptedPrompter((q) => (q.kind === 'input' ? (assert.strictEqual(q.options.value, destination), undefined) : undefined));
    api.testing.setPrompter(again);
    assert.strictEqual(await vscode.commands.executeCommand('modelship.pushImage', dockerfile), undefined, 'Escape cancels quietly');
    api.testing.setPrompter(undefined);
  });

  test('modelship.stopContainer on the container node stops and removes it; the engine has none left', async function () {
    this.timeout(60_000);
    const node = { kind: 'container', project: { dockerfile: dockerfile.fsPath }, container: runResult };
    const result = await vscode.commands.executeCommand<{ stopped: { id: string; name: string }[] }>('modelship.stopContainer', node);
    assert.deepStrictEqual(result?.stopped, [{ id: runResult?.id, name: runResult?.name }]);
    assert.deepStrictEqual(await containersOf(projectDir), []);
    await api.images.refresh();
    assert.deepStrictEqual(imageRow(api, imageRef)?.children, []);
    // Nothing is left to act on: smoke says so instead of failing obscurely.
    assert.strictEqual(await vscode.commands.executeCommand('modelship.smokeTest', dockerfile), undefined);
    assert.match(api.lastNotice() ?? '', /No container of .* is running/);
  });

  test('a failing build names the failing step in its error message', async function () {
    this.timeout(300_000);
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'modelship-ext-broken-'));
    extraDirs.push(broken);
    fs.cpSync(projectDir, broken, { recursive: true });
    fs.appendFileSync(path.join(broken, 'Dockerfile'), 'RUN exit 3\n');
    const result = await vscode.commands.executeCommand('modelship.buildImage', vscode.Uri.file(path.join(broken, 'Dockerfile')));
    assert.strictEqual(result, undefined, 'the wrapper turned the failure into a message');
    assert.match(api.lastNotice() ?? '', /^Modelship: Build failed at (\w+: )?RUN exit 3: .*The step's output is in the "Modelship Build" output\.$/);
    assert.ok(!(api.lastNotice() ?? '').includes('\n'), 'one line');
  });
});

suite('engine commands in an untrusted workspace', () => {
  let api: ModelshipApi;
  suiteSetup(async () => {
    api = await activated();
  });
  teardown(() => {
    api.testing.setTrusted(undefined);
  });

  test('every engine command refuses, saying it needs trust, and the view empties into its welcome', async () => {
    api.testing.setTrusted(false);
    for (const [id, title] of [['buildImage', 'Build Image'], ['runContainer', 'Run Container'], ['smokeTest', 'Smoke Test'], ['showContainerLogs', 'Show Container Logs'], ['stopContainer', 'Stop Container'], ['pushImage', 'Push Image'], ['openContainer', 'Open in Browser']]) {
      assert.strictEqual(await vscode.commands.executeCommand(`modelship.${id}`), undefined);
      assert.strictEqual(api.lastNotice(), `Modelship: ${title} needs a trusted workspace: it builds and runs this project's code in a container. Trust the workspace (Workspaces: Manage Workspace Trust) to use engine commands.`);
    }
    await api.images.refresh();
    assert.deepStrictEqual(api.images.snapshot(), { engine: 'untrusted', projects: [] });
    assert.deepStrictEqual(api.images.rows(), []);
  });

  test('package.json disables the engine commands without trust and shows the trust welcome', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string; enablement?: string }[]; viewsWelcome: { view: string; when: string; contents: string }[] };
    };
    const engineCommands = ['buildImage', 'runContainer', 'smokeTest', 'showContainerLogs', 'stopContainer', 'pushImage', 'openContainer'].map((n) => `modelship.${n}`);
    for (const id of engineCommands) {
      assert.strictEqual(manifest.contributes.commands.find((c) => c.command === id)?.enablement, 'isWorkspaceTrusted', id);
    }
    const welcome = manifest.contributes.viewsWelcome.filter((w) => w.view === 'modelship.images');
    assert.ok(welcome.some((w) => w.when === '!isWorkspaceTrusted' && w.contents.includes('(command:workbench.trust.manage)')));
    assert.ok(welcome.some((w) => w.when.includes('modelship.engine == unreachable') && w.contents.includes('(command:modelship.refreshImages)')));
  });
});

suite('engine commands without an engine', () => {
  let api: ModelshipApi;
  let saved: string | undefined;
  let dir: string;
  suiteSetup(async () => {
    api = await activated();
    saved = process.env.DOCKER_HOST;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelship-ext-noengine-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nLABEL io.modelship.image="noengine:1" io.modelship.model.path="model.pkl"\n');
  });
  suiteTeardown(async () => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
    api.testing.forgetEngine();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the view empties into its "cannot reach" welcome and a command says which endpoint it tried', async () => {
    process.env.DOCKER_HOST = 'unix:///nonexistent/modelship-test.sock';
    api.testing.forgetEngine();
    await api.images.refresh();
    const snapshot = api.images.snapshot();
    assert.strictEqual(snapshot?.engine, 'unreachable');
    assert.match(snapshot?.message ?? '', /^Cannot reach the Docker engine at unix:\/\/\/nonexistent\/modelship-test\.sock \(DOCKER_HOST\): no such socket\./);
    assert.deepStrictEqual(api.images.rows(), []);
    assert.strictEqual(await vscode.commands.executeCommand('modelship.buildImage', vscode.Uri.file(path.join(dir, 'Dockerfile'))), undefined);
    assert.match(api.lastNotice() ?? '', /^Modelship: Cannot reach the Docker engine at unix:\/\/\/nonexistent\/modelship-test\.sock .*unset DOCKER_HOST/);
  });
});

suite('engine command questions and helpers (no engine needed)', () => {
  let api: ModelshipApi;
  let dir: string;
  suiteSetup(async () => {
    api = await activated();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelship-ext-gpu-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM nvidia/cuda:12.2.2-runtime-ubuntu22.04 AS runtime\nLABEL io.modelship.image="gpu-model:1" io.modelship.model.path="model.pt" io.modelship.port="8080"\n');
  });
  suiteTeardown(() => {
    api.testing.setPrompter(undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Run Container on a CUDA Dockerfile asks about GPUs first (All GPUs by default); Escape runs nothing', async () => {
    const prompter = new ScriptedPrompter(cancel);
    api.testing.setPrompter(prompter);
    assert.strictEqual(await vscode.commands.executeCommand('modelship.runContainer', vscode.Uri.file(path.join(dir, 'Dockerfile'))), undefined);
    const [q] = prompter.asked;
    assert.ok(q && q.kind === 'pickOne', JSON.stringify(prompter.asked));
    assert.strictEqual(q.options.title, 'Modelship: Run gpu-model:1');
    assert.deepStrictEqual(q.items.map((i) => i.label), ['All GPUs', 'No GPU']);
    assert.deepStrictEqual(q.options.defaults, ['all']);
  });

  test('helpers: CUDA bases, push destinations, ages and addresses', () => {
    assert.strictEqual(isGpuDockerfile('FROM nvidia/cuda:12.2.2-runtime-ubuntu22.04\n'), true);
    assert.strictEqual(isGpuDockerfile('FROM --platform=linux/amd64 registry.local/nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS runtime\n'), true);
    assert.strictEqual(isGpuDockerfile('FROM python:3.11-slim\n# cuda is not used here\n'), false);
    assert.strictEqual(validateDestination('ghcr.io/acme'), undefined);
    assert.strictEqual(validateDestination('127.0.0.1:5000/team/sub'), undefined);
    assert.match(validateDestination('') ?? '', /Name a registry/);
    assert.match(validateDestination('https://ghcr.io/acme') ?? '', /Leave out the scheme/);
    assert.match(validateDestination('ghcr.io/Acme Corp') ?? '', /Expected registry/);
    const now = Date.parse('2026-01-02T00:00:00Z');
    assert.deepStrictEqual(['2026-01-01T23:59:50Z', '2026-01-01T23:55:00Z', '2026-01-01T21:00:00Z', '2025-12-30T00:00:00Z'].map((t) => ago(t, now)),
      ['just now', '5 minutes ago', '3 hours ago', '3 days ago']);
    assert.strictEqual(hostPort('http://127.0.0.1:49153'), '127.0.0.1:49153');
  });
});

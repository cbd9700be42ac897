/**
 * The container commands: "Run Container" (asks about GPUs only for a CUDA image or when
 * `modelship.containerize.gpu` is on, runs the server with LOG_LEVEL=info, then waits for /readyz
 * under a cancellable notification),
 * "Smoke Test", "Show Container Logs", "Stop Container" and "Open in Browser". Each acts on a
 * container node of the Images & Containers view, or on the project of a Dockerfile (its running
 * container). Each returns what it did, as plain data. Part of the engine bundle.
 */
import * as vscode from 'vscode';
import { ModelshipError, isModelshipError } from '../../core/errors';
import { listModelContainers, readProjectClusterLimits, startModelContainer, stopAndRemove, waitForReady, type ContainerSummary } from '../../docker/container';
import { describeClusterLimits } from '../../core/ship';
import { findExpectedAnswer, findSavedSample, runSmokeTest, sampleFromServer, type SmokeResult } from '../../docker/smokeTest';
import type { LogsShown } from './containersLogs';
import type { EngineSession } from './engineSession';
import { containerArg, resolveProject, type ShipProject } from './engineTargets';

const OPEN = 'Open in Browser';
const SMOKE = 'Smoke Test';
const LOGS = 'Show Logs';

/** A started container, ready to answer. */
export interface RunResult extends ContainerSummary {
  readyMs: number;
}

async function askGpu(session: EngineSession, project: ShipProject): Promise<'all' | undefined> {
  const settingSaysGpu = session.ctx.config.containerizeDefaults(project.folder).gpu === true;
  if (!project.gpu && !settingSaysGpu) return undefined;
  const choice = await session.ctx.prompter().pickOne(
    [
      { label: 'All GPUs', description: 'docker run --gpus all', value: 'all' as const },
      { label: 'No GPU', description: 'run on the CPU', value: 'none' as const },
    ],
    { title: `Modelship: Run ${project.target.imageRef}`, placeholder: 'Give the container the GPUs of the engine\'s host?', defaults: [project.gpu ? 'all' : 'none'] },
  );
  if (!choice) throw new vscode.CancellationError();
  return choice === 'all' ? 'all' : undefined;
}

function cancelled(error: unknown): never {
  if (isModelshipError(error) && error.code === 'CANCELLED') throw new vscode.CancellationError();
  throw error;
}

/** `modelship.runContainer`. */
export async function runContainerCommand(session: EngineSession, arg: unknown): Promise<RunResult> {
  const project = await resolveProject(arg, session.ctx.prompter(), 'Run Container');
  const gpus = await askGpu(session, project);
  const settings = session.ctx.config.dockerSettings(project.folder);
  const engine = await session.engine();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Running ${project.target.imageRef}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        progress.report({ message: 'starting the container' });
        const limits = settings.applyManifestLimits ? readProjectClusterLimits(project.dir) : undefined;
        if (limits) session.ctx.log.info(`run: as the cluster will run it: ${describeClusterLimits(limits)}`);
        const { container } = await startModelContainer(
          engine,
          // info, not the image's default warning: "Show Container Logs" then shows the server starting up.
          { projectDir: project.dir, target: project.target, env: { LOG_LEVEL: 'info' }, ...(settings.hostPort ? { hostPort: settings.hostPort } : {}), ...(gpus ? { gpus } : {}), ...(limits ? { limits } : {}) },
          (warning) => {
            session.ctx.log.warn(`run: ${warning}`);
            void vscode.window.showWarningMessage(`Modelship: ${warning}`);
          },
        );
        session.ctx.log.info(`started ${container.name} (${container.id.slice(0, 12)}) from ${project.target.imageRef} at ${container.url ?? 'no published port'}`);
        progress.report({ message: `waiting for ${container.url ?? container.name}/readyz` });
        const { ms } = await waitForReady(engine, container, { timeoutMs: settings.readyTimeoutSeconds * 1000, signal: controller.signal, ...(limits ? { limits } : {}) });
        const [fresh] = (await listModelContainers(engine, project.dir, project.target.port)).filter((c) => c.id === container.id);
        return { ...(fresh ?? container), readyMs: ms };
      } catch (error) {
        session.failed(error);
        return cancelled(error);
      } finally {
        cancel.dispose();
      }
    },
  );
  const text = `${result.name} is ready at ${result.url} (${(result.readyMs / 1000).toFixed(1)} s).`;
  session.ctx.notices.lastNotice = text;
  void vscode.window.showInformationMessage(text, OPEN, SMOKE, LOGS).then((choice) => {
    const node = { kind: 'container', project: { dockerfile: project.dockerfile.fsPath }, container: result };
    if (choice === OPEN && result.url) void vscode.env.openExternal(vscode.Uri.parse(result.url));
    else if (choice === SMOKE) void vscode.commands.executeCommand('modelship.smokeTest', node);
    else if (choice === LOGS) void vscode.commands.executeCommand('modelship.showContainerLogs', node);
  });
  return result;
}

/** The container a command acts on: the node's, else the project's running one (any one with `stopped`). */
async function targetContainer(session: EngineSession, arg: unknown, title: string, stopped = false): Promise<{ container: ContainerSummary; project: ShipProject }> {
  const node = containerArg(arg);
  const project = await resolveProject(arg, session.ctx.prompter(), title);
  const engine = await session.engine();
  const all = await listModelContainers(engine, project.dir, project.target.port);
  const container = node ? all.find((c) => c.id === node.container.id) : all.find((c) => c.state === 'running') ?? (stopped ? all[0] : undefined);
  if (!container) {
    const what = node ? `${node.container.name} no longer exists` : `No container of ${project.target.name} is running`;
    throw new ModelshipError('NOT_RUNNING', `${what}.`, 'Start one with "Modelship: Run Container".');
  }
  return { container, project };
}

/** `modelship.smokeTest`: one real prediction from the running server, with the project's saved sample. */
export async function smokeTestCommand(session: EngineSession, arg: unknown): Promise<SmokeResult> {
  const { container, project } = await targetContainer(session, arg, 'Smoke Test');
  if (container.state !== 'running' || !container.url) throw new ModelshipError('NOT_RUNNING', `${container.name} is not running with a published port.`, 'Start it with "Modelship: Run Container".');
  const url = container.url;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Smoke testing ${container.name}` }, async () => {
    const saved = findSavedSample(project.dir, project.target);
    const sample = saved ?? (await sampleFromServer(url, project.target.name));
    const expected = saved ? findExpectedAnswer(project.dir, saved.source) : undefined;
    return runSmokeTest(url, sample, expected ? { expected } : {});
  });
  const answer = JSON.stringify(result.predictions ?? result.answer);
  const matched = result.expected ? `, predictions match ${result.expected.source}` : '';
  const text = `Smoke test passed: ${result.rows} row(s) from ${result.sampleSource}, ${result.status} in ${result.ms} ms${matched}: ${answer.length > 200 ? `${answer.slice(0, 199)}…` : answer}`;
  session.ctx.log.info(`smoke ${container.name}: POST ${result.url} -> ${result.status} ${JSON.stringify(result.answer).slice(0, 500)}`);
  session.ctx.notices.lastNotice = text;
  void vscode.window.showInformationMessage(text);
  return result;
}

/** `modelship.showContainerLogs`. */
export async function showContainerLogsCommand(session: EngineSession, arg: unknown): Promise<LogsShown> {
  const { container } = await targetContainer(session, arg, 'Show Container Logs', true);
  return session.logs.show(await session.engine(), container);
}

/** `modelship.stopContainer`: stops and removes the node's container, or every container of the project. */
export async function stopContainerCommand(session: EngineSession, arg: unknown): Promise<{ stopped: { id: string; name: string }[] }> {
  const node = containerArg(arg);
  const project = await resolveProject(arg, session.ctx.prompter(), 'Stop Container');
  const engine = await session.engine();
  const all = await listModelContainers(engine, project.dir, project.target.port);
  const chosen = node ? all.filter((c) => c.id === node.container.id) : all;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping ${chosen.map((c) => c.name).join(', ') || project.target.name}` }, async () => {
    for (const c of chosen) {
      await stopAndRemove(engine, c.id);
      await session.logs.stop(c.id);
    }
  });
  const stopped = chosen.map((c) => ({ id: c.id, name: c.name }));
  const text = stopped.length ? `Stopped and removed ${stopped.map((c) => c.name).join(', ')}.` : `Nothing of ${project.target.name} was running.`;
  session.ctx.notices.lastNotice = text;
  void vscode.window.showInformationMessage(text);
  return { stopped };
}

/** `modelship.openContainer`: the running server's URL in the browser. */
export async function openContainerCommand(session: EngineSession, arg: unknown): Promise<string> {
  const { container } = await targetContainer(session, arg, 'Open in Browser');
  if (!container.url) throw new ModelshipError('NO_PORT', `${container.name} publishes no port.`);
  await vscode.env.openExternal(vscode.Uri.parse(`${container.url}/docs`));
  return container.url;
}

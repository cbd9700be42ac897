/**
 * "Build Image": builds a project's image with a cancellable progress notification. Each step is
 * the notification's message ("[3/12] RUN pip install ..."); everything the build prints goes to
 * the "Modelship Build" channel, which is shown, with the failing step, when the build fails. A
 * large context is a warning with "Open .dockerignore"; a cancelled build is not an error. Part of
 * the engine bundle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelshipError, isModelshipError } from '../../core/errors';
import { formatBytes } from '../../core/formatBytes';
import { buildImage, type BuildResult } from '../../docker/build';
import type { BuildEvent } from '../../docker/buildProgress';
import type { EngineSession } from './engineSession';
import { resolveProject, type ShipProject } from './engineTargets';

const OPEN_DOCKERIGNORE = 'Open .dockerignore';
const RUN = 'Run Container';
const MESSAGE_CHARS = 90;

/** What a build produced, as the command returns it. */
export interface BuiltImage extends BuildResult {
  projectDir: string;
  imageRef: string;
}

function stepLine(event: BuildEvent & { kind: 'step' }): string {
  return `${event.index && event.total ? `[${event.index}/${event.total}] ` : ''}${event.name.replace(/\s+/g, ' ')}${event.cached ? '  (cached)' : ''}`;
}

function clip(text: string): string {
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text;
}

async function openDockerignore(dir: string): Promise<void> {
  const file = path.join(dir, '.dockerignore');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '');
  await vscode.window.showTextDocument(vscode.Uri.file(file));
}

export async function buildProjectImage(session: EngineSession, project: ShipProject): Promise<BuiltImage> {
  const { ctx } = session;
  const { target } = project;
  const out = session.buildOutput();
  out.clear();
  out.appendLine(`Building ${target.imageRef} from ${project.dockerfile.fsPath}`);
  const engine = await session.engine();
  const builder = ctx.config.dockerSettings(project.folder).builder;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Building ${target.imageRef}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let done = 0;
      try {
        const result = await buildImage(engine, {
          projectDir: project.dir,
          target,
          builder,
          signal: controller.signal,
          onContext: (plan, warning) => {
            const files = plan.entries.filter((e) => e.type === 'file').length;
            const line = `Sending ${formatBytes(plan.totalBytes)} of context (${files} files; .dockerignore kept out ${formatBytes(plan.excluded.bytes)}) to ${engine.endpoint.display}`;
            out.appendLine(line);
            progress.report({ message: clip(`context ${formatBytes(plan.totalBytes)}, ${files} files`) });
            if (warning) {
              out.appendLine(`warning: ${warning}`);
              void vscode.window.showWarningMessage(`Modelship: ${warning}`, OPEN_DOCKERIGNORE).then((choice) => {
                if (choice) void openDockerignore(project.dir);
              });
            }
          },
          onEvent: (event) => {
            if (event.kind === 'step') {
              const line = stepLine(event);
              out.appendLine(line);
              const share = event.index && event.total ? Math.floor((100 * (event.index - 1)) / event.total) : done;
              progress.report({ message: clip(line), ...(share > done ? { increment: share - done } : {}) });
              done = Math.max(done, share);
            } else if (event.kind === 'output') {
              out.append(event.text.replace(/^/gm, '    ').replace(/ {4}$/, ''));
            } else if (event.kind === 'warning') {
              out.appendLine(`warning: ${event.text}`);
            }
          },
        });
        const seconds = (result.ms / 1000).toFixed(1);
        out.appendLine(`Built ${result.tags.join(', ')} (${result.imageId.replace(/^sha256:/, '').slice(0, 12)}) with ${result.builder === 'buildkit' ? 'BuildKit' : 'the classic builder'} in ${seconds} s`);
        ctx.log.info(`built ${target.imageRef} (${result.imageId}) in ${seconds} s`);
        return { ...result, projectDir: project.dir, imageRef: target.imageRef };
      } catch (error) {
        if (isModelshipError(error) && error.code === 'CANCELLED') {
          out.appendLine('Build cancelled.');
          throw new vscode.CancellationError();
        }
        session.failed(error);
        out.appendLine((error as Error).message ?? String(error));
        if (isModelshipError(error)) for (const line of error.details ?? []) out.appendLine(`  | ${line}`);
        out.show(true);
        if (isModelshipError(error) && error.code === 'BUILD_FAILED') {
          // The notification gets the failing step; its output is in the channel just shown.
          throw new ModelshipError('BUILD_FAILED', error.message, 'The step\'s output is in the "Modelship Build" output.');
        }
        throw error;
      } finally {
        cancel.dispose();
      }
    },
  );
}

/** `modelship.buildImage`. */
export async function buildImageCommand(session: EngineSession, arg: unknown): Promise<BuiltImage> {
  const project = await resolveProject(arg, session.ctx.prompter(), 'Build Image');
  const built = await buildProjectImage(session, project);
  const text = `Built ${built.imageRef} in ${(built.ms / 1000).toFixed(1)} s.`;
  session.ctx.notices.lastNotice = text;
  void vscode.window.showInformationMessage(text, RUN).then((choice) => {
    if (choice) void vscode.commands.executeCommand('modelship.runContainer', project.dockerfile);
  });
  return built;
}

/**
 * "Push Image": asks where to (an input box prefilled with the last destination used in this
 * workspace, else `modelship.docker.registry`), tags the project's image for it and pushes with a
 * cancellable progress notification. Part of the engine bundle.
 */
import * as vscode from 'vscode';
import { formatBytes } from '../../core/formatBytes';
import { isModelshipError } from '../../core/errors';
import { pushImage, retarget, tagImage, type PushResult } from '../../docker/push';
import type { EngineSession } from './engineSession';
import { resolveProject } from './engineTargets';
import { PUSH_REGISTRY_KEY, validateDestination } from './imagesPushDestination';

const COPY = 'Copy Reference';

/** `modelship.pushImage`. */
export async function pushImageCommand(session: EngineSession, arg: unknown): Promise<PushResult> {
  const { ctx } = session;
  const project = await resolveProject(arg, ctx.prompter(), 'Push Image');
  const remembered = ctx.memento.get<string>(PUSH_REGISTRY_KEY);
  const destination = await ctx.prompter().input({
    title: `Modelship: Push ${project.target.imageRef}`,
    prompt: 'The registry (and namespace) to push to; the image keeps its name and tag',
    placeholder: 'ghcr.io/acme or 127.0.0.1:5000',
    value: remembered ?? ctx.config.dockerSettings(project.folder).registry,
    validate: validateDestination,
  });
  if (destination === undefined) throw new vscode.CancellationError();
  await ctx.memento.update(PUSH_REGISTRY_KEY, destination);
  const engine = await session.engine();
  const ref = retarget(project.target.imageRef, destination);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Pushing ${ref}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        await tagImage(engine, project.target.imageRef, ref);
        let shown = 0;
        return await pushImage(engine, ref, {
          signal: controller.signal,
          onEvent: (event, parser) => {
            if (event.kind === 'status') ctx.log.info(`push ${ref}: ${event.text}`);
            const now = Date.now();
            if (event.kind === 'layer' && now - shown > 500) {
              shown = now;
              const p = parser.progress();
              progress.report({ message: `${p.done}/${p.layers} layers, ${formatBytes(p.current)}${p.total ? ` of ${formatBytes(p.total)}` : ''}` });
            }
          },
        });
      } catch (error) {
        if (controller.signal.aborted || (isModelshipError(error) && error.code === 'CANCELLED')) throw new vscode.CancellationError();
        session.failed(error);
        throw error;
      } finally {
        cancel.dispose();
      }
    },
  );
  const text = `Pushed ${result.ref} (${result.digest.slice(0, 19)}…).`;
  ctx.notices.lastNotice = text;
  ctx.log.info(`pushed ${result.ref}: ${result.pinned}`);
  void vscode.window.showInformationMessage(text, COPY).then((choice) => {
    if (choice) void vscode.env.clipboard.writeText(result.pinned);
  });
  return result;
}

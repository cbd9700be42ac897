/**
 * The one command table. Each entry maps a short name (registered as `modelship.<name>`) to a
 * handler factory taking the Ctx; `registerCommands` registers them all through one wrapper that
 * logs failures and shows one short message with a "Show Log" action. A test checks this table
 * against `contributes.commands` in package.json.
 */
import * as vscode from 'vscode';
import { containerize } from './containerize';
import type { Ctx } from './ctx';
import { disableRule } from './disableRule';
import type { EngineCommandName } from './imagesModel';
import { errorMessage } from './log';
import { fileUri } from './modelsTreeItems';
import type { ModelsNode } from './modelsTreeNodes';
import { showReport } from './showReport';

type Handler = (...args: unknown[]) => unknown;

/** An engine command: refused in an untrusted workspace, run from the lazily loaded engine bundle. */
const engine = (name: EngineCommandName) => (ctx: Ctx): Handler => (target) => ctx.engine.run(name, target);

export const COMMANDS: Record<string, (ctx: Ctx) => Handler> = {
  containerize: (ctx) => (target) => containerize(ctx, target),
  showReport: (ctx) => (target) => showReport(ctx, target),
  refresh: (ctx) => async () => {
    await vscode.window.withProgress(
      { location: { viewId: 'modelship.models' }, title: 'Scanning for models' },
      () => ctx.detection.rescanAll(),
    );
    return ctx.store.models().length;
  },
  showLog: (ctx) => () => ctx.log.show(),
  disableRule: (ctx) => (ruleId, resource) => disableRule(ctx, ruleId, resource),
  revealModel: () => async (target) => {
    const node = target as ModelsNode | undefined;
    const uri = target instanceof vscode.Uri ? target
      : node?.kind === 'model' ? fileUri(node.folder, node.model.path) : undefined;
    if (!uri) throw new Error('no model was given to reveal; click a model in the Models view');
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return uri.toString();
  },
  buildImage: engine('buildImage'),
  runContainer: engine('runContainer'),
  smokeTest: engine('smokeTest'),
  showContainerLogs: engine('showContainerLogs'),
  stopContainer: engine('stopContainer'),
  pushImage: engine('pushImage'),
  openContainer: engine('openContainer'),
  refreshImages: (ctx) => async () => {
    await ctx.images.refresh();
    return ctx.images.latest();
  },
};

/** Fully qualified ids, in table order. */
export const COMMAND_IDS: readonly string[] = Object.keys(COMMANDS).map((name) => `modelship.${name}`);

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([name, factory]) => {
    const handler = factory(ctx);
    const id = `modelship.${name}`;
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        if (err instanceof vscode.CancellationError) return undefined;
        ctx.log.error(`${id} failed`, err);
        // A failed step's output or a container's last log lines: the notification says where to find them.
        const details = (err as { details?: unknown }).details;
        if (Array.isArray(details) && details.length > 0) ctx.log.error(details.map((line) => `  | ${String(line)}`).join('\n'));
        const hint = (err as { hint?: unknown }).hint;
        const text = `Modelship: ${errorMessage(err)}${typeof hint === 'string' ? ` ${hint}` : ''}`;
        ctx.notices.lastNotice = text;
        void vscode.window.showErrorMessage(text, 'Show Log').then((choice) => {
          if (choice) ctx.log.show();
        });
        return undefined;
      }
    });
  });
}

/**
 * The one command table: every capability's table, plus the shell's own, keyed by short names
 * (registered as `modelship.<name>`). `registerCommands` registers the bound handlers through one
 * wrapper that logs failures and shows one short message with a "Show Log" action. A test checks
 * the table against `contributes.commands` in package.json.
 */
import * as vscode from 'vscode';
import { COMMANDS as containerizeCommands } from './containerize';
import { COMMANDS as deployCommands } from './deploy';
import { bindCommands, type BoundCommands, type CommandTable, type Ctx, type Handler } from './ctx';
import { COMMANDS as engineCommands } from './engine';
import { COMMANDS as lintCommands } from './lint';
import { errorMessage } from './log';
import { COMMANDS as modelsCommands } from './models';

const SHELL_COMMANDS: CommandTable<Ctx> = {
  showLog: (ctx) => () => ctx.log.show(),
};

/** Every command, by the capability that owns it. */
export const COMMAND_TABLES = {
  shell: SHELL_COMMANDS,
  models: modelsCommands,
  containerize: containerizeCommands,
  lint: lintCommands,
  engine: engineCommands,
  deploy: deployCommands,
} as const;

/** Fully qualified ids, in table order. */
export const COMMAND_IDS: readonly string[] = Object.values(COMMAND_TABLES).flatMap((table) => Object.keys(table)).map((name) => `modelship.${name}`);

/** Registers the shell's commands and the capabilities' bound ones (the activation test checks them against the table). */
export function registerCommands(ctx: Ctx, capabilities: readonly BoundCommands[]): vscode.Disposable[] {
  return [bindCommands(SHELL_COMMANDS, ctx), ...capabilities].flatMap((bound) =>
    Object.entries(bound).map(([name, handler]) => register(ctx, `modelship.${name}`, handler)));
}

function register(ctx: Ctx, id: string, handler: Handler): vscode.Disposable {
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
}

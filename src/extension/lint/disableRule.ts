/**
 * `modelship.disableRule`: turns one lint rule off in `modelship.lint.rules`. The quick fix
 * "Disable MS-XXX in settings" passes the rule and the document; from the palette it asks which
 * rule. The config change re-lints the open documents, so the diagnostics go at once.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { loadLint } from './lintLoader';

const TARGET_NAMES: Record<vscode.ConfigurationTarget, string> = {
  [vscode.ConfigurationTarget.Global]: 'user',
  [vscode.ConfigurationTarget.Workspace]: 'workspace',
  [vscode.ConfigurationTarget.WorkspaceFolder]: 'folder',
};

async function pickRule(ctx: Ctx): Promise<string | undefined> {
  const rules = loadLint().ALL_RULES;
  if (rules.length === 0) throw new Error('this build has no lint rules to disable');
  return ctx.prompter().pickOne(rules.map((r) => ({ label: r.id, description: r.name, detail: r.summary, value: r.id })), {
    title: 'Modelship: Disable Lint Rule', placeholder: 'The rule to turn off in modelship.lint.rules',
  });
}

/** Resolves the rule id turned off, or undefined when the user dismissed the question. */
export async function disableRule(ctx: Ctx, ruleId?: unknown, resource?: unknown): Promise<string | undefined> {
  const id = typeof ruleId === 'string' && /^MS-[A-Z0-9]+$/i.test(ruleId) ? ruleId.toUpperCase() : await pickRule(ctx);
  if (!id) return undefined;
  const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
  const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  const target = await ctx.config.disableRule(id, folder);
  const text = `Modelship: ${id} is off in the ${TARGET_NAMES[target]} settings (modelship.lint.rules).`;
  ctx.log.info(text);
  ctx.notices.lastNotice = text;
  void vscode.window.showInformationMessage(text);
  return id;
}

/**
 * Asks before any existing file is replaced. One changed file: its diff (yours ↔ Modelship's)
 * opens and a modal asks Keep Mine / Overwrite. Several: a modal offers Review Each (the same,
 * file by file), Keep Mine or Overwrite All. Cancel anywhere means the run writes nothing. The
 * first button is the dialog's default (Enter), so it is always one that overwrites nothing.
 */
import * as vscode from 'vscode';
import type { PlannedChange } from '../../core/scaffold/plan';
import type { ContainerizeCtx } from './containerizeCtx';
import { fileUri } from '../common/fileUri';

export const OVERWRITE = 'Overwrite';
export const KEEP_MINE = 'Keep Mine';
export const REVIEW_EACH = 'Review Each';
export const OVERWRITE_ALL = 'Overwrite All';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The title of the diff editor for one planned file. */
export function diffTitle(path: string): string {
  return `${path}: current ↔ Modelship`;
}

async function showDiff(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, change: PlannedChange): Promise<void> {
  const planned = ctx.plans.put(folder, change.file.path, change.file.contents);
  await vscode.commands.executeCommand('vscode.diff', fileUri(folder, change.file.path), planned, diffTitle(change.file.path), { preview: true });
}

async function reviewEach(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, changed: PlannedChange[], others: string): Promise<Set<string> | undefined> {
  const overwrite = new Set<string>();
  for (const [i, change] of changed.entries()) {
    await showDiff(ctx, folder, change);
    const position = changed.length > 1 ? ` (${i + 1} of ${changed.length})` : '';
    const choice = await ctx.prompter().confirm(`${change.file.path} differs from what Modelship generates${position}. Overwrite it?`, {
      detail: `The diff shows your version on the left and Modelship's on the right. ${change.file.purpose.replace(/\.?$/, '.')} ${others}Cancel writes nothing.`,
      buttons: [KEEP_MINE, OVERWRITE],
    });
    if (choice === undefined) return undefined;
    if (choice === OVERWRITE) overwrite.add(change.file.path);
    ctx.log.info(`containerize: ${change.file.path}: ${choice === OVERWRITE ? 'overwrite' : 'keep mine'}`);
  }
  return overwrite;
}

/**
 * The paths among `changed` that the user agreed to overwrite, or undefined when they cancelled.
 * `newCount` files are written in any case (they do not exist yet), which the dialogs say.
 */
export async function askOverwrites(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, changed: PlannedChange[], newCount: number, outdatedCount = 0): Promise<Set<string> | undefined> {
  if (changed.length === 0) return new Set();
  const written = [
    newCount > 0 ? plural(newCount, 'new file') : '',
    outdatedCount > 0 ? `${plural(outdatedCount, 'file')} Modelship wrote and nobody edited since` : '',
  ].filter(Boolean);
  const others = written.length > 0 ? `${written.join(' and ')} ${newCount + outdatedCount === 1 ? 'is' : 'are'} written either way. ` : '';
  if (changed.length === 1) return reviewEach(ctx, folder, changed, others);
  const listed = changed.map((c) => `• ${c.file.path}`).join('\n');
  const choice = await ctx.prompter().confirm(`${changed.length} existing files differ from what Modelship generates.`, {
    detail: `${listed}\n\n${REVIEW_EACH} shows each diff and asks. ${KEEP_MINE} leaves them as they are; ${OVERWRITE_ALL} replaces them with Modelship's versions. ${others}Cancel writes nothing.`,
    buttons: [REVIEW_EACH, KEEP_MINE, OVERWRITE_ALL],
  });
  ctx.log.info(`containerize: ${changed.length} changed files: ${choice ?? 'cancel'}`);
  if (choice === undefined) return undefined;
  if (choice === OVERWRITE_ALL) return new Set(changed.map((c) => c.file.path));
  if (choice === KEEP_MINE) return new Set();
  return reviewEach(ctx, folder, changed, others);
}

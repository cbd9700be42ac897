/**
 * `modelship.containerize`: the model the user pointed at (Explorer, Models view, or a quick
 * pick), a few questions, then the plan: every file Modelship would write, compared with the
 * workspace. New files are written; a file that differs is overwritten only after the user said
 * so over its diff; unchanged files are left alone, so running it again changes nothing. Ends
 * by opening the Dockerfile. Cancelling any question writes nothing (and is not an error).
 */
import * as vscode from 'vscode';
import type { DetectedModel, ProjectDescription } from '../../core/detect/types';
import { LAYOUT } from '../../core/scaffold/layout';
import { writesWithoutAsking, type PlannedChange } from '../../core/scaffold/plan';
import type { ContainerizeOptions } from '../../core/scaffold/types';
import { ANSWERS_KEY, askContainerizeQuestions, defaultAnswers, type ContainerizeAnswers, type QuestionsCancelled } from './containerizeQuestions';
import type { ContainerizeCtx } from './containerizeCtx';
import { loadDetection } from '../common/loadDetection';
import { fileUri } from '../common/fileUri';
import { packagingWarnings, type PackagingWarning } from './packagingWarnings';
import { askOverwrites } from './planConsent';
import { readCurrent, writePlannedFile, writeProjectFile } from './planFiles';
import { planDiffTabs } from './planProvider';
import { countOutcomes, renderPlanSummary, specSentence, summaryLine, type FileOutcome, type PlanCounts } from './planSummary';

/** `scaffold` from the lazily loaded bundle (tests may substitute one through the API). */
export type ContainerizeResult =
  | {
    kind: 'containerized';
    model: string;
    /** The image reference the generated files build and deploy (`iris:0.1.0-1a2b3c4d`). */
    image: string;
    answers: ContainerizeAnswers;
    files: FileOutcome[];
    counts: PlanCounts;
    /** The URI of the editor opened at the end (the Dockerfile when planned). */
    opened?: string;
    /** The `modelship-plan:` summary that "Show Plan" opens. */
    planUri: string;
  }
  | { kind: 'not-a-model'; path: string; message: string }
  | { kind: 'cancelled'; at: 'model' | 'warnings' | 'targets' | 'gpu' | 'mode' | 'modelUri' | 'hash' | 'overwrite' };

const SHOW_PLAN = 'Show Plan';
/** The button of the packaging-warning dialog that goes on (its Cancel writes nothing). */
export const CONTAINERIZE_ANYWAY = 'Containerize Anyway';
const REVEAL = 'Reveal in Explorer';

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1) || p;
}

async function chooseModel(ctx: ContainerizeCtx, models: DetectedModel[]): Promise<DetectedModel | undefined> {
  if (models.length === 1) return models[0];
  return ctx.prompter().pickOne(models.map((m) => ({ label: m.path, description: `${m.format} · ${m.framework}`, value: m })), {
    title: 'Modelship: Containerize', placeholder: 'This folder holds several models: choose the one to serve',
  });
}

async function warningsAccepted(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, desc: ProjectDescription, model: DetectedModel): Promise<boolean> {
  const warnings = packagingWarnings(desc, model, await ctx.models.verdictFor(folder, model));
  if (warnings.length === 0) return true;
  for (const w of warnings) ctx.log.warn(`containerize: ${model.path}: ${w.message} [${w.code}]`);
  const [first, ...rest] = warnings as [PackagingWarning, ...PackagingWarning[]];
  const detail = [first.detail, ...rest.map((w) => `• ${w.message}`)].filter(Boolean).join('\n\n');
  const choice = await ctx.prompter().confirm(first.message, {
    detail: detail || undefined,
    buttons: [CONTAINERIZE_ANYWAY],
  });
  if (choice === undefined) ctx.log.info(`containerize: ${model.path}: cancelled at the packaging warning; nothing written`);
  return choice !== undefined;
}

async function writeAll(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, changes: PlannedChange[], overwrite: Set<string>, recordText: string | undefined): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  const written = new Set<string>();
  for (const c of changes) {
    const write = writesWithoutAsking(c) || (c.kind === 'changed' && overwrite.has(c.file.path));
    if (write) {
      await writePlannedFile(folder, c.file);
      written.add(c.file.path);
      ctx.log.info(`containerize: wrote ${c.file.path} (${c.kind === 'new' ? 'new' : c.kind === 'outdated' ? 'updated: not edited since Modelship generated it' : 'overwritten'})`);
    }
    outcomes.push({ path: c.file.path, kind: c.kind, action: write ? 'written' : c.kind === 'unchanged' ? 'unchanged' : 'kept' });
  }
  // The same record the CLI keeps: what was generated, so the next run updates only unedited files.
  const record = loadDetection().nextGeneratedRecord(recordText, changes, written);
  if (record) await writeProjectFile(folder, record.path, record.contents);
  return outcomes;
}

/** The Dockerfile when it was planned, else the first file written, else the first planned. */
async function openResult(folder: vscode.WorkspaceFolder, answers: ContainerizeAnswers, outcomes: FileOutcome[]): Promise<vscode.Uri | undefined> {
  const dockerfile = answers.targets.includes('dockerfile') ? outcomes.find((o) => o.path === LAYOUT.dockerfile) : undefined;
  const chosen = dockerfile ?? outcomes.find((o) => o.action === 'written') ?? outcomes[0];
  if (!chosen) return undefined;
  const uri = fileUri(folder, chosen.path);
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}

function notify(ctx: ContainerizeCtx, text: string, planUri: vscode.Uri, opened: vscode.Uri | undefined): void {
  ctx.notices.lastNotice = text;
  const actions = opened ? [SHOW_PLAN, REVEAL] : [SHOW_PLAN];
  void vscode.window.showInformationMessage(text, ...actions).then(async (choice) => {
    if (choice === SHOW_PLAN) await vscode.window.showTextDocument(planUri, { preview: true });
    if (choice === REVEAL && opened) await vscode.commands.executeCommand('revealInExplorer', opened);
  }).then(undefined, (err: unknown) => ctx.log.error('containerize: the notification action failed', err));
}

/** Hashes the model, scaffolds and compares with the workspace; undefined when hashing was cancelled. */
async function planFiles(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, desc: ProjectDescription, model: DetectedModel, answers: ContainerizeAnswers) {
  let sha256: string | undefined;
  try {
    sha256 = await ctx.models.hash(fileUri(folder, model.path), baseName(model.path));
  } catch (err) {
    if (err instanceof vscode.CancellationError) return undefined;
    throw err;
  }
  const options: ContainerizeOptions = {
    model: model.path, gpu: answers.gpu, mode: answers.mode, targets: answers.targets,
    ...(answers.mode === 'mount' && answers.modelUri ? { modelUri: answers.modelUri } : {}),
    ...(sha256 ? { modelSha256: sha256 } : {}),
  };
  const bundle = loadDetection();
  const { spec, files } = (ctx.overrides.scaffold ?? bundle.scaffold)(desc, options);
  const current = new Map(await Promise.all(files.map(async (f) => [f.path, await readCurrent(folder, f.path)] as const)));
  const recordText = await readCurrent(folder, bundle.GENERATED_RECORD_PATH);
  const changes = bundle.planChanges(files, (p) => current.get(p), bundle.parseGeneratedRecord(recordText));
  const table = files.length > 0 ? bundle.describePlan(changes) : '';
  ctx.log.info(`containerize: ${specSentence(spec)}${sha256 ? ` sha256 ${sha256}` : ''}\n${table || '(no files planned)'}`);
  return { spec, changes, table, recordText };
}

/** The answers to the questions (remembered for next time), or the question that was cancelled. */
async function answersFor(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, model: DetectedModel): Promise<ContainerizeAnswers | QuestionsCancelled> {
  const defaults = defaultAnswers(ctx.memento.get(ANSWERS_KEY), ctx.config.containerizeDefaults(folder));
  const asked = await askContainerizeQuestions(ctx.prompter(), model, defaults);
  if ('cancelledAt' in asked) {
    ctx.log.info(`containerize: ${model.path}: cancelled at the ${asked.cancelledAt} question; nothing written`);
    return asked;
  }
  const answers = asked.answers;
  await ctx.memento.update(ANSWERS_KEY, answers);
  ctx.log.info(`containerize: ${model.path}: targets ${answers.targets.join(',')}, gpu ${answers.gpu}, mode ${answers.mode}${answers.modelUri ? ` (${answers.modelUri})` : ''}`);
  return answers;
}

/** Asks about the changed files over their diffs, and closes the diffs once answered. */
async function consent(ctx: ContainerizeCtx, folder: vscode.WorkspaceFolder, changes: PlannedChange[]): Promise<Set<string> | undefined> {
  ctx.plans.beginRun();
  try {
    return await askOverwrites(ctx, folder, changes.filter((c) => c.kind === 'changed'), changes.filter((c) => c.kind === 'new').length, changes.filter((c) => c.kind === 'outdated').length);
  } finally {
    const tabs = planDiffTabs();
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs, true);
  }
}

export async function containerize(ctx: ContainerizeCtx, target?: unknown): Promise<ContainerizeResult> {
  const resolved = await ctx.models.resolveTarget(target, 'Modelship: Containerize');
  if (resolved.kind === 'cancelled') return { kind: 'cancelled', at: 'model' };
  if (resolved.kind === 'not-a-model') return resolved;
  const { folder, desc } = resolved;
  const model = await chooseModel(ctx, resolved.models);
  if (!model) return { kind: 'cancelled', at: 'model' };
  if (!(await warningsAccepted(ctx, folder, desc, model))) return { kind: 'cancelled', at: 'warnings' };

  const answers = await answersFor(ctx, folder, model);
  if ('cancelledAt' in answers) return { kind: 'cancelled', at: answers.cancelledAt };
  const planned = await planFiles(ctx, folder, desc, model, answers);
  if (!planned) return { kind: 'cancelled', at: 'hash' };
  const { spec, changes, table, recordText } = planned;
  const overwrite = await consent(ctx, folder, changes);
  if (!overwrite) {
    ctx.log.info('containerize: cancelled at the overwrite question; nothing written');
    return { kind: 'cancelled', at: 'overwrite' };
  }
  const outcomes = await writeAll(ctx, folder, changes, overwrite, recordText);
  const planUri = ctx.plans.put(folder, `${model.path}.plan.md`, renderPlanSummary(spec, changes, outcomes, table));
  const counts = countOutcomes(outcomes);
  const opened = await openResult(folder, answers, outcomes);
  const text = changes.length === 0
    ? `Modelship has nothing to generate for ${baseName(model.path)} with the chosen targets (${answers.targets.join(', ')}).`
    : summaryLine(baseName(model.path), counts);
  ctx.log.info(`containerize: ${text}`);
  notify(ctx, text, planUri, opened);
  return {
    kind: 'containerized', model: model.path, image: spec.image.ref, answers, files: outcomes, counts, planUri: planUri.toString(),
    ...(opened ? { opened: opened.toString() } : {}),
  };
}

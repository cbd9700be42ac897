/**
 * What a containerize run did, as plain data (returned by the command, read by the tests) and as
 * the markdown of the "Show Plan" document: the spec in one sentence, the plan per file and the
 * diffs of files that differed.
 */
import type { ChangeKind, PlannedChange } from '../../core/scaffold/plan';
import type { ServingSpec } from '../../core/scaffold/types';

/** What happened to one planned file. */
export interface FileOutcome {
  path: string;
  kind: ChangeKind;
  /** `written` (new, outdated, or overwritten with consent), `kept` (the user's version stays), `unchanged`. */
  action: 'written' | 'kept' | 'unchanged';
}

export interface PlanCounts {
  new: number;
  updated: number;
  unchanged: number;
  kept: number;
}

export function countOutcomes(files: FileOutcome[]): PlanCounts {
  return {
    new: files.filter((f) => f.kind === 'new' && f.action === 'written').length,
    updated: files.filter((f) => (f.kind === 'changed' || f.kind === 'outdated') && f.action === 'written').length,
    unchanged: files.filter((f) => f.action === 'unchanged').length,
    kept: files.filter((f) => f.action === 'kept').length,
  };
}

/** "Containerized iris.pkl: 9 new, 1 updated, 0 unchanged, 1 kept (yours)". */
export function summaryLine(name: string, counts: PlanCounts): string {
  if (counts.new + counts.updated + counts.kept === 0) return `${name} is already containerized: ${counts.unchanged} file${counts.unchanged === 1 ? '' : 's'} unchanged.`;
  const kept = counts.kept > 0 ? `, ${counts.kept} kept (yours)` : '';
  return `Containerized ${name}: ${counts.new} new, ${counts.updated} updated, ${counts.unchanged} unchanged${kept}.`;
}

export function specSentence(spec: ServingSpec): string {
  const where = spec.mode === 'bake' ? 'baked into the image' : `mounted from ${spec.modelUri ?? 'a volume'}`;
  return `Serving ${spec.model.source} (${spec.model.format}, ${spec.model.framework}) as ${spec.image.ref} on port ${spec.port}${spec.gpu.enabled ? ' with a GPU' : ''}, model ${where}.`;
}

function fence(text: string): string {
  let f = '```';
  while (text.includes(f)) f += '`';
  return f;
}

/** What differs comes first (kept files, then each diff), the full per-file table last. */
export function renderPlanSummary(spec: ServingSpec, changes: PlannedChange[], outcomes: FileOutcome[], table: string): string {
  const action = new Map(outcomes.map((o) => [o.path, o.action]));
  const lines = [`# Modelship plan: ${spec.model.source}`, '', specSentence(spec), ''];
  const kept = outcomes.filter((o) => o.action === 'kept').map((o) => o.path);
  if (kept.length > 0) lines.push(`Kept your version of: ${kept.join(', ')}.`, '');
  for (const c of changes.filter((x) => x.diff)) {
    const d = c.diff ?? '';
    const g = fence(d);
    const what = c.kind === 'outdated' ? 'updated: not edited since Modelship generated it' : action.get(c.file.path) === 'written' ? 'overwritten' : 'kept yours';
    lines.push(`## ${c.file.path} (${what})`, '', `${g}diff`, d.trimEnd(), g, '');
  }
  const f = fence(table);
  lines.push('## All files', '', '`+` new, `*` generated before and not edited since (updated), `~` differs from your version, `=` unchanged.', '', `${f}text`, table, f, '');
  return lines.join('\n');
}

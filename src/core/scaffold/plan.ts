/**
 * Compares planned files with what is on disk, so nothing is written blind: each file is new,
 * unchanged (nothing to do), outdated (Modelship wrote it and nobody edited it since, per the
 * generated-file record: updated without asking) or changed (the user's version: a unified diff
 * to show before asking). Re-running on an up-to-date project yields only `unchanged`, which
 * makes `containerize` idempotent.
 */
import { createTwoFilesPatch } from 'diff';
import { isUnedited, parseGeneratedRecord, updatedGeneratedRecord, type GeneratedRecord, type RecordFile } from './generatedRecord';
import type { PlannedFile } from './types';

export type ChangeKind = 'new' | 'unchanged' | 'outdated' | 'changed';

export interface PlannedChange {
  file: PlannedFile;
  kind: ChangeKind;
  /** Unified diff from the current contents to the planned ones (only for `changed`). */
  diff?: string;
}

/**
 * `existing(path)` returns the current text, or undefined when there is no such file; `record` is
 * what Modelship generated before (empty: every differing file is the user's).
 */
export function planChanges(files: PlannedFile[], existing: (path: string) => string | undefined, record: GeneratedRecord = new Map()): PlannedChange[] {
  return files.map((file) => {
    const current = existing(file.path);
    if (current === undefined) return { file, kind: 'new' };
    if (current === file.contents) return { file, kind: 'unchanged' };
    const diff = createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, current, file.contents, 'current', 'generated');
    return { file, kind: isUnedited(record, file.path, current) ? 'outdated' : 'changed', diff };
  });
}

/** Whether the change is written without asking: new files, and generated files nobody edited. */
export function writesWithoutAsking(change: PlannedChange): boolean {
  return change.kind === 'new' || change.kind === 'outdated';
}

/**
 * The generated-file record to write after a run, given the record's text before it (undefined:
 * none) and the paths written: every written or unchanged file now holds what Modelship generates.
 * Undefined when the record would not change, so an up-to-date re-run writes nothing at all.
 */
export function nextGeneratedRecord(previousText: string | undefined, changes: readonly PlannedChange[], written: ReadonlySet<string>): RecordFile | undefined {
  const ours = changes.filter((c) => c.kind === 'unchanged' || written.has(c.file.path)).map((c) => c.file);
  if (ours.length === 0 && previousText === undefined) return undefined;
  const next = updatedGeneratedRecord(parseGeneratedRecord(previousText), ours);
  return next.contents === previousText ? undefined : next;
}

/** One line per file for the plan: `+ new`, `* outdated`, `~ changed`, `= unchanged`, with what the file is for. */
export function describePlan(changes: PlannedChange[]): string {
  const mark: Record<ChangeKind, string> = { new: '+', outdated: '*', changed: '~', unchanged: '=' };
  const width = Math.max(...changes.map((c) => c.file.path.length), 4);
  return changes.map((c) => `${mark[c.kind]} ${c.file.path.padEnd(width)}  ${c.kind === 'unchanged' ? 'unchanged' : c.kind === 'outdated' ? `${c.file.purpose} (not edited since generated: updated)` : c.file.purpose}`).join('\n');
}

/**
 * Compares planned files with what is on disk, so nothing is written blind: each file is new,
 * unchanged (nothing to do) or changed (a unified diff to show before asking). Re-running on an
 * up-to-date project yields only `unchanged`, which makes `containerize` idempotent.
 */
import { createTwoFilesPatch } from 'diff';
import type { PlannedFile } from './types';

export type ChangeKind = 'new' | 'unchanged' | 'changed';

export interface PlannedChange {
  file: PlannedFile;
  kind: ChangeKind;
  /** Unified diff from the current contents to the planned ones (only for `changed`). */
  diff?: string;
}

/** `existing(path)` returns the current text, or undefined when there is no such file. */
export function planChanges(files: PlannedFile[], existing: (path: string) => string | undefined): PlannedChange[] {
  return files.map((file) => {
    const current = existing(file.path);
    if (current === undefined) return { file, kind: 'new' };
    if (current === file.contents) return { file, kind: 'unchanged' };
    return { file, kind: 'changed', diff: createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, current, file.contents, 'current', 'generated') };
  });
}

/** One line per file for the plan: `+ new`, `~ changed`, `= unchanged`, with what the file is for. */
export function describePlan(changes: PlannedChange[]): string {
  const mark: Record<ChangeKind, string> = { new: '+', changed: '~', unchanged: '=' };
  const width = Math.max(...changes.map((c) => c.file.path.length), 4);
  return changes.map((c) => `${mark[c.kind]} ${c.file.path.padEnd(width)}  ${c.kind === 'unchanged' ? 'unchanged' : c.file.purpose}`).join('\n');
}

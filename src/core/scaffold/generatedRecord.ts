/**
 * What Modelship wrote, so a later run can tell a file nobody touched (safe to regenerate with the
 * new options) from a file the user edited (shown as a diff and asked about). The record is
 * `.modelship/generated.json` in the project: the SHA-256 of each generated file as written. A file
 * whose bytes still hash to its recorded digest is ours; any other existing file is the user's,
 * including every file from before the record existed. Both front ends (the CLI and the
 * extension's Containerize) read and write it through this module.
 */
import { createHash } from 'node:crypto';
import type { PlannedFile } from './types';

/** A file to write that no scaffold target produces (the record itself). */
export interface RecordFile {
  path: string;
  contents: string;
}

/** Where the record lives, relative to the project root (the folder the generated paths are relative to). */
export const GENERATED_RECORD_PATH = '.modelship/generated.json';

const RECORD_VERSION = 1;

/** Generated path → SHA-256 (hex) of the contents Modelship wrote there. */
export type GeneratedRecord = ReadonlyMap<string, string>;

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The record in `text` (undefined: there is none). A record that does not parse, or has another
 * version, counts as empty, which only means every existing file is treated as the user's.
 */
export function parseGeneratedRecord(text: string | undefined): GeneratedRecord {
  if (text === undefined) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new Map();
  }
  const files = (parsed as { version?: unknown; files?: unknown } | null)?.files;
  if ((parsed as { version?: unknown }).version !== RECORD_VERSION || typeof files !== 'object' || files === null) return new Map();
  return new Map(Object.entries(files).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && /^[0-9a-f]{64}$/.test(entry[1])));
}

/** Whether `current` (the file's text on disk) is exactly what Modelship wrote there last. */
export function isUnedited(record: GeneratedRecord, path: string, current: string): boolean {
  const digest = record.get(path);
  return digest !== undefined && digest === sha256Text(current);
}

/**
 * The record after a run: each file whose disk contents now equal the generated ones (`written`,
 * or found unchanged) gets the digest of those contents; a file the user kept keeps its old entry,
 * so it stays "edited" next time too. Paths are sorted so the file diffs cleanly.
 */
export function updatedGeneratedRecord(record: GeneratedRecord, nowGenerated: readonly Pick<PlannedFile, 'path' | 'contents'>[]): RecordFile {
  const files = new Map(record);
  for (const file of nowGenerated) files.set(file.path, sha256Text(file.contents));
  const sorted = Object.fromEntries([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    path: GENERATED_RECORD_PATH,
    contents: JSON.stringify({ version: RECORD_VERSION, comment: 'Written by Modelship: the SHA-256 of each file it generated, so a re-run updates the files you did not edit and asks about the ones you did.', files: sorted }, null, 2) + '\n',
  };
}

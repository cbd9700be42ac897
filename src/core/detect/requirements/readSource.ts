/**
 * Reads a dependency file as text through the WorkspaceReader, with a size cap, and turns every
 * failure into a value so callers can report it as a Problem instead of throwing.
 * Windows PowerShell writes `pip freeze > requirements.txt` as UTF-16, so byte-order marks are honoured.
 */
import type { Problem } from '../types';
import type { WorkspaceReader } from '../../workspaceReader';

/** Dependency files are small; anything larger is almost surely not one and is not read. */
export const MAX_DEPENDENCY_FILE_BYTES = 2 * 1024 * 1024;

export type SourceText = { ok: true; text: string } | { ok: false; missing: boolean; reason: string };

export async function readSource(reader: WorkspaceReader, path: string, maxBytes = MAX_DEPENDENCY_FILE_BYTES): Promise<SourceText> {
  let size: number;
  try {
    const stat = await reader.stat(path);
    if (stat.kind !== 'file') return { ok: false, missing: false, reason: 'it is not a file' };
    size = stat.size;
  } catch (error) {
    return { ok: false, missing: true, reason: describe(error) };
  }
  if (size > maxBytes) {
    return { ok: false, missing: false, reason: `it is ${size} bytes, more than the ${maxBytes} bytes read for a dependency file` };
  }
  try {
    return { ok: true, text: decode(await reader.read(path, 0, size)) };
  } catch (error) {
    return { ok: false, missing: false, reason: describe(error) };
  }
}

function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function unreadableProblem(path: string, reason: string): Problem {
  return {
    code: 'unreadable',
    severity: 'warning',
    path,
    message: `Could not read ${path}: ${reason}. Its dependencies are left out.`,
  };
}

/** A reader that threw on one file (a bug in Modelship, not in the file): that file is left out, the others are read. */
export function readerFailedProblem(path: string, error: unknown): Problem {
  return {
    code: 'unreadable',
    severity: 'warning',
    path,
    message: `Could not read ${path} (${describe(error)}); its dependencies are left out.`,
  };
}

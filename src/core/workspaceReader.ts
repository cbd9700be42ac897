/**
 * The only way core code sees files. The CLI implements it over `fs`, the extension over
 * `vscode.workspace.fs`, tests over an in-memory map. Paths are project-relative POSIX paths;
 * `''` is the root.
 */

export type EntryKind = 'file' | 'directory' | 'symlink' | 'other';

export interface DirEntry {
  name: string;
  kind: EntryKind;
}

export interface FileStat {
  kind: 'file' | 'directory' | 'other';
  size: number;
  /** A stable identity of the underlying directory or file (device and inode), used to break symlink loops. */
  id?: string;
}

export interface WorkspaceReader {
  /** Lists a directory's entries without following symlinks. */
  list(path: string): Promise<DirEntry[]>;
  /** Stats a path, following symlinks. Rejects when the path does not exist. */
  stat(path: string): Promise<FileStat>;
  /**
   * Resolves symlinks: a project-relative path when the target lies inside the project, an
   * absolute path (starting with `/`) when it lies outside. Used only for symlinked folders.
   */
  realpath(path: string): Promise<string>;
  /** Reads up to `length` bytes at `offset`; returns fewer at the end of the file. */
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
}

/** Reads a whole small text file, refusing files larger than `maxBytes`. */
export async function readText(reader: WorkspaceReader, path: string, maxBytes = 4 * 1024 * 1024): Promise<string> {
  const stat = await reader.stat(path);
  if (stat.size > maxBytes) {
    throw new Error(`${path} is ${stat.size} bytes, larger than the ${maxBytes} bytes read for a text file`);
  }
  const bytes = await reader.read(path, 0, stat.size);
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * An in-memory WorkspaceReader for unit tests: a map from project-relative path to contents.
 * Directories are implied by the paths; symlinks are entries whose value is `{ link: 'target/path' }`.
 * It counts the bytes each path was read for, so tests can assert on read budgets.
 */
import type { DirEntry, FileStat, WorkspaceReader } from '../../src/core/workspaceReader';

export type MemoryEntry = string | Uint8Array | { link: string };

export class MemoryReader implements WorkspaceReader {
  readonly bytesRead = new Map<string, number>();
  private readonly files = new Map<string, Uint8Array>();
  private readonly links = new Map<string, string>();
  private readonly dirs = new Set<string>(['']);

  constructor(entries: Record<string, MemoryEntry>) {
    for (const [path, value] of Object.entries(entries)) {
      if (typeof value === 'object' && !(value instanceof Uint8Array)) this.links.set(path, value.link);
      else this.files.set(path, typeof value === 'string' ? new TextEncoder().encode(value) : value);
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) this.dirs.add(parts.slice(0, i).join('/'));
    }
  }

  private resolve(path: string, depth = 0): string {
    if (depth > 40) throw Object.assign(new Error(`ELOOP: ${path}`), { code: 'ELOOP' });
    const parts = path === '' ? [] : path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const target = this.links.get(prefix);
      if (target !== undefined) return this.resolve([target, ...parts.slice(i)].filter(Boolean).join('/'), depth + 1);
    }
    return path;
  }

  async realpath(path: string): Promise<string> {
    const real = this.resolve(path);
    if (!this.dirs.has(real) && !this.files.has(real)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return real;
  }

  async list(path: string): Promise<DirEntry[]> {
    const dir = this.resolve(path);
    if (!this.dirs.has(dir)) throw Object.assign(new Error(`ENOTDIR: ${path}`), { code: 'ENOTDIR' });
    const prefix = dir === '' ? '' : dir + '/';
    const names = new Map<string, DirEntry['kind']>();
    const all = [...this.files.keys(), ...this.links.keys(), ...this.dirs];
    for (const p of all) {
      if (!p.startsWith(prefix) || p === dir) continue;
      const rest = p.slice(prefix.length);
      const name = rest.split('/')[0]!;
      const full = prefix + name;
      const kind = this.links.has(full) ? 'symlink' : this.dirs.has(full) ? 'directory' : 'file';
      names.set(name, kind);
    }
    return [...names].sort(([a], [b]) => a.localeCompare(b)).map(([name, kind]) => ({ name, kind }));
  }

  async stat(path: string): Promise<FileStat> {
    const real = this.resolve(path);
    if (this.dirs.has(real)) return { kind: 'directory', size: 0, id: 'd:' + real };
    const file = this.files.get(real);
    if (!file) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return { kind: 'file', size: file.length, id: 'f:' + real };
  }

  async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    const file = this.files.get(this.resolve(path));
    if (!file) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    const chunk = file.subarray(offset, Math.min(file.length, offset + length));
    this.bytesRead.set(path, (this.bytesRead.get(path) ?? 0) + chunk.length);
    return chunk;
  }
}

/**
 * The files of a Dockerfile's build context (its folder, minus the detection excludes), with their
 * sizes, for the rules that check what COPY can find and how much `COPY .` sends. Listed in the
 * background through the same reader detection uses, only for folders on a local disk, and cached
 * per folder: when the ProjectDescription changes (a file came, went or changed) the list is
 * refreshed while the old one keeps serving, so diagnostics do not flicker. A context above
 * `maxFiles` files gives no list at all (the rules then skip, rather than report files as missing).
 */
import * as vscode from 'vscode';
import type { WorkspaceReader } from '../../core/workspaceReader';
import type { ModelshipConfig } from '../config';
import { loadDetection } from '../common/loadDetection';
import { errorMessage, type Logger } from '../log';

export interface ContextFile {
  /** Project-relative path. */
  path: string;
  bytes: number;
}

/** Lists the files below `dir` (project-relative), skipping excluded folders and links; undefined above `maxFiles`. */
export async function listContextFiles(
  reader: WorkspaceReader, dir: string, excluded: (name: string, path: string) => boolean, maxFiles: number,
): Promise<ContextFile[] | undefined> {
  const paths: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    for (const entry of await reader.list(current)) {
      const path = current ? `${current}/${entry.name}` : entry.name;
      if (entry.kind === 'directory' && !excluded(entry.name, path)) pending.push(path);
      else if (entry.kind === 'file') paths.push(path);
    }
    if (paths.length > maxFiles) return undefined;
  }
  const files: ContextFile[] = [];
  for (let i = 0; i < paths.length; i += 256) {
    const batch = paths.slice(i, i + 256);
    const sizes = await Promise.all(batch.map((p) => reader.stat(p).then((s) => s.size, () => -1)));
    batch.forEach((path, j) => {
      const bytes = sizes[j] as number;
      if (bytes >= 0) files.push({ path, bytes });
    });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

interface Entry {
  /** The last list (undefined: none yet, or the context was too big). */
  files?: ContextFile[];
  /** A fingerprint of `files`, to re-lint only when the list really changed. */
  fingerprint?: string;
  stale: boolean;
  running: boolean;
}

export class ContextFilesCache {
  private readonly entries = new Map<string, Entry>();
  private readonly readers = new Map<string, WorkspaceReader>();
  /** Listings started. */
  walks = 0;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly config: ModelshipConfig,
    private readonly log: Logger,
    /** Called when a context's list arrived or changed: its Dockerfiles should be linted again. */
    private readonly changed: (folder: vscode.WorkspaceFolder, dir: string) => void,
    private readonly maxFiles = 20_000,
  ) {}

  /** The cached list for `dir` of `folder` (possibly a little old); starts a listing when there is none or it is stale. */
  get(folder: vscode.WorkspaceFolder, dir: string): ContextFile[] | undefined {
    if (folder.uri.scheme !== 'file') return undefined;
    const key = `${folder.uri.toString()}\n${dir}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { stale: true, running: false };
      this.entries.set(key, entry);
    }
    if (entry.stale && !entry.running) void this.refresh(folder, dir, entry);
    return entry.files;
  }

  /** Resolves once no listing runs. */
  whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Marks every list of `folder` stale (its files changed); the next `get` lists again. */
  invalidate(folder: vscode.WorkspaceFolder): void {
    const prefix = `${folder.uri.toString()}\n`;
    for (const [key, entry] of this.entries) if (key.startsWith(prefix)) entry.stale = true;
  }

  private readerFor(folder: vscode.WorkspaceFolder): WorkspaceReader {
    const key = folder.uri.toString();
    let reader = this.readers.get(key);
    if (!reader) {
      reader = new (loadDetection().NodeFsReader)(folder.uri.fsPath);
      this.readers.set(key, reader);
    }
    return reader;
  }

  private async refresh(folder: vscode.WorkspaceFolder, dir: string, entry: Entry): Promise<void> {
    entry.running = true;
    entry.stale = false;
    this.walks += 1;
    this.running += 1;
    const t0 = Date.now();
    try {
      const bundle = loadDetection();
      const excluded = bundle.excludeMatcher(this.config.settingsFor(folder).detect.exclude);
      const files = await listContextFiles(this.readerFor(folder), dir, excluded, this.maxFiles);
      const fingerprint = files ? files.map((f) => `${f.path}:${f.bytes}`).join('\n') : '';
      this.log.debug(`lint: build context ${dir || '.'}: ${files ? `${files.length} files` : `over ${this.maxFiles} files, not used`} in ${Date.now() - t0} ms`);
      if (fingerprint !== entry.fingerprint) {
        entry.files = files;
        entry.fingerprint = fingerprint;
        this.changed(folder, dir);
      }
    } catch (err) {
      this.log.warn(`lint: could not list the build context ${dir || '.'}: ${errorMessage(err)}`);
    } finally {
      entry.running = false;
      this.running -= 1;
      if (entry.stale) void this.refresh(folder, dir, entry);
      else if (this.running === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}

/**
 * Walks a project folder once, sorting what it lists into files to sniff, dependency files and
 * SavedModel directories. It opens nothing: only directory listings, plus a stat per directory
 * (to break symlink loops) and per symlink.
 *
 * Invariants: each real directory is entered at most once, so symlink loops end; excluded
 * directories are never listed; results are sorted, so the same tree gives the same output.
 */
import type { WorkspaceReader } from '../workspaceReader';
import type { DetectSettings } from '../settings';
import type { DependencyFiles } from './requirementsApi';
import type { Problem } from './types';
import { dependencyKind, shouldSniff } from './candidates';
import { loadPicomatch } from '../lazyLibraries';

export interface SavedModelDir {
  path: string;
  bytes: number;
}

export interface WalkResult {
  /** Files whose bytes should be sniffed, project-relative. */
  candidates: string[];
  dependencyFiles: DependencyFiles;
  savedModels: SavedModelDir[];
  problems: Problem[];
  /** Files listed, sniffed or not. */
  filesSeen: number;
}

export function emptyDependencyFiles(): DependencyFiles {
  return { requirements: [], pyproject: [], pipfile: [], conda: [], pythonVersion: [], runtime: [] };
}

/** Builds the exclusion test: exact directory names, or globs matched against the relative path. */
export function excludeMatcher(patterns: string[]): (name: string, path: string) => boolean {
  const names = new Set(patterns.filter((p) => !/[*?[\]{}/]/.test(p)));
  const globs = patterns.filter((p) => /[*?[\]{}/]/.test(p));
  const matchers = globs.length > 0 ? globs.map((g) => loadPicomatch()(g, { dot: true })) : [];
  return (name, path) => names.has(name) || matchers.some((m) => m(path) || m(name));
}

const SAVED_MODEL_FILES = new Set(['saved_model.pb', 'saved_model.pbtxt']);
const WALK_CONCURRENCY = 16;

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function describeError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code ? `${code}: ${(error as Error).message}` : String(error);
}

/** Adds a file of this name and path to the dependency lists, when it is one. */
export function recordDependency(deps: DependencyFiles, name: string, dir: string): boolean {
  const kind = dependencyKind(name, dir);
  if (!kind) return false;
  const path = joinPath(dir, name);
  const lists: Record<typeof kind, string[]> = {
    requirements: deps.requirements, pyproject: deps.pyproject, pipfile: deps.pipfile,
    conda: deps.conda, pythonVersion: deps.pythonVersion, runtime: deps.runtime,
  };
  lists[kind].push(path);
  return true;
}

export async function walkProject(reader: WorkspaceReader, settings: DetectSettings, start = ''): Promise<WalkResult> {
  const result: WalkResult = { candidates: [], dependencyFiles: emptyDependencyFiles(), savedModels: [], problems: [], filesSeen: 0 };
  const excluded = excludeMatcher(settings.exclude);
  const visited = new Set<string>();
  const stack: { path: string; depth: number }[] = [{ path: start, depth: 0 }];
  let cutShort = false;

  /**
   * Counts and sorts one file; false once maxFiles is passed (the walk stops). Most files are
   * settled by name alone, so the path is built only for the few that are sniffed.
   */
  const addFile = (dir: string, name: string): boolean => {
    if (++result.filesSeen > settings.maxFiles) {
      cutShort = true;
      stack.length = 0;
      return false;
    }
    if (recordDependency(result.dependencyFiles, name, dir) || !shouldSniff(name)) return true;
    const path = joinPath(dir, name);
    if (!excluded(name, path)) result.candidates.push(path);
    return true;
  };

  const visit = async ({ path: dir, depth }: { path: string; depth: number }): Promise<void> => {
    let entries;
    try {
      entries = await reader.list(dir);
    } catch (error) {
      result.problems.push({ path: dir || '.', message: `Cannot list this folder (${describeError(error)})`, severity: 'warning', code: 'unreadable' });
      return;
    }
    if (entries.some((e) => SAVED_MODEL_FILES.has(e.name) && e.kind !== 'directory')) {
      result.savedModels.push({ path: dir, bytes: await treeSize(reader, dir) });
      return;
    }
    for (const entry of entries) {
      let kind = entry.kind;
      if (kind === 'file') {
        if (!addFile(dir, entry.name)) return;
        continue;
      }
      const path = joinPath(dir, entry.name);
      if (kind === 'symlink') {
        try {
          const target = await reader.stat(path);
          kind = target.kind === 'directory' ? 'directory' : target.kind === 'file' ? 'file' : 'other';
          // A linked folder inside the project is walked under its own name; one outside it is
          // walked once however many links lead there, which also ends every symlink loop.
          if (kind === 'directory') {
            const real = await reader.realpath(path);
            if (!real.startsWith('/') || visited.has(real)) continue;
            visited.add(real);
          }
        } catch {
          continue;
        }
      }
      if (kind === 'directory') {
        if (excluded(entry.name, path)) continue;
        if (depth + 1 > settings.maxDepth) {
          cutShort = true;
          continue;
        }
        stack.push({ path, depth: depth + 1 });
      } else if (kind === 'file' && !addFile(dir, entry.name)) {
        return;
      }
    }
  };

  // Several folders in flight at once: each listing waits on the kernel, not on the CPU.
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    const pump = (): void => {
      while (active < WALK_CONCURRENCY && stack.length > 0) {
        active++;
        visit(stack.pop()!).then(() => {
          active--;
          if (active === 0 && stack.length === 0) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
  if (cutShort) {
    result.problems.push({
      path: '.',
      message: `Stopped walking at ${settings.maxFiles} files or ${settings.maxDepth} levels deep; models further in were not looked for`,
      severity: 'info',
      code: 'walk-limit',
      fix: 'Exclude data folders with the modelship.detect.exclude setting, or raise modelship.detect.maxFiles.',
    });
  }
  result.candidates.sort();
  result.savedModels.sort((a, b) => a.path.localeCompare(b.path));
  for (const list of Object.values(result.dependencyFiles)) list.sort();
  return result;
}

/** Total size of the files below a directory (a SavedModel's variables, assets...). */
export async function treeSize(reader: WorkspaceReader, dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const current = stack.pop()!;
    try {
      const stat = await reader.stat(current);
      if (stat.id !== undefined) {
        if (seen.has(stat.id)) continue;
        seen.add(stat.id);
      }
      for (const entry of await reader.list(current)) {
        const path = joinPath(current, entry.name);
        if (entry.kind === 'directory') stack.push(path);
        else if (entry.kind === 'file' || entry.kind === 'symlink') {
          const stat = await reader.stat(path).catch(() => undefined);
          if (stat?.kind === 'file') total += stat.size;
          else if (stat?.kind === 'directory') stack.push(path);
        }
      }
    } catch {
      // An unreadable corner of a SavedModel only makes its size an underestimate.
    }
  }
  return total;
}

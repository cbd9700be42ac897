import type { WorkspaceReader } from '../workspaceReader';
import type { DetectSettings } from '../settings';
import type { DependencyFiles, DependencyResult } from './requirementsApi';
import type { DetectedModel, Problem, ProjectDescription } from './types';
import { readDependencies } from './requirements';
import { EmptyFileError, inspectFile } from './sniffFile';
import { emptyDependencyFiles, excludeMatcher, recordDependency, treeSize, walkProject, type SavedModelDir } from './walkProject';
import { dependencyKind, isModelFileName, shouldSniff } from './candidates';
import { projectProblems } from './projectProblems';
import { sniffSavedModel } from './formats/savedModel';

/** Scans the whole project once. `root` is the absolute path reported in the description. */
export async function detectProject(reader: WorkspaceReader, settings: DetectSettings, root: string): Promise<ProjectDescription> {
  return new ProjectDetector(reader, settings, root).scan();
}


function describeError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code ? `${code}` : error instanceof Error ? error.message : String(error);
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}

/**
 * Describes one file: its model (if it is one) with the dependency files that sit beside it.
 * For `modelship detect path/to/model.pkl`, where walking the whole parent folder would be wrong.
 */
export async function detectFile(reader: WorkspaceReader, settings: DetectSettings, root: string, path: string): Promise<ProjectDescription> {
  const dir = path.slice(0, Math.max(0, path.lastIndexOf('/')));
  const files = emptyDependencyFiles();
  for (const entry of await reader.list(dir)) if (entry.kind !== 'directory') recordDependency(files, entry.name, dir);
  const fileProblems: Problem[] = [];
  let model: DetectedModel | undefined;
  try {
    const inspection = await inspectFile(reader, path, (await reader.stat(path)).size);
    model = inspection.model;
    if (inspection.problem) fileProblems.push(inspection.problem);
  } catch (error) {
    fileProblems.push({ path, message: `Cannot read this file (${describeError(error)})`, severity: 'warning', code: error instanceof EmptyFileError ? 'empty-file' : 'unreadable' });
  }
  const deps = await readDependencies(reader, files, settings);
  const { models, problems } = await projectProblems(model ? [model] : [], deps, fileProblems, async () => undefined);
  return { root, models, requirements: deps.requirements, python: deps.python, problems };
}

/**
 * Keeps the last scan and updates it incrementally: `update(paths)` re-sniffs only the named
 * paths (created, changed or deleted files and folders), re-reads dependency files when one of
 * them changed, and recomputes the cross-file problems.
 */
export class ProjectDetector {
  /** The latest description, or undefined before the first scan. */
  current: ProjectDescription | undefined;
  /** How many full scans and incremental updates ran (the extension's tests read these). */
  readonly counters = { scans: 0, updates: 0, sniffs: 0, filesSeen: 0 };

  private models = new Map<string, DetectedModel>();
  private savedModels = new Map<string, SavedModelDir>();
  private fileProblems = new Map<string, Problem[]>();
  private walkProblems: Problem[] = [];
  private dependencyFiles: DependencyFiles = emptyDependencyFiles();
  private dependencies: DependencyResult | undefined;
  private readonly excluded: (name: string, path: string) => boolean;

  constructor(
    private readonly reader: WorkspaceReader,
    private readonly settings: DetectSettings,
    private readonly root: string,
  ) {
    this.excluded = excludeMatcher(settings.exclude);
  }

  async scan(): Promise<ProjectDescription> {
    this.counters.scans++;
    const walk = await walkProject(this.reader, this.settings);
    this.counters.filesSeen = walk.filesSeen;
    this.models.clear();
    this.fileProblems.clear();
    this.savedModels = new Map(walk.savedModels.map((s) => [s.path, s]));
    this.walkProblems = walk.problems;
    this.dependencyFiles = walk.dependencyFiles;
    await Promise.all([this.sniffAll(walk.candidates), this.readDependencies()]);
    return this.assemble();
  }

  async update(paths: string[]): Promise<ProjectDescription> {
    if (!this.current) return this.scan();
    this.counters.updates++;
    let dependenciesChanged = false;
    for (const path of [...new Set(paths)].sort()) {
      if (this.isExcluded(path)) continue;
      const savedModel = [...this.savedModels.keys()].find((dir) => isUnder(path, dir) && dir !== '');
      if (savedModel !== undefined || path.endsWith('/saved_model.pb') || path === 'saved_model.pb') {
        await this.refreshTree(savedModel ?? path.slice(0, Math.max(0, path.lastIndexOf('/'))));
        continue;
      }
      const stat = await this.reader.stat(path).catch(() => undefined);
      if (!stat) {
        dependenciesChanged = this.forget(path) || dependenciesChanged;
      } else if (stat.kind === 'directory') {
        this.forget(path);
        dependenciesChanged = (await this.refreshTree(path)) || dependenciesChanged;
      } else if (stat.kind === 'file') {
        const name = path.slice(path.lastIndexOf('/') + 1);
        const dir = path.slice(0, Math.max(0, path.lastIndexOf('/')));
        if (dependencyKind(name, dir)) {
          this.forget(path);
          recordDependency(this.dependencyFiles, name, dir);
          dependenciesChanged = true;
        } else if (shouldSniff(name)) {
          await this.sniffAll([path]);
        }
      }
    }
    if (dependenciesChanged) await this.readDependencies();
    return this.assemble();
  }

  private isExcluded(path: string): boolean {
    const parts = path.split('/');
    for (let i = 0; i < parts.length; i++) {
      if (this.excluded(parts[i]!, parts.slice(0, i + 1).join('/'))) return i < parts.length - 1 || !dependencyKind(parts[i]!, '');
    }
    return false;
  }

  /** Drops everything known at or below `path`; says whether a dependency file was among it. */
  private forget(path: string): boolean {
    for (const key of [...this.models.keys()]) if (isUnder(key, path)) this.models.delete(key);
    for (const key of [...this.fileProblems.keys()]) if (isUnder(key, path)) this.fileProblems.delete(key);
    for (const key of [...this.savedModels.keys()]) if (isUnder(key, path)) this.savedModels.delete(key);
    let removed = false;
    for (const list of Object.values(this.dependencyFiles) as string[][]) {
      const kept = list.filter((p) => !isUnder(p, path));
      if (kept.length !== list.length) removed = true;
      list.splice(0, list.length, ...kept);
    }
    return removed;
  }

  /** Re-walks one folder (new, moved in, or a SavedModel that changed). */
  private async refreshTree(dir: string): Promise<boolean> {
    this.forget(dir);
    const walk = await walkProject(this.reader, this.settings, dir);
    for (const saved of walk.savedModels) this.savedModels.set(saved.path, saved);
    let dependencies = false;
    for (const [kind, list] of Object.entries(walk.dependencyFiles) as [keyof DependencyFiles, string[]][]) {
      if (list.length > 0) dependencies = true;
      this.dependencyFiles[kind] = [...new Set([...this.dependencyFiles[kind], ...list])].sort();
    }
    await this.sniffAll(walk.candidates);
    return dependencies;
  }

  private async sniffAll(paths: string[]): Promise<void> {
    // A few files in flight at once hides read latency without flooding the reader.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) await this.sniffOne(paths[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(8, paths.length) }, worker));
  }

  private async sniffOne(path: string): Promise<void> {
    this.counters.sniffs++;
    this.models.delete(path);
    this.fileProblems.delete(path);
    try {
      const stat = await this.reader.stat(path);
      if (stat.kind !== 'file') return;
      const { model, problem } = await inspectFile(this.reader, path, stat.size);
      if (model) this.models.set(path, model);
      if (problem) this.fileProblems.set(path, [problem]);
    } catch (error) {
      const empty = error instanceof EmptyFileError;
      if (empty && !isModelFileName(path)) return;
      this.fileProblems.set(path, [{
        path,
        message: empty ? 'This model file is empty (0 bytes): it was never written or was truncated' : `Cannot read this file (${describeError(error)})`,
        severity: empty ? 'warning' : 'warning',
        code: empty ? 'empty-file' : 'unreadable',
      }]);
    }
  }

  private async readDependencies(): Promise<void> {
    this.dependencies = await readDependencies(this.reader, this.dependencyFiles, this.settings);
  }

  private async assemble(): Promise<ProjectDescription> {
    const savedModels: DetectedModel[] = [];
    for (const dir of this.savedModels.values()) {
      const model = await sniffSavedModel(this.reader, dir.path, dir.bytes || (await treeSize(this.reader, dir.path)));
      savedModels.push(model);
    }
    const deps = this.dependencies!;
    const { models, problems } = await projectProblems(
      [...this.models.values(), ...savedModels],
      deps,
      [...this.walkProblems, ...[...this.fileProblems.values()].flat()],
      (path) => this.reader.stat(path).then((s) => s.size, () => undefined),
    );
    this.current = {
      root: this.root,
      models,
      requirements: deps.requirements,
      python: deps.python,
      problems,
    };
    return this.current;
  }
}

/**
 * Runs detection for one workspace folder: the first scan, then incremental `update(paths)` calls
 * for file-system events (debounced, coalesced), with one run in flight and at most one queued
 * (the paths that arrived meanwhile). A result older than the latest rescan request is dropped.
 */
import * as vscode from 'vscode';
import type { ProjectDetector } from '../../core/detect';
import type { ProjectDescription } from '../../core/detect/types';
import type { DetectSettings } from '../../core/settings';
import type { ModelshipConfig } from '../config';
import { errorMessage, type Logger } from '../log';
import type { ProjectStore } from './projectStore';
import { loadDetection } from '../common/loadDetection';

export type DetectorFactory = (folder: vscode.WorkspaceFolder, settings: DetectSettings) => Promise<ProjectDetector>;

/** Counters the tests read to prove that file events cause updates, not rescans. */
export interface DetectionStats {
  scans: number;
  updates: number;
  /** The paths of each `update` call, oldest first (the last 50). */
  updatePaths: string[][];
  /** Results thrown away because a newer request superseded them. */
  dropped: number;
}

/** Loads the detector (and the reader behind it) on first use, not at activation. */
export const createDetector: DetectorFactory = async (folder, settings) => {
  const { ProjectDetector, NodeFsReader, VscodeFsReader } = loadDetection();
  if (folder.uri.scheme === 'file') {
    return new ProjectDetector(new NodeFsReader(folder.uri.fsPath), settings, folder.uri.fsPath);
  }
  return new ProjectDetector(new VscodeFsReader(folder.uri), settings, folder.uri.toString());
};

export class FolderDetection implements vscode.Disposable {
  readonly stats: DetectionStats = { scans: 0, updates: 0, updatePaths: [], dropped: 0 };
  private detector: ProjectDetector | undefined;
  private settings: DetectSettings;
  private names: { source: DetectSettings; set: Set<string> } | undefined;
  private readonly pending = new Set<string>();
  private rescanRequested = false;
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private disposed = false;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly config: ModelshipConfig,
    private readonly store: ProjectStore,
    private readonly log: Logger,
    private readonly factory: DetectorFactory = createDetector,
    private readonly debounceMs = 300,
  ) {
    this.settings = config.settingsFor(folder).detect;
  }

  /** The detector behind the latest scan (undefined until the first scan starts). */
  get currentDetector(): ProjectDetector | undefined {
    return this.detector;
  }

  /** Forgets the detector (settings may have changed) and scans the whole folder again. */
  rescan(): void {
    this.generation += 1;
    this.detector = undefined;
    this.settings = this.config.settingsFor(this.folder).detect;
    this.rescanRequested = true;
    this.pending.clear();
    this.clearTimer();
    this.kick();
  }

  /** Records changed project-relative paths; they are checked together once events settle. */
  notify(paths: string[]): void {
    const wanted = paths.filter((p) => !this.isExcluded(p));
    if (wanted.length === 0 || this.disposed) return;
    for (const p of wanted) this.pending.add(p);
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.debounceMs);
  }

  /** Runs queued work now instead of after the debounce, and waits until nothing is left. */
  async flush(): Promise<void> {
    if (this.timer) {
      this.clearTimer();
      this.kick();
    }
    await this.whenIdle();
  }

  /** Resolves once no run is in flight, queued or waiting for its debounce. */
  whenIdle(): Promise<void> {
    if (!this.running && !this.timer && !this.rescanRequested && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cheap pre-filter: drops events at or below excluded directory names (`.git`, `node_modules`...). */
  private isExcluded(relative: string): boolean {
    return relative.split('/').some((segment) => this.excludedNames.has(segment));
  }

  private get excludedNames(): Set<string> {
    if (this.names?.source !== this.settings) {
      this.names = { source: this.settings, set: new Set(this.settings.exclude.filter((e) => !/[*?[/]/.test(e))) };
    }
    return this.names.set;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private kick(): void {
    if (this.running || this.disposed) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (!this.timer || this.disposed) this.resolveIdle();
    });
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async loop(): Promise<void> {
    while (!this.disposed && (this.rescanRequested || (this.pending.size > 0 && !this.timer))) {
      const generation = this.generation;
      const mode = this.rescanRequested || !this.detector?.current ? 'scan' : 'update';
      try {
        const result = mode === 'scan' ? await this.runScan() : await this.runUpdate();
        if (generation !== this.generation || this.disposed) {
          this.stats.dropped += 1;
          this.log.debug(`${this.folder.name}: dropped a stale ${mode} result`);
          continue;
        }
        this.store.setDescription(this.folder, result);
      } catch (err) {
        if (generation !== this.generation || this.disposed) continue;
        this.log.error(`${this.folder.name}: detection ${mode} failed`, err);
        if (mode === 'update') {
          this.log.warn(`${this.folder.name}: rescanning with a fresh detector after the failed update`);
          this.detector = undefined;
          this.rescanRequested = true;
        } else {
          this.store.setError(this.folder, errorMessage(err));
        }
      }
    }
  }

  private async runScan(): Promise<ProjectDescription> {
    this.rescanRequested = false;
    this.pending.clear();
    this.store.setScanning(this.folder);
    const detector = this.detector ?? await this.factory(this.folder, this.settings);
    this.detector = detector;
    this.stats.scans += 1;
    const t0 = Date.now();
    const description = await detector.scan();
    this.log.info(`${this.folder.name}: scanned, ${description.models.length} model(s) in ${Date.now() - t0} ms`);
    return description;
  }

  private async runUpdate(): Promise<ProjectDescription> {
    const paths = [...this.pending].sort();
    this.pending.clear();
    const detector = this.detector as ProjectDetector;
    this.stats.updates += 1;
    this.stats.updatePaths = [...this.stats.updatePaths, paths].slice(-50);
    const t0 = Date.now();
    const description = await detector.update(paths);
    this.log.debug(`${this.folder.name}: updated ${paths.length} path(s) in ${Date.now() - t0} ms: ${paths.join(', ')}`);
    return description;
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.resolveIdle();
  }
}

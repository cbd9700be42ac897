/**
 * Scans pickle-family models (pickle, joblib, PyTorch, TorchScript, NumPy) for code that would run
 * when they are loaded: statically, through the same reader detection uses, in the background and
 * one file at a time. Results are cached by path, size and mtime, so a model is scanned again only
 * when the file changed (the store fires after the watcher's update). Findings are published on the
 * model file's URI, so they show in Problems without the (binary) file being open; the Models tree
 * and Containerize read the verdicts.
 */
import * as vscode from 'vscode';
import type { DetectedModel, ModelFormat } from '../../core/detect/types';
import type { ModelSafety, SafetyGlobal } from '../../core/lint';
import type { WorkspaceReader } from '../../core/workspaceReader';
import type { ModelshipConfig } from '../config';
import type { ModelScanner, Overrides } from '../ctx';
import { findingToDiagnostic } from '../common/diagnostics';
import { loadDetection } from '../common/loadDetection';
import { errorMessage, type Logger } from '../log';
import { fileUri } from '../common/fileUri';
import type { ProjectStore } from './projectStore';

export const PICKLE_FAMILY: ReadonlySet<ModelFormat> = new Set<ModelFormat>(['pickle', 'joblib', 'pytorch', 'torchscript', 'numpy']);

/** `scanModelSafety` and `safetyFindings` (tests substitute both). */
export type Verdict = ModelSafety['verdict'];

/** A model's verdict: the worst of its files' (a sharded checkpoint has several). */
export interface ModelVerdict {
  verdict: Verdict;
  /** The globals that made it suspicious or unsafe, with the file they are in. */
  globals: (SafetyGlobal & { file: string })[];
  /** False when some file could not be read to the end (too big, truncated): the verdict may miss something. */
  complete: boolean;
  notes: string[];
}

const RANK: Record<Verdict, number> = { safe: 0, suspicious: 1, unsafe: 2 };

interface Entry {
  folder: vscode.WorkspaceFolder;
  path: string;
  /** Size and mtime the scan is for. */
  key: string;
  promise: Promise<ModelSafety | undefined>;
  /** Set once the scan finished (undefined result: not a pickle after all, or it failed). */
  done?: { safety?: ModelSafety };
}

function filesOf(model: DetectedModel): string[] {
  return [...new Set([model.path, ...(model.details?.shards ?? [])])];
}

export class ModelSafetyService implements vscode.Disposable {
  readonly stats = { scans: 0 };
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when a verdict arrived or went away. */
  readonly onDidChange = this.emitter.event;
  private readonly entries = new Map<string, Entry>();
  private readonly readers = new Map<string, WorkspaceReader>();
  private readonly disposables: vscode.Disposable[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private disposed = false;
  private started = false;

  constructor(
    private readonly store: ProjectStore,
    private readonly config: ModelshipConfig,
    private readonly collection: vscode.DiagnosticCollection,
    private readonly log: Logger,
    private readonly rulesDoc: vscode.Uri,
    private readonly overrides: Overrides,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.disposables.push(
      this.store.onDidChange(() => this.refresh()),
      this.config.onDidChange((change) => {
        if (change.areas.includes('lint')) for (const e of this.entries.values()) this.publish(e);
      }),
    );
    this.refresh();
  }

  /** The verdict for `model` as far as its scans have finished (the tree shows it). */
  verdictNow(folder: vscode.WorkspaceFolder, model: DetectedModel): ModelVerdict | undefined {
    if (!PICKLE_FAMILY.has(model.format)) return undefined;
    const results = filesOf(model).map((file) => [file, this.entries.get(this.id(folder, file))?.done?.safety] as const);
    return combine(results.filter((r): r is readonly [string, ModelSafety] => r[1] !== undefined));
  }

  /** The verdict for `model`, scanning its files first when they changed or were never scanned (Containerize waits for it). */
  async verdictFor(folder: vscode.WorkspaceFolder, model: DetectedModel): Promise<ModelVerdict | undefined> {
    if (!PICKLE_FAMILY.has(model.format)) return undefined;
    const results = await Promise.all(filesOf(model).map(async (file) => [file, await this.ensure(folder, file, model.format)] as const));
    return combine(results.filter((r): r is readonly [string, ModelSafety] => r[1] !== undefined));
  }

  /** Resolves once no scan is queued or running. */
  async whenIdle(): Promise<void> {
    await this.refreshing;
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets every result and scans again (a test swapped the scanner). */
  rescanAll(): void {
    for (const e of this.entries.values()) this.collection.delete(fileUri(e.folder, e.path));
    this.entries.clear();
    this.emitter.fire();
    this.refresh();
  }

  /** One refresh in flight and at most one queued. */
  private refresh(): void {
    if (this.disposed) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.refreshOnce().catch((err: unknown) => this.log.error('model safety: refresh failed', err)).finally(() => {
      this.refreshing = undefined;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.refresh();
      }
    });
  }

  private async refreshOnce(): Promise<void> {
    const wanted = new Set<string>();
    const work: Promise<unknown>[] = [];
    for (const state of this.store.all()) {
      for (const model of state.description?.models ?? []) {
        if (!PICKLE_FAMILY.has(model.format)) continue;
        for (const file of filesOf(model)) {
          wanted.add(this.id(state.folder, file));
          work.push(this.ensure(state.folder, file, model.format));
        }
      }
    }
    let removed = false;
    for (const [id, e] of this.entries) {
      const state = this.store.get(e.folder);
      if (wanted.has(id) || (state && !state.description)) continue;
      this.entries.delete(id);
      this.collection.delete(fileUri(e.folder, e.path));
      removed = true;
    }
    if (removed) this.emitter.fire();
    await Promise.all(work);
  }

  private id(folder: vscode.WorkspaceFolder, file: string): string {
    return `${folder.uri.toString()}\n${file}`;
  }

  private async ensure(folder: vscode.WorkspaceFolder, file: string, format: ModelFormat): Promise<ModelSafety | undefined> {
    const uri = fileUri(folder, file);
    const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
    if (!stat || this.disposed) return undefined;
    const key = `${stat.size}:${stat.mtime}`;
    const id = this.id(folder, file);
    const existing = this.entries.get(id);
    if (existing?.key === key) return existing.promise;
    const entry: Entry = { folder, path: file, key, promise: this.enqueue(() => this.scan(folder, file, stat.size, format)) };
    this.entries.set(id, entry);
    void entry.promise.then((safety) => {
      if (this.entries.get(id) !== entry || this.disposed) return;
      entry.done = safety ? { safety } : {};
      this.publish(entry);
      this.emitter.fire();
    });
    return entry.promise;
  }

  /** Runs scans one after another, so a folder of big checkpoints does not read them all at once. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const run = this.queue.then(job);
    this.queue = run.then(() => undefined, () => undefined).finally(() => {
      this.pending -= 1;
      if (this.pending === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    });
    return run;
  }

  private scanner(): ModelScanner {
    if (this.overrides.modelScanner) return this.overrides.modelScanner;
    const bundle = loadDetection();
    return { scan: bundle.scanModelSafety, findings: bundle.safetyFindings };
  }

  private readerFor(folder: vscode.WorkspaceFolder): WorkspaceReader {
    const key = folder.uri.toString();
    let reader = this.readers.get(key);
    if (!reader) {
      const { NodeFsReader, VscodeFsReader } = loadDetection();
      reader = folder.uri.scheme === 'file' ? new NodeFsReader(folder.uri.fsPath) : new VscodeFsReader(folder.uri);
      this.readers.set(key, reader);
    }
    return reader;
  }

  private async scan(folder: vscode.WorkspaceFolder, file: string, size: number, format: ModelFormat): Promise<ModelSafety | undefined> {
    if (this.disposed) return undefined;
    this.stats.scans += 1;
    const t0 = Date.now();
    try {
      const safety = await this.scanner().scan(this.readerFor(folder), file, size, format);
      this.log.info(`model safety: ${file}: ${safety ? `${safety.verdict}${safety.globals.length ? ` (${describeGlobals(safety.globals.filter((g) => g.verdict !== 'safe'))})` : ''}` : 'not scanned'} in ${Date.now() - t0} ms`);
      return safety;
    } catch (err) {
      this.log.warn(`model safety: ${file}: the scan failed: ${errorMessage(err)}`);
      return undefined;
    }
  }

  private publish(entry: Entry): void {
    const uri = fileUri(entry.folder, entry.path);
    const safety = entry.done?.safety;
    if (!safety || !this.config.lintEnabled(entry.folder)) {
      this.collection.delete(uri);
      return;
    }
    const bundle = loadDetection();
    const findings = bundle.configureFindings(this.scanner().findings(entry.path, safety), undefined, this.config.lintSettingsFor(entry.folder));
    this.collection.set(uri, findings.map((f) => findingToDiagnostic(f, { folder: entry.folder.uri, rulesDoc: this.rulesDoc })));
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters = [];
  }
}

function combine(results: readonly (readonly [string, ModelSafety])[]): ModelVerdict | undefined {
  if (results.length === 0) return undefined;
  let verdict: Verdict = 'safe';
  const globals: ModelVerdict['globals'] = [];
  const notes: string[] = [];
  let complete = true;
  for (const [file, s] of results) {
    if (RANK[s.verdict] > RANK[verdict]) verdict = s.verdict;
    globals.push(...s.globals.filter((g) => g.verdict !== 'safe').map((g) => ({ ...g, file })));
    notes.push(...s.notes);
    complete &&= s.complete;
  }
  globals.sort((a, b) => RANK[b.verdict] - RANK[a.verdict] || a.file.localeCompare(b.file) || a.offset - b.offset);
  return { verdict, globals, complete, notes };
}

/** `posix.system at byte 12, builtins.eval at byte 40` (the first few). */
export function describeGlobals(globals: readonly SafetyGlobal[], max = 4): string {
  const shown = globals.slice(0, max).map((g) => `${g.module}.${g.name} at byte ${g.offset}${g.member ? ` of ${g.member}` : ''}`);
  return shown.join(', ') + (globals.length > max ? ` and ${globals.length - max} more` : '');
}

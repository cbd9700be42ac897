/**
 * Lints open Dockerfiles and Kubernetes manifests into the `modelship` diagnostic collection:
 * at once when a document opens or is saved, 250 ms after the last keystroke while it is edited
 * (that document only), and again when what the lint depends on changes (settings, the folder's
 * ProjectDescription, the .dockerignore beside a Dockerfile, installed peer extensions).
 * A result computed for an older version of a document is dropped, not shown (STYLE pattern 12).
 * Closing a document clears its diagnostics; model files' diagnostics belong to ModelSafetyService.
 * The lint code itself lives in the lazily loaded detection bundle.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProjectDescription } from '../../core/detect/types';
import type { Finding, LintInput } from '../../core/lint';
import type { ModelshipConfig } from '../config';
import { ContextFilesCache } from './contextFiles';
import type { Overrides } from '../ctx';
import { findingToDiagnostic } from '../common/diagnostics';
import { loadLint } from './lintLoader';
import { suppressedRules } from './lintPeers';
import type { Logger } from '../log';
import type { ProjectsView } from '../models/api';

/** Counters the tests read to prove that an edit re-lints that document only, and that stale results are dropped. */
export interface LintStats {
  /** Lint runs per document URI. */
  calls: Map<string, number>;
  /** Results thrown away because their document changed or closed meanwhile. */
  dropped: number;
}

/** A published finding and the diagnostic made from it (quick fixes map one back to the other). */
export interface PublishedFinding {
  finding: Finding;
  diagnostic: vscode.Diagnostic;
}

/** What the last lint of a document published. */
export interface DocumentLint {
  /** The document version the findings were computed for. */
  version: number;
  entries: PublishedFinding[];
}

export interface DocumentLinterDeps {
  config: ModelshipConfig;
  store: ProjectsView;
  collection: vscode.DiagnosticCollection;
  log: Logger;
  rulesDoc: vscode.Uri;
  overrides: Overrides;
}

/**
 * Where a document is linted from: its workspace folder, or (for a file opened on its own, as
 * `code Dockerfile` does) the folder it is in, without a project description or a context listing.
 */
interface LintRoot {
  folder?: vscode.WorkspaceFolder;
  root: vscode.Uri;
}

function rootOf(uri: vscode.Uri): LintRoot | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder) return { folder, root: folder.uri };
  return uri.scheme === 'file' ? { root: vscode.Uri.joinPath(uri, '..') } : undefined;
}

/** Cheap test before the lint bundle is asked: could this document be a Dockerfile or a manifest? */
export function mayBeLintable(document: vscode.TextDocument): boolean {
  const name = path.posix.basename(document.uri.path);
  return document.languageId === 'dockerfile' || document.languageId === 'yaml'
    || /\.ya?ml$/i.test(name) || /(docker|container)file/i.test(name);
}

function relativePath(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string {
  return path.posix.relative(folder.uri.path, uri.path);
}

/** The project-relative folder of a project-relative file ('' for the root). */
function dirOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '.' ? '' : dir;
}

function isDockerignore(uri: vscode.Uri): boolean {
  return path.posix.basename(uri.path) === '.dockerignore';
}

export class DocumentLinter implements vscode.Disposable {
  readonly stats: LintStats = { calls: new Map(), dropped: 0 };
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Bumped by every request for a document; a run publishes only if it is still the latest. */
  private readonly generations = new Map<string, number>();
  private readonly published = new Map<string, DocumentLint>();
  /** `.dockerignore` URI → its text (undefined when there is none), read once until it changes. */
  private readonly dockerignores = new Map<string, Promise<string | undefined>>();
  /** The description each folder's documents were last linted against. */
  private readonly descriptions = new Map<string, ProjectDescription | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  private inFlight = 0;
  /** Documents being linted, and those to lint again once that run ends. */
  private readonly running = new Set<string>();
  private readonly queued = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private started = false;
  /** The files of each Dockerfile's build context, listed in the background. */
  private readonly contexts: ContextFilesCache;

  constructor(private readonly deps: DocumentLinterDeps, private readonly debounceMs = 250) {
    this.contexts = new ContextFilesCache(deps.config, deps.log, (folder, dir) => {
      for (const d of this.openDocuments()) {
        if (vscode.workspace.getWorkspaceFolder(d.uri)?.uri.toString() === folder.uri.toString() && dirOf(relativePath(folder, d.uri)) === dir) this.request(d, 0);
      }
    });
  }

  /** Subscribes to the editor's events and lints the documents already open. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const watcher = vscode.workspace.createFileSystemWatcher('**/.dockerignore');
    const onIgnoreFile = (uri: vscode.Uri): void => this.dockerignoreChanged(uri);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(onIgnoreFile),
      watcher.onDidChange(onIgnoreFile),
      watcher.onDidDelete(onIgnoreFile),
      vscode.workspace.onDidOpenTextDocument((d) => this.request(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.request(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        if (isDockerignore(e.document.uri)) this.dockerignoreChanged(e.document.uri);
        else this.request(e.document, this.debounceMs);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.closed(d)),
      this.deps.config.onDidChange((change) => {
        for (const d of this.openDocuments()) {
          const folder = vscode.workspace.getWorkspaceFolder(d.uri);
          if (!folder || change.affects('lint', folder)) this.request(d, 0);
        }
      }),
      this.deps.store.onDidChange(() => this.projectsChanged()),
      vscode.extensions.onDidChange(() => this.relintAll()),
    );
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      this.descriptions.set(folder.uri.toString(), this.deps.store.get(folder)?.description);
    }
    this.relintAll();
  }

  /** What the last lint of `uri` published (the quick fixes read it). */
  lastLint(uri: vscode.Uri): DocumentLint | undefined {
    return this.published.get(uri.toString());
  }

  /** Resolves once no lint is waiting out its debounce or running, and no build context is being listed. */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.contexts.whenIdle();
      if (this.timers.size > 0 || this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      else return;
    }
  }

  /** Lints every open candidate document again (a peer extension came or went, a test changed the linter). */
  relintAll(): void {
    for (const d of this.openDocuments()) this.request(d, 0);
  }

  private openDocuments(): vscode.TextDocument[] {
    return vscode.workspace.textDocuments.filter((d) => !d.isClosed && mayBeLintable(d) && rootOf(d.uri));
  }

  /** Schedules a lint of `document` after `delayMs`, replacing one already scheduled. */
  private request(document: vscode.TextDocument, delayMs: number): void {
    if (!this.started || !mayBeLintable(document) || !rootOf(document.uri)) return;
    const key = document.uri.toString();
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    const previous = this.timers.get(key);
    if (previous) clearTimeout(previous);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.run(document);
    }, delayMs));
  }

  /** One lint per document in flight, at most one queued behind it (STYLE pattern 12). */
  private run(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if (this.running.has(key)) {
      this.queued.add(key);
      return;
    }
    this.running.add(key);
    this.inFlight += 1;
    void this.lint(document).catch((err: unknown) => this.deps.log.error(`lint of ${document.uri.fsPath} failed`, err)).finally(() => {
      this.running.delete(key);
      this.inFlight -= 1;
      if (this.queued.delete(key) && !document.isClosed) this.run(document);
      this.resolveIdleIfIdle();
    });
  }

  private resolveIdleIfIdle(): void {
    if (this.timers.size > 0 || this.inFlight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async lint(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const generation = this.generations.get(key);
    const where = rootOf(document.uri);
    if (document.isClosed || !where) return;
    const folder = where.folder;
    if (!this.deps.config.lintEnabled(folder)) {
      this.unpublish(document.uri);
      return;
    }
    // Text and version are taken together, before anything awaits.
    const version = document.version;
    const text = document.getText();
    const file = path.posix.relative(where.root.path, document.uri.path);
    const bundle = loadLint();
    const kind = bundle.documentKind(file, text, document.languageId);
    if (!kind) {
      this.unpublish(document.uri);
      return;
    }
    const input: LintInput & { languageId: string } = {
      file, text, languageId: document.languageId,
      settings: this.deps.config.lintSettingsFor(folder),
    };
    const project = folder && this.deps.store.get(folder)?.description;
    if (project) input.project = project;
    if (kind === 'dockerfile') {
      const ignore = await this.dockerignoreBeside(document.uri);
      if (ignore !== undefined) input.dockerignore = ignore;
      const files = folder && this.contexts.get(folder, dirOf(file));
      if (files) input.contextFiles = files;
    }
    this.stats.calls.set(key, (this.stats.calls.get(key) ?? 0) + 1);
    const result = await bundle.lintDocument(input, this.deps.overrides.linter);
    if (document.isClosed || document.version !== version || this.generations.get(key) !== generation) {
      this.stats.dropped += 1;
      return;
    }
    const suppressed = suppressedRules(kind, (id) => this.peerInstalled(id));
    const target = { folder: where.root, rulesDoc: this.deps.rulesDoc, document };
    const entries = (result?.findings ?? [])
      .filter((f) => !suppressed.has(f.ruleId))
      .map((finding) => ({ finding, diagnostic: findingToDiagnostic(finding, target) }));
    this.published.set(key, { version, entries });
    this.deps.collection.set(document.uri, entries.map((e) => e.diagnostic));
  }

  private peerInstalled(id: string): boolean {
    const override = this.deps.overrides.peerExtensions;
    return override ? override.includes(id) : vscode.extensions.getExtension(id) !== undefined;
  }

  private unpublish(uri: vscode.Uri): void {
    if (this.published.delete(uri.toString())) this.deps.collection.delete(uri);
  }

  private closed(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.queued.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.unpublish(document.uri);
    this.resolveIdleIfIdle();
  }

  /** The `.dockerignore` in the Dockerfile's directory: the open document's text, else the file's. */
  private dockerignoreBeside(dockerfile: vscode.Uri): Promise<string | undefined> {
    const uri = vscode.Uri.joinPath(dockerfile, '..', '.dockerignore');
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return Promise.resolve(open.getText());
    const key = uri.toString();
    let cached = this.dockerignores.get(key);
    if (!cached) {
      cached = Promise.resolve(vscode.workspace.fs.readFile(uri)).then((bytes) => new TextDecoder().decode(bytes), () => undefined);
      this.dockerignores.set(key, cached);
    }
    return cached;
  }

  private dockerignoreChanged(uri: vscode.Uri): void {
    this.dockerignores.delete(uri.toString());
    const dir = vscode.Uri.joinPath(uri, '..').toString();
    for (const d of this.openDocuments()) {
      if (vscode.Uri.joinPath(d.uri, '..').toString() === dir && !isDockerignore(d.uri)) this.request(d, this.debounceMs);
    }
  }

  /** Re-lints the documents of folders whose ProjectDescription changed. */
  private projectsChanged(): void {
    const changed = new Set<string>();
    for (const state of this.deps.store.all()) {
      const key = state.folder.uri.toString();
      if (this.descriptions.get(key) !== state.description) {
        this.descriptions.set(key, state.description);
        changed.add(key);
      }
    }
    if (changed.size === 0) return;
    for (const state of this.deps.store.all()) if (changed.has(state.folder.uri.toString())) this.contexts.invalidate(state.folder);
    for (const d of this.openDocuments()) {
      const folder = vscode.workspace.getWorkspaceFolder(d.uri);
      if (folder && changed.has(folder.uri.toString())) this.request(d, this.debounceMs);
    }
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
    this.resolveIdleIfIdle();
  }
}

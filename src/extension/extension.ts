/**
 * Entry point. `activate` only creates and registers things (each owned by `context.subscriptions`)
 * and schedules the first scan for after it returns; detection code loads on first use.
 * It returns a small API that the extension-host tests use to observe state.
 */
import * as vscode from 'vscode';
import type { ProjectDetector } from '../core/detect';
import type { Finding } from '../core/lint/types';
import { LintCodeActionProvider } from './codeActions';
import { registerCommands } from './commands';
import { ModelshipConfig } from './config';
import type { ScaffoldFn } from './containerize';
import { ANSWERS_KEY } from './containerizeQuestions';
import { ContextKeys } from './contextKeys';
import type { CoreCtx, Ctx, Notices } from './ctx';
import { DetectionService } from './detectionService';
import { rulesDocUri } from './diagnostics';
import { DocumentLinter, type LintStats } from './documentLinter';
import { EngineHost } from './engineHost';
import type { DetectionStats } from './folderDetection';
import type { ImagesNode, ImagesSnapshot } from './imagesModel';
import { ImagesTreeProvider, type ImagesRow } from './imagesTreeProvider';
import type { FileLinter } from './lintRunner';
import { createLog } from './log';
import { fileUri } from './modelsTreeItems';
import { ModelSafetyService, type ModelScanner, type ModelVerdict } from './modelSafety';
import { ModelsTreeProvider } from './modelsTreeProvider';
import { PLAN_SCHEME, PlanProvider } from './planProvider';
import { ProjectStore } from './projectStore';
import { windowPrompter, type Prompter } from './prompter';
import { REPORT_SCHEME, ReportProvider } from './reportProvider';

export interface ModelshipApi {
  store: ProjectStore;
  tree: ModelsTreeProvider;
  /** The detector behind a folder's latest scan. */
  detectorFor(folder: vscode.WorkspaceFolder): ProjectDetector | undefined;
  /** How many scans and updates a folder's detection ran (tests prove updates are incremental). */
  statsFor(folder: vscode.WorkspaceFolder): DetectionStats | undefined;
  /** Resolves when no detection is running, queued or waiting out its debounce. */
  whenIdle(): Promise<void>;
  lastReport(): Notices['lastReport'];
  lint: {
    /** Resolves when detection, the document lints and the model scans have all settled. */
    whenIdle(): Promise<void>;
    /** Lint runs per document and dropped stale results. */
    stats: LintStats;
    /** What the last lint of an open document published (after settings and peer suppression). */
    findingsFor(uri: vscode.Uri): Finding[] | undefined;
    /** The pickle scan's verdict for the model at `uri`, once its scan finished. */
    verdictFor(uri: vscode.Uri): ModelVerdict | undefined;
    /** How many model files were scanned. */
    modelScans(): number;
  };
  lastNotice(): string | undefined;
  /** The Images & Containers view. */
  images: {
    /** Reads the engine again; resolves once the view shows the result. */
    refresh(): Promise<void>;
    /** The view's rows (images, with their containers as children). */
    rows(): ImagesRow[];
    /** The latest snapshot behind the rows. */
    snapshot(): ImagesSnapshot | undefined;
    /** The lines the log channel of container `name` received (the last 500). */
    containerLog(name: string): readonly string[] | undefined;
  };
  /** Hooks for the extension-host tests; normal use never calls them. */
  testing: {
    /** Answers every question with `prompter` instead of the UI; undefined restores the UI. */
    setPrompter(prompter: Prompter | undefined): void;
    /** Plans with `fn` instead of the bundled `scaffold`; undefined restores it. */
    setScaffold(fn: ScaffoldFn | undefined): void;
    /** Forgets this workspace's last containerize answers. */
    forgetAnswers(): Thenable<void>;
    /** Lints documents with `fn` instead of the bundled engines (and re-lints the open ones); undefined restores them. */
    setLinter(fn: FileLinter | undefined): void;
    /** Scans models with `scanner` (and scans them all again); undefined restores the bundled scanner. */
    setModelScanner(scanner: ModelScanner | undefined): void;
    /** Treats exactly these extension ids as installed for the peer rules; undefined asks VS Code again. */
    setPeerExtensions(ids: readonly string[] | undefined): void;
    /** Engine commands treat the workspace as trusted or not; undefined asks VS Code again. */
    setTrusted(trusted: boolean | undefined): void;
    /** Forgets the engine connection, so the next engine use looks for the engine again. */
    forgetEngine(): void;
  };
}

export function activate(context: vscode.ExtensionContext): ModelshipApi {
  const log = createLog();
  const config = new ModelshipConfig();
  const store = new ProjectStore();
  const detection = new DetectionService(store, config, log);
  const diagnostics = vscode.languages.createDiagnosticCollection('modelship');
  const overrides: Ctx['overrides'] = {};
  const rulesDoc = rulesDocUri((context.extension.packageJSON as { repository?: unknown }).repository);
  const linter = new DocumentLinter({ config, store, collection: diagnostics, log, rulesDoc, overrides });
  const safety = new ModelSafetyService(store, config, diagnostics, log, rulesDoc, overrides);
  const tree = new ModelsTreeProvider(store, safety);
  const reports = new ReportProvider(store);
  const plans = new PlanProvider();
  const core: CoreCtx = {
    log, config, store, detection, plans, linter, safety, diagnostics, memento: context.workspaceState, notices: {}, overrides,
    prompter: () => overrides.prompter ?? windowPrompter,
  };
  const engine = new EngineHost(core);
  const images = new ImagesTreeProvider(engine, log);
  const imagesView = vscode.window.createTreeView<ImagesNode>('modelship.images', { treeDataProvider: images });
  images.attach(imagesView);
  const ctx: Ctx = { ...core, engine, images };
  context.subscriptions.push(
    log,
    config,
    store,
    detection,
    diagnostics,
    linter,
    safety,
    tree,
    reports,
    plans,
    new ContextKeys(store),
    vscode.window.createTreeView('modelship.models', { treeDataProvider: tree, showCollapseAll: true }),
    engine,
    images,
    imagesView,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans),
    vscode.languages.registerCodeActionsProvider(
      [{ language: 'dockerfile' }, { language: 'yaml' }, { pattern: '**/{Dockerfile,Containerfile,*.Dockerfile,*.Containerfile,Dockerfile.*,Containerfile.*}' }],
      new LintCodeActionProvider(linter),
      LintCodeActionProvider.metadata,
    ),
    ...registerCommands(ctx),
  );
  // The first scan and lint start after activation has returned, so activation itself stays cheap.
  const timer = setTimeout(() => {
    detection.start();
    linter.start();
    safety.start();
  }, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  log.info(`activated (VS Code ${vscode.version}, ${vscode.workspace.workspaceFolders?.length ?? 0} folder(s))`);
  return {
    store,
    tree,
    detectorFor: (folder) => detection.forFolder(folder)?.currentDetector,
    statsFor: (folder) => detection.forFolder(folder)?.stats,
    whenIdle: async () => {
      detection.start();
      await detection.whenIdle();
    },
    lastReport: () => ctx.notices.lastReport,
    lint: {
      whenIdle: async () => {
        detection.start();
        linter.start();
        safety.start();
        // Each stage can wake the next (a scan updates the store, which re-lints and re-scans).
        for (let round = 0; round < 2; round++) {
          await detection.whenIdle();
          await safety.whenIdle();
          await linter.whenIdle();
        }
      },
      stats: linter.stats,
      findingsFor: (uri) => linter.lastLint(uri)?.entries.map((e) => e.finding),
      verdictFor: (uri) => {
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        const model = folder && store.get(folder)?.description?.models.find((m) => fileUri(folder, m.path).toString() === uri.toString());
        return folder && model ? safety.verdictNow(folder, model) : undefined;
      },
      modelScans: () => safety.stats.scans,
    },
    lastNotice: () => ctx.notices.lastNotice,
    images: {
      refresh: () => images.refresh(),
      rows: () => images.rows(),
      snapshot: () => images.latest(),
      containerLog: (name) => engine.logLines(name),
    },
    testing: {
      setPrompter: (prompter) => {
        ctx.overrides.prompter = prompter;
      },
      setScaffold: (fn) => {
        ctx.overrides.scaffold = fn;
      },
      forgetAnswers: () => context.workspaceState.update(ANSWERS_KEY, undefined),
      setLinter: (fn) => {
        overrides.linter = fn;
        linter.relintAll();
      },
      setModelScanner: (scanner) => {
        overrides.modelScanner = scanner;
        safety.rescanAll();
      },
      setPeerExtensions: (ids) => {
        overrides.peerExtensions = ids;
        linter.relintAll();
      },
      setTrusted: (trusted) => {
        overrides.trusted = trusted;
      },
      forgetEngine: () => engine.reset(),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/**
 * Entry point. `activate` only creates and registers things (each owned by `context.subscriptions`)
 * and schedules the first scan for after it returns; detection code loads on first use.
 * It returns a small API that the extension-host tests use to observe state.
 */
import * as vscode from 'vscode';
import type { ProjectDetector } from '../core/detect';
import type { Finding } from '../core/lint/types';
import { fileUri } from './common/fileUri';
import { rulesDocUri } from './common/diagnostics';
import { registerCommands } from './commands';
import { ModelshipConfig } from './config';
import { registerContainerize } from './containerize';
import { registerDeploy } from './deploy';
import { openPanels } from './webview/api';
import type { DeploymentsSnapshot } from './deploy/deployModel';
import type { TreeRow } from './common/treeRows';
import type { Ctx, FileLinter, ModelScanner, Notices, Overrides, ScaffoldFn } from './ctx';
import { registerEngine } from './engine';
import type { ImagesSnapshot } from './engine/imagesModel';
import { registerLint } from './lint';
import type { LintStats } from './lint/documentLinter';
import { createLog } from './log';
import { registerModels } from './models';
import type { DetectionStats } from './models/folderDetection';
import type { ModelVerdict } from './models/modelSafety';
import type { ModelsTreeProvider } from './models/modelsTreeProvider';
import type { ProjectStore } from './models/projectStore';
import { windowPrompter, type Prompter } from './prompter';
import { putCliOnTerminalPath } from './terminal';

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
    rows(): TreeRow[];
    /** The latest snapshot behind the rows. */
    snapshot(): ImagesSnapshot | undefined;
    /** The lines the log channel of container `name` received (the last 500). */
    containerLog(name: string): readonly string[] | undefined;
  };
  /** The Deployments view and the status bar. */
  deployments: {
    /** Reads the clusters again (watching while the view is visible); resolves once the view shows it. */
    refresh(): Promise<void>;
    rows(): TreeRow[];
    snapshot(): DeploymentsSnapshot | undefined;
    /** What the deploy-target status bar item says. */
    statusBarText(): string | undefined;
    /** The lines the "Modelship: Deploy" channel received since the session began. */
    channelText(): string | undefined;
    /** The status and logs panels open now. */
    panels(): ReturnType<typeof openPanels>;
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
  const own = <T extends vscode.Disposable>(disposable: T): T => {
    context.subscriptions.push(disposable);
    return disposable;
  };
  const overrides: Overrides = {};
  const ctx: Ctx = {
    log: own(createLog()),
    config: own(new ModelshipConfig()),
    diagnostics: own(vscode.languages.createDiagnosticCollection('modelship')),
    rulesDoc: rulesDocUri((context.extension.packageJSON as { repository?: unknown }).repository),
    memento: context.workspaceState,
    notices: {},
    overrides,
    prompter: () => overrides.prompter ?? windowPrompter,
    own,
  };
  // The capabilities, each registering its views, providers and commands.
  const models = registerModels(ctx);
  const lint = registerLint(ctx, models.api);
  const containerize = registerContainerize(ctx, models.api);
  const engine = registerEngine(ctx);
  const deploy = registerDeploy(ctx, context.extensionUri);
  context.subscriptions.push(...registerCommands(ctx, [models.commands, containerize.commands, lint.commands, engine.commands, deploy.commands]));
  putCliOnTerminalPath(context);
  // The first scan and lint start after activation has returned, so activation itself stays cheap.
  const timer = setTimeout(() => {
    models.start();
    lint.start();
    deploy.start();
  }, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  ctx.log.info(`activated (VS Code ${vscode.version}, ${vscode.workspace.workspaceFolders?.length ?? 0} folder(s))`);
  const { store, detection, safety, tree } = models;
  const { linter } = lint;
  const { engine: host, images, tree: imagesTree } = engine;
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
      rows: () => imagesTree.rows(),
      snapshot: () => images.latest(),
      containerLog: (name) => host.logLines(name),
    },
    deployments: {
      refresh: async () => {
        await deploy.statusBar.update();
        await deploy.store.restart();
      },
      rows: () => deploy.tree.rows(),
      snapshot: () => deploy.store.latest(),
      statusBarText: () => deploy.statusBar.text(),
      channelText: () => deploy.host.current()?.channelText(),
      panels: () => openPanels(),
    },
    testing: {
      setPrompter: (prompter) => {
        overrides.prompter = prompter;
      },
      setScaffold: (fn) => {
        overrides.scaffold = fn;
      },
      forgetAnswers: () => containerize.forgetAnswers(),
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
      forgetEngine: () => host.reset(),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

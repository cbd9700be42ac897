/**
 * Entry point. `activate` only creates and registers things (each owned by `context.subscriptions`)
 * and schedules the first scan for after it returns; detection code loads on first use.
 * It returns a small API that the extension-host tests use to observe state.
 */
import * as vscode from 'vscode';
import type { ProjectDetector } from '../core/detect';
import { registerCommands } from './commands';
import { ModelshipConfig } from './config';
import type { ScaffoldFn } from './containerize';
import { ANSWERS_KEY } from './containerizeQuestions';
import { ContextKeys } from './contextKeys';
import type { Ctx, Notices } from './ctx';
import { DetectionService } from './detectionService';
import type { DetectionStats } from './folderDetection';
import { createLog } from './log';
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
  lastNotice(): string | undefined;
  /** Hooks for the extension-host tests; normal use never calls them. */
  testing: {
    /** Answers every question with `prompter` instead of the UI; undefined restores the UI. */
    setPrompter(prompter: Prompter | undefined): void;
    /** Plans with `fn` instead of the bundled `scaffold`; undefined restores it. */
    setScaffold(fn: ScaffoldFn | undefined): void;
    /** Forgets this workspace's last containerize answers. */
    forgetAnswers(): Thenable<void>;
  };
}

export function activate(context: vscode.ExtensionContext): ModelshipApi {
  const log = createLog();
  const config = new ModelshipConfig();
  const store = new ProjectStore();
  const detection = new DetectionService(store, config, log);
  const tree = new ModelsTreeProvider(store);
  const reports = new ReportProvider(store);
  const plans = new PlanProvider();
  const ctx: Ctx = {
    log, config, store, detection, plans, memento: context.workspaceState, notices: {}, overrides: {},
    prompter: () => ctx.overrides.prompter ?? windowPrompter,
  };
  context.subscriptions.push(
    log,
    config,
    store,
    detection,
    tree,
    reports,
    plans,
    new ContextKeys(store),
    vscode.window.createTreeView('modelship.models', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans),
    ...registerCommands(ctx),
  );
  // The first scan starts after activation has returned, so activation itself stays cheap.
  const timer = setTimeout(() => detection.start(), 0);
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
    lastNotice: () => ctx.notices.lastNotice,
    testing: {
      setPrompter: (prompter) => {
        ctx.overrides.prompter = prompter;
      },
      setScaffold: (fn) => {
        ctx.overrides.scaffold = fn;
      },
      forgetAnswers: () => context.workspaceState.update(ANSWERS_KEY, undefined),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

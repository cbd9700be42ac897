/**
 * Models: detection per workspace folder (watched, debounced, incremental) into the ProjectStore,
 * the Models view and its context keys, the static pickle safety scan (Problems and the tree), the
 * detection report and the model hash. Uses no sibling capability; siblings use `api.ts`.
 */
import * as vscode from 'vscode';
import { fileUri } from '../common/fileUri';
import { bindCommands, type BoundCommands, type CommandTable, type Ctx } from '../ctx';
import type { ModelsApi } from './api';
import { ContextKeys } from './contextKeys';
import { DetectionService } from './detectionService';
import { hashModel } from './modelHash';
import { ModelSafetyService } from './modelSafety';
import type { ModelsCtx } from './modelsCtx';
import type { ModelsNode } from './modelsTreeNodes';
import { ModelsTreeProvider } from './modelsTreeProvider';
import { resolveModelTarget } from './modelTarget';
import { ProjectStore } from './projectStore';
import { REPORT_SCHEME, ReportProvider, showReport } from './reportProvider';


export const COMMANDS: CommandTable<ModelsCtx> = {
  showReport: (ctx) => (target) => showReport(ctx, target),
  refresh: (ctx) => async () => {
    await vscode.window.withProgress(
      { location: { viewId: 'modelship.models' }, title: 'Scanning for models' },
      () => ctx.detection.rescanAll(),
    );
    return ctx.store.models().length;
  },
  revealModel: () => async (target) => {
    const node = target as ModelsNode | undefined;
    const uri = target instanceof vscode.Uri ? target
      : node?.kind === 'model' ? fileUri(node.folder, node.model.path) : undefined;
    if (!uri) throw new Error('no model was given to reveal; click a model in the Models view');
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return uri.toString();
  },
};

export interface Models {
  store: ProjectStore;
  detection: DetectionService;
  safety: ModelSafetyService;
  tree: ModelsTreeProvider;
  /** What sibling capabilities receive. */
  api: ModelsApi;
  commands: BoundCommands;
  /** Starts the first scan and the safety scans (after activation has returned). */
  start(): void;
}

export function registerModels(ctx: Ctx): Models {
  const store = ctx.own(new ProjectStore());
  const detection = ctx.own(new DetectionService(store, ctx.config, ctx.log));
  const safety = ctx.own(new ModelSafetyService(store, ctx.config, ctx.diagnostics, ctx.log, ctx.rulesDoc, ctx.overrides));
  const tree = ctx.own(new ModelsTreeProvider(store, safety));
  const reports = ctx.own(new ReportProvider(store));
  ctx.own(new ContextKeys(store));
  ctx.own(vscode.window.createTreeView('modelship.models', { treeDataProvider: tree, showCollapseAll: true }));
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports));
  const models: ModelsCtx = { ...ctx, store, detection, safety };
  return {
    store,
    detection,
    safety,
    tree,
    api: {
      projects: store,
      resolveTarget: (target, title) => resolveModelTarget(models, target, title),
      verdictFor: (folder, model) => safety.verdictFor(folder, model),
      hash: hashModel,
    },
    commands: bindCommands(COMMANDS, models),
    start: () => {
      detection.start();
      safety.start();
    },
  };
}

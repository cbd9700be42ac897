/**
 * Containerize: the questions, the plan of every file Modelship would write compared with the
 * workspace, consent before a changed file is replaced, atomic writes, the plan summary and the
 * packaging warnings for unsafe models.
 * Uses: models/api (ModelsApi: what the user pointed at, its safety verdict and its hash).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { bindCommands, type BoundCommands, type CommandTable, type Ctx } from '../ctx';
import type { ModelsApi } from '../models/api';
import { ANSWERS_KEY, type ContainerizeCtx } from './containerizeCtx';
import { PLAN_SCHEME, PlanProvider } from './planProvider';

type ContainerizeBundle = typeof import('./containerizeBundle');
let bundle: ContainerizeBundle | undefined;

/** Loads dist/containerize.js on the first Containerize; the computed path keeps esbuild from inlining it. */
function loadContainerize(): ContainerizeBundle {
  bundle ??= require(path.join(__dirname, 'containerize.js')) as ContainerizeBundle;
  return bundle;
}

export const COMMANDS: CommandTable<ContainerizeCtx> = {
  containerize: (ctx) => (target) => loadContainerize().containerize(ctx, target),
};

export interface Containerize {
  commands: BoundCommands;
  /** Forgets this workspace's last containerize answers (tests). */
  forgetAnswers(): Thenable<void>;
}

export function registerContainerize(ctx: Ctx, models: ModelsApi): Containerize {
  const plans = ctx.own(new PlanProvider());
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans));
  return {
    commands: bindCommands(COMMANDS, { ...ctx, models, plans }),
    forgetAnswers: () => ctx.memento.update(ANSWERS_KEY, undefined),
  };
}

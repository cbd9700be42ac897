/**
 * Lint: open Dockerfiles and Kubernetes manifests linted as they are typed and saved into the
 * `modelship` diagnostics, quick fixes and ignore/disable actions, and the peer-extension table
 * that keeps Problems from saying the same thing twice.
 * Uses: models/api (ProjectsView: each folder's detection result feeds the cross-file rules).
 */
import * as vscode from 'vscode';
import { bindCommands, type BoundCommands, type CommandTable, type Ctx } from '../ctx';
import type { ModelsApi } from '../models/api';
import { LintCodeActionProvider } from './codeActions';
import { disableRule } from './disableRule';
import { DocumentLinter } from './documentLinter';

export const COMMANDS: CommandTable<Ctx> = {
  disableRule: (ctx) => (ruleId, resource) => disableRule(ctx, ruleId, resource),
};

export interface Lint {
  linter: DocumentLinter;
  commands: BoundCommands;
  /** Lints the open documents (after activation has returned). */
  start(): void;
}

export function registerLint(ctx: Ctx, models: ModelsApi): Lint {
  const { config, log, rulesDoc, overrides } = ctx;
  const linter = ctx.own(new DocumentLinter({ config, store: models.projects, collection: ctx.diagnostics, log, rulesDoc, overrides }));
  ctx.own(vscode.languages.registerCodeActionsProvider(
    [{ language: 'dockerfile' }, { language: 'yaml' }, { pattern: '**/{Dockerfile,Containerfile,*.Dockerfile,*.Containerfile,Dockerfile.*,Containerfile.*}' }],
    new LintCodeActionProvider(linter),
    LintCodeActionProvider.metadata,
  ));
  return { linter, commands: bindCommands(COMMANDS, ctx), start: () => linter.start() };
}

/**
 * What every capability receives: the extension-wide services and the notes the test API reads,
 * as small interfaces at the bottom of the import graph. Capabilities depend on this file; it
 * depends on no capability (only on core types and the shell's config, log and prompter), so the
 * extension's imports form no circle. Everything here is owned by `activate`'s subscriptions.
 */
import type * as vscode from 'vscode';
import type { ModelFormat, ProjectDescription } from '../core/detect/types';
import type { Finding, LintableKind, LintInput, ModelSafety } from '../core/lint';
import type { ScaffoldResult } from '../core/scaffold';
import type { ContainerizeOptions } from '../core/scaffold/types';
import type { WorkspaceReader } from '../core/workspaceReader';
import type { ModelshipConfig } from './config';
import type { ExtensionLog } from './log';
import type { Prompter } from './prompter';

export interface Notices {
  /** The last report opened by `modelship.showReport`. */
  lastReport?: { uri: string; text: string };
  /** The last informational or warning message shown to the user. */
  lastNotice?: string;
}

/** Plans a project's files: the bundled `scaffold` unless a test substituted one. */
export type ScaffoldFn = (desc: ProjectDescription, options: ContainerizeOptions) => ScaffoldResult;

/** A linter over one file, the real `lintFile` unless a test substituted one. */
export type FileLinter = (input: LintInput, kind: LintableKind) => Finding[] | Promise<Finding[]>;

/** Scans one pickle-family model statically; the bundled scanner unless a test substituted one. */
export interface ModelScanner {
  scan(reader: WorkspaceReader, path: string, size: number, format: ModelFormat): Promise<ModelSafety | undefined>;
  findings(path: string, safety: ModelSafety): Finding[];
}

/** Substitutes the extension-host tests install through the API (never set in normal use). */
export interface Overrides {
  prompter?: Prompter;
  scaffold?: ScaffoldFn;
  /** Lints documents instead of the bundled engines. */
  linter?: FileLinter;
  /** Scans models instead of the bundled pickle scanner. */
  modelScanner?: ModelScanner;
  /** The extension ids to treat as installed (for the peer-extension rules) instead of asking VS Code. */
  peerExtensions?: readonly string[];
  /** Whether engine commands treat the workspace as trusted, instead of `workspace.isTrusted`. */
  trusted?: boolean;
}

/** The services every capability shares. A capability's own services live in its folder. */
export interface Ctx {
  log: ExtensionLog;
  config: ModelshipConfig;
  /** The `modelship` diagnostic collection (documents' and models' findings). */
  diagnostics: vscode.DiagnosticCollection;
  /** Where a diagnostic's rule id links to (docs/rules.md in the repository). */
  rulesDoc: vscode.Uri;
  /** Per-workspace memory (the last containerize answers, the last push destination). */
  memento: vscode.Memento;
  notices: Notices;
  overrides: Overrides;
  /** Who asks the user: `windowPrompter` unless a test substituted one. */
  prompter(): Prompter;
  /** Hands a disposable to the extension's lifetime (STYLE pattern 7) and returns it. */
  own<T extends vscode.Disposable>(disposable: T): T;
}

/** A command handler; commands.ts registers each through one wrapper. */
export type Handler = (...args: unknown[]) => unknown;

/** A capability's command table: short names (registered as `modelship.<name>`) to handler factories over its services. */
export type CommandTable<S> = Readonly<Record<string, (services: S) => Handler>>;

/** A capability's commands, bound to its services. */
export type BoundCommands = Readonly<Record<string, Handler>>;

export function bindCommands<S>(table: CommandTable<S>, services: S): BoundCommands {
  return Object.fromEntries(Object.entries(table).map(([name, factory]) => [name, factory(services)]));
}

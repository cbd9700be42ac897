/**
 * What every command handler receives: the long-lived services and the notes the test API reads.
 * Everything here is owned by `activate`'s subscriptions.
 */
import type * as vscode from 'vscode';
import type { ScaffoldFn } from './containerize';
import type { ModelshipConfig } from './config';
import type { DetectionService } from './detectionService';
import type { DocumentLinter } from './documentLinter';
import type { EngineHost } from './engineHost';
import type { ImagesTreeProvider } from './imagesTreeProvider';
import type { FileLinter } from './lintRunner';
import type { ExtensionLog } from './log';
import type { ModelScanner, ModelSafetyService } from './modelSafety';
import type { PlanProvider } from './planProvider';
import type { ProjectStore } from './projectStore';
import type { Prompter } from './prompter';

export interface Notices {
  /** The last report opened by `modelship.showReport`. */
  lastReport?: { uri: string; text: string };
  /** The last informational or warning message shown to the user. */
  lastNotice?: string;
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

/** The services every part of the extension shares; the engine side receives only these. */
export interface CoreCtx {
  log: ExtensionLog;
  config: ModelshipConfig;
  store: ProjectStore;
  detection: DetectionService;
  plans: PlanProvider;
  /** Lints open Dockerfiles and manifests into `diagnostics`. */
  linter: DocumentLinter;
  /** Scans pickle-family models; its verdicts feed the tree, Problems and Containerize. */
  safety: ModelSafetyService;
  /** The `modelship` diagnostic collection (documents' and models' findings). */
  diagnostics: vscode.DiagnosticCollection;
  /** Per-workspace memory (the last containerize answers, the last push destination). */
  memento: vscode.Memento;
  notices: Notices;
  overrides: Overrides;
  /** Who asks the user: `windowPrompter` unless a test substituted one. */
  prompter(): Prompter;
}

export interface Ctx extends CoreCtx {
  /** Runs the engine commands (loading the engine bundle on first use). */
  engine: EngineHost;
  /** The Images & Containers view's data. */
  images: ImagesTreeProvider;
}

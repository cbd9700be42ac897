/**
 * The extension.js side of the cluster commands: refuses them in an untrusted workspace, loads
 * dist/deploy.js (the Kubernetes client, the deploy flows, the panels' feeds) on first use — never
 * at activation — and keeps the `modelship.kube` context key in step with what the last look at
 * the clusters found. Owns the DeploySession (connections, port-forwards, the deploy channel).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { ModelshipError, isModelshipError } from '../../core/errors';
import { setContextKey } from '../common/contextKey';
import { runFlow } from '../common/flowErrors';
import type { Ctx } from '../ctx';
import type { LogFeed, PanelActions, PanelFeeds, PanelKind, PanelTarget, StatusFeed } from '../webview/api';
import type { DeploySession } from './deploySession';
import { DEPLOY_COMMAND_TITLES, type DeployCommandName, type DeploymentsSnapshot, type KubeState } from './deployModel';

export const KUBE_STATE_KEY = 'modelship.kube';

type DeployBundle = typeof import('./deployBundle');
let bundle: DeployBundle | undefined;

/** Loads dist/deploy.js once. The computed path keeps esbuild from inlining it into extension.js. */
export function loadDeployBundle(): DeployBundle {
  bundle ??= require(path.join(__dirname, 'deploy.js')) as DeployBundle;
  return bundle;
}

/** The kubeconfig errors' hints name the CLI's ways; in the editor the setting is one more. */
function editorHint(error: unknown): unknown {
  if (!isModelshipError(error) || (error.code !== 'KUBECONFIG_MISSING' && error.code !== 'KUBECONFIG_INVALID')) return error;
  const setting = 'or set modelship.kube.kubeconfig to a kubeconfig file (in a remote window, in its Remote settings: machine settings from your User settings do not apply there).';
  const hint = error.code === 'KUBECONFIG_MISSING'
    ? `Set KUBECONFIG before starting VS Code, create ~/.kube/config (kind create cluster, minikube start, or your provider's get-credentials), ${setting}`
    : `${error.hint ?? 'Fix the file.'} Or ${setting}`;
  return new ModelshipError(error.code, error.message.replace(/--kubeconfig/g, 'modelship.kube.kubeconfig'), hint);
}

export class DeployHost implements vscode.Disposable {
  private session: DeploySession | undefined;
  private state: KubeState | undefined;
  private readonly emitter = new vscode.EventEmitter<DeployCommandName>();
  /** Fires after each cluster command, whether it worked or not (the Deployments view refreshes). */
  readonly onDidRunCommand = this.emitter.event;

  private panels: { feeds: PanelFeeds; actions: PanelActions } | undefined;

  constructor(private readonly ctx: Ctx) {
    this.setState('unknown');
  }

  private projectDirs: () => readonly string[] = () => [];

  /** Where the projects the status bar found come from, set once by registerDeploy. */
  setProjectsSource(source: () => readonly string[]): void {
    this.projectDirs = source;
  }

  knownProjectDirs(): readonly string[] {
    return this.projectDirs();
  }

  /** The panels' feeds and actions, set once by registerDeploy. */
  setPanels(feeds: PanelFeeds, actions: PanelActions): void {
    this.panels = { feeds, actions };
  }

  panelWiring(): { feeds: PanelFeeds; actions: PanelActions } {
    if (!this.panels) throw new Error('the panels are not registered');
    return this.panels;
  }

  /** Whether cluster commands may run: the workspace is trusted (or a test said so). */
  get trusted(): boolean {
    return this.ctx.overrides.trusted ?? vscode.workspace.isTrusted;
  }

  /** The session (loading the bundle the first time). */
  open(): DeploySession {
    if (!this.session) {
      const { DeploySession } = loadDeployBundle();
      this.session = new DeploySession(this.ctx, this);
    }
    return this.session;
  }

  /** Watches every configured environment's Deployment for the view until `signal` aborts. */
  watchDeployments(onSnapshot: (snapshot: DeploymentsSnapshot) => void, signal: AbortSignal): Promise<void> {
    return loadDeployBundle().watchDeployments(this.open(), onSnapshot, signal);
  }

  readDeployments(): Promise<DeploymentsSnapshot> {
    return loadDeployBundle().readDeploymentsOnce(this.open());
  }

  statusFeed(target: PanelTarget): Promise<StatusFeed> {
    return loadDeployBundle().deploymentStatusFeed(this.open(), target);
  }

  logFeed(target: PanelTarget): Promise<LogFeed> {
    return loadDeployBundle().deploymentLogFeed(this.open(), target);
  }

  /** Rebuilds a panel restored after a reload (the panel classes are in the deploy bundle). */
  restorePanel(kind: PanelKind, panel: vscode.WebviewPanel, target: PanelTarget, saved: Record<string, unknown>): void {
    const { feeds, actions } = this.panelWiring();
    loadDeployBundle().restorePanel(this.ctx, kind, panel, target, saved, feeds, actions);
  }

  /** Whether the bundle is loaded and a session exists (tests read what it did). */
  current(): DeploySession | undefined {
    return this.session;
  }

  /** Runs `modelship.<name>` on `arg`; resolves what the flow returned. */
  async run(name: DeployCommandName, arg: unknown): Promise<unknown> {
    const title = DEPLOY_COMMAND_TITLES[name];
    if (!this.trusted) {
      throw new ModelshipError('UNTRUSTED', `${title} needs a trusted workspace: it runs this project's image on a Kubernetes cluster.`, 'Trust the workspace (Workspaces: Manage Workspace Trust) to deploy.');
    }
    try {
      return await runFlow(title, this.ctx.log, () => loadDeployBundle().DEPLOY_COMMANDS[name](this.open(), arg).catch((error: unknown) => {
        throw editorHint(error);
      }));
    } finally {
      this.emitter.fire(name);
    }
  }

  setState(state: KubeState): void {
    if (state === this.state) return;
    this.state = state;
    setContextKey(KUBE_STATE_KEY, state);
  }

  kubeState(): KubeState {
    return this.state ?? 'unknown';
  }

  dispose(): void {
    this.session?.dispose();
    this.emitter.dispose();
  }
}

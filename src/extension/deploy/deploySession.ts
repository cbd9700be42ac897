/**
 * The deploy bundle's side of the Deployments capability: connections to the clusters (one per
 * context, namespace and kubeconfig, reused), where a command acts (project, environment, the
 * cluster target), the "Modelship: Deploy" channel, the port-forwards it keeps open and the feeds
 * of the status and logs panels. Disposed with the extension: forwards close, watches stop.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { settingsFlags } from '../../core/deploy/editorTargets';
import { ModelshipError } from '../../core/errors';
import type { Environment } from '../../core/scaffold/k8s/environments';
import { resolveClusterTarget, type ClusterTarget } from '../../flows/clusterTarget';
import { connectKube, type KubeSession } from '../../kube';
import type { PortForwardHandle } from '../../kube/portForward';
import { projectOf, resolveShipProject, type ShipProject } from '../common/shipProjects';
import { setContextKey } from '../common/contextKey';
import type { Ctx } from '../ctx';
import type { PanelActions, PanelFeeds } from '../webview/api';
import type { DeploymentsNodeArg } from './deployModel';
import { chooseContext } from './environmentSetup';
import { DEPLOY_ENVIRONMENTS, isEnvironment, selectedEnvironment, targetsOf } from './deployTargets';

/** Where a cluster command acts. */
export interface CommandTarget {
  project: ShipProject;
  environment: Environment;
  cluster: ClusterTarget;
}

export interface TargetOptions {
  /** The environment, when the command fixes it (Deploy to Staging). */
  env?: Environment;
  /** Ask for the environment when neither the command nor a tree item gives one. */
  askEnvironment?: boolean;
  /** Ask for the context and namespace when the environment has none yet (a deploy); otherwise say to deploy first. */
  setUp: boolean;
}

/** A Deployments view node, or a panel's target, as a command argument. */
export function nodeArg(arg: unknown): (DeploymentsNodeArg & { environment: Environment; previous?: boolean }) | undefined {
  const a = arg as Partial<DeploymentsNodeArg> | undefined;
  return a && typeof a === 'object' && typeof a.projectDir === 'string' && isEnvironment(a.environment) ? (a as DeploymentsNodeArg & { environment: Environment }) : undefined;
}

/** What the session needs from the extension.js side: the panels' feeds and actions, and the projects the status bar last found. */
export interface PanelWiring {
  panelWiring(): { feeds: PanelFeeds; actions: PanelActions };
  /** Project folders found by the last look (kept fresh by a file watcher); empty before the first. */
  knownProjectDirs(): readonly string[];
}

export class DeploySession implements vscode.Disposable {
  /** The "Modelship: Deploy" channel (coloured by the modelship-log grammar). */
  readonly channel: { appendLine(line: string): void; show(preserveFocus?: boolean): void };
  private readonly realChannel: vscode.OutputChannel;
  private readonly sessions = new Map<string, Promise<KubeSession>>();
  private readonly forwards = new Map<string, PortForwardHandle>();
  private readonly forwardItem = vscode.window.createStatusBarItem('modelship.portForward', vscode.StatusBarAlignment.Left, 19);

  private readonly lines: string[] = [];

  constructor(readonly ctx: Ctx, readonly host: PanelWiring) {
    const channel = vscode.window.createOutputChannel('Modelship: Deploy', 'modelship-log');
    // An output channel's text cannot be read back through the API; the tests read this copy (bounded).
    this.channel = {
      appendLine: (line: string) => {
        this.lines.push(line);
        if (this.lines.length > 5000) this.lines.splice(0, 1000);
        channel.appendLine(line);
      },
      show: (preserveFocus) => channel.show(preserveFocus),
    };
    this.realChannel = channel;
    this.forwardItem.name = 'Modelship: Port-Forward';
    this.forwardItem.command = 'modelship.stopPortForward';
  }

  /** What the deploy channel received (its last 4,000 to 5,000 lines). */
  channelText(): string {
    return this.lines.join('\n');
  }

  kubeconfig(): string | undefined {
    return this.ctx.config.kubeconfig();
  }

  /** A session on the target's context and namespace, reused while it works. */
  connect(cluster: ClusterTarget): Promise<KubeSession> {
    const kubeconfig = this.kubeconfig();
    const key = `${kubeconfig ?? ''}|${cluster.entry.context ?? ''}|${cluster.entry.namespace ?? ''}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = connectKube({
        ...(cluster.entry.context ? { context: cluster.entry.context } : {}),
        ...(cluster.entry.namespace ? { namespace: cluster.entry.namespace } : {}),
        ...(kubeconfig ? { kubeconfig } : {}),
      });
      this.sessions.set(key, session);
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  /** Forgets the connections (after a kubeconfig or context change). */
  forgetConnections(): void {
    this.sessions.clear();
  }

  /** The project, environment and cluster target a command acts on; may ask (project, environment, context). */
  async target(arg: unknown, title: string, options: TargetOptions): Promise<CommandTarget> {
    const node = nodeArg(arg);
    // With nothing pointed at and one project known, no workspace search (it costs a round trip per command).
    const known = arg === undefined ? this.host.knownProjectDirs() : [];
    const dir = node?.projectDir ?? (known.length === 1 ? known[0] : undefined);
    const project = dir ? projectOf(vscode.Uri.file(path.join(dir, 'Dockerfile'))) : await resolveShipProject(arg, this.ctx.prompter(), title);
    const environment = options.env ?? node?.environment ?? (options.askEnvironment ? await this.askEnvironment(project, title) : selectedEnvironment(this.ctx.memento));
    let targets = targetsOf(project, this.ctx.config);
    if (targets.problems.length > 0) {
      throw new ModelshipError('BAD_ENVIRONMENTS', targets.problems.join('\n'), 'Fix the file or the setting named, then run the command again.');
    }
    if (!targets.targets[environment]?.configured) {
      if (!options.setUp) {
        throw new ModelshipError('NOT_SET_UP', `${project.target.name} has no kube context for ${environment} yet, so it is not deployed there.`, `Deploy it first ("Modelship: Deploy to ${environment === 'staging' ? 'Staging' : 'Environment…'}"), which asks for the context.`);
      }
      await chooseContext(this.ctx, project, environment, title);
      targets = targetsOf(project, this.ctx.config);
    }
    const resolved = targets.targets[environment]!;
    const flags = settingsFlags(this.ctx.config.deploySettings(project.folder), environment);
    const cluster = resolveClusterTarget(project.dir, {
      env: environment,
      ...flags,
      ...(resolved.registry ? { registry: resolved.registry } : {}),
      surface: 'editor',
      // The editor guards prod itself (the typed context name) before anything is sent.
      yes: true,
    });
    return { project, environment, cluster };
  }

  private async askEnvironment(project: ShipProject, title: string): Promise<Environment> {
    const targets = targetsOf(project, this.ctx.config);
    const current = selectedEnvironment(this.ctx.memento);
    const chosen = await this.ctx.prompter().pickOne(
      DEPLOY_ENVIRONMENTS.map((env) => ({
        label: env,
        description: `${targets.targets[env]?.context ?? 'context asked next'} / ${targets.targets[env]?.namespace ?? '?'}`,
        ...(env === 'prod' ? { detail: 'Asks you to type the context name before anything is sent.' } : {}),
        value: env,
      })),
      { title: `Modelship: ${title}`, placeholder: `Which environment of ${project.target.name}?`, defaults: [current] },
    );
    if (!chosen) throw new ModelshipError('CANCELLED', 'Cancelled.');
    return chosen;
  }

  /** Keeps a forward open until Stop Port-Forward (or the extension ends); one per project and environment. */
  async keepForward(key: string, forward: PortForwardHandle): Promise<void> {
    await this.forwards.get(key)?.close();
    this.forwards.set(key, forward);
    this.renderForwards();
  }

  forwardFor(key: string): PortForwardHandle | undefined {
    return this.forwards.get(key);
  }

  async stopPortForwards(): Promise<number> {
    const open = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(open.map((f) => f.close()));
    this.renderForwards();
    return open.length;
  }

  private renderForwards(): void {
    const open = [...this.forwards.values()];
    setContextKey('modelship.portForwarding', open.length > 0);
    if (open.length === 0) {
      this.forwardItem.hide();
      return;
    }
    this.forwardItem.text = `$(plug) ${open.map((f) => f.url.replace('http://', '')).join(', ')}`;
    this.forwardItem.tooltip = `${open.map((f) => `${f.url} → service/${f.service} (${f.target.context}, ${f.target.namespace})`).join('\n')}\nClick to stop.`;
    this.forwardItem.show();
  }

  dispose(): void {
    void this.stopPortForwards();
    this.forwardItem.dispose();
    this.realChannel.dispose();
  }
}

/**
 * Deployments: deploy a project to a chosen kube context (staging by default, prod guarded), roll
 * back, undeploy, port-forward and try a prediction; the Deployments view (environment →
 * Deployment → pods, live while visible), the status bar item (where a deploy goes; click to
 * switch) and the pod status and logs panels. The Kubernetes client and the deploy flows load
 * from dist/deploy.js on first use; activation only registers.
 * Uses: webview/api (the status and logs panels, fed by this capability's cluster reads)
 */
import * as vscode from 'vscode';
import { bindCommands, type BoundCommands, type CommandTable, type Ctx } from '../ctx';
import { registerPanelSerializers, setExtensionUri, type PanelActions, type PanelFeeds } from '../webview/api';
import { DeployHost } from './deployHost';
import type { DeployCommandName } from './deployModel';
import { DeploymentsStore } from './deploymentsStore';
import { DeploymentsTreeProvider, type DeploymentsNode } from './deploymentsTree';
import { DeployStatusBar } from './deployStatusBar';
import { DEPLOY_ENVIRONMENTS, readProjectTargets, selectEnvironment, selectedEnvironment } from './deployTargets';

interface DeployServices extends Ctx {
  host: DeployHost;
  store: DeploymentsStore;
  statusBar: DeployStatusBar;
}

/** A cluster command: refused in an untrusted workspace, run from the lazily loaded deploy bundle. */
const clusterCommand = (name: DeployCommandName) => (s: DeployServices) => (arg: unknown) => s.host.run(name, arg);

/** Switches the environment the status bar and argument-less commands use. */
async function switchEnvironment(s: DeployServices): Promise<string | undefined> {
  const [first] = await readProjectTargets(s.config);
  const current = selectedEnvironment(s.memento);
  const items = DEPLOY_ENVIRONMENTS.map((env) => {
    const t = first?.targets[env];
    return { label: env, description: `${t?.context ?? 'context asked on first deploy'} / ${t?.namespace ?? '?'}`, detail: env === 'prod' ? 'Deploys and rollbacks ask you to type the context name.' : undefined, value: env as string };
  });
  const chosen = await s.prompter().pickOne([...items, { label: '$(server-environment) Select Kubernetes Context…', description: `for ${current}`, value: 'context' }], {
    title: 'Modelship: Switch Environment',
    placeholder: `Deploy to which environment? (now ${current})`,
    defaults: [current],
  });
  if (!chosen) return undefined;
  if (chosen === 'context') {
    await s.host.run('selectKubeContext', undefined);
    return current;
  }
  await selectEnvironment(s.memento, chosen as (typeof DEPLOY_ENVIRONMENTS)[number]);
  await s.statusBar.update();
  void s.store.restart();
  return chosen;
}

export const COMMANDS: CommandTable<DeployServices> = {
  deployStaging: clusterCommand('deployStaging'),
  deployEnvironment: clusterCommand('deployEnvironment'),
  rollback: clusterCommand('rollback'),
  showDeploymentStatus: clusterCommand('showDeploymentStatus'),
  showDeploymentLogs: clusterCommand('showDeploymentLogs'),
  portForward: clusterCommand('portForward'),
  tryPrediction: clusterCommand('tryPrediction'),
  undeploy: clusterCommand('undeploy'),
  selectKubeContext: clusterCommand('selectKubeContext'),
  selectEnvironment: (s) => () => switchEnvironment(s),
  stopPortForward: (s) => () => s.host.current()?.stopPortForwards(),
  refreshDeployments: (s) => async () => {
    await s.statusBar.update();
    await s.store.restart();
    return s.store.latest();
  },
};

export interface Deploy {
  host: DeployHost;
  store: DeploymentsStore;
  tree: DeploymentsTreeProvider;
  statusBar: DeployStatusBar;
  commands: BoundCommands;
  /** Reads the projects' targets for the status bar; called after activation has returned. */
  start(): void;
}

export function registerDeploy(ctx: Ctx, extensionUri: vscode.Uri): Deploy {
  const host = ctx.own(new DeployHost(ctx));
  const store = ctx.own(new DeploymentsStore(host, ctx.log));
  const tree = ctx.own(new DeploymentsTreeProvider(store));
  const statusBar = ctx.own(new DeployStatusBar(ctx.config, ctx.memento, store, ctx.log, () => host.trusted));
  const services: DeployServices = { ...ctx, host, store, statusBar };
  // The panels restore after a reload; their feeds load the deploy bundle only then.
  setExtensionUri(extensionUri);
  const feeds: PanelFeeds = {
    status: (target) => host.statusFeed(target),
    logs: (target) => host.logFeed(target),
  };
  const actions: PanelActions = {
    showLogs: (target, options) => void vscode.commands.executeCommand('modelship.showDeploymentLogs', { ...target, ...(options?.previous ? { previous: true } : {}) }),
    rollback: (target, options) => void vscode.commands.executeCommand('modelship.rollback', { ...target, ...(options?.revision !== undefined ? { revision: options.revision } : {}) }),
  };
  host.setPanels(feeds, actions);
  host.setProjectsSource(() => statusBar.latest().map((p) => p.project.dir));
  registerPanelSerializers(ctx, (kind, panel, target, saved) => host.restorePanel(kind, panel, target, saved));
  ctx.own(ctx.config.onDidChange((e) => {
    if (e.areas.includes('deploy') || e.areas.includes('kube')) void store.restart();
  }));
  // The view and the status bar item are created after activation has returned; activation only registers.
  const start = (): void => {
    const view = ctx.own(vscode.window.createTreeView<DeploymentsNode>('modelship.deployments', { treeDataProvider: tree, showCollapseAll: true }));
    store.attach(view);
    statusBar.start();
  };
  return { host, store, tree, statusBar, commands: bindCommands(COMMANDS, services), start };
}

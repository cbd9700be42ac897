/**
 * The Deployments view: environment → the project's Deployment (ready/desired, revision, image
 * digest) → its pods (phase, ready, restarts, reason, age). It renders the DeploymentsStore and
 * owns no data. Each item's contextValue drives the inline actions
 * (`modelship.deployment.<state>[.rollbackable]`, `modelship.pod`, `modelship.environment`), and
 * each node is the argument its commands receive (a DeploymentsNodeArg).
 */
import * as vscode from 'vscode';
import { treeRows, type TreeRow } from '../common/treeRows';
import type { DeploymentsNodeArg, DeploymentView, EnvironmentView, PodView } from './deployModel';
import type { DeploymentsStore } from './deploymentsStore';

export type DeploymentsNode =
  | ({ kind: 'environment'; view: EnvironmentView } & DeploymentsNodeArg)
  | ({ kind: 'deployment'; view: EnvironmentView; deploymentView: DeploymentView } & DeploymentsNodeArg)
  | ({ kind: 'pod'; view: EnvironmentView; podView: PodView } & DeploymentsNodeArg);


const STATE_ICONS: Record<DeploymentView['state'], [string, string]> = {
  ready: ['pass', 'testing.iconPassed'],
  progressing: ['sync~spin', 'charts.blue'],
  failed: ['error', 'testing.iconFailed'],
};

function podIcon(pod: PodView): vscode.ThemeIcon {
  if (pod.reason && pod.reason !== 'Completed') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  const [ready, total] = pod.ready.split('/');
  return ready === total && pod.phase === 'Running'
    ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('testing.iconPassed'))
    : new vscode.ThemeIcon('circle-outline');
}

const shortDigest = (digest: string | undefined): string => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '');

export function deploymentsTreeItem(node: DeploymentsNode, multiProject: boolean): vscode.TreeItem {
  const { view } = node;
  if (node.kind === 'environment') {
    const item = new vscode.TreeItem(multiProject ? `${view.environment} · ${view.project}` : view.environment, view.deployment ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.description = `${view.context ?? 'context not chosen'} / ${view.namespace}${view.selected ? ' (selected)' : ''}`;
    item.iconPath = new vscode.ThemeIcon(view.error ? 'cloud-offline' : 'cloud', view.error ? new vscode.ThemeColor('list.errorForeground') : undefined);
    item.tooltip = view.error ?? (view.deployment ? undefined : `${view.project} is not deployed in ${view.environment}.`);
    item.contextValue = 'modelship.environment';
    item.id = `env:${view.projectDir}:${view.environment}`;
    return item;
  }
  if (node.kind === 'deployment') {
    const d = node.deploymentView;
    const item = new vscode.TreeItem(d.name, d.pods.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    const digest = shortDigest(d.digest);
    item.description = [`${d.ready}/${d.desired} ready`, d.revision !== undefined ? `rev ${d.revision}` : '', digest ? `@${digest}` : (d.image ?? '')].filter(Boolean).join(' · ');
    const [icon, color] = STATE_ICONS[d.state];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendText(`${d.state}: ${d.summary}\n\nimage: ${d.image ?? '?'}`);
    item.tooltip = tooltip;
    item.contextValue = `modelship.deployment.${d.state}${d.rollbackable ? '.rollbackable' : ''}`;
    item.id = `dep:${view.projectDir}:${view.environment}:${d.name}`;
    item.command = { command: 'modelship.showDeploymentStatus', title: 'Show Deployment Status', arguments: [toArg(node)] };
    return item;
  }
  const p = node.podView;
  const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
  item.description = [p.phase, p.ready, p.restarts > 0 ? `${p.restarts} restart${p.restarts === 1 ? '' : 's'}` : '', p.reason ?? '', p.age ?? ''].filter(Boolean).join(' · ');
  item.iconPath = podIcon(p);
  item.contextValue = 'modelship.pod';
  item.id = `pod:${view.projectDir}:${view.environment}:${p.name}`;
  return item;
}

/** What a command receives for a node: plain, so it survives being passed through `executeCommand`. */
export function toArg(node: DeploymentsNode): DeploymentsNodeArg {
  return { projectDir: node.projectDir, environment: node.environment, ...(node.deployment ? { deployment: node.deployment } : {}), ...(node.pod ? { pod: node.pod } : {}) };
}

export class DeploymentsTreeProvider implements vscode.TreeDataProvider<DeploymentsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DeploymentsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: DeploymentsStore) {
    this.subscription = store.onDidChange(() => this.emitter.fire(undefined));
  }

  getChildren(node?: DeploymentsNode): DeploymentsNode[] {
    if (!node) {
      const snapshot = this.store.latest();
      if (!snapshot || snapshot.kube !== 'reachable') return [];
      // Nothing deployed anywhere: the view's welcome content says so, with a Deploy button.
      if (!snapshot.environments.some((e) => e.deployment)) return [];
      return snapshot.environments.map((view) => ({ kind: 'environment', view, projectDir: view.projectDir, environment: view.environment }));
    }
    const base = { view: node.view, projectDir: node.projectDir, environment: node.environment };
    if (node.kind === 'environment') {
      const d = node.view.deployment;
      return d ? [{ kind: 'deployment', ...base, deploymentView: d, deployment: d.name }] : [];
    }
    if (node.kind === 'deployment') return node.deploymentView.pods.map((podView) => ({ kind: 'pod', ...base, podView, deployment: node.deploymentView.name, pod: podView.name }));
    return [];
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
    const projects = new Set(this.store.latest()?.environments.map((e) => e.projectDir));
    return deploymentsTreeItem(node, projects.size > 1);
  }

  /** The tree as rows, for the test API. */
  rows(node?: DeploymentsNode): TreeRow[] {
    return treeRows(this, node);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

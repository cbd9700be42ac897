/**
 * The status bar item: where a deploy goes now — environment, context and namespace of the
 * selected environment (of the first project, with a count when there are several) — and how its
 * Deployment stands when the Deployments view has read it. Clicking it switches the environment.
 * Shown only in a trusted workspace with a Modelship project; reads no cluster itself.
 */
import * as vscode from 'vscode';
import { errorMessage, type Logger } from '../log';
import type { ModelshipConfig } from '../config';
import type { DeploymentsStore } from './deploymentsStore';
import { readProjectTargets, selectedEnvironment, type ProjectTargets } from './deployTargets';

const STATE_ICON = { ready: '$(pass)', progressing: '$(sync~spin)', failed: '$(error)' } as const;

export class DeployStatusBar implements vscode.Disposable {
  private item: vscode.StatusBarItem | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private projects: ProjectTargets[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly config: ModelshipConfig, private readonly memento: vscode.Memento, private readonly store: DeploymentsStore, private readonly log: Logger, private readonly trusted: () => boolean) {}

  /** Creates the item and its watchers; called after activation has returned (activation only registers). */
  start(): void {
    if (this.item) return;
    this.item = vscode.window.createStatusBarItem('modelship.deployTarget', vscode.StatusBarAlignment.Left, 20);
    this.item.name = 'Modelship: Deploy Target';
    this.item.command = 'modelship.selectEnvironment';
    const watcher = vscode.workspace.createFileSystemWatcher('**/{Dockerfile,deploy/environments.yaml}');
    this.subscriptions.push(
      watcher,
      watcher.onDidChange(() => this.schedule()),
      watcher.onDidCreate(() => this.schedule()),
      watcher.onDidDelete(() => this.schedule()),
      this.config.onDidChange((e) => e.areas.includes('deploy') && this.schedule()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule()),
      this.store.onDidChange(() => this.render()),
    );
    this.schedule(0);
  }

  /** Re-reads the projects' targets soon (file events come in bursts). */
  schedule(delayMs = 300): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delayMs);
  }

  async update(): Promise<void> {
    this.timer = undefined;
    if (!this.trusted()) {
      this.item?.hide();
      return;
    }
    try {
      this.projects = await readProjectTargets(this.config);
    } catch (error) {
      this.log.warn(`status bar: ${errorMessage(error)}`);
      this.projects = [];
    }
    this.render();
  }

  /** The targets last read (tests and commands use them). */
  latest(): readonly ProjectTargets[] {
    return this.projects;
  }

  private render(): void {
    const first = this.projects[0];
    const item = this.item;
    if (!item) return;
    if (!first) {
      item.hide();
      return;
    }
    const env = selectedEnvironment(this.memento);
    const target = first.targets[env];
    const live = this.store.latest()?.environments.find((e) => e.projectDir === first.project.dir && e.environment === env)?.deployment;
    const context = target?.context ?? 'choose a context';
    const icon = live ? STATE_ICON[live.state] : '$(cloud)';
    const more = this.projects.length > 1 ? ` +${this.projects.length - 1}` : '';
    item.text = `${icon} ${env}: ${context} / ${target?.namespace ?? '?'}${more}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Modelship deploys ${first.project.target.name} to ${env}**\n\n`);
    tooltip.appendText(`context: ${target?.context ?? '(asked on the first deploy)'}\nnamespace: ${target?.namespace ?? '?'}\nregistry: ${target?.registry ?? '(none: local cluster)'}\n`);
    if (live) tooltip.appendText(`\n${live.name}: ${live.ready}/${live.desired} ready — ${live.summary}\n`);
    for (const problem of first.problems) tooltip.appendText(`\n⚠ ${problem}`);
    tooltip.appendMarkdown('\n\nClick to switch the environment.');
    item.tooltip = tooltip;
    item.backgroundColor = env === 'prod' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.accessibilityInformation = { label: `Modelship deploy target: ${env}, context ${context}, namespace ${target?.namespace ?? 'unknown'}. Click to switch.` };
    item.show();
  }

  /** What the item says now (tests read it). */
  text(): string | undefined {
    return this.item?.text || undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item?.dispose();
  }
}

/**
 * The typed view of the `modelship.*` settings. This is the only file that calls
 * `getConfiguration`; everything else asks this object and listens to its one `onDidChange`.
 */
import * as vscode from 'vscode';
import type { LintSettings } from '../core/lint/types';
import { normalizeSettings, type ModelshipSettings } from '../core/settings';

/** The groups of settings that trigger different re-runs. */
export type ConfigArea = 'detect' | 'lint';
const AREAS: readonly ConfigArea[] = ['detect', 'lint'];

export interface ConfigChange {
  areas: ConfigArea[];
  /** Whether the change touches `area` for `folder` (a folder-level override may not). */
  affects(area: ConfigArea, folder: vscode.WorkspaceFolder): boolean;
}

export class ModelshipConfig implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ConfigChange>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      const areas = AREAS.filter((a) => e.affectsConfiguration(`modelship.${a}`));
      if (areas.length === 0) return;
      this.emitter.fire({ areas, affects: (area, folder) => e.affectsConfiguration(`modelship.${area}`, folder.uri) });
    });
  }

  /** Complete, normalised settings for one workspace folder (folder overrides included). */
  settingsFor(folder?: vscode.WorkspaceFolder): ModelshipSettings {
    const c = vscode.workspace.getConfiguration('modelship', folder?.uri);
    return normalizeSettings({
      detect: {
        exclude: c.get<unknown>('detect.exclude'),
        useDefaultExcludes: c.get<unknown>('detect.useDefaultExcludes'),
        maxDepth: c.get<unknown>('detect.maxDepth'),
        defaultPythonVersion: c.get<unknown>('detect.defaultPythonVersion'),
      },
      lint: {
        rules: c.get<unknown>('lint.rules'),
        kubernetesVersion: c.get<unknown>('lint.kubernetesVersion'),
      },
    });
  }

  /** The rule severities and Kubernetes version for a folder (normalised: unknown ids and values dropped). */
  lintSettingsFor(folder?: vscode.WorkspaceFolder): LintSettings {
    return this.settingsFor(folder).lint;
  }

  /** `modelship.lint.enable`: whether Modelship publishes lint diagnostics at all. */
  lintEnabled(folder?: vscode.WorkspaceFolder): boolean {
    return vscode.workspace.getConfiguration('modelship.lint', folder?.uri).get<unknown>('enable') !== false;
  }

  /**
   * Turns `ruleId` off in `modelship.lint.rules`, keeping the other entries at that level: in the
   * folder's settings in a multi-root workspace, in the workspace's otherwise, in the user's
   * settings when no folder is open. Resolves once the setting is written.
   */
  async disableRule(ruleId: string, folder?: vscode.WorkspaceFolder): Promise<vscode.ConfigurationTarget> {
    const c = vscode.workspace.getConfiguration('modelship.lint', folder?.uri);
    const inspected = c.inspect<Record<string, unknown>>('rules');
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const target = !vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Global
      : multiRoot && folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
    const current = target === vscode.ConfigurationTarget.Global ? inspected?.globalValue
      : target === vscode.ConfigurationTarget.WorkspaceFolder ? inspected?.workspaceFolderValue : inspected?.workspaceValue;
    await c.update('rules', { ...(current ?? {}), [ruleId]: 'off' }, target);
    return target;
  }

  /**
   * The `modelship.containerize.*` defaults for a folder, as configured (possibly malformed: the
   * containerize questions keep only well-formed values).
   */
  containerizeDefaults(folder?: vscode.WorkspaceFolder): { targets: unknown; gpu: unknown; mode: unknown } {
    const c = vscode.workspace.getConfiguration('modelship.containerize', folder?.uri);
    return { targets: c.get<unknown>('defaultTargets'), gpu: c.get<unknown>('gpu'), mode: c.get<unknown>('mode') };
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/**
 * The typed view of the `modelship.*` settings. This is the only file that calls
 * `getConfiguration`; everything else asks this object and listens to its one `onDidChange`.
 */
import * as vscode from 'vscode';
import { normalizeSettings, type ModelshipSettings } from '../core/settings';

/** The groups of settings that trigger different re-runs. */
export type ConfigArea = 'detect';
const AREAS: readonly ConfigArea[] = ['detect'];

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
    });
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

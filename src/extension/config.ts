/**
 * The typed view of the `modelship.*` settings. This is the only file that calls
 * `getConfiguration`; everything else asks this object and listens to its one `onDidChange`.
 */
import * as vscode from 'vscode';
import type { EditorDeploySettings } from '../core/deploy/editorTargets';
import type { LintSettings } from '../core/lint/types';
import { normalizeSettings, type ModelshipSettings } from '../core/settings';

/** The groups of settings that trigger different re-runs. */
export type ConfigArea = 'detect' | 'lint' | 'docker' | 'deploy' | 'kube' | 'logs';
const AREAS: readonly ConfigArea[] = ['detect', 'lint', 'docker', 'deploy', 'kube', 'logs'];

/** The `modelship.docker.*` settings, normalised (unknown values fall back to the defaults). */
export interface DockerSettings {
  /** Which builder `Build Image` asks the engine for. */
  builder: 'auto' | 'buildkit' | 'legacy';
  /** The host port on 127.0.0.1 a run publishes the server on; 0 lets the engine choose a free one. */
  hostPort: number;
  /** The default destination of `Push Image` (`registry[:port][/namespace]`), '' for none. */
  registry: string;
  /** How long `Run Container` waits for the server's /readyz. */
  readyTimeoutSeconds: number;
  /** Whether `Run Container` runs under the generated Deployment's limits (memory, CPU, read-only root). */
  applyManifestLimits: boolean;
}

const BUILDERS: readonly DockerSettings['builder'][] = ['auto', 'buildkit', 'legacy'];

/** Tolerant: any input becomes complete DockerSettings. */
export function normalizeDockerSettings(raw: { builder?: unknown; hostPort?: unknown; registry?: unknown; readyTimeoutSeconds?: unknown; applyManifestLimits?: unknown }): DockerSettings {
  const port = raw.hostPort;
  const timeout = raw.readyTimeoutSeconds;
  return {
    builder: BUILDERS.find((b) => b === raw.builder) ?? 'auto',
    hostPort: typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0,
    registry: typeof raw.registry === 'string' ? raw.registry.trim() : '',
    readyTimeoutSeconds: typeof timeout === 'number' && timeout > 0 ? timeout : 120,
    applyManifestLimits: raw.applyManifestLimits !== false,
  };
}

const DEPLOY_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const DEPLOY_KEYS = ['context', 'namespace', 'registry'] as const;

/**
 * Tolerant: any input becomes EditorDeploySettings. Values of the wrong type are dropped here;
 * values of the right type but wrong form (a namespace with capitals) go through, so that
 * resolveTarget names the setting and what to write.
 */
export function normalizeDeploySettings(raw: { environments?: unknown; registry?: unknown; rolloutTimeoutSeconds?: unknown }): EditorDeploySettings {
  const environments: EditorDeploySettings['environments'] = {};
  const given = raw.environments && typeof raw.environments === 'object' ? (raw.environments as Record<string, unknown>) : {};
  for (const env of DEPLOY_ENVIRONMENTS) {
    const entry = given[env];
    if (!entry || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    const own: NonNullable<EditorDeploySettings['environments'][typeof env]> = {};
    for (const key of DEPLOY_KEYS) if (typeof e[key] === 'string' && (e[key] as string).trim() !== '') own[key] = (e[key] as string).trim();
    if (typeof e.timeoutSeconds === 'number') own.timeoutSeconds = e.timeoutSeconds;
    environments[env] = own;
  }
  const registry = typeof raw.registry === 'string' ? raw.registry.trim() : '';
  const timeout = raw.rolloutTimeoutSeconds;
  return {
    environments,
    ...(registry ? { registry } : {}),
    ...(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 ? { rolloutTimeoutSeconds: timeout } : {}),
  };
}

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

  /** The `modelship.docker.*` settings for a folder (build, run, push). */
  dockerSettings(folder?: vscode.WorkspaceFolder): DockerSettings {
    const c = vscode.workspace.getConfiguration('modelship.docker', folder?.uri);
    return normalizeDockerSettings({
      builder: c.get<unknown>('builder'),
      hostPort: c.get<unknown>('hostPort'),
      registry: c.get<unknown>('registry'),
      readyTimeoutSeconds: c.get<unknown>('readyTimeoutSeconds'),
      applyManifestLimits: c.get<unknown>('applyManifestLimits'),
    });
  }

  /** The `modelship.deploy.*` settings for a folder, with `modelship.docker.registry` as the last default registry. */
  deploySettings(folder?: vscode.WorkspaceFolder): EditorDeploySettings {
    const c = vscode.workspace.getConfiguration('modelship', folder?.uri);
    const settings = normalizeDeploySettings({
      environments: c.get<unknown>('deploy.environments'),
      registry: c.get<unknown>('deploy.registry'),
      rolloutTimeoutSeconds: c.get<unknown>('deploy.rolloutTimeoutSeconds'),
    });
    const dockerRegistry = this.dockerSettings(folder).registry;
    return settings.registry || !dockerRegistry ? settings : { ...settings, registry: dockerRegistry };
  }

  /** `modelship.kube.kubeconfig`: a kubeconfig file instead of KUBECONFIG / ~/.kube/config; undefined when unset. */
  kubeconfig(): string | undefined {
    const value = vscode.workspace.getConfiguration('modelship.kube').get<unknown>('kubeconfig');
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  }

  /** `modelship.logs.maxLines`: how many lines the logs panel keeps. */
  logsMaxLines(): number {
    const value = vscode.workspace.getConfiguration('modelship.logs').get<unknown>('maxLines');
    return typeof value === 'number' && Number.isInteger(value) && value >= 1000 ? Math.min(value, 2_000_000) : 200_000;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

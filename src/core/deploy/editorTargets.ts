/**
 * Where each environment of a project deploys as the editor sees it: the project's environments
 * file (shared by the team) over the defaults containerize generated, under the user's own
 * `modelship.deploy.*` settings (per machine: e.g. the context name their kubeconfig uses). The
 * settings play the part the CLI's flags play, so both front ends resolve through resolveTarget.
 * Pure: the caller reads the file and the settings.
 */
import { ENVIRONMENTS, type Environment } from '../scaffold/k8s/environments';
import { ModelshipError } from '../errors';
import { defaultEnvironments, parseEnvironments, ENVIRONMENTS_FILE, type EnvironmentEntry, type EnvironmentsConfig } from './environments';
import { resolveTarget, type ResolvedTarget, type TargetFlags } from './resolveTarget';

/** The `modelship.deploy.*` settings, normalised by the extension's config. */
export interface EditorDeploySettings {
  /** Per-environment overrides (`modelship.deploy.environments`). */
  environments: Partial<Record<Environment, Pick<EnvironmentEntry, 'context' | 'namespace' | 'registry' | 'timeoutSeconds'>>>;
  /** `modelship.deploy.registry`: used when neither the environment nor its override names one. */
  registry?: string;
  /** `modelship.deploy.rolloutTimeoutSeconds` when above 0. */
  rolloutTimeoutSeconds?: number;
}

export interface EditorTarget extends ResolvedTarget {
  /** Whether the file or the settings name this environment's context (else the editor asks on first deploy). */
  configured: boolean;
}

export interface EditorTargets {
  targets: Partial<Record<Environment, EditorTarget>>;
  /** `file:line: message` for each error in the environments file (the targets then use the defaults). */
  problems: string[];
}

/** The file's environments merged over the defaults (each key of the file wins); problems as `file:line: message`. */
export function mergeEnvironmentsFile(projectName: string, fileText: string | undefined, filePath = ENVIRONMENTS_FILE): { environments: EnvironmentsConfig; problems: string[] } {
  const defaults = defaultEnvironments({ name: projectName });
  if (fileText === undefined) return { environments: defaults, problems: [] };
  const parsed = parseEnvironments(fileText, filePath);
  const problems = parsed.problems.filter((p) => p.severity === 'error').map((p) => `${filePath}:${p.line ?? 1}: ${p.message}`);
  const merged: EnvironmentsConfig = {};
  for (const env of ENVIRONMENTS) merged[env] = { ...defaults[env], ...parsed.environments[env] };
  return { environments: merged, problems };
}

/** The settings of one environment as resolveTarget's flags. */
export function settingsFlags(settings: EditorDeploySettings, env: Environment): TargetFlags {
  const own = settings.environments[env] ?? {};
  const registry = own.registry ?? undefined;
  const timeout = own.timeoutSeconds ?? settings.rolloutTimeoutSeconds;
  return {
    ...(own.context ? { context: own.context } : {}),
    ...(own.namespace ? { namespace: own.namespace } : {}),
    ...(registry ? { registry } : {}),
    ...(timeout ? { timeoutSeconds: timeout } : {}),
  };
}

/**
 * Every environment's target. An environment whose settings are invalid is left out and named in
 * `problems` (as the setting), so one bad value never hides the others.
 */
export function editorTargets(projectName: string, fileText: string | undefined, settings: EditorDeploySettings, filePath = ENVIRONMENTS_FILE): EditorTargets {
  const { environments, problems } = mergeEnvironmentsFile(projectName, fileText, filePath);
  const targets: Partial<Record<Environment, EditorTarget>> = {};
  for (const env of ENVIRONMENTS) {
    const flags = settingsFlags(settings, env);
    try {
      const resolved = resolveTarget(environments, env, flags, { surface: 'editor' });
      // The default registry fills in only where neither the file nor the environment's setting names one.
      const registry = resolved.registry ?? (settings.registry || undefined);
      targets[env] = { ...resolved, ...(registry ? { registry, registrySource: resolved.registrySource ?? 'flag' } : {}), configured: resolved.contextSource !== 'ask' };
    } catch (error) {
      const message = error instanceof ModelshipError ? error.message.replace(/^--(\w+)/, `modelship.deploy.environments.${env}.$1`) : String(error);
      problems.push(`settings: ${message}`);
    }
  }
  return { targets, problems };
}

/**
 * Where a cluster flow acts: the project, its environment as deploy/environments.yaml and the
 * caller's overrides say (staging by default), and the session on the context it names (the
 * kubeconfig's current context is never changed). Nothing here prints or prompts: the CLI and the
 * editor each say the target line (`describeTarget`) and guard prod in their own way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENTS_FILE, defaultEnvironments, parseEnvironments, type EnvironmentEntry } from '../core/deploy/environments';
import { resolveTarget } from '../core/deploy/resolveTarget';
import { ModelshipError } from '../core/errors';
import { ENVIRONMENTS, type Environment } from '../core/scaffold/k8s/environments';
import { connectKube, type KubeSession } from '../kube';
import { findWorkspace, type Workspace } from './workspace';

/** What a front end asks for: the environment and the values that override its entry in the file. */
export interface TargetRequest {
  /** dev, staging or prod; default staging. */
  env?: string;
  context?: string;
  namespace?: string;
  /** Push destination (`localhost:5000`, `ghcr.io/acme`), or `local` for a kind, minikube or k3d cluster. */
  registry?: string;
  timeoutSeconds?: number;
  /** Confirms a prod target. */
  yes?: boolean;
  /** Who asks: 'cli' says flags, 'editor' says settings/the environments file, in messages (resolveTarget's surface option). */
  surface: 'cli' | 'editor';
}

/** Where a cluster flow acts: the project, its environment as the file and the request say. */
export interface ClusterTarget {
  ws: Workspace;
  environment: Environment;
  entry: EnvironmentEntry;
  /** Where the context came from, said before anything is sent. */
  contextSource: 'flag' | 'file' | 'kubeconfig';
  timeoutSeconds: number;
}

/**
 * The project's environments: the file's entries over the generated defaults, or the defaults alone
 * when there is no file. Throws BAD_ENVIRONMENTS naming file:line for each error in the file.
 */
export function readEnvironments(ws: Workspace, surface: TargetRequest['surface'] = 'cli'): Partial<Record<Environment, EnvironmentEntry>> {
  const file = path.join(ws.dir, ENVIRONMENTS_FILE);
  const defaults = defaultEnvironments({ name: ws.target.name });
  if (!fs.existsSync(file)) return defaults;
  const parsed = parseEnvironments(fs.readFileSync(file, 'utf8'), file);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const hint = surface === 'cli' ? `Fix ${ENVIRONMENTS_FILE}, or pass --context/--namespace to override it.` : `Fix ${ENVIRONMENTS_FILE}.`;
    throw new ModelshipError('BAD_ENVIRONMENTS', errors.map((p) => `${file}:${p.line ?? 1}: ${p.message}`).join('\n'), hint);
  }
  const merged: Partial<Record<Environment, EnvironmentEntry>> = {};
  for (const env of ENVIRONMENTS) merged[env] = { ...defaults[env], ...parsed.environments[env] };
  return merged;
}

/** The target of the project at or above `dir`: core's resolveTarget over the environments file and the request. */
export function resolveClusterTarget(dir: string, request: TargetRequest): ClusterTarget {
  const ws = findWorkspace(dir);
  const resolved = resolveTarget(readEnvironments(ws, request.surface), request.env, {
    ...(request.context ? { context: request.context } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(request.registry ? { registry: request.registry } : {}),
    ...(request.timeoutSeconds !== undefined ? { timeoutSeconds: request.timeoutSeconds } : {}),
    yes: request.yes === true,
  }, { surface: request.surface });
  const entry: EnvironmentEntry = {
    namespace: resolved.namespace,
    overlay: resolved.overlay,
    timeoutSeconds: resolved.timeoutSeconds,
    ...(resolved.context ? { context: resolved.context } : {}),
    ...(resolved.registry ? { registry: resolved.registry } : {}),
    ...(resolved.pullSecret ? { pullSecret: resolved.pullSecret } : {}),
    ...(resolved.chart ? { chart: resolved.chart } : {}),
  };
  const contextSource = resolved.contextSource === 'flag' || resolved.contextSource === 'file' ? resolved.contextSource : 'kubeconfig';
  return { ws, environment: resolved.environment, entry, contextSource, timeoutSeconds: resolved.timeoutSeconds };
}

/** A session on the target's context and namespace; says nothing (the caller shows `describeTarget`). */
export async function connectTarget(target: ClusterTarget, kubeconfig?: string): Promise<KubeSession> {
  return connectKube({
    ...(target.entry.context ? { context: target.entry.context } : {}),
    ...(target.entry.namespace ? { namespace: target.entry.namespace } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
  });
}

/** The line said before anything is sent: `staging: context C, namespace N, server S`. */
export function describeTarget(target: ClusterTarget, session: KubeSession): string {
  const t = session.target;
  return `${target.environment}: context ${t.context}${target.contextSource === 'kubeconfig' ? ' (the kubeconfig\'s current context)' : ''}, namespace ${t.namespace}, server ${t.server}`;
}

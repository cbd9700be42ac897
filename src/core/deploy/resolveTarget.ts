/**
 * Where one deploy goes: the environments file's entry, overridden by flags, with every value's
 * source recorded so the CLI and the editor can say where it came from. Staging is the default
 * environment. A prod target always carries `guard.requiresConfirmation` unless `yes` was given:
 * the caller must refuse (CLI) or ask (editor) before anything reaches the cluster.
 */
import { DEFAULT_ENVIRONMENT, ENVIRONMENTS, type Environment } from '../scaffold/k8s/environments';
import { ModelshipError } from '../errors';
import { checkEnvironmentValue, DEFAULT_TIMEOUT_SECONDS, ENVIRONMENTS_FILE, overlayFor, type EnvironmentKey, type EnvironmentsConfig } from './environments';

export interface TargetFlags {
  context?: string;
  namespace?: string;
  registry?: string;
  timeoutSeconds?: number;
  /** Confirms a prod deploy (`--yes`). */
  yes?: boolean;
}

export interface TargetOptions {
  /** Who resolves: with no context named, the editor asks and the CLI uses the kubeconfig's current context. */
  surface?: 'cli' | 'editor';
  /** The Deployment's startup budget, to derive the timeout when neither the file nor a flag sets one. */
  startupBudgetSeconds?: number;
}

export interface ResolvedTarget {
  environment: Environment;
  environmentSource: 'flag' | 'default';
  /** Undefined when `contextSource` is `ask` or `current-context`. */
  context?: string;
  contextSource: 'flag' | 'file' | 'ask' | 'current-context';
  namespace: string;
  namespaceSource: 'flag' | 'file';
  overlay: string;
  overlaySource: 'file' | 'default';
  registry?: string;
  registrySource?: 'flag' | 'file';
  pullSecret?: string;
  /** When set, Helm renders this chart folder instead of kustomize rendering the overlay. */
  chart?: string;
  renderer: 'helm' | 'kustomize';
  timeoutSeconds: number;
  timeoutSource: 'flag' | 'file' | 'startup-budget' | 'default';
  guard: { requiresConfirmation: boolean; message?: string };
}

/** The timeout when nothing sets one: never under 300 s, and two minutes (pull, schedule) beyond the startup budget. */
export function defaultTimeoutSeconds(startupBudgetSeconds?: number): number {
  return startupBudgetSeconds === undefined ? DEFAULT_TIMEOUT_SECONDS : Math.max(DEFAULT_TIMEOUT_SECONDS, Math.ceil(startupBudgetSeconds) + 120);
}

function checkFlag(key: EnvironmentKey, flag: string, value: string | number | undefined): void {
  const why = value === undefined ? undefined : checkEnvironmentValue(key, value);
  if (why) throw new ModelshipError('USAGE', `--${flag}: ${why}`);
}

/**
 * The target of a deploy to `envName` (default staging). Throws a `USAGE` ModelshipError for an
 * unknown environment, an invalid flag, or an environment with no namespace from file or flag.
 */
export function resolveTarget(fileEnvs: EnvironmentsConfig, envName: string | undefined, flags: TargetFlags = {}, options: TargetOptions = {}): ResolvedTarget {
  if (envName !== undefined && !(ENVIRONMENTS as readonly string[]).includes(envName)) {
    throw new ModelshipError('USAGE', `Unknown environment "${envName}".`, 'Use --env dev, staging or prod.');
  }
  checkFlag('context', 'context', flags.context);
  checkFlag('namespace', 'namespace', flags.namespace);
  checkFlag('registry', 'registry', flags.registry);
  checkFlag('timeoutSeconds', 'timeout', flags.timeoutSeconds);
  const environment = (envName ?? DEFAULT_ENVIRONMENT) as Environment;
  const entry = fileEnvs[environment] ?? {};
  const namespace = flags.namespace ?? entry.namespace;
  if (!namespace) {
    throw new ModelshipError('USAGE', `${ENVIRONMENTS_FILE} names no namespace for ${environment}.`, `Add \`namespace:\` under ${environment} in ${ENVIRONMENTS_FILE}, or pass --namespace.`);
  }
  const context = flags.context ?? entry.context;
  const registry = flags.registry ?? entry.registry;
  const fileTimeout = entry.timeoutSeconds;
  const timeoutSeconds = flags.timeoutSeconds ?? fileTimeout ?? defaultTimeoutSeconds(options.startupBudgetSeconds);
  const timeoutSource = flags.timeoutSeconds !== undefined ? 'flag' : fileTimeout !== undefined ? 'file' : options.startupBudgetSeconds !== undefined ? 'startup-budget' : 'default';
  const confirm = environment === 'prod' && !flags.yes;
  const where = `${context ? `context ${context}` : 'the current context'}, namespace ${namespace}`;
  return {
    environment,
    environmentSource: envName === undefined ? 'default' : 'flag',
    ...(context ? { context } : {}),
    contextSource: flags.context ? 'flag' : entry.context ? 'file' : options.surface === 'editor' ? 'ask' : 'current-context',
    namespace,
    namespaceSource: flags.namespace ? 'flag' : 'file',
    overlay: entry.overlay ?? overlayFor(environment),
    overlaySource: entry.overlay ? 'file' : 'default',
    ...(registry ? { registry, registrySource: flags.registry ? ('flag' as const) : ('file' as const) } : {}),
    ...(entry.pullSecret ? { pullSecret: entry.pullSecret } : {}),
    ...(entry.chart ? { chart: entry.chart } : {}),
    renderer: entry.chart ? 'helm' : 'kustomize',
    timeoutSeconds,
    timeoutSource,
    guard: confirm ? { requiresConfirmation: true, message: `Deploying to prod (${where}) needs confirmation: pass --yes, or type the context name when asked.` } : { requiresConfirmation: false },
  };
}

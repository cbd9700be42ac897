/**
 * Kubeconfig as kubectl reads it, without ever writing it.
 *
 * - `KUBECONFIG` may list several files (`:`-separated; `;` on Windows). They are merged as kubectl
 *   merges them: the first file that names a cluster, user or context wins, and so does the first
 *   `current-context`. Files that do not exist are skipped; relative paths inside a file are
 *   resolved against that file's folder. Without `KUBECONFIG`, `~/.kube/config`.
 * - The context is chosen per call, in memory (a copy whose current context is set), never with
 *   `kubectl config use-context`.
 * - A user whose credentials come from an exec plugin (aws, gke-gcloud-auth-plugin, kubelogin…)
 *   is checked up front: a plugin missing from PATH is a ModelshipError naming it and where to get it.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { ModelshipError } from '../core/errors';
import { loadKubeClient } from './client';
import type { KubeConfig, Cluster, User, Context } from '@kubernetes/client-node';

/** Where a session points: what `modelship` prints before it touches a cluster. Plain data. */
export interface KubeTarget {
  context: string;
  cluster: string;
  server: string;
  namespace: string;
  user: string;
}

export interface KubeconfigOptions {
  /** An explicit kubeconfig path (or a KUBECONFIG-style list); overrides KUBECONFIG. */
  kubeconfig?: string;
  /** The context to use; the kubeconfig's current context when absent. */
  context?: string;
  /** The namespace; the context's namespace, else `default`, when absent. */
  namespace?: string;
  /** The environment to read KUBECONFIG, HOME and PATH from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedKubeconfig {
  /** A private copy with the chosen context current; never written anywhere. */
  config: KubeConfig;
  target: KubeTarget;
}

/** The files kubectl would read, in precedence order (pure). */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv): { files: string[]; source: string } {
  if (explicit) return { files: explicit.split(delimiter).filter(Boolean), source: explicit };
  const list = env.KUBECONFIG;
  if (list) return { files: list.split(delimiter).filter(Boolean), source: `KUBECONFIG=${list}` };
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const file = join(home, '.kube', 'config');
  return { files: [file], source: file };
}

interface Merged {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
}

/** Merges loaded files as kubectl does: first definition of each name wins, first current-context wins (pure). */
export function mergeKubeconfigs(configs: readonly Pick<KubeConfig, 'clusters' | 'users' | 'contexts' | 'currentContext'>[]): Merged {
  const merged: Merged = { clusters: [], users: [], contexts: [] };
  const add = <T extends { name: string }>(into: T[], items: readonly T[] | undefined) => {
    for (const item of items ?? []) if (!into.some((x) => x.name === item.name)) into.push(item);
  };
  for (const c of configs) {
    add(merged.clusters, c.clusters);
    add(merged.users, c.users);
    add(merged.contexts, c.contexts);
    if (!merged.currentContext && c.currentContext) merged.currentContext = c.currentContext;
  }
  return merged;
}

/** Where to get a known exec credential plugin (pure). */
export function execPluginHint(command: string): string {
  const base = command.split(/[\\/]/).pop()!.replace(/\.exe$/i, '');
  if (base === 'aws') return 'Install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html); `aws eks update-kubeconfig` writes this entry.';
  if (base === 'aws-iam-authenticator') return 'Install aws-iam-authenticator (https://github.com/kubernetes-sigs/aws-iam-authenticator), or switch the entry to the AWS CLI v2 with `aws eks update-kubeconfig`.';
  if (base === 'gke-gcloud-auth-plugin') return 'Install it with `gcloud components install gke-gcloud-auth-plugin` (or your package manager\'s google-cloud-cli-gke-gcloud-auth-plugin).';
  if (base === 'kubelogin') return 'Install Azure kubelogin (https://azure.github.io/kubelogin/, `az aks install-cli`) for AKS, or int128 kubelogin (`kubectl krew install oidc-login`) for OIDC.';
  if (base === 'kubectl' || base === 'kubectl-oidc_login') return 'Install kubectl and the oidc-login plugin (`kubectl krew install oidc-login`, https://github.com/int128/kubelogin).';
  return `Install \`${base}\` or put it on PATH; the kubeconfig's users[].user.exec.command names it.`;
}

/** Whether `command` resolves the way a spawn would: a path that exists, or a name found on PATH. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (isAbsolute(command) || command.includes('/') || command.includes('\\')) return isFile(command) ? command : undefined;
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = join(dir, command + ext);
      if (isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Loads the kubeconfig, picks the context in memory and checks its credentials can be produced.
 * Throws KUBECONFIG_MISSING, KUBECONFIG_INVALID, KUBE_CONTEXT_UNKNOWN or KUBE_AUTH_PLUGIN_MISSING.
 */
export function loadKubeconfig(options: KubeconfigOptions = {}): LoadedKubeconfig {
  const env = options.env ?? process.env;
  const { KubeConfig } = loadKubeClient();
  const { files, source } = kubeconfigFiles(options.kubeconfig, env);
  const present = files.filter((f) => existsSync(f));
  if (options.kubeconfig && present.length < files.length) {
    const missing = files.filter((f) => !present.includes(f));
    throw new ModelshipError('KUBECONFIG_MISSING', `kubeconfig ${missing.join(', ')} does not exist`, 'Check the path given with --kubeconfig.');
  }
  if (present.length === 0) {
    throw new ModelshipError('KUBECONFIG_MISSING', `no kubeconfig found (looked at ${source})`, 'Set KUBECONFIG, or create ~/.kube/config (your cluster provider\'s CLI writes it, e.g. `aws eks update-kubeconfig`, `gcloud container clusters get-credentials`, `az aks get-credentials`).');
  }
  const loaded = present.map((file) => {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw new ModelshipError('KUBECONFIG_INVALID', `cannot read kubeconfig ${file}: ${(err as Error).message}`, 'Fix the file, or check it with `kubectl config view`.');
    }
    return kc;
  });
  const merged = mergeKubeconfigs(loaded);
  const contextName = options.context ?? merged.currentContext;
  const names = merged.contexts.map((c) => c.name);
  if (!contextName) {
    throw new ModelshipError('KUBE_CONTEXT_UNKNOWN', `the kubeconfig (${source}) has no current context`, `Name one with --context: ${names.join(', ') || '(none defined)'}.`);
  }
  const context = merged.contexts.find((c) => c.name === contextName);
  if (!context) {
    throw new ModelshipError('KUBE_CONTEXT_UNKNOWN', `kube context "${contextName}" is not in the kubeconfig (${source})`, names.length ? `Known contexts: ${names.join(', ')}.` : 'The kubeconfig defines no contexts.');
  }
  const cluster = merged.clusters.find((c) => c.name === context.cluster);
  if (!cluster) {
    throw new ModelshipError('KUBECONFIG_INVALID', `kube context "${contextName}" names cluster "${context.cluster}", which the kubeconfig (${source}) does not define`, 'Fix the context entry, or check it with `kubectl config view`.');
  }
  const user = merged.users.find((u) => u.name === context.user);
  if (user?.exec?.command && !findOnPath(user.exec.command, env)) {
    throw new ModelshipError('KUBE_AUTH_PLUGIN_MISSING', `kube context "${contextName}" gets its credentials from the exec plugin \`${user.exec.command}\` (user "${user.name}"), which is not on PATH`, execPluginHint(user.exec.command));
  }
  const config = new KubeConfig();
  // loadFromOptions takes the arrays as they are: the loaded files stay untouched, and nothing is written.
  config.loadFromOptions({ clusters: merged.clusters, users: merged.users, contexts: merged.contexts, currentContext: contextName });
  return {
    config,
    target: {
      context: contextName,
      cluster: cluster.name,
      server: cluster.server,
      namespace: options.namespace || context.namespace || 'default',
      user: context.user,
    },
  };
}

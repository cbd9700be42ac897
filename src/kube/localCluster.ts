/**
 * Local clusters that run beside the engine that built the image, and how the image gets into
 * them without a registry. kind, minikube and k3d keep their own image stores on their nodes: the
 * image is loaded with their CLI (`kind load docker-image`, `minikube image load`, `k3d image
 * import`) and deployed by its local tag with `imagePullPolicy: IfNotPresent`. Docker Desktop and
 * Rancher Desktop (moby) run Kubernetes on the engine itself, so its images are there already.
 *
 * Detection reads only the kube context as the kubeconfig names it (what each tool writes), plus
 * `minikube profile list -o json` when minikube is on PATH, because minikube names its context
 * after a profile the user chose. The CLIs run without a shell, a timeout, and the caller's
 * environment; a failure is a ModelshipError carrying the CLI's own stderr.
 */
import { spawn } from 'node:child_process';
import { ModelshipError } from '../core/errors';
import { findOnPath, type KubeTarget } from './kubeconfig';

export type LocalClusterKind = 'kind' | 'minikube' | 'k3d' | 'docker-desktop' | 'rancher-desktop';
/** The CLI that loads an image into a cluster's nodes. */
export type LoaderCli = 'kind' | 'minikube' | 'k3d';

export interface LocalCluster {
  kind: LocalClusterKind;
  /** The name its CLI knows it by: kind's `--name`, minikube's profile, k3d's `-c`; the context for the desktops. */
  name: string;
  /** The CLI that loads images into it; absent where the cluster shares the engine's images. */
  loader?: LoaderCli;
}

/** A minikube profile as `minikube profile list -o json` lists it: its name and its nodes' IPs. */
export interface MinikubeProfile {
  name: string;
  ips: string[];
}

/** Where to get each loader CLI, for the message when it is not on PATH. */
export const LOADER_INSTALL_URL: Readonly<Record<LoaderCli, string>> = {
  kind: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  minikube: 'https://minikube.sigs.k8s.io/docs/start/',
  k3d: 'https://k3d.io/#installation',
};

const LABEL: Readonly<Record<LocalClusterKind, string>> = {
  kind: 'kind',
  minikube: 'minikube',
  k3d: 'k3d',
  'docker-desktop': 'Docker Desktop',
  'rancher-desktop': 'Rancher Desktop',
};

/** How a person would name the cluster: `kind cluster "dev"`, `Docker Desktop`. */
export function describeLocalCluster(cluster: LocalCluster): string {
  return cluster.loader ? `${LABEL[cluster.kind]} cluster "${cluster.name}"` : LABEL[cluster.kind];
}

/** The host of a server URL, without brackets; undefined when it does not parse. */
function hostOf(server: string): string | undefined {
  try {
    return new URL(server).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|0\.0\.0\.0|host\.docker\.internal)$/i;

/**
 * Which local cluster a kube target is, from the names its tool writes (pure). kind and k3d name
 * the cluster entry `kind-<name>` and `k3d-<name>` (the cluster entry decides: a renamed context
 * keeps it). minikube names context and cluster after the profile: `minikube` by default, else
 * one of `profiles` whose node IP (or a loopback port-forward, as the docker driver on macOS
 * writes) is the server, so a remote cluster that shares a profile's name is not mistaken for it.
 */
export function detectLocalCluster(target: Pick<KubeTarget, 'context' | 'cluster' | 'server'>, profiles: readonly MinikubeProfile[] = []): LocalCluster | undefined {
  const { context, cluster, server } = target;
  const prefixed = (prefix: string): string | undefined => (cluster.startsWith(prefix) && cluster.length > prefix.length ? cluster.slice(prefix.length) : undefined);
  const kindName = prefixed('kind-');
  if (kindName) return { kind: 'kind', name: kindName, loader: 'kind' };
  const k3dName = prefixed('k3d-');
  if (k3dName) return { kind: 'k3d', name: k3dName, loader: 'k3d' };
  const named = (...names: string[]) => names.includes(cluster) || names.includes(context);
  if (named('docker-desktop', 'docker-for-desktop')) return { kind: 'docker-desktop', name: context };
  if (named('rancher-desktop')) return { kind: 'rancher-desktop', name: context };
  const host = hostOf(server);
  const profile = profiles.find((p) => p.name === cluster && (p.ips.length === 0 || (host !== undefined && (LOOPBACK.test(host) || p.ips.includes(host)))));
  if (profile) return { kind: 'minikube', name: profile.name, loader: 'minikube' };
  if (cluster === 'minikube') return { kind: 'minikube', name: 'minikube', loader: 'minikube' };
  return undefined;
}

/** The profiles in `minikube profile list -o json` output (valid and invalid); undefined when it is not that JSON. */
export function parseMinikubeProfiles(json: string): MinikubeProfile[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const lists = [(parsed as { valid?: unknown }).valid, (parsed as { invalid?: unknown }).invalid];
  if (!lists.some(Array.isArray)) return undefined;
  const profiles: MinikubeProfile[] = [];
  for (const entry of lists.flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []))) {
    const e = entry as { Name?: unknown; Config?: { Nodes?: { IP?: unknown }[] } } | null;
    if (!e || typeof e.Name !== 'string' || e.Name === '') continue;
    const nodes = Array.isArray(e.Config?.Nodes) ? e.Config.Nodes : [];
    profiles.push({ name: e.Name, ips: nodes.map((n) => n?.IP).filter((ip): ip is string => typeof ip === 'string' && ip !== '') });
  }
  return profiles;
}

export interface LocalClusterOptions {
  /** The environment to find the CLIs in (PATH) and run them with; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** How long `minikube profile list` may take, in ms (it checks each profile's status). */
  profileTimeoutMs?: number;
}

/** Bytes of a CLI's output kept (its last ones), per call. */
const MAX_OUTPUT = 1024 * 1024;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a CLI without a shell. At the timeout it is sent SIGTERM (SIGKILL 2 s later), and the result
 * comes without waiting for the pipes to close: a child it started (kind's `docker save`) may
 * still hold them.
 */
function runCli(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const errors: Buffer[] = [];
    const keep = (into: Buffer[]) => {
      let kept = 0;
      return (chunk: Buffer) => {
        // A bounded tail is enough for the message; a chatty CLI must not grow memory without end.
        into.push(chunk);
        kept += chunk.length;
        while (kept > MAX_OUTPUT && into.length > 1) kept -= into.shift()!.length;
      };
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(errors));
    let timedOut = false;
    let settled = false;
    let killer: NodeJS.Timeout | undefined;
    const finish = (code: number, failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killer);
      child.stdout.destroy();
      child.stderr.destroy();
      const stderr = Buffer.concat(errors).toString('utf8');
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: stderr || failure || '', timedOut });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(1);
      }, 2000);
    }, timeoutMs);
    child.on('error', (error) => finish(1, error.message));
    child.on('exit', (code, signal) => {
      // Normally the pipes' last bytes come before 'close'; after a timeout, nothing more is awaited.
      if (timedOut) finish(code ?? 1, signal ? `stopped by ${signal}` : undefined);
    });
    child.on('close', (code) => finish(code ?? 1));
  });
}

/**
 * The minikube profiles, when minikube is on PATH and lists them; an empty list when it is not
 * installed or lists none (it exits non-zero then), so detection falls back to the name `minikube`.
 */
export async function listMinikubeProfiles(options: LocalClusterOptions = {}): Promise<MinikubeProfile[]> {
  const env = options.env ?? process.env;
  const minikube = findOnPath('minikube', env);
  if (!minikube) return [];
  const ran = await runCli(minikube, ['profile', 'list', '-o', 'json'], env, options.profileTimeoutMs ?? 20_000);
  return parseMinikubeProfiles(ran.stdout) ?? [];
}

/**
 * The local cluster a kube target is, or undefined for any other cluster. minikube's profiles are
 * asked for only when the names kind, k3d and the desktops write do not match.
 */
export async function findLocalCluster(target: Pick<KubeTarget, 'context' | 'cluster' | 'server'>, options: LocalClusterOptions = {}): Promise<LocalCluster | undefined> {
  const byName = detectLocalCluster(target);
  if (byName) return byName;
  return detectLocalCluster(target, await listMinikubeProfiles(options));
}

export interface LoaderCommand {
  command: LoaderCli;
  args: string[];
  /** As a person would type it. */
  display: string;
}

/** The command that loads `image` (a local tag) into the cluster's nodes; undefined where none is needed. */
export function loaderCommand(cluster: LocalCluster, image: string): LoaderCommand | undefined {
  if (!cluster.loader) return undefined;
  const args: string[] =
    cluster.loader === 'kind' ? ['load', 'docker-image', image, '--name', cluster.name]
      : cluster.loader === 'minikube' ? ['image', 'load', image, '-p', cluster.name]
        : ['image', 'import', image, '-c', cluster.name];
  return { command: cluster.loader, args, display: [cluster.loader, ...args].join(' ') };
}

/** The error for a loader CLI that is not on PATH: where to get it, or use a registry instead. */
export function loaderMissingError(cluster: LocalCluster, image: string): ModelshipError {
  const cli = cluster.loader ?? 'kind';
  return new ModelshipError(
    'LOCAL_LOADER_MISSING',
    `The kube context is the ${describeLocalCluster(cluster)}, which cannot pull ${image} from your engine, and \`${cli}\` (which loads images into it) is not on PATH.`,
    `Install ${cli} (${LOADER_INSTALL_URL[cli]}), or push to a registry the cluster can reach with --registry HOST[/NAMESPACE] (or registry: in deploy/environments.yaml).`,
  );
}

/** What to check when a loader failed, per CLI. */
function loaderFailureHint(cluster: LocalCluster, command: string): string {
  const check =
    cluster.loader === 'kind' ? `\`kind get clusters\` lists "${cluster.name}"; kind loads through the docker CLI, which must reach the engine that built the image`
      : cluster.loader === 'minikube' ? `\`minikube status -p ${cluster.name}\` says it is Running`
        : `\`k3d cluster list\` lists "${cluster.name}" as running`;
  return `Check that ${check}; run \`${command}\` yourself to see more, or deploy through a registry with --registry HOST[/NAMESPACE].`;
}

export interface LoadOptions {
  /** The environment the CLI is found in (PATH) and runs with; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** How long loading may take, in ms; a model image can be gigabytes (default 10 minutes). */
  timeoutMs?: number;
}

export interface LoadResult {
  /** The command that ran, as a person would type it. */
  command: string;
  ms: number;
}

/**
 * Loads `image` into the cluster's nodes with its CLI. Returns undefined for clusters that share
 * the engine's images (nothing to do); throws LOCAL_LOADER_MISSING, LOCAL_LOAD_TIMEOUT or
 * LOCAL_LOAD_FAILED (with the CLI's stderr as details) otherwise.
 */
export async function loadImage(cluster: LocalCluster, image: string, options: LoadOptions = {}): Promise<LoadResult | undefined> {
  const command = loaderCommand(cluster, image);
  if (!command) return undefined;
  const env = options.env ?? process.env;
  const file = findOnPath(command.command, env);
  if (!file) throw loaderMissingError(cluster, image);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const started = Date.now();
  const ran = await runCli(file, command.args, env, timeoutMs);
  const ms = Date.now() - started;
  const output = (ran.stderr.trim() || ran.stdout.trim()).split('\n').filter((line) => line.trim() !== '').slice(-20);
  if (ran.timedOut) {
    throw new ModelshipError('LOCAL_LOAD_TIMEOUT', `\`${command.display}\` did not finish in ${Math.round(timeoutMs / 1000)} s; it was stopped.`, `Large images take long to copy into the nodes: run \`${command.display}\` yourself, or deploy through a registry with --registry HOST[/NAMESPACE].`, output);
  }
  if (ran.code !== 0) {
    throw new ModelshipError('LOCAL_LOAD_FAILED', `\`${command.display}\` failed (exit ${ran.code}), so ${image} is not in the ${describeLocalCluster(cluster)}.`, loaderFailureHint(cluster, command.display), output);
  }
  return { command: command.display, ms };
}

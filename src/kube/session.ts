/**
 * A connection to one kube context and namespace: the narrow set of calls deploy, rollout,
 * rollback, logs and undeploy need. Every reply leaves as plain JSON (`KubeObject` and the records
 * of src/core/deploy/records.ts), never a client-node class; every failure leaves as a
 * ModelshipError (src/kube/errors.ts). Transient failures (429, 5xx, reset) are retried.
 */
import type { KubeConfig, KubernetesObjectApi, CoreV1Api, AppsV1Api, Watch } from '@kubernetes/client-node';
import type { DeploymentRecord, EventRecord, KubeObject, PodRecord, ReplicaSetRecord, RolloutSnapshot } from '../core/deploy/records';
import { loadKubeClient } from './client';
import { type KubeconfigOptions, type KubeTarget, loadKubeconfig } from './kubeconfig';
import { type KubeOperation, parseStatus, toKubeError, withRetry, KubeError } from './errors';
import { assembleSnapshot, planRollback, revisionsOf, REVISION_ANNOTATION, type RevisionInfo } from './rollout';
import { resumableWatch } from './watch';

export const FIELD_MANAGER = 'modelship';

/** A kind to list or delete by labels. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

/** What `modelship containerize` generates, in the order undeploy deletes it. */
export const MODELSHIP_KINDS: readonly KindRef[] = [
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
];

export interface ApplyOptions {
  /** Server-side dry run (`dryRun=All`): validated and defaulted by the server, nothing stored. */
  dryRun: boolean;
  /** Take over fields other managers own (`force=true`); only when the user asked (--force-conflicts). */
  force: boolean;
}

export interface LogOptions {
  /** The previous (crashed) container's log. */
  previous?: boolean;
  tailLines?: number;
  /** RFC 3339; only lines at or after it (read with timestamps, which are stripped). */
  sinceTime?: string;
}

export type ConnectOptions = KubeconfigOptions;

/** The calls the CLI and extension make on a cluster. All results are plain JSON. */
export interface KubeSession {
  /** Context, cluster, server, namespace and user this session talks to. */
  readonly target: KubeTarget;
  /**
   * Server-side apply of each object (PATCH application/apply-patch+yaml, fieldManager=modelship),
   * Namespaces first. Objects without a namespace get the session's. Returns what the server
   * stored (or would store, with dryRun). A field owned by another manager is a KUBE_CONFLICT
   * naming that manager, unless `force`.
   */
  applyObjects(objects: readonly KubeObject[], options: ApplyOptions): Promise<KubeObject[]>;
  /** The live object for each given one (by kind, name, namespace), or undefined where there is none. */
  readLive(objects: readonly KubeObject[]): Promise<(KubeObject | undefined)[]>;
  /** Creates the namespace unless it exists. */
  ensureNamespace(name: string): Promise<'created' | 'exists'>;
  /** The Deployment, its ReplicaSets, its pods and their events, read now. */
  readRolloutSnapshot(deploymentName: string): Promise<RolloutSnapshot>;
  /**
   * Watches Deployments, ReplicaSets, Pods and Events in the namespace and calls `onSnapshot` with
   * a fresh snapshot after each change (bursts coalesced, at most about every 100 ms). Watches
   * resume after any drop and relist on 410 Gone. Resolves when `signal` aborts; rejects on a
   * failure retrying cannot fix (401, 403).
   */
  watchRollout(deploymentName: string, onSnapshot: (snapshot: RolloutSnapshot) => void, signal: AbortSignal): Promise<void>;
  /** One container's log, read once. */
  containerLogs(pod: string, container: string, options?: LogOptions): Promise<string>;
  /** Objects of `kinds` (default MODELSHIP_KINDS) in the namespace matching the label selector. */
  listByLabels(labelSelector: string, kinds?: readonly KindRef[]): Promise<KubeObject[]>;
  /** Deletes what `listByLabels` finds (background propagation); returns what was deleted. */
  deleteByLabels(labelSelector: string, kinds?: readonly KindRef[]): Promise<KubeObject[]>;
  /** As `kubectl rollout undo [--to-revision N]`; returns the revision whose template was restored. */
  rollback(deploymentName: string, toRevision?: number): Promise<number>;
  /** The Deployment's revisions, newest first. */
  revisions(deploymentName: string): Promise<RevisionInfo[]>;
}

/** Client objects to plain JSON: Dates become RFC 3339 strings, class instances plain objects. */
export const toPlain = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

const statusCodeOf = (err: unknown): number | undefined => {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  return typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
};

/** Fields the server owns or that must not be sent in an apply (pure). */
export function applyBody(object: KubeObject, namespace: string | undefined): KubeObject {
  const body = toPlain<KubeObject>(object);
  delete body.status;
  const meta = { ...(body.metadata ?? {}) } as Record<string, unknown>;
  for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'selfLink']) delete meta[field];
  if (namespace && !meta.namespace) meta.namespace = namespace;
  body.metadata = meta;
  return body;
}

/** `kind/name` for messages. */
const nameOf = (o: KubeObject) => `${o.kind ?? 'object'}/${o.metadata?.name ?? '?'}`;

/** Strips the RFC 3339 timestamp kubelet prefixes to each line, keeping lines at or after `since` (pure). */
export function filterTimestampedLog(text: string, since: string): string {
  const sinceMs = Date.parse(since);
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const space = line.indexOf(' ');
    const stamp = space > 0 ? Date.parse(line.slice(0, space)) : NaN;
    if (Number.isNaN(stamp)) out.push(line);
    else if (stamp >= sinceMs) out.push(line.slice(space + 1));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** KubernetesObjectApi's discovery lookup (cached per apiVersion), declared protected in 1.4.0 but stable since 0.x. */
interface Discovery {
  resource(apiVersion: string, kind: string): Promise<{ namespaced: boolean; name: string } | undefined>;
}

class ClientSession implements KubeSession {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly watcher: Watch;
  private readonly namespacedCache = new Map<string, boolean>();

  constructor(
    config: KubeConfig,
    readonly target: KubeTarget,
  ) {
    const k8s = loadKubeClient();
    this.objects = k8s.KubernetesObjectApi.makeApiClient(config);
    this.core = config.makeApiClient(k8s.CoreV1Api);
    this.apps = config.makeApiClient(k8s.AppsV1Api);
    this.watcher = new k8s.Watch(config);
  }

  /** Runs one API call with retries, turning its failure into a ModelshipError. */
  private async call<T>(op: KubeOperation, fn: () => Promise<T>): Promise<T> {
    return withRetry(async () => {
      try {
        return await fn();
      } catch (err) {
        throw toKubeError(err, this.target, { namespace: this.target.namespace, ...op });
      }
    });
  }

  private async isNamespaced(o: KindRef): Promise<boolean> {
    const key = `${o.apiVersion}/${o.kind}`;
    let namespaced = this.namespacedCache.get(key);
    if (namespaced === undefined) {
      const resource = await this.call({ verb: 'discover', resource: key }, () => (this.objects as unknown as Discovery).resource(o.apiVersion, o.kind));
      if (!resource) throw new KubeError('KUBE_UNKNOWN_KIND', `the cluster at ${this.target.server} does not serve ${o.kind} (${o.apiVersion})`, 'Check apiVersion and kind, and that the CRD is installed (`kubectl api-resources`).', 404, false);
      namespaced = resource.namespaced;
      this.namespacedCache.set(key, namespaced);
    }
    return namespaced;
  }

  private async located(o: KubeObject): Promise<KubeObject> {
    if (!o.apiVersion || !o.kind || !o.metadata?.name) throw new KubeError('KUBE_BAD_OBJECT', `an object to apply lacks apiVersion, kind or metadata.name (${nameOf(o)})`, 'Check the rendered manifests.', undefined, false);
    const namespaced = await this.isNamespaced({ apiVersion: o.apiVersion, kind: o.kind });
    const body = applyBody(o, namespaced ? this.target.namespace : undefined);
    if (!namespaced && body.metadata) delete body.metadata.namespace;
    return body;
  }

  async applyObjects(objects: readonly KubeObject[], options: ApplyOptions): Promise<KubeObject[]> {
    const { PatchStrategy } = loadKubeClient();
    const apply = async (object: KubeObject): Promise<KubeObject> => {
      const body = await this.located(object);
      const op = { verb: 'apply', resource: body.kind, name: body.metadata?.name, namespace: body.metadata?.namespace };
      const result = await this.call(op, () =>
        this.objects.patch(body as never, undefined, options.dryRun ? 'All' : undefined, FIELD_MANAGER, options.force ? true : undefined, PatchStrategy.ServerSideApply),
      );
      return toPlain<KubeObject>(result);
    };
    // Namespaces first, so what goes into them finds them; the rest at once. Results in input order.
    const applied = new Map<KubeObject, KubeObject>();
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) applied.set(ns, await apply(ns));
    const rest = objects.filter((o) => o.kind !== 'Namespace');
    (await Promise.all(rest.map(apply))).forEach((result, i) => applied.set(rest[i]!, result));
    return objects.map((o) => applied.get(o)!);
  }


  async readLive(objects: readonly KubeObject[]): Promise<(KubeObject | undefined)[]> {
    return Promise.all(objects.map(async (object) => {
      const body = await this.located(object);
      const header = { apiVersion: body.apiVersion!, kind: body.kind!, metadata: { name: body.metadata!.name!, namespace: body.metadata?.namespace } };
      try {
        return toPlain<KubeObject>(await this.call({ verb: 'get', resource: body.kind, name: header.metadata.name }, () => this.objects.read(header)));
      } catch (err) {
        if ((err as KubeError).statusCode === 404) return undefined;
        throw err;
      }
    }));
  }


  async ensureNamespace(name: string): Promise<'created' | 'exists'> {
    const op = { verb: 'get', resource: 'namespaces', name, namespace: undefined };
    try {
      await this.call(op, () => this.core.readNamespace({ name }));
      return 'exists';
    } catch (err) {
      if ((err as KubeError).statusCode !== 404) throw err;
    }
    try {
      await this.call({ ...op, verb: 'create' }, () => this.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/managed-by': FIELD_MANAGER } } } }));
      return 'created';
    } catch (err) {
      if ((err as KubeError).statusCode === 409) return 'exists';
      throw err;
    }
  }

  private async readDeployment(name: string): Promise<DeploymentRecord | undefined> {
    const namespace = this.target.namespace;
    try {
      return toPlain<DeploymentRecord>(await this.call({ verb: 'get', resource: 'deployments.apps', name }, () => this.apps.readNamespacedDeployment({ name, namespace })));
    } catch (err) {
      if ((err as KubeError).statusCode === 404) return undefined;
      throw err;
    }
  }

  private async listReplicaSets(labelSelector?: string): Promise<ReplicaSetRecord[]> {
    const namespace = this.target.namespace;
    const list = await this.call({ verb: 'list', resource: 'replicasets.apps' }, () => this.apps.listNamespacedReplicaSet({ namespace, labelSelector }));
    return toPlain<ReplicaSetRecord[]>(list.items);
  }

  async readRolloutSnapshot(deploymentName: string): Promise<RolloutSnapshot> {
    const namespace = this.target.namespace;
    const deployment = await this.readDeployment(deploymentName);
    if (!deployment) return assembleSnapshot(undefined, [], [], []);
    const labelSelector = Object.entries(deployment.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || undefined;
    const [replicaSets, pods, events] = await Promise.all([
      this.listReplicaSets(labelSelector),
      this.call({ verb: 'list', resource: 'pods' }, () => this.core.listNamespacedPod({ namespace, labelSelector })).then((l) => toPlain<PodRecord[]>(l.items)),
      this.call({ verb: 'list', resource: 'events' }, () => this.core.listNamespacedEvent({ namespace })).then((l) => toPlain<EventRecord[]>(l.items)),
    ]);
    return assembleSnapshot(deployment, replicaSets, pods, events);
  }

  async watchRollout(deploymentName: string, onSnapshot: (snapshot: RolloutSnapshot) => void, signal: AbortSignal): Promise<void> {
    const ns = encodeURIComponent(this.target.namespace);
    const inner = new AbortController();
    const stop = () => inner.abort();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) inner.abort();

    // Coalescing: one snapshot read in flight, at most one queued, reads at least 100 ms apart.
    let running = false;
    let queued = false;
    let lastRead = 0;
    let retry: NodeJS.Timeout | undefined;
    let failure: unknown;
    const schedule = () => {
      if (inner.signal.aborted) return;
      if (running) {
        queued = true;
        return;
      }
      running = true;
      const wait = Math.max(0, lastRead + 100 - Date.now());
      setTimeout(async () => {
        queued = false;
        lastRead = Date.now();
        try {
          const snapshot = await this.readRolloutSnapshot(deploymentName);
          if (!inner.signal.aborted) onSnapshot(snapshot);
        } catch (err) {
          if (isFatal(err)) {
            failure = err;
            inner.abort();
          } else {
            // The API went away between the event and the read: try again shortly.
            clearTimeout(retry);
            retry = setTimeout(schedule, 1000);
          }
        } finally {
          running = false;
          if (queued) schedule();
        }
      }, wait);
    };
    const isFatal = (err: unknown) => [401, 403].includes((err as KubeError).statusCode ?? statusCodeOf(err) ?? 0);

    const kinds: { path: string; query?: Record<string, string>; list: () => Promise<unknown> }[] = [
      { path: `/apis/apps/v1/namespaces/${ns}/deployments`, query: { fieldSelector: `metadata.name=${deploymentName}` }, list: () => this.apps.listNamespacedDeployment({ namespace: this.target.namespace, fieldSelector: `metadata.name=${deploymentName}` }) },
      { path: `/apis/apps/v1/namespaces/${ns}/replicasets`, list: () => this.apps.listNamespacedReplicaSet({ namespace: this.target.namespace, limit: 1 }) },
      { path: `/api/v1/namespaces/${ns}/pods`, list: () => this.core.listNamespacedPod({ namespace: this.target.namespace, limit: 1 }) },
      { path: `/api/v1/namespaces/${ns}/events`, list: () => this.core.listNamespacedEvent({ namespace: this.target.namespace, limit: 1 }) },
    ];
    schedule();
    try {
      await Promise.all(
        kinds.map((k) =>
          resumableWatch({
            watch: this.watcher,
            path: k.path,
            query: k.query,
            list: async () => {
              try {
                const list = (await k.list()) as { metadata?: { resourceVersion?: string } };
                return list.metadata?.resourceVersion ?? '0';
              } catch (err) {
                throw toKubeError(err, this.target, { verb: 'list', resource: k.path.split('/').pop(), namespace: this.target.namespace });
              }
            },
            onChange: schedule,
            fatal: isFatal,
            signal: inner.signal,
          }).catch((err: unknown) => {
            failure ??= err;
            inner.abort();
          }),
        ),
      );
    } finally {
      clearTimeout(retry);
      signal.removeEventListener('abort', stop);
    }
    if (failure) throw toKubeError(failure, this.target, { verb: 'watch', namespace: this.target.namespace });
  }

  async containerLogs(pod: string, container: string, options: LogOptions = {}): Promise<string> {
    const namespace = this.target.namespace;
    const sinceSeconds = options.sinceTime ? Math.max(1, Math.ceil((Date.now() - Date.parse(options.sinceTime)) / 1000) + 1) : undefined;
    const text = await this.call({ verb: 'get', resource: 'pods/log', name: `${pod}/${container}` }, () =>
      this.core.readNamespacedPodLog({ name: pod, namespace, container, previous: options.previous, tailLines: options.tailLines, sinceSeconds, timestamps: options.sinceTime ? true : undefined }),
    );
    const body = typeof text === 'string' ? text : String(text ?? '');
    return options.sinceTime ? filterTimestampedLog(body, options.sinceTime) : body;
  }

  async listByLabels(labelSelector: string, kinds: readonly KindRef[] = MODELSHIP_KINDS): Promise<KubeObject[]> {
    const found: KubeObject[] = [];
    for (const k of kinds) {
      const namespaced = await this.isNamespaced(k);
      const list = await this.call({ verb: 'list', resource: k.kind }, () =>
        this.objects.list(k.apiVersion, k.kind, namespaced ? this.target.namespace : undefined, undefined, undefined, undefined, undefined, labelSelector),
      );
      for (const item of toPlain<KubeObject[]>(list.items)) found.push({ ...item, apiVersion: item.apiVersion ?? k.apiVersion, kind: item.kind ?? k.kind });
    }
    return found;
  }

  async deleteByLabels(labelSelector: string, kinds: readonly KindRef[] = MODELSHIP_KINDS): Promise<KubeObject[]> {
    const found = await this.listByLabels(labelSelector, kinds);
    const deleted: KubeObject[] = [];
    for (const object of found) {
      const header = { apiVersion: object.apiVersion!, kind: object.kind!, metadata: { name: object.metadata!.name!, namespace: object.metadata?.namespace } };
      try {
        await this.call({ verb: 'delete', resource: object.kind, name: header.metadata.name }, () => this.objects.delete(header, undefined, undefined, undefined, undefined, 'Background'));
        deleted.push(object);
      } catch (err) {
        if ((err as KubeError).statusCode !== 404) throw err;
      }
    }
    return deleted;
  }

  private async ownedReplicaSets(deployment: DeploymentRecord): Promise<ReplicaSetRecord[]> {
    const selector = Object.entries(deployment.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || undefined;
    return assembleSnapshot(deployment, await this.listReplicaSets(selector), [], []).replicaSets;
  }

  private async requireDeployment(name: string): Promise<DeploymentRecord> {
    const deployment = await this.readDeployment(name);
    if (!deployment) throw new KubeError('KUBE_NOT_FOUND', `deployment "${name}" does not exist in namespace "${this.target.namespace}" (context "${this.target.context}")`, 'Deploy it first, or check --namespace/--context.', 404, false);
    return deployment;
  }

  async rollback(deploymentName: string, toRevision?: number): Promise<number> {
    const { setHeaderOptions, PatchStrategy } = loadKubeClient();
    const deployment = await this.requireDeployment(deploymentName);
    const current = Number(deployment.metadata?.annotations?.[REVISION_ANNOTATION] ?? NaN);
    const plan = planRollback(deploymentName, await this.ownedReplicaSets(deployment), Number.isFinite(current) ? current : undefined, toRevision);
    const patch = [
      // Guard against a concurrent change, as kubectl does by reading then patching the same object.
      { op: 'test', path: '/metadata/resourceVersion', value: deployment.metadata?.resourceVersion },
      { op: 'replace', path: '/spec/template', value: plan.template },
    ];
    await this.call({ verb: 'patch', resource: 'deployments.apps', name: deploymentName }, () =>
      this.apps.patchNamespacedDeployment({ name: deploymentName, namespace: this.target.namespace, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)),
    );
    return plan.revision;
  }

  async revisions(deploymentName: string): Promise<RevisionInfo[]> {
    const deployment = await this.requireDeployment(deploymentName);
    return revisionsOf(await this.ownedReplicaSets(deployment));
  }
}

/**
 * Opens a session on a context (default: the kubeconfig's current one) and namespace (default: the
 * context's, else `default`). Reads the kubeconfig only; contacts the server on the first call.
 */
export async function connectKube(options: ConnectOptions = {}): Promise<KubeSession> {
  const { config, target } = loadKubeconfig(options);
  return new ClientSession(config, target);
}

export { parseStatus };

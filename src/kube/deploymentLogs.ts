/**
 * The logs of every pod and container of a Deployment, as stern reads them.
 *
 * - Pods are those matching the Deployment's selector. Each container instance is a stream keyed
 *   by its container ID, so a restarted container is a new stream (read from its first line) and a
 *   new pod joins while following: a pod watch (src/kube/watch.ts) reports both.
 * - Log requests go straight to `GET …/pods/NAME/log` through node:http(s), with the agent, TLS
 *   material and headers that `KubeConfig.applyToHTTPSOptions` sets (client-node 1.4.0's `Log`
 *   pipes the body away and reports neither its end nor a reset, and turns every network error
 *   into a 500). The body is read as it arrives; the next chunk is read only after the consumer's
 *   `onLines` promise settles, so a slow stdout holds back the sockets instead of filling memory.
 * - Every request asks for `timestamps=true`. When a stream ends or breaks while its container
 *   still runs (found by reading the pod: same container ID), it resumes with `sinceTime` = the
 *   last timestamp delivered, and src/core/deploy/logLines.ts drops the lines already delivered.
 *   A stream whose container ended meanwhile is read to its end (as `previous` when it restarted).
 * - At most `maxStreams` streams are open at once; other containers wait, and `onNotice` says so.
 * Everything handed out is plain data (LogLine); failures are ModelshipErrors (src/kube/errors.ts).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig, CoreV1Api, AppsV1Api } from '@kubernetes/client-node';
import type { PodRecord } from '../core/deploy/records';
import { admitLine, beginReplay, newDedupState, splitLines, splitTimestamp, type DedupState, type LogLine } from '../core/deploy/logLines';
import { loadKubeClient } from './client';
import { loadKubeconfig, type KubeconfigOptions, type KubeTarget } from './kubeconfig';
import { KubeError, backoffDelay, sleep, toKubeError, withRetry } from './errors';
import { resumableWatch } from './watch';

export const DEFAULT_MAX_STREAMS = 32;

export interface DeploymentLogsOptions {
  deployment: string;
  /** Keep streaming, joining new pods and restarted containers, until `signal` aborts. */
  follow: boolean;
  /** Lines per container for the containers there at the start (undefined: all). Containers that start later are read from their first line. */
  tailLines?: number;
  /** Only lines of the last N seconds, for the containers there at the start. */
  sinceSeconds?: number;
  /** The previous (terminated) instance of each container: a crashed container's last words. */
  previous: boolean;
  /** Only this container (by name) of each pod. */
  container?: string;
  /** Open log requests at once (default 32). */
  maxStreams?: number;
  signal?: AbortSignal;
  /** A batch of lines from one stream; that stream reads on once the returned promise settles. */
  onLines: (lines: LogLine[]) => void | Promise<void>;
  /** Streams joining, ending, waiting for a slot, resuming after a cut: for stderr. */
  onNotice?: (text: string) => void;
}

export interface DeploymentLogsResult {
  /** Container instances read (each restart counts once). */
  streams: number;
  /** Times a broken stream was resumed. */
  resumed: number;
}

/** One container instance of a pod, by container ID (plain). */
export interface ContainerInstance {
  pod: string;
  container: string;
  id: string;
  running: boolean;
}

/** The instances of a pod's containers (and init containers) that have started, or their previous ones (pure). */
export function containerInstances(pod: PodRecord, options: { previous: boolean; container?: string }): ContainerInstance[] {
  const name = pod.metadata?.name;
  if (!name) return [];
  const out: ContainerInstance[] = [];
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    if (!s.name || (options.container !== undefined && s.name !== options.container)) continue;
    if (options.previous) {
      const id = (s.lastState?.terminated as { containerID?: string } | undefined)?.containerID;
      if (id) out.push({ pod: name, container: s.name, id, running: false });
    } else if (s.containerID && (s.state?.running || s.state?.terminated)) {
      out.push({ pod: name, container: s.name, id: s.containerID, running: Boolean(s.state.running) });
    }
  }
  return out;
}

/** Where an instance is now: still the current container, the previous one, or gone (pure). */
export function locateInstance(pod: PodRecord | undefined, instance: ContainerInstance): 'running' | 'terminated' | 'previous' | 'gone' {
  const s = [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])].find((c) => c.name === instance.container);
  if (!s) return 'gone';
  if (s.containerID === instance.id) return s.state?.running ? 'running' : 'terminated';
  if ((s.lastState?.terminated as { containerID?: string } | undefined)?.containerID === instance.id) return 'previous';
  return 'gone';
}

export interface LogQuery {
  container: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
}

/** The request path for one container's log, always with timestamps (pure). */
export function logPath(namespace: string, pod: string, q: LogQuery): string {
  const params = new URLSearchParams({ container: q.container, timestamps: 'true' });
  if (q.follow) params.set('follow', 'true');
  if (q.previous) params.set('previous', 'true');
  if (q.sinceTime) params.set('sinceTime', q.sinceTime);
  else if (q.sinceSeconds !== undefined) params.set('sinceSeconds', String(q.sinceSeconds));
  if (q.tailLines !== undefined && q.tailLines >= 0 && !q.sinceTime) params.set('tailLines', String(q.tailLines));
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${params.toString()}`;
}

/**
 * The kubelet answers 200 with this text (no timestamp) when the container's log file is gone or
 * not there yet (a restart in progress, a removed container): a condition, not a log line.
 */
export class LogsUnavailableError extends Error {}
const UNAVAILABLE = 'unable to retrieve container logs for ';

/** What a stream carries between its requests. */
export interface StreamState {
  dedup: DedupState;
  carry: string;
}

export const newStreamState = (): StreamState => ({ dedup: newDedupState(), carry: '' });

/**
 * Reads one log body (decoded text chunks) into LogLine batches, dropping lines a resume repeats.
 * Resolves at the end of the body; rejects when it breaks. The unfinished last line is dropped on
 * a break (the resumed request sends it whole) and delivered at a clean end.
 */
export async function pumpLogStream(body: AsyncIterable<string>, state: StreamState, who: { pod: string; container: string }, onLines: (lines: LogLine[]) => void | Promise<void>): Promise<number> {
  let delivered = 0;
  const deliver = async (raw: readonly string[]) => {
    const batch: LogLine[] = [];
    for (const r of raw) {
      const { ts, text } = splitTimestamp(r);
      if (ts === undefined && text.startsWith(UNAVAILABLE)) throw new LogsUnavailableError(text);
      if (!admitLine(state.dedup, ts, text)) continue;
      batch.push(ts === undefined ? { pod: who.pod, container: who.container, line: text } : { pod: who.pod, container: who.container, ts, line: text });
    }
    if (batch.length > 0) {
      delivered += batch.length;
      await onLines(batch);
    }
  };
  state.carry = '';
  for await (const chunk of body) {
    const split = splitLines(state.carry, chunk);
    state.carry = split.carry;
    if (split.lines.length > 0) await deliver(split.lines);
  }
  if (state.carry) {
    const last = state.carry;
    state.carry = '';
    await deliver([last]);
  }
  return delivered;
}

/** A counting semaphore; `onWait` is told how many wait each time one more has to. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(
    readonly size: number,
    private readonly onWait: (waiting: number) => void,
  ) {
    this.free = size;
  }
  async acquire(signal: AbortSignal): Promise<boolean> {
    if (this.free > 0) {
      this.free--;
      return true;
    }
    this.onWait(this.waiting.length + 1);
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiting.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
    return !signal.aborted;
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

const statusOf = (err: unknown): number | undefined => (err instanceof KubeError ? err.statusCode : undefined);
const isFatal = (err: unknown) => [401, 403].includes(statusOf(err) ?? 0);

/** Reads the Deployment's log streams until they end (or, following, until `signal` aborts). */
export async function streamDeploymentLogs(connect: KubeconfigOptions, options: DeploymentLogsOptions): Promise<DeploymentLogsResult> {
  const { config, target } = loadKubeconfig(connect);
  return new DeploymentLogs(config, target, options).run();
}

class DeploymentLogs {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly inner = new AbortController();
  private readonly slots: Slots;
  /** Container IDs already streamed (or streaming), per pod; dropped when the pod is deleted. */
  private readonly known = new Map<string, Set<string>>();
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;
  private result: DeploymentLogsResult = { streams: 0, resumed: 0 };
  private notice: (text: string) => void;

  constructor(
    private readonly config: KubeConfig,
    private readonly target: KubeTarget,
    private readonly options: DeploymentLogsOptions,
  ) {
    const k8s = loadKubeClient();
    this.core = config.makeApiClient(k8s.CoreV1Api);
    this.apps = config.makeApiClient(k8s.AppsV1Api);
    this.notice = options.onNotice ?? (() => undefined);
    this.slots = new Slots(options.maxStreams ?? DEFAULT_MAX_STREAMS, (waiting) =>
      this.notice(`${waiting} container${waiting === 1 ? '' : 's'} waiting: at most ${this.slots.size} log streams are open at once (narrow with --container)`),
    );
  }

  private call<T>(op: { verb: string; resource: string; name?: string }, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw toKubeError(err, this.target, { namespace: this.target.namespace, ...op });
        }
      },
      { signal: this.inner.signal },
    );
  }

  private async selector(): Promise<string> {
    const name = this.options.deployment;
    let deployment: { spec?: { selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } } };
    try {
      deployment = await this.call({ verb: 'get', resource: 'deployments.apps', name }, () => this.apps.readNamespacedDeployment({ name, namespace: this.target.namespace }));
    } catch (err) {
      if (statusOf(err) === 404) throw new KubeError('KUBE_NOT_FOUND', `deployment "${name}" does not exist in namespace "${this.target.namespace}" (context "${this.target.context}")`, 'Deploy it first, or check --env/--namespace/--context.', 404, false);
      throw err;
    }
    const sel = deployment.spec?.selector ?? {};
    const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
    for (const e of sel.matchExpressions ?? []) {
      const values = (e.values ?? []).join(',');
      if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
      else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
      else if (e.operator === 'Exists') parts.push(e.key);
      else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    }
    if (parts.length === 0) throw new KubeError('KUBE_BAD_OBJECT', `deployment "${name}" has an empty selector`, 'Give it spec.selector.matchLabels.', undefined, false);
    return parts.join(',');
  }

  async run(): Promise<DeploymentLogsResult> {
    const outer = this.options.signal;
    const stop = () => this.inner.abort();
    outer?.addEventListener('abort', stop, { once: true });
    if (outer?.aborted) this.inner.abort();
    try {
      const labelSelector = await this.selector();
      if (!this.options.follow || this.options.previous) await this.readOnce(labelSelector);
      else await this.follow(labelSelector);
    } finally {
      outer?.removeEventListener('abort', stop);
    }
    if (this.failure) throw toKubeError(this.failure, this.target, { verb: 'get', resource: 'pods/log', namespace: this.target.namespace });
    return this.result;
  }

  private async listPods(labelSelector: string): Promise<{ pods: PodRecord[]; resourceVersion: string }> {
    const list = await this.call({ verb: 'list', resource: 'pods' }, () => this.core.listNamespacedPod({ namespace: this.target.namespace, labelSelector }));
    const pods = JSON.parse(JSON.stringify(list.items)) as PodRecord[];
    pods.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    return { pods, resourceVersion: list.metadata?.resourceVersion ?? '0' };
  }

  /** Without --follow (or with --previous): each container once, one after another, as kubectl prints them. */
  private async readOnce(labelSelector: string): Promise<void> {
    const { pods } = await this.listPods(labelSelector);
    const instances = pods.flatMap((p) => containerInstances(p, this.options));
    if (instances.length === 0) {
      const what = this.options.previous ? 'no container has a previous (restarted) instance' : 'no container has started';
      this.notice(`${pods.length} pod${pods.length === 1 ? '' : 's'} of deployment ${this.options.deployment}: ${what}${this.options.container ? ` named ${this.options.container}` : ''}`);
    }
    for (const instance of instances) {
      if (this.inner.signal.aborted) break;
      await this.stream(instance, true);
    }
  }

  private async follow(labelSelector: string): Promise<void> {
    let listed = false;
    const watching = resumableWatch({
      watch: new (loadKubeClient().Watch)(this.config),
      path: `/api/v1/namespaces/${encodeURIComponent(this.target.namespace)}/pods`,
      query: { labelSelector },
      list: async () => {
        const { pods, resourceVersion } = await this.listPods(labelSelector);
        if (!listed && pods.length === 0) this.notice(`no pods of deployment ${this.options.deployment} yet; waiting for them`);
        for (const pod of pods) this.reconcile(pod, !listed);
        listed = true;
        return resourceVersion;
      },
      onChange: ({ type, object }) => {
        const pod = object as PodRecord | undefined;
        if (!pod?.metadata?.name) return;
        if (type === 'DELETED') this.known.delete(pod.metadata.name);
        else this.reconcile(pod, false);
      },
      fatal: isFatal,
      signal: this.inner.signal,
    }).catch((err: unknown) => {
      this.failure ??= err;
      this.inner.abort();
    });
    await watching;
    await Promise.all([...this.running]);
  }

  /** Starts a stream for each container instance of `pod` not streamed yet. */
  private reconcile(pod: PodRecord, initial: boolean): void {
    for (const instance of containerInstances(pod, this.options)) {
      let ids = this.known.get(instance.pod);
      if (!ids) this.known.set(instance.pod, (ids = new Set()));
      if (ids.has(instance.id)) continue;
      ids.add(instance.id);
      if (!initial) this.notice(`+ ${instance.pod}/${instance.container}${ids.size > 1 ? ' (new container)' : ''}`);
      const task = this.stream(instance, initial).finally(() => this.running.delete(task));
      this.running.add(task);
    }
  }

  private async readPod(name: string): Promise<PodRecord | undefined> {
    try {
      return JSON.parse(JSON.stringify(await this.call({ verb: 'get', resource: 'pods', name }, () => this.core.readNamespacedPod({ name, namespace: this.target.namespace })))) as PodRecord;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** One container instance, from its first request to its end, resuming after every break. */
  private async stream(instance: ContainerInstance, initial: boolean): Promise<void> {
    const signal = this.inner.signal;
    if (!(await this.slots.acquire(signal))) return;
    this.result.streams++;
    const state = newStreamState();
    let previous = this.options.previous;
    let follow = this.options.follow && !previous;
    let attempt = 0;
    let unavailable = 0;
    try {
      while (!signal.aborted) {
        const resumed = attempt > 0 && state.dedup.lastTs !== undefined;
        if (resumed) beginReplay(state.dedup);
        const query: LogQuery = {
          container: instance.container,
          follow,
          previous,
          ...(resumed ? { sinceTime: state.dedup.lastTs } : initial ? { tailLines: this.options.tailLines, sinceSeconds: this.options.sinceSeconds } : {}),
        };
        let broke: unknown;
        try {
          const res = await this.open(instance.pod, query, signal);
          await pumpLogStream(res, state, instance, this.options.onLines);
          if (!follow) return;
        } catch (err) {
          if (signal.aborted) return;
          broke = err;
          const status = statusOf(err);
          if (isFatal(err)) {
            this.failure ??= err;
            this.inner.abort();
            return;
          }
          if (status === 404) return;
          if (err instanceof LogsUnavailableError && ++unavailable > 5) {
            this.notice(`${instance.pod}/${instance.container}: the kubelet has no log for this container (${err.message})`);
            return;
          }
          if (status === 400 && previous) {
            this.notice(`${instance.pod}/${instance.container}: no previous container log (${(err as Error).message})`);
            return;
          }
        }
        if (signal.aborted) return;
        // Ended or broke: is this container still the one running?
        let where: ReturnType<typeof locateInstance>;
        try {
          where = locateInstance(await this.readPod(instance.pod), instance);
        } catch (err) {
          if (isFatal(err)) {
            this.failure ??= err;
            this.inner.abort();
            return;
          }
          where = 'running';
        }
        if (where === 'gone') return;
        if (where !== 'running' && broke === undefined && !previous) return;
        previous = where === 'previous';
        follow = this.options.follow && where === 'running';
        attempt++;
        this.result.resumed++;
        if (broke !== undefined) this.notice(`${instance.pod}/${instance.container}: log stream broke (${(broke as Error).message.split('\n')[0]}); resuming`);
        await sleep(backoffDelay(Math.min(attempt - 1, 5), 200, 5000), signal);
      }
    } finally {
      this.slots.release();
    }
  }

  /** GET the log; a reply other than 200 becomes a KubeError, a body that breaks rejects the read. */
  private async open(pod: string, query: LogQuery, signal: AbortSignal): Promise<http.IncomingMessage> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new KubeError('KUBECONFIG_INVALID', `context "${this.target.context}" has no cluster`, undefined, undefined, false);
    const url = new URL(cluster.server.replace(/\/$/, '') + logPath(this.target.namespace, pod, query));
    const options: https.RequestOptions = { method: 'GET', headers: { Accept: '*/*' } };
    try {
      await this.config.applyToHTTPSOptions(options);
    } catch (err) {
      throw toKubeError(err, this.target, { verb: 'get', resource: 'pods/log', name: pod });
    }
    const op = { verb: 'get', resource: 'pods/log', name: `${pod}/${query.container}`, namespace: this.target.namespace };
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'http:' ? http : https).request(url, { ...options, signal }, (res) => {
        if (res.statusCode === 200) {
          res.setEncoding('utf8');
          resolve(res);
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 65536) body += chunk;
        });
        res.on('end', () => reject(toKubeError({ statusCode: res.statusCode, body, headers: res.headers }, this.target, op)));
        res.on('error', (err) => reject(toKubeError(err, this.target, op)));
      });
      request.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
      request.on('error', (err) => reject(toKubeError(err, this.target, op)));
      request.end();
    });
  }
}

/**
 * Port-forward to a Service, as `kubectl port-forward service/NAME` does, but re-targeted: a local
 * TCP listener on 127.0.0.1 whose every connection gets its own WebSocket stream through the API's
 * pods/portforward subresource (client-node's PortForward, v4.channel.k8s.io) to a READY pod
 * behind the Service. The Service is read once (selector, port, targetPort); pods matching its
 * selector are watched (resumable, relisted on 410), so when the pod in use goes away or stops
 * being Ready, its connections end and new ones go to another ready pod. Connections that arrive
 * while no pod is ready wait for one (`waitForPodMs`).
 *
 * The target choice is pure (`servicePortOf`, `containerPortFor`, `isPodReady`, `chooseTarget`,
 * `describeNoReadyPod`) and reads only the plain records below. Every failure is a ModelshipError:
 * no Service (KUBE_NOT_FOUND), no ready pod (NO_READY_POD, with each pod's reason), RBAC refusing
 * pods/portforward (KUBE_FORBIDDEN naming the verb), a taken local port (PORT_IN_USE).
 */
import * as net from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { ContainerSpecRecord, ObjectMeta, PodRecord } from '../core/deploy/records';
import { podReasons } from '../core/deploy/podReasons';
import { ModelshipError } from '../core/errors';
import { loadKubeClient } from './client';
import { KubeError, toKubeError, withRetry } from './errors';
import { type KubeconfigOptions, type KubeTarget, loadKubeconfig } from './kubeconfig';
import { resumableWatch } from './watch';

/** One port of a Service, as the API returns it. */
export interface ServicePortRecord {
  name?: string;
  port?: number;
  /** A number, or the name of a container port (resolved per pod). Absent means `port`. */
  targetPort?: number | string;
  protocol?: string;
}

/** The parts of a Service a port-forward reads. */
export interface ServiceRecord {
  metadata?: ObjectMeta;
  spec?: { selector?: Record<string, string>; ports?: ServicePortRecord[]; type?: string };
}

/** A pod as the forward reads it: a PodRecord plus its container ports and deletion mark. */
export interface ForwardPodRecord extends PodRecord {
  metadata?: ObjectMeta & { deletionTimestamp?: string };
  spec?: { nodeName?: string; containers?: (ContainerSpecRecord & { ports?: { name?: string; containerPort?: number; protocol?: string }[] })[] };
}

/** Where new connections go: a pod and the port inside it. */
export interface ForwardTarget {
  pod: string;
  port: number;
}

const plain = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

/** The Service port to forward: `wanted` (number or name), else the one named `http`, else the first TCP one. */
export function servicePortOf(service: ServiceRecord, wanted?: number | string): ServicePortRecord {
  const name = service.metadata?.name ?? 'service';
  const ports = (service.spec?.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
  const found = wanted !== undefined ? ports.find((p) => p.port === wanted || (p.name !== undefined && p.name === wanted)) : ports.find((p) => p.name === 'http') ?? ports[0];
  if (!found) {
    const listed = ports.map((p) => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(', ') || 'none';
    throw new ModelshipError('NO_SERVICE_PORT', `service/${name} has no TCP port${wanted !== undefined ? ` ${wanted}` : ''} (its TCP ports: ${listed})`, 'Check the Service in deploy/k8s, or deploy again.');
  }
  return found;
}

/** `spec.selector` as a label selector, or an error: a Service without one has no pods to forward to. */
export function selectorOf(service: ServiceRecord): string {
  const entries = Object.entries(service.spec?.selector ?? {});
  if (entries.length === 0) throw new ModelshipError('NO_SELECTOR', `service/${service.metadata?.name ?? '?'} has no selector, so no pods to forward to`, 'Port-forward works through a Service that selects pods (the generated one does).');
  return entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The pod's port for a Service port: a number as is, a name looked up in the pod's containers. */
export function containerPortFor(pod: ForwardPodRecord, servicePort: ServicePortRecord): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (target === undefined) return undefined;
  if (/^\d+$/.test(target)) return Number(target);
  for (const container of pod.spec?.containers ?? []) {
    const port = container.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === 'TCP');
    if (port?.containerPort) return port.containerPort;
  }
  return undefined;
}

/** Ready as the endpoints controller counts it: Running, the Ready condition True, not being deleted. */
export function isPodReady(pod: ForwardPodRecord): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (pod.status?.phase !== 'Running') return false;
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function readySince(pod: ForwardPodRecord): string {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? pod.metadata?.creationTimestamp ?? '';
}

/**
 * Where new connections go: the `current` pod while it stays ready, else the ready pod that became
 * ready last (after a rollout, a new one), by name when equal. Undefined when no pod is ready.
 */
export function chooseTarget(pods: readonly ForwardPodRecord[], servicePort: ServicePortRecord, current?: string): ForwardTarget | undefined {
  const usable = pods
    .filter(isPodReady)
    .map((pod) => ({ pod, port: containerPortFor(pod, servicePort) }))
    .filter((c): c is { pod: ForwardPodRecord; port: number } => c.port !== undefined && Boolean(c.pod.metadata?.name));
  const keep = usable.find((c) => c.pod.metadata?.name === current);
  const chosen = keep ?? usable.sort((a, b) => readySince(b.pod).localeCompare(readySince(a.pod)) || String(a.pod.metadata?.name).localeCompare(String(b.pod.metadata?.name)))[0];
  return chosen ? { pod: chosen.pod.metadata!.name!, port: chosen.port } : undefined;
}

/** Why no pod can take a connection, one line per pod, from its statuses (pure). */
export function describeNoReadyPod(service: string, selector: string, namespace: string, pods: readonly ForwardPodRecord[], servicePort: ServicePortRecord): ModelshipError {
  if (pods.length === 0) {
    return new ModelshipError('NO_READY_POD', `service/${service} in namespace "${namespace}" selects no pods (${selector})`, `Deploy it (modelship deploy), or check the Deployment: modelship status.`);
  }
  const lines = pods.map((pod) => {
    const name = pod.metadata?.name ?? '?';
    if (pod.metadata?.deletionTimestamp) return `${name}: terminating`;
    if (isPodReady(pod)) return `${name}: ready, but has no container port named "${String(servicePort.targetPort)}"`;
    const reason = podReasons(pod, [], {})[0];
    if (reason) return `${name}: ${reason.message}`;
    const waiting = pod.status?.containerStatuses?.map((c) => c.state?.waiting?.reason).find(Boolean);
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    const why = waiting ?? pod.status?.reason ?? (ready?.message || (pod.status?.phase === 'Running' ? 'running, readiness probe not passed yet' : undefined));
    return `${name}: ${pod.status?.phase ?? 'Pending'}${why ? ` (${why})` : ''}`;
  });
  return new ModelshipError('NO_READY_POD', `no ready pod behind service/${service} in namespace "${namespace}": ${lines.join('; ')}`, 'Wait for the rollout (modelship status --watch), or see why it is stuck: modelship status.', lines);
}

/** What happened to a running forward, for the caller's log. */
export type PortForwardEvent =
  | { kind: 'retarget'; from?: string; to?: string; closed: number }
  | { kind: 'connection-failed'; pod: string; message: string }
  | { kind: 'watch-failed'; message: string };

export interface PortForwardOptions extends KubeconfigOptions {
  /** The Service's name (the project's name for what Modelship deploys). */
  service: string;
  /** Local port on 127.0.0.1; 0 or absent picks a free one. */
  localPort?: number;
  /** The Service port (number or name); default the one named http, else the first. */
  servicePort?: number | string;
  /** How long a connection waits for a ready pod when none is; default 30 s. */
  waitForPodMs?: number;
  onEvent?: (event: PortForwardEvent) => void;
}

/** A running forward. Plain getters; `close` ends the listener, every connection and the watch. */
export interface PortForwardHandle {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly localPort: number;
  readonly service: string;
  /** Context, server and namespace it talks to. */
  readonly target: KubeTarget;
  /** Where new connections go now, or undefined while no pod is ready. */
  current(): ForwardTarget | undefined;
  /** Open connections. */
  connections(): number;
  close(): Promise<void>;
}

interface Connection {
  socket: net.Socket;
  pod: string;
  ws?: { close(): void; terminate?(): void };
}

/** A pods/portforward WebSocket failure as a ModelshipError naming the verb RBAC checks. */
function forwardError(error: unknown, target: KubeTarget, pod: string): ModelshipError {
  const status = /Unexpected server response: (\d+)/.exec((error as Error)?.message ?? '')?.[1];
  const mapped = toKubeError(status ? { code: Number(status) } : error, target, { verb: 'get', resource: 'pods/portforward', name: pod, namespace: target.namespace });
  if (status !== '403') return mapped;
  return new KubeError('KUBE_FORBIDDEN', `RBAC forbids user "${target.user}" to get pods/portforward (pod ${pod}) in namespace "${target.namespace}" on context "${target.context}"`, `Port-forward over WebSocket needs "get" on "pods/portforward" (and "create", which kubectl and Kubernetes 1.31+ check too). Ask a cluster admin for a Role granting both, or use another context (check: kubectl --context ${target.context} auth can-i get pods --subresource=portforward -n ${target.namespace}).`, 403, false);
}

/** Opens the forward: reads the Service, picks a ready pod, checks one stream opens, then listens. */
export async function openPortForward(options: PortForwardOptions): Promise<PortForwardHandle> {
  const k8s = loadKubeClient();
  const { config, target } = loadKubeconfig(options);
  const core = config.makeApiClient(k8s.CoreV1Api);
  const namespace = target.namespace;
  const op = (verb: string, resource: string, name?: string) => ({ verb, resource, namespace, ...(name ? { name } : {}) });
  const call = <T>(o: ReturnType<typeof op>, fn: () => Promise<T>) => withRetry(() => fn().catch((e: unknown) => Promise.reject(toKubeError(e, target, o))));

  const service = await call(op('get', 'services', options.service), () => core.readNamespacedService({ name: options.service, namespace })).then((s) => plain<ServiceRecord>(s), (e: unknown) => {
    if ((e as KubeError).statusCode === 404) throw new KubeError('KUBE_NOT_FOUND', `service/${options.service} does not exist in namespace "${namespace}" (context "${target.context}")`, 'Deploy it first (modelship deploy), or check --env/--context/--namespace.', 404, false);
    throw e;
  });
  const servicePort = servicePortOf(service, options.servicePort);
  const labelSelector = selectorOf(service);
  const pods = new Map<string, ForwardPodRecord>();
  const listPods = async (): Promise<string> => {
    const list = await call(op('list', 'pods'), () => core.listNamespacedPod({ namespace, labelSelector }));
    pods.clear();
    for (const pod of plain<ForwardPodRecord[]>(list.items)) if (pod.metadata?.name) pods.set(pod.metadata.name, pod);
    return list.metadata?.resourceVersion ?? '0';
  };
  await listPods();
  let current = chooseTarget([...pods.values()], servicePort);
  if (!current) throw describeNoReadyPod(options.service, labelSelector, namespace, [...pods.values()], servicePort);

  const forwarder = new k8s.PortForward(config, true);
  const openStream = async (to: ForwardTarget, output: Writable, errors: Writable, input: PassThrough) => {
    try {
      return await forwarder.portForward(namespace, to.pod, [to.port], output, errors, input);
    } catch (error) {
      throw forwardError(error, target, to.pod);
    }
  };
  // One stream up front, so that RBAC or a wrong port fails here and not on the first request.
  const probe = await openStream(current, new PassThrough(), new PassThrough(), new PassThrough());
  (probe as { close(): void }).close();

  const connections = new Set<Connection>();
  const waiters = new Set<() => void>();
  const controller = new AbortController();
  const retarget = () => {
    const next = chooseTarget([...pods.values()], servicePort, current?.pod);
    if (next?.pod === current?.pod && next?.port === current?.port) return;
    const from = current?.pod;
    current = next;
    let closed = 0;
    for (const c of connections) {
      if (c.pod !== from) continue;
      closed++;
      c.socket.destroy();
    }
    options.onEvent?.({ kind: 'retarget', ...(from ? { from } : {}), ...(next ? { to: next.pod } : {}), closed });
    if (next) for (const wake of [...waiters]) wake();
  };
  const waitForTarget = (socket: net.Socket): Promise<ForwardTarget | undefined> => {
    if (current) return Promise.resolve(current);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve(current);
      };
      const timer = setTimeout(done, options.waitForPodMs ?? 30_000);
      waiters.add(done);
      socket.once('close', done);
    });
  };

  const onConnection = async (socket: net.Socket): Promise<void> => {
    socket.on('error', () => socket.destroy());
    const to = await waitForTarget(socket);
    if (!to || socket.destroyed) return void socket.destroy();
    const conn: Connection = { socket, pod: to.pod };
    connections.add(conn);
    socket.once('close', () => {
      connections.delete(conn);
      conn.ws?.close();
    });
    // The client's half-close is not passed on: v4 streams cannot half-close, and closing the
    // WebSocket would cut the reply. The pod's side closing the stream ends the socket.
    const input = new PassThrough();
    socket.pipe(input, { end: false });
    let errorText = '';
    const errors = new Writable({
      write(chunk: Buffer, _enc, cb) {
        errorText += chunk.toString();
        if (errorText.trim()) {
          options.onEvent?.({ kind: 'connection-failed', pod: to.pod, message: errorText.trim() });
          socket.destroy();
        }
        cb();
      },
    });
    try {
      const ws = (await openStream(to, socket, errors, input)) as unknown as { close(): void; on(event: string, fn: () => void): void };
      conn.ws = ws;
      if (socket.destroyed) return void ws.close();
      ws.on('close', () => socket.end());
      ws.on('error', () => socket.destroy());
    } catch (error) {
      options.onEvent?.({ kind: 'connection-failed', pod: to.pod, message: (error as Error).message });
      socket.destroy();
    }
  };

  const server = net.createServer({ allowHalfOpen: true }, (socket) => void onConnection(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ModelshipError('PORT_IN_USE', `Port ${options.localPort} on 127.0.0.1 is taken`, 'Pick another port, or leave it unset to get a free one.') : error),
    );
    server.listen(options.localPort ?? 0, '127.0.0.1', () => resolve());
  });
  const localPort = (server.address() as net.AddressInfo).port;

  const watching = resumableWatch({
    watch: new k8s.Watch(config),
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    query: { labelSelector },
    list: listPods,
    onChange: ({ type, object }) => {
      const pod = object as ForwardPodRecord | undefined;
      const name = pod?.metadata?.name;
      if (name && type === 'DELETED') pods.delete(name);
      else if (name && (type === 'ADDED' || type === 'MODIFIED')) pods.set(name, plain<ForwardPodRecord>(pod));
      retarget();
    },
    fatal: (e) => [401, 403].includes((e as KubeError).statusCode ?? 0),
    signal: controller.signal,
  }).catch((error: unknown) => options.onEvent?.({ kind: 'watch-failed', message: (error as Error).message }));

  return {
    url: `http://127.0.0.1:${localPort}`,
    localPort,
    service: options.service,
    target,
    current: () => current,
    connections: () => connections.size,
    close: async () => {
      controller.abort();
      for (const wake of [...waiters]) wake();
      for (const c of connections) c.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await watching;
    },
  };
}

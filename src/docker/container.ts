/**
 * Runs a workspace's model image: the create request (ports on loopback, env, the model mounted
 * read-only in `mount` mode, /dev/shm for torch, GPUs only when asked), start with GPU refusals
 * turned into one message and no container left behind, waiting for `/readyz`, and finding,
 * stopping and removing the containers a project started (by label, no state file).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { ModelshipError } from '../core/errors';
import { BASE_DEPLOYMENT, CONTAINER_LABELS, containerName, projectKey, readClusterLimits, type ClusterLimits, type ShipTarget } from '../core/ship';
import { engineErrorMessage, engineStatus, type Engine } from './engine';
import { gpuDeviceRequest, gpuSupportFromInfo, isGpuRefusal, noNvidiaRuntimeMessage, type GpuSupport, type InfoRecord } from './gpu';
import { containerLogTail } from './containerLogs';
import { httpJson } from './httpJson';

export interface RunOptions {
  /** Absolute path of the project (the build context). */
  projectDir: string;
  target: ShipTarget;
  /** Image to run (default target.imageRef). */
  image?: string;
  /** Host port on 127.0.0.1; 0 or undefined lets the engine choose a free one. */
  hostPort?: number;
  /** GPUs to ask for; undefined asks for none. */
  gpus?: 'all' | number;
  env?: Record<string, string>;
  /** The Deployment's limits to run under, as the cluster would (clusterLimits.ts); none when undefined. */
  limits?: ClusterLimits;
}

/** A running (or stopped) container of a project, as the views and the CLI show it. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  /** `running`, `exited`, `created`, ... */
  state: string;
  /** e.g. `Up 3 minutes (healthy)`. */
  status: string;
  ports: { container: number; host: number; hostIp: string }[];
  gpu: boolean;
  serviceName?: string;
  projectPath?: string;
  /** http://127.0.0.1:<host port> of the serving port, when published. */
  url?: string;
}

const SHM_FOR_TORCH = 1024 * 1024 * 1024;
const TORCH_FRAMEWORKS = new Set(['pytorch', 'torch', 'torchscript', 'transformers']);

/** HostConfig for the cluster's limits: no swap beyond the memory limit, as a pod has none. */
function limitsHostConfig(limits: ClusterLimits | undefined): Dockerode.HostConfig {
  if (!limits) return {};
  return {
    ...(limits.memoryBytes ? { Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes } : {}),
    ...(limits.nanoCpus ? { NanoCpus: limits.nanoCpus } : {}),
    ...(limits.readOnlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
    ...(limits.tmpfs.length ? { Tmpfs: Object.fromEntries(limits.tmpfs.map((p) => [p, ''])) } : {}),
  };
}

/** The create request, pure: what `docker run -d` would send for this target. */
export function runRequest(options: RunOptions): Dockerode.ContainerCreateOptions {
  const { target, projectDir } = options;
  const port = `${target.port}/tcp`;
  const binds: string[] = [];
  if (target.model?.mode === 'mount' && target.model.containerPath) {
    binds.push(`${path.resolve(projectDir, target.model.path)}:${target.model.containerPath}:ro`);
  }
  const torch = TORCH_FRAMEWORKS.has((target.model?.framework ?? '').toLowerCase()) || /^(pytorch|torchscript|safetensors)$/.test(target.model?.format ?? '');
  const hostConfig: Dockerode.HostConfig = {
    PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: options.hostPort ? String(options.hostPort) : '' }] },
    Init: true,
    ...(binds.length ? { Binds: binds } : {}),
    // torch's DataLoader workers share tensors through /dev/shm; Docker's 64 MB default is too small.
    ...(torch ? { ShmSize: SHM_FOR_TORCH } : {}),
    ...(options.gpus !== undefined ? { DeviceRequests: [gpuDeviceRequest(options.gpus)] } : {}),
    ...limitsHostConfig(options.limits),
  };
  return {
    name: containerName(target.name, projectDir),
    Image: options.image ?? target.imageRef,
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: { [port]: {} },
    Labels: {
      [CONTAINER_LABELS.project]: projectKey(projectDir),
      [CONTAINER_LABELS.projectPath]: projectDir,
      [CONTAINER_LABELS.name]: target.name,
      [CONTAINER_LABELS.gpu]: options.gpus !== undefined ? String(options.gpus) : 'none',
    },
    HostConfig: hostConfig,
  };
}

/** The container list entry fields read here. */
interface ContainerRecord {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
  Labels?: Record<string, string>;
  Ports?: { PrivatePort?: number; PublicPort?: number; IP?: string; Type?: string }[];
}

export function toContainerSummary(record: ContainerRecord, servingPort?: number): ContainerSummary {
  const ports = (record.Ports ?? [])
    .filter((p) => p.PublicPort && p.PrivatePort && (p.Type ?? 'tcp') === 'tcp')
    .map((p) => ({ container: p.PrivatePort!, host: p.PublicPort!, hostIp: p.IP ?? '0.0.0.0' }));
  // Engines list a binding once per address family; keep one.
  const unique = ports.filter((p, i) => ports.findIndex((q) => q.container === p.container && q.host === p.host) === i);
  const serving = unique.find((p) => p.container === servingPort) ?? unique[0];
  const labels = record.Labels ?? {};
  const host = !serving || serving.hostIp === '0.0.0.0' || serving.hostIp === '::' ? '127.0.0.1' : serving.hostIp;
  return {
    id: record.Id,
    name: (record.Names?.[0] ?? record.Id.slice(0, 12)).replace(/^\//, ''),
    image: record.Image ?? '',
    state: record.State ?? 'unknown',
    status: record.Status ?? '',
    ports: unique,
    gpu: (labels[CONTAINER_LABELS.gpu] ?? 'none') !== 'none',
    ...(labels[CONTAINER_LABELS.name] ? { serviceName: labels[CONTAINER_LABELS.name] } : {}),
    ...(labels[CONTAINER_LABELS.projectPath] ? { projectPath: labels[CONTAINER_LABELS.projectPath] } : {}),
    ...(serving ? { url: `http://${host.includes(':') ? `[${host}]` : host}:${serving.host}` } : {}),
  };
}

/** Containers Modelship started, for one project or for all. */
export async function listModelContainers(engine: Engine, projectDir?: string, servingPort = 8080): Promise<ContainerSummary[]> {
  const label = projectDir ? `${CONTAINER_LABELS.project}=${projectKey(projectDir)}` : CONTAINER_LABELS.project;
  const records = (await engine.api.listContainers({ all: true, filters: { label: [label] } })) as ContainerRecord[];
  return records.map((r) => toContainerSummary(r, servingPort));
}

/** The limits of the project's generated Deployment (deploy/k8s/base/deployment.yaml), when it has one. */
export function readProjectClusterLimits(projectDir: string): ClusterLimits | undefined {
  const file = path.join(projectDir, BASE_DEPLOYMENT);
  if (!existsSync(file)) return undefined;
  return readClusterLimits(readFileSync(file, 'utf8'), BASE_DEPLOYMENT);
}

export async function readGpuSupport(engine: Engine): Promise<GpuSupport> {
  return gpuSupportFromInfo((await engine.api.info()) as InfoRecord);
}

export interface StartedContainer {
  container: ContainerSummary;
  /** Set when GPUs were asked for: what the engine said about them beforehand. */
  gpuSupport?: GpuSupport;
}

async function removeQuietly(engine: Engine, id: string): Promise<void> {
  try {
    await engine.api.getContainer(id).remove({ force: true, v: true });
  } catch (error) {
    if (engineStatus(error) !== 404) throw error;
  }
}

/**
 * Creates and starts the container, replacing one this project started before. When GPUs are asked
 * for and the engine refuses them, the container is removed and the error says why in one line.
 * `onWarning` hears that the engine lists no NVIDIA runtime before the request is still sent
 * (hook-based setups work without one).
 */
export async function startModelContainer(engine: Engine, options: RunOptions, onWarning: (text: string) => void = () => {}): Promise<StartedContainer> {
  const request = runRequest(options);
  const image = request.Image!;
  try {
    await engine.api.getImage(image).inspect();
  } catch (error) {
    if (engineStatus(error) === 404) {
      throw new ModelshipError('IMAGE_NOT_FOUND', `The engine at ${engine.endpoint.display} has no image ${image}.`, 'Build it first (Modelship: Build Image, or modelship build).');
    }
    throw error;
  }
  let gpuSupport: GpuSupport | undefined;
  if (options.gpus !== undefined) {
    gpuSupport = await readGpuSupport(engine);
    if (!gpuSupport.nvidia) onWarning(`${noNvidiaRuntimeMessage(gpuSupport, engine.endpoint.display).message} Asking anyway, in case GPUs come from a hook.`);
  }
  // One container per project and service: a second run replaces the first, and says so.
  const previous = (await engine.api.listContainers({ all: true, filters: { name: [`^/${request.name!}$`] } })) as ContainerRecord[];
  for (const record of previous) {
    onWarning(`Replacing ${request.name} (${record.State ?? 'unknown'}, ${record.Image ?? 'unknown image'}), which an earlier run started.`);
    await removeQuietly(engine, record.Id);
  }
  const created = await engine.api.createContainer(request).catch((error: unknown) => {
    const message = engineErrorMessage(error);
    if (options.gpus !== undefined && isGpuRefusal(message)) {
      const plain = noNvidiaRuntimeMessage(gpuSupport, engine.endpoint.display, message);
      throw new ModelshipError('NO_GPU_RUNTIME', plain.message, plain.hint);
    }
    throw new ModelshipError('RUN_FAILED', `Could not create a container from ${image}: ${message}`);
  });
  try {
    await created.start();
  } catch (error) {
    const message = engineErrorMessage(error);
    await removeQuietly(engine, created.id);
    if (options.gpus !== undefined && isGpuRefusal(message)) {
      const plain = noNvidiaRuntimeMessage(gpuSupport, engine.endpoint.display, message);
      throw new ModelshipError('NO_GPU_RUNTIME', plain.message, plain.hint);
    }
    if (/port is already allocated|address already in use/i.test(message)) {
      throw new ModelshipError('PORT_IN_USE', `Port ${options.hostPort} on 127.0.0.1 is taken: ${message}`, 'Pick another port, or leave it unset to get a free one.');
    }
    throw new ModelshipError('RUN_FAILED', `Could not start ${image}: ${message}`);
  }
  const [record] = (await engine.api.listContainers({ all: true, filters: { id: [created.id] } })) as ContainerRecord[];
  return { container: toContainerSummary(record ?? { Id: created.id }, options.target.port), ...(gpuSupport ? { gpuSupport } : {}) };
}

/**
 * Polls `<url>/readyz` until it answers 200. Fails early, with the container's last log lines, when
 * the container exits; fails with them too when `timeoutMs` passes.
 */
export async function waitForReady(engine: Engine, container: ContainerSummary, options: { timeoutMs?: number; readyPath?: string; signal?: AbortSignal; limits?: ClusterLimits } = {}): Promise<{ ms: number }> {
  if (!container.url) throw new ModelshipError('NO_PORT', `${container.name} publishes no port, so its readiness cannot be checked.`);
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 120_000);
  const readyUrl = `${container.url}${options.readyPath ?? '/readyz'}`;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new ModelshipError('CANCELLED', 'Cancelled while waiting for the model server.');
    try {
      const reply = await httpJson(readyUrl, { timeoutMs: 2000 });
      if (reply.status === 200) return { ms: Date.now() - started };
      last = `${reply.status} ${reply.text.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    const state = (await engine.api.getContainer(container.id).inspect()).State;
    if (!state.Running) {
      const tail = await containerLogTail(engine, container.id).catch(() => []);
      if (state.OOMKilled) {
        const limit = options.limits?.memory ? ` of ${options.limits.memory} (limits.memory in ${options.limits.source})` : '';
        throw new ModelshipError('CONTAINER_OOM', `${container.name} was killed for using more than its memory limit${limit} before ${readyUrl} answered; Kubernetes would kill it too.`, options.limits?.memory ? `Raise limits.memory in ${options.limits.source}, or make the model smaller.` : 'Give the container more memory.', tail);
      }
      throw new ModelshipError('CONTAINER_EXITED', `${container.name} exited with code ${state.ExitCode} before ${readyUrl} answered.`, `All of its logs: docker logs ${container.name}`, tail);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = await containerLogTail(engine, container.id).catch(() => []);
  throw new ModelshipError('NOT_READY', `${readyUrl} was not ready after ${Math.round((Date.now() - started) / 1000)} s (last answer: ${last}).`, 'Large models take longer to load: allow a longer ready timeout.', tail);
}

/** Stops (10 s grace) and removes a container; a container already gone is not an error. */
export async function stopAndRemove(engine: Engine, id: string): Promise<void> {
  try {
    await engine.api.getContainer(id).stop({ t: 10 });
  } catch (error) {
    const status = engineStatus(error);
    if (status !== 304 && status !== 404) throw new ModelshipError('STOP_FAILED', `Could not stop ${id.slice(0, 12)}: ${engineErrorMessage(error)}`);
  }
  await removeQuietly(engine, id);
}

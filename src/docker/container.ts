/**
 * Runs a workspace's model image: the create request (ports on loopback, env, the model mounted
 * read-only in `mount` mode, /dev/shm for torch, GPUs only when asked), start with GPU refusals
 * turned into one message and no container left behind, waiting for `/readyz`, and finding,
 * stopping and removing the containers a project started (by label, no state file).
 */
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { ModelshipError } from '../core/errors';
import { CONTAINER_LABELS, containerName, projectKey, type ShipTarget } from '../core/ship';
import { engineErrorMessage, engineStatus, type Engine } from './engine';
import { gpuDeviceRequest, gpuSupportFromInfo, isGpuRefusal, noNvidiaRuntimeMessage, type GpuSupport, type InfoRecord } from './gpu';
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

/** Docker's multiplexed log frames (8-byte headers: stream, 0, 0, 0, size); `rest` is an incomplete trailing frame. */
export function demuxFrames(raw: Buffer): { frames: { stream: 'stdout' | 'stderr'; text: string }[]; rest: Buffer } {
  const frames: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    if (at + 8 + size > raw.length) break;
    frames.push({ stream: raw[at] === 2 ? 'stderr' : 'stdout', text: raw.subarray(at + 8, at + 8 + size).toString('utf8') });
    at += 8 + size;
  }
  return { frames, rest: raw.subarray(at) };
}

/** The last `lines` lines the container wrote, stdout and stderr together. */
export async function containerLogTail(engine: Engine, id: string, lines = 30): Promise<string[]> {
  const tail: string[] = [];
  await readLogs(engine, id, (line) => tail.push(line), { tail: lines, follow: false });
  return tail;
}

/**
 * Polls `<url>/readyz` until it answers 200. Fails early, with the container's last log lines, when
 * the container exits; fails with them too when `timeoutMs` passes.
 */
export async function waitForReady(engine: Engine, container: ContainerSummary, options: { timeoutMs?: number; readyPath?: string; signal?: AbortSignal } = {}): Promise<{ ms: number }> {
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

/**
 * A container's logs line by line, stdout and stderr told apart; with `follow`, until the container
 * stops or `signal` aborts. Containers Modelship starts have no TTY, so the stream is multiplexed.
 */
export async function readLogs(
  engine: Engine,
  id: string,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  options: { tail?: number; follow?: boolean; signal?: AbortSignal; since?: number } = {},
): Promise<void> {
  const pending = { stdout: '', stderr: '' };
  const emit = (which: 'stdout' | 'stderr', text: string) => {
    pending[which] += text;
    const lines = pending[which].split('\n');
    pending[which] = lines.pop()!;
    for (const line of lines) onLine(line.replace(/\r$/, ''), which);
  };
  const container = engine.api.getContainer(id);
  const base = { stdout: true, stderr: true, tail: options.tail ?? 200, ...(options.since ? { since: options.since } : {}) };
  if (!options.follow) {
    const raw = (await container.logs({ ...base, follow: false })) as unknown as Buffer;
    for (const frame of demuxFrames(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).frames) emit(frame.stream, frame.text);
  } else {
    const stream = (await container.logs({ ...base, follow: true, ...(options.signal ? { abortSignal: options.signal } : {}) })) as NodeJS.ReadableStream & { destroy?: () => void };
    let buffer: Buffer = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      options.signal?.addEventListener('abort', () => {
        stream.destroy?.();
        done();
      });
      stream.on('data', (chunk: Buffer) => {
        const { frames, rest } = demuxFrames(Buffer.concat([buffer, chunk]));
        buffer = rest;
        for (const frame of frames) emit(frame.stream, frame.text);
      });
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
  }
  for (const which of ['stdout', 'stderr'] as const) if (pending[which]) onLine(pending[which], which);
}

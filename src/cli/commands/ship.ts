/**
 * `modelship build | run | smoke | logs | stop | push | ps`: the engine commands. Each finds the
 * workspace's Dockerfile and image by itself (the Dockerfile's labels), prints results on stdout
 * (`--json` for scripts) and progress on stderr. Bundled as dist/cli-ship.js with dockerode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelshipError, formatModelshipError, isModelshipError } from '../../core/errors';
import { formatBytes } from '../../core/formatBytes';
import { describeClusterLimits } from '../../core/ship';
import { buildImage, type BuilderChoice } from '../../docker/build';
import type { BuildEvent } from '../../docker/buildProgress';
import { listModelContainers, readProjectClusterLimits, startModelContainer, stopAndRemove, waitForReady, type ContainerSummary } from '../../docker/container';
import { readLogs } from '../../docker/containerLogs';
import { connectEngine, type Engine } from '../../docker/engine';
import { pushImage, retarget, tagImage } from '../../docker/push';
import { findExpectedAnswer, findSavedSample, readExpectedFile, readSampleFile, runSmokeTest, sampleFromServer } from '../../docker/smokeTest';

import { findWorkspace, type Workspace } from '../../flows/workspace';
import { debug } from '../verbose';

export { findWorkspace, type Workspace };

const out = (text: string) => process.stdout.write(text + '\n');
const err = (text: string) => process.stderr.write(text + '\n');

function parsePairs(values: string[] | undefined, flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new ModelshipError('BAD_ARGUMENT', `${flag} ${value}: expected NAME=VALUE`);
    pairs[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return pairs;
}

function printBuildEvent(event: BuildEvent, quiet: boolean, shown: Set<string>): void {
  if (event.kind === 'step') {
    // The classic builder reports a step again when it finds it cached; one line per step is enough.
    if (shown.has(event.id)) return;
    shown.add(event.id);
    err(`${event.index && event.total ? `[${event.index}/${event.total}] ` : ''}${event.name}${event.cached ? '  (cached)' : ''}`);
  } else if (event.kind === 'output' && !quiet) process.stderr.write(event.text.replace(/^/gm, '    ').replace(/ {4}$/, ''));
  else if (event.kind === 'warning') err(`warning: ${event.text}`);
}

/** The variables pip reads a package mirror from, passed as build secrets of the same name when set. */
const PIP_SECRET_VARIABLES = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL'] as const;

/**
 * The build's secrets: PIP_INDEX_URL / PIP_EXTRA_INDEX_URL from the environment, the file
 * PIP_CONFIG_FILE names as `pip.conf`, then each `--secret id=ID[,env=VAR|,src=FILE]` (docker's
 * syntax; a bare id reads the variable of that name). Empty values are left out, so pip keeps its default.
 */
export function collectBuildSecrets(flags: string[] | undefined, env: NodeJS.ProcessEnv = process.env): Map<string, Buffer> {
  const secrets = new Map<string, Buffer>();
  const fromFile = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new ModelshipError('BAD_ARGUMENT', `${what}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'Name a readable file, or leave the secret out.');
    }
  };
  for (const name of PIP_SECRET_VARIABLES) if (env[name]) secrets.set(name, Buffer.from(env[name]!));
  if (env.PIP_CONFIG_FILE && env.PIP_CONFIG_FILE !== 'os.devnull' && env.PIP_CONFIG_FILE !== '/dev/null') secrets.set('pip.conf', fromFile(env.PIP_CONFIG_FILE, 'PIP_CONFIG_FILE'));
  for (const flag of flags ?? []) {
    const fields = new Map(flag.split(',').map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? [part, ''] as const : [part.slice(0, eq), part.slice(eq + 1)] as const;
    }));
    const id = fields.get('id');
    const unknown = [...fields.keys()].filter((k) => !['id', 'env', 'src', 'source', 'type'].includes(k));
    if (!id || unknown.length > 0) throw new ModelshipError('BAD_ARGUMENT', `--secret ${flag.split(',').map((p) => p.replace(/=.*/, '=…')).join(',')}: expected id=ID[,env=VAR|,src=FILE]`);
    const file = fields.get('src') ?? fields.get('source');
    if (file) secrets.set(id, fromFile(file, `--secret id=${id}`));
    else {
      const value = env[fields.get('env') || id];
      if (value) secrets.set(id, Buffer.from(value));
      else secrets.delete(id);
    }
  }
  return secrets;
}

export interface BuildFlags {
  secret?: string[];
  tag?: string[];
  buildArg?: string[];
  target?: string;
  noCache: boolean;
  builder?: string;
  json: boolean;
  quiet: boolean;
}

export async function runBuild(dir: string, flags: BuildFlags): Promise<number> {
  const primary = flags.tag?.[0];
  const ws = findWorkspace(dir, primary);
  const builder = (flags.builder ?? 'auto') as BuilderChoice;
  if (!['auto', 'buildkit', 'legacy'].includes(builder)) throw new ModelshipError('BAD_ARGUMENT', `--builder ${flags.builder}: choose auto, buildkit or legacy`);
  const secrets = collectBuildSecrets(flags.secret);
  const engine = await connectEngine();
  debug(() => `engine ${engine.endpoint.display} (API ${engine.apiVersion}, ${engine.buildKit ? 'BuildKit' : 'no BuildKit'})`);
  if (secrets.size > 0) err(`Build secrets: ${[...secrets.keys()].join(', ')} (values are not shown, and stay out of the image)`);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const shownSteps = new Set<string>();
  try {
    const result = await buildImage(engine, {
      ...(secrets.size > 0 ? { secrets } : {}),
      onDebug: (line) => debug(line),
      projectDir: ws.dir,
      target: ws.target,
      tags: flags.tag?.slice(1) ?? [],
      buildArgs: parsePairs(flags.buildArg, '--build-arg'),
      ...(flags.target ? { stage: flags.target } : {}),
      noCache: flags.noCache,
      builder,
      signal: controller.signal,
      onContext: (plan, warning) => {
        err(`Sending ${formatBytes(plan.totalBytes)} of context (${plan.entries.filter((e) => e.type === 'file').length} files; .dockerignore kept out ${formatBytes(plan.excluded.bytes)}) to ${engine.endpoint.display}`);
        if (warning) err(`warning: ${warning}`);
      },
      onEvent: (event) => printBuildEvent(event, flags.quiet || flags.json, shownSteps),
    });
    if (flags.json) {
      out(JSON.stringify({ image: result.tags[0], tags: result.tags, imageId: result.imageId, builder: result.builder, context: { bytes: result.contextBytes, files: result.contextFiles }, bytesRead: result.bytesRead, seconds: result.ms / 1000 }, null, 2));
    } else {
      out(`Built ${result.tags.join(', ')} (${result.imageId.replace(/^sha256:/, '').slice(0, 12)}) with ${result.builder === 'buildkit' ? 'BuildKit' : 'the classic builder'} in ${(result.ms / 1000).toFixed(1)} s`);
      const dirArg = path.relative(process.cwd(), ws.dir) || '.';
      out(`Next: modelship run ${dirArg} and modelship smoke ${dirArg}, then modelship deploy ${dirArg}`);
    }
    return 0;
  } catch (error) {
    if (isModelshipError(error) && error.code === 'BUILD_FAILED') {
      process.stderr.write(formatModelshipError(error));
      return 1;
    }
    throw error;
  }
}

export interface RunFlags {
  port?: string;
  gpu: boolean;
  gpus?: string;
  env?: string[];
  tag?: string;
  timeout?: string;
  wait: boolean;
  /** Run under the generated Deployment's limits (memory, CPU, read-only root) when there is one. */
  limits: boolean;
  json: boolean;
}

function parseGpus(flags: RunFlags): 'all' | number | undefined {
  if (flags.gpus !== undefined) {
    if (flags.gpus === 'all') return 'all';
    const n = Number(flags.gpus);
    if (!Number.isInteger(n) || n < 1) throw new ModelshipError('BAD_ARGUMENT', `--gpus ${flags.gpus}: expected "all" or a count of 1 or more`);
    return n;
  }
  return flags.gpu ? 'all' : undefined;
}

export async function runRun(dir: string, flags: RunFlags): Promise<number> {
  const ws = findWorkspace(dir, flags.tag);
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new ModelshipError('BAD_ARGUMENT', `--port ${flags.port}: expected 1-65535`);
  const gpus = parseGpus(flags);
  const limits = flags.limits ? readProjectClusterLimits(ws.dir) : undefined;
  const engine = await connectEngine();
  const { container } = await startModelContainer(engine, { projectDir: ws.dir, target: ws.target, ...(port ? { hostPort: port } : {}), ...(gpus !== undefined ? { gpus } : {}), env: parsePairs(flags.env, '--env'), ...(limits ? { limits } : {}) }, (warning) => err(`warning: ${warning}`));
  if (limits) err(`As the cluster will run it: ${describeClusterLimits(limits)}; --no-limits to lift them`);
  err(`Started ${container.name} (${container.id.slice(0, 12)}) from ${ws.target.imageRef}${container.url ? `; waiting for ${container.url}/readyz` : ''}`);
  let readyMs: number | undefined;
  if (flags.wait) {
    const timeoutMs = flags.timeout ? Number(flags.timeout) * 1000 : 120_000;
    readyMs = (await waitForReady(engine, container, { timeoutMs, ...(limits ? { limits } : {}) })).ms;
  }
  if (flags.json) {
    out(JSON.stringify({ id: container.id, name: container.name, image: ws.target.imageRef, url: container.url, ready: flags.wait, readyMs, gpu: container.gpu, limits: limits ?? null }, null, 2));
  } else {
    out(`${container.url ?? '(no published port)'}  ${container.id.slice(0, 12)}${readyMs !== undefined ? `  ready in ${(readyMs / 1000).toFixed(1)} s` : ''}`);
    err(`Next: modelship smoke ${path.relative(process.cwd(), ws.dir) || '.'}  |  modelship logs  |  modelship stop`);
  }
  return 0;
}

async function runningContainer(engine: Engine, ws: Workspace): Promise<ContainerSummary> {
  const running = (await listModelContainers(engine, ws.dir, ws.target.port)).filter((c) => c.state === 'running');
  if (running.length === 0) throw new ModelshipError('NOT_RUNNING', `No container of ${ws.target.name} is running for ${ws.dir}.`, `Start one: modelship run ${ws.dir}`);
  return running[0]!;
}

export interface SmokeFlags {
  url?: string;
  sample?: string;
  expect?: string;
  json: boolean;
}

export async function runSmoke(dir: string, flags: SmokeFlags): Promise<number> {
  const ws = findWorkspace(dir);
  let url = flags.url;
  if (!url) {
    const container = await runningContainer(await connectEngine(), ws);
    if (!container.url) throw new ModelshipError('NO_PORT', `${container.name} publishes no port.`);
    url = container.url;
  }
  const saved = flags.sample ? readSampleFile(flags.sample) : findSavedSample(ws.dir, ws.target);
  const sample = saved ?? (await sampleFromServer(url, ws.target.name));
  // A saved sample may have saved predictions beside it; rows shaped from metadata have none.
  const expected = flags.expect ? readExpectedFile(flags.expect) : saved ? findExpectedAnswer(flags.sample ? path.dirname(path.resolve(flags.sample)) : ws.dir, flags.sample ? path.basename(flags.sample) : saved.source) : undefined;
  try {
    const result = await runSmokeTest(url, sample, expected ? { expected } : {});
    if (flags.json) out(JSON.stringify({ ok: true, ...result }, null, 2));
    else {
      out(`ok  POST ${result.url}  ${result.rows} row(s) from ${result.sampleSource}  ${result.status} in ${result.ms} ms${result.expected ? `  predictions match ${result.expected.source}` : ''}`);
      out(JSON.stringify(result.answer));
    }
    return 0;
  } catch (error) {
    if (isModelshipError(error) && error.code === 'SMOKE_FAILED') {
      if (flags.json) out(JSON.stringify({ ok: false, message: error.message, details: error.details ?? [], ...((error as { result?: object }).result ?? {}) }, null, 2));
      process.stderr.write(formatModelshipError(Object.assign(error, { message: `smoke test failed: ${error.message}` })));
      return 1;
    }
    throw error;
  }
}

export async function runLogs(dir: string, flags: { follow: boolean; tail?: string }): Promise<number> {
  const ws = findWorkspace(dir);
  const engine = await connectEngine();
  const containers = await listModelContainers(engine, ws.dir, ws.target.port);
  const container = containers.find((c) => c.state === 'running') ?? containers[0];
  if (!container) throw new ModelshipError('NOT_RUNNING', `No container of ${ws.target.name} for ${ws.dir}.`, `Start one: modelship run ${ws.dir}`);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  await readLogs(engine, container.id, (line, stream) => (stream === 'stderr' ? err(line) : out(line)), {
    tail: flags.tail ? Number(flags.tail) : 200,
    signal: controller.signal,
    follow: flags.follow,
  });
  return 0;
}

export async function runStop(dir: string, flags: { json: boolean }): Promise<number> {
  const ws = findWorkspace(dir);
  const engine = await connectEngine();
  const containers = await listModelContainers(engine, ws.dir, ws.target.port);
  for (const c of containers) await stopAndRemove(engine, c.id);
  if (flags.json) out(JSON.stringify({ stopped: containers.map((c) => ({ id: c.id, name: c.name })) }, null, 2));
  else out(containers.length ? containers.map((c) => `Stopped and removed ${c.name} (${c.id.slice(0, 12)})`).join('\n') : `Nothing of ${ws.target.name} was running.`);
  return 0;
}

export async function runPush(dir: string, flags: { to?: string; tag?: string; json: boolean }): Promise<number> {
  const ws = findWorkspace(dir, flags.tag);
  const engine = await connectEngine();
  let ref = ws.target.imageRef;
  if (flags.to) {
    const destination = retarget(ref, flags.to);
    await tagImage(engine, ref, destination);
    ref = destination;
  }
  let lastShown = 0;
  const result = await pushImage(engine, ref, {
    onEvent: (event, parser) => {
      if (flags.json) return;
      if (event.kind === 'status') err(event.text);
      const now = Date.now();
      if (event.kind === 'layer' && now - lastShown > 1000) {
        lastShown = now;
        const p = parser.progress();
        err(`  ${p.done}/${p.layers} layers, ${formatBytes(p.current)}${p.total ? ` of ${formatBytes(p.total)}` : ''}`);
      }
    },
  });
  if (flags.json) out(JSON.stringify(result, null, 2));
  else out(`Pushed ${result.ref}\n  digest ${result.digest}\n  deploy ${result.pinned}`);
  return 0;
}

export async function runPs(dir: string | undefined, flags: { json: boolean; all: boolean }): Promise<number> {
  const engine = await connectEngine();
  const ws = dir && !flags.all ? findWorkspace(dir) : undefined;
  const containers = await listModelContainers(engine, ws?.dir, ws?.target.port);
  if (flags.json) out(JSON.stringify(containers, null, 2));
  else if (containers.length === 0) out('No Modelship containers.');
  else for (const c of containers) out(`${c.id.slice(0, 12)}  ${c.name}  ${c.state}  ${c.url ?? '-'}  ${c.gpu ? 'GPU  ' : ''}${c.image}  ${c.status}`);
  return 0;
}

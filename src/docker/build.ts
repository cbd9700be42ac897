/**
 * Builds a workspace's image through the Engine API: the context planned and streamed by
 * buildContext.ts (honouring .dockerignore, never reading what it excludes), the request built
 * purely by `buildRequest`, the JSON progress parsed by buildProgress.ts. BuildKit when the engine
 * has it, the classic builder otherwise. A failed step, a cancel and an engine that goes away
 * mid-build each end in their own error; none hangs.
 */
import type Dockerode from 'dockerode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelshipError } from '../core/errors';
import { CONTAINER_LABELS, projectKey, type ShipTarget } from '../core/ship';
import { contextSizeWarning, packBuildContext, planBuildContext, type ContextPlan } from './buildContext';
import { BuildProgressParser, JsonLineSplitter, type BuildEvent } from './buildProgress';
import { openBuildSession, secretRedactor, type BuildSession } from './buildSession';
import { engineErrorMessage, type Engine } from './engine';

export type BuilderChoice = 'auto' | 'buildkit' | 'legacy';

export interface BuildOptions {
  /** Absolute path of the build context (the project). */
  projectDir: string;
  target: ShipTarget;
  /** More tags besides `target.imageRef`. */
  tags?: string[];
  buildArgs?: Record<string, string>;
  /**
   * Build secrets (id → value), served over a BuildKit session to `RUN --mount=type=secret`
   * steps; never put in the query, a label or a layer. Needs BuildKit.
   */
  secrets?: ReadonlyMap<string, Buffer>;
  /** Hears debug lines (the session opening, the secret ids asked for; never their values). */
  onDebug?: (line: string) => void;
  /** A stage to stop at (`--target`). */
  stage?: string;
  noCache?: boolean;
  builder?: BuilderChoice;
  signal?: AbortSignal;
  onEvent?: (event: BuildEvent) => void;
  /** Hears the context's size before it is sent, and a warning when it is large. */
  onContext?: (plan: ContextPlan, warning: string | undefined) => void;
}

/** What a finished build produced. */
export interface BuildResult {
  imageId: string;
  tags: string[];
  builder: 'buildkit' | 'legacy';
  contextBytes: number;
  contextFiles: number;
  /** Bytes read from disk to send the context (equal to the files sent, never the excluded ones). */
  bytesRead: number;
  ms: number;
}

/** The label that ties images to the project that built them (the Images & Containers view filters on it). */
export const IMAGE_PROJECT_LABEL = CONTAINER_LABELS.project;

/** The `/build` query for these options, pure. */
export function buildRequest(options: BuildOptions, engine: Pick<Engine, 'buildKit'>): { query: Dockerode.ImageBuildOptions; builder: 'buildkit' | 'legacy'; tags: string[] } {
  const tags = [...new Set([options.target.imageRef, ...(options.tags ?? [])])];
  const choice = options.builder ?? 'auto';
  if (choice === 'buildkit' && !engine.buildKit) {
    throw new ModelshipError('NO_BUILDKIT', 'This engine has no BuildKit (it needs a Linux Docker engine with API 1.39 or later).', 'Build with the classic builder: --builder legacy');
  }
  const builder = choice === 'legacy' || !engine.buildKit ? 'legacy' : 'buildkit';
  if (builder === 'legacy' && options.secrets && options.secrets.size > 0) {
    const ids = [...options.secrets.keys()].join(', ');
    throw new ModelshipError('NO_BUILDKIT', `Build secrets (${ids}) need BuildKit, and this build uses the classic builder${engine.buildKit ? ' (--builder legacy)' : ' (the engine has no BuildKit)'}.`,
      engine.buildKit ? 'Leave out --builder legacy, or unset the secret variables to build without them.' : 'Build on a Linux Docker engine (API 1.39 or later), or unset the secret variables to build without them.');
  }
  const query: Dockerode.ImageBuildOptions = {
    t: tags as unknown as string,
    dockerfile: options.target.dockerfile,
    labels: { [IMAGE_PROJECT_LABEL]: projectKey(options.projectDir) },
    rm: true,
    forcerm: true,
    ...(options.buildArgs && Object.keys(options.buildArgs).length ? { buildargs: options.buildArgs } : {}),
    ...(options.stage ? { target: options.stage } : {}),
    ...(options.noCache ? { nocache: true } : {}),
    version: builder === 'buildkit' ? '2' : '1',
  };
  return { query, builder, tags };
}

/**
 * The classic builder stops at `RUN --mount` with "Unknown flag: mount"; say which line, and what
 * to do, before sending the context. (The generated Dockerfile mounts pip's index secrets there.)
 */
function refuseMountsForClassicBuilder(dockerfile: string, engineHasBuildKit: boolean): void {
  let text: string;
  try {
    text = fs.readFileSync(dockerfile, 'utf8');
  } catch {
    return; // The engine reports a missing Dockerfile itself.
  }
  const line = text.split('\n').findIndex((l) => /^\s*RUN\s+(.*\s)?--mount[=\s]/i.test(l));
  if (line === -1) return;
  throw new ModelshipError('NO_BUILDKIT', `${dockerfile}:${line + 1}: RUN --mount (build secrets such as pip's package index) needs BuildKit; the classic builder cannot parse it.`,
    engineHasBuildKit
      ? 'Leave out --builder legacy (BuildKit is the default here), or regenerate a Dockerfile without secret mounts: modelship containerize PATH --no-pip-secrets'
      : 'This engine has no BuildKit: build on a Linux Docker engine (API 1.39 or later), or regenerate a Dockerfile without secret mounts: modelship containerize PATH --no-pip-secrets');
}

/** `POST /build` as dockerode sends it, with the query as given (its `session` kept). */
function postBuild(api: Dockerode, context: NodeJS.ReadableStream, query: Dockerode.ImageBuildOptions & { session: string; abortSignal?: AbortSignal }): Promise<NodeJS.ReadableStream> {
  const { abortSignal, ...options } = query;
  return new Promise((resolve, reject) => {
    api.modem.dial({
      path: '/build?', method: 'POST', file: context, options, isStream: true, statusCodes: { 200: true, 500: 'server error' },
      ...(abortSignal ? { abortSignal } : {}),
    } as never, (error: unknown, stream: unknown) => (error ? reject(error) : resolve(stream as NodeJS.ReadableStream)));
  });
}

function failureError(parser: BuildProgressParser, redact: (text: string) => string): ModelshipError | undefined {
  const found = parser.failure();
  if (!found) return undefined;
  const failure = { message: redact(found.message), output: found.output.map(redact), ...(found.step ? { step: redact(found.step) } : {}) };
  const where = failure.step ? `Build failed at ${failure.step}` : 'Build failed';
  // Engines repeat a failed RUN's whole command in the message; one line is enough here.
  const message = failure.message.replace(/\s+/g, ' ');
  return Object.assign(new ModelshipError('BUILD_FAILED', `${where}: ${message}`, 'Fix the step and build again; its output is above and in the build log.', failure.output), { failure });
}

/** Whether the engine still answers a ping within `ms`. */
export async function engineAnswers(engine: Engine, ms = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([engine.api.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the engine answers `samples` pings in a row, 250 ms apart. */
async function engineStaysUp(engine: Engine, samples: number): Promise<boolean> {
  for (let i = 0; i < samples; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250));
    if (!(await engineAnswers(engine))) return false;
  }
  return true;
}

/** Builds the image and tags it; resolves once the engine says it is done. */
export async function buildImage(engine: Engine, options: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const { query, builder, tags } = buildRequest(options, engine);
  const plan = await planBuildContext(options.projectDir, options.target.dockerfile);
  if (builder === 'legacy') refuseMountsForClassicBuilder(path.join(options.projectDir, plan.dockerfile), engine.buildKit);
  options.onContext?.(plan, contextSizeWarning(plan));
  if (options.signal?.aborted) throw new ModelshipError('CANCELLED', 'Build cancelled.');
  const packed = packBuildContext(plan);
  const parser = new BuildProgressParser();
  const splitter = new JsonLineSplitter();
  // A step may print a secret (pip names its index); what reaches the caller shows *** instead.
  const redact = secretRedactor(options.secrets);
  let lastStep: string | undefined;
  const emit = (records: unknown[]) => {
    for (const record of records) {
      for (const found of parser.push(record)) {
        const event = found.kind === 'output' || found.kind === 'warning' ? { ...found, text: redact(found.text) } : found.kind === 'step' ? { ...found, name: redact(found.name) } : found;
        if (event.kind === 'step') lastStep = event.name;
        options.onEvent?.(event);
      }
    }
  };
  let stream: NodeJS.ReadableStream;
  let session: BuildSession | undefined;
  try {
    // The plan's Dockerfile is the one resolved on disk (a symlink followed, `dockerfile` lower case found).
    const request = { ...query, dockerfile: plan.dockerfile, ...(options.signal ? { abortSignal: options.signal } : {}) };
    if (builder === 'buildkit') {
      // dockerode opens a session of its own for every BuildKit build, but BuildKit cannot use it
      // (a secret mount, even an optional one, waits for it until "no active session"). Ours serves
      // the secrets (none is fine), the health check and credentials, so the request goes out directly.
      session = await openBuildSession(engine.api, options.secrets ?? new Map(), options.onDebug);
      stream = await postBuild(engine.api, packed.stream, { ...request, session: session.id });
    } else {
      stream = await engine.api.buildImage(packed.stream, request);
    }
  } catch (error) {
    session?.close();
    packed.stream.destroy();
    if (options.signal?.aborted) throw new ModelshipError('CANCELLED', 'Build cancelled.');
    throw new ModelshipError('BUILD_FAILED', `The engine at ${engine.endpoint.display} refused the build: ${engineErrorMessage(error)}`);
  }
  const outcome = await new Promise<'end' | Error>((resolve) => {
    let settled = false;
    const settle = (value: 'end' | Error) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    stream.on('data', (chunk: Buffer) => emit(splitter.push(chunk)));
    stream.on('end', () => settle('end'));
    stream.on('error', (error: Error) => settle(error));
    stream.on('close', () => settle('end'));
    options.signal?.addEventListener('abort', () => {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      settle(new Error('aborted'));
    });
  });
  emit(splitter.end());
  session?.close();
  packed.stream.destroy();
  if (options.signal?.aborted) throw new ModelshipError('CANCELLED', 'Build cancelled.');
  const imageId = parser.imageId();
  const failed = failureError(parser, redact);
  if (failed || outcome !== 'end' || !imageId) {
    // A stopping engine kills the step it is running (exit 137) or drops the connection: say that, not "your RUN failed".
    // While it shuts down its socket comes and goes for a moment, so a killed step gets several looks.
    const killed = outcome !== 'end' || !failed || /\b137\b/.test(failed.message);
    if (!(await engineStaysUp(engine, killed ? 8 : 1))) {
      const at = lastStep ? ` at ${lastStep}` : '';
      throw new ModelshipError('ENGINE_LOST', `The Docker engine at ${engine.endpoint.display} stopped during the build${at}; no image was made.`, 'Start the engine again (docker info shows whether it answers), then build again.');
    }
    if (failed) throw failed;
    const why = outcome instanceof Error ? ` (${outcome.message})` : '';
    throw new ModelshipError('ENGINE_LOST', `The Docker engine at ${engine.endpoint.display} ended the build without an image${why}.`, 'See the engine\'s log, then build again.');
  }
  return { imageId, tags, builder, contextBytes: plan.totalBytes, contextFiles: plan.entries.filter((e) => e.type === 'file').length, bytesRead: packed.bytesRead(), ms: Date.now() - started };
}

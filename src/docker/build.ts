/**
 * Builds a workspace's image through the Engine API: the context planned and streamed by
 * buildContext.ts (honouring .dockerignore, never reading what it excludes), the request built
 * purely by `buildRequest`, the JSON progress parsed by buildProgress.ts. BuildKit when the engine
 * has it, the classic builder otherwise. A failed step, a cancel and an engine that goes away
 * mid-build each end in their own error; none hangs.
 */
import type Dockerode from 'dockerode';
import { ModelshipError } from '../core/errors';
import { CONTAINER_LABELS, projectKey, type ShipTarget } from '../core/ship';
import { contextSizeWarning, packBuildContext, planBuildContext, type ContextPlan } from './buildContext';
import { BuildProgressParser, JsonLineSplitter, type BuildEvent } from './buildProgress';
import { engineErrorMessage, type Engine } from './engine';

export type BuilderChoice = 'auto' | 'buildkit' | 'legacy';

export interface BuildOptions {
  /** Absolute path of the build context (the project). */
  projectDir: string;
  target: ShipTarget;
  /** More tags besides `target.imageRef`. */
  tags?: string[];
  buildArgs?: Record<string, string>;
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

function failureError(parser: BuildProgressParser): ModelshipError | undefined {
  const failure = parser.failure();
  if (!failure) return undefined;
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
  options.onContext?.(plan, contextSizeWarning(plan));
  if (options.signal?.aborted) throw new ModelshipError('CANCELLED', 'Build cancelled.');
  const packed = packBuildContext(plan);
  const parser = new BuildProgressParser();
  const splitter = new JsonLineSplitter();
  let lastStep: string | undefined;
  const emit = (records: unknown[]) => {
    for (const record of records) {
      for (const event of parser.push(record)) {
        if (event.kind === 'step') lastStep = event.name;
        options.onEvent?.(event);
      }
    }
  };
  let stream: NodeJS.ReadableStream;
  try {
    // The plan's Dockerfile is the one resolved on disk (a symlink followed, `dockerfile` lower case found).
    stream = await engine.api.buildImage(packed.stream, { ...query, dockerfile: plan.dockerfile, ...(options.signal ? { abortSignal: options.signal } : {}) });
  } catch (error) {
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
  packed.stream.destroy();
  if (options.signal?.aborted) throw new ModelshipError('CANCELLED', 'Build cancelled.');
  const imageId = parser.imageId();
  const failed = failureError(parser);
  if (failed || outcome !== 'end' || !imageId) {
    // A stopping engine kills the step it is running (exit 137) or drops the connection: say that, not "your RUN failed".
    // While it shuts down its socket comes and goes for a moment, so a killed step gets several looks.
    const killed = outcome !== 'end' || !failed || /\b137\b/.test(parser.failure()?.message ?? '');
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

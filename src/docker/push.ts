/**
 * Pushes an image to the registry its reference names, with credentials found the way the docker
 * CLI finds them (registryAuth.ts), progress parsed by pushProgress.ts, and the pushed digest.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { ModelshipError } from '../core/errors';
import { engineErrorMessage, engineStatus, type Engine } from './engine';
import { JsonLineSplitter } from './buildProgress';
import { PushProgressParser, type PushEvent } from './pushProgress';
import { registryOf, resolveRegistryAuth, spawnCredentialHelper, type RegistryAuth } from './registryAuth';

export interface PushResult {
  ref: string;
  registry: string;
  digest: string;
  /** `<repository>@<digest>`: what to deploy or pull. */
  pinned: string;
}

/** `name:tag` split the way Docker does (a registry port is not a tag). */
export function splitReference(ref: string): { repository: string; tag: string } {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) return { repository: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { repository: base, tag: 'latest' };
}

/** `ref` under another registry/namespace: `iris:1` + `127.0.0.1:5000/team` -> `127.0.0.1:5000/team/iris:1`. */
export function retarget(ref: string, destination: string): string {
  const { repository, tag } = splitReference(ref);
  const name = repository.split('/').pop()!;
  return `${destination.replace(/\/+$/, '')}/${name}:${tag}`;
}

function configDir(): string {
  return process.env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

export async function findRegistryAuth(ref: string): Promise<RegistryAuth | undefined> {
  return resolveRegistryAuth(registryOf(ref), {
    configDir: configDir(),
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    runHelper: spawnCredentialHelper,
  });
}

/** Tags `source` as `target` in the engine. */
export async function tagImage(engine: Engine, source: string, target: string): Promise<void> {
  const { repository, tag } = splitReference(target);
  try {
    await engine.api.getImage(source).tag({ repo: repository, tag });
  } catch (error) {
    if (engineStatus(error) === 404) throw new ModelshipError('IMAGE_NOT_FOUND', `The engine has no image ${source}.`, 'Build it first (Modelship: Build Image, or modelship build).');
    throw new ModelshipError('TAG_FAILED', `Could not tag ${source} as ${target}: ${engineErrorMessage(error)}`);
  }
}

/** Pushes `ref`; resolves with the digest the registry stored. */
export async function pushImage(engine: Engine, ref: string, options: { onEvent?: (event: PushEvent, parser: PushProgressParser) => void; signal?: AbortSignal } = {}): Promise<PushResult> {
  const registry = registryOf(ref);
  if (registry === 'docker.io' && !ref.includes('/')) {
    throw new ModelshipError('NO_REGISTRY', `${ref} names no registry, so it would go to Docker Hub's library namespace.`, 'Push it to a registry of yours (a destination such as ghcr.io/acme), or containerize with an image name that includes the registry.');
  }
  const auth = await findRegistryAuth(ref);
  const { repository, tag } = splitReference(ref);
  const parser = new PushProgressParser();
  let stream: NodeJS.ReadableStream;
  try {
    // An empty auth object is what the docker CLI sends for anonymous pushes.
    const image = engine.api.getImage(ref) as unknown as { push(o: unknown): Promise<NodeJS.ReadableStream> };
    stream = await image.push({ tag, authconfig: auth ?? { serveraddress: registry }, ...(options.signal ? { abortSignal: options.signal } : {}) });
  } catch (error) {
    if (engineStatus(error) === 404) throw new ModelshipError('IMAGE_NOT_FOUND', `The engine has no image ${ref}.`, 'Build it first (Modelship: Build Image, or modelship build).');
    throw new ModelshipError('PUSH_FAILED', `Could not push ${ref}: ${engineErrorMessage(error)}`);
  }
  const splitter = new JsonLineSplitter();
  const feed = (records: unknown[]) => {
    for (const record of records) for (const event of parser.push(record)) options.onEvent?.(event, parser);
  };
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => feed(splitter.push(chunk)));
    stream.on('end', () => resolve());
    stream.on('error', (error: Error) => reject(new ModelshipError('ENGINE_LOST', `The engine stopped answering while pushing ${ref}: ${error.message}`)));
  });
  feed(splitter.end());
  const failure = parser.failure();
  if (failure) {
    const hint = /unauthorized|authentication required|denied|no basic auth credentials/i.test(failure) ? `Log in first: docker login ${registry}` : /connection refused|no such host|timeout/i.test(failure) ? `Is the registry at ${registry} up and reachable from the engine?` : undefined;
    throw new ModelshipError('PUSH_FAILED', `Pushing ${ref} to ${registry} failed: ${failure}`, hint);
  }
  const digest = parser.digest();
  if (!digest) throw new ModelshipError('PUSH_FAILED', `The push of ${ref} ended without the registry's digest.`);
  return { ref, registry, digest, pinned: `${repository}@${digest}` };
}

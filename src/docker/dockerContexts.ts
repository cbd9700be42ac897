/**
 * The docker CLI's own configuration, read the way docker/cli reads it: the config folder
 * (DOCKER_CONFIG or ~/.docker), which context is selected (DOCKER_CONTEXT, then "currentContext" in
 * config.json), and a named context's docker endpoint and TLS files under
 * `<config>/contexts/{meta,tls}/<sha256 of the name>/`. Files are read through the injected reader,
 * never from disk directly. Keys are matched without regard to case, as Go's JSON decoder does.
 */
import { createHash } from 'node:crypto';
import { posix, win32 } from 'node:path';
import { ModelshipError } from '../core/errors';

/** What reading the docker configuration needs from the machine. */
export interface DockerConfigReader {
  env: Record<string, string | undefined>;
  homeDir: string;
  platform: NodeJS.Platform;
  /** The file's text, or undefined when it is missing or unreadable. */
  readFile(path: string): string | undefined;
}

/** A context picked by name, and what picked it. */
export interface ContextChoice {
  name: string;
  /** 'DOCKER_CONTEXT', or the config.json path that names it as currentContext. */
  from: string;
}

/** The docker endpoint a named context stores. */
export interface StoredContext {
  name: string;
  /** The context's docker host, e.g. `unix:///Users/me/.colima/default/docker.sock`; '' when unset. */
  host: string;
  skipTLSVerify: boolean;
  /** PEM contents from the context's TLS folder; undefined when it has none. */
  tls?: { ca?: string; cert?: string; key?: string };
  /** The meta.json the context was read from, for messages. */
  metaPath: string;
}

/** Path functions for the platform the paths belong to, not the one running the code. */
export function pathsFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

export function dockerConfigDir(r: DockerConfigReader): string {
  return r.env.DOCKER_CONFIG || pathsFor(r.platform).join(r.homeDir, '.docker');
}

/** The folder name the CLI stores a context under: the sha256 of its name, in hex. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** `obj[name]`, or the first key equal to it ignoring case. */
export function field(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function parseJson(text: string, path: string, what: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelshipError('ENGINE_CONFIG', `${path} is not valid JSON (${(error as Error).message}), so the ${what} cannot be read.`, `Fix or remove ${path}.`);
  }
}

/**
 * The context the CLI would use, or undefined for the default one. DOCKER_HOST is checked by the
 * caller first: the CLI lets it override both of these.
 */
export function selectedContext(r: DockerConfigReader, configDir: string): ContextChoice | undefined {
  const fromEnv = r.env.DOCKER_CONTEXT;
  if (fromEnv) return { name: fromEnv, from: 'DOCKER_CONTEXT' };
  const configPath = pathsFor(r.platform).join(configDir, 'config.json');
  const text = r.readFile(configPath);
  if (text === undefined) return undefined;
  const current = field(parseJson(text, configPath, 'current Docker context'), 'currentContext');
  return typeof current === 'string' && current !== '' ? { name: current, from: configPath } : undefined;
}

/** Reads a named context's docker endpoint; throws ENGINE_CONFIG naming the context and the file. */
export function readContext(r: DockerConfigReader, configDir: string, choice: ContextChoice): StoredContext {
  const paths = pathsFor(r.platform);
  const id = contextDirName(choice.name);
  const metaPath = paths.join(configDir, 'contexts', 'meta', id, 'meta.json');
  const chosenBy = choice.from === 'DOCKER_CONTEXT' ? 'set by DOCKER_CONTEXT' : `the current context in ${choice.from}`;
  const text = r.readFile(metaPath);
  if (text === undefined) {
    throw new ModelshipError(
      'ENGINE_CONFIG',
      `Docker context "${choice.name}" (${chosenBy}) was not found: ${metaPath} is missing or unreadable.`,
      'Run `docker context ls` to see the contexts there are, then `docker context use <name>` (or `docker context use default`).',
    );
  }
  const docker = field(field(parseJson(text, metaPath, `Docker context "${choice.name}"`), 'Endpoints'), 'docker');
  if (!docker || typeof docker !== 'object') {
    throw new ModelshipError('ENGINE_CONFIG', `Docker context "${choice.name}" has no docker endpoint in ${metaPath}.`, `Recreate it with \`docker context create ${choice.name} --docker host=...\`.`);
  }
  const host = field(docker, 'Host');
  const tlsDir = paths.join(configDir, 'contexts', 'tls', id, 'docker');
  const files = { ca: r.readFile(paths.join(tlsDir, 'ca.pem')), cert: r.readFile(paths.join(tlsDir, 'cert.pem')), key: r.readFile(paths.join(tlsDir, 'key.pem')) };
  const tls = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined)) as StoredContext['tls'] & object;
  return {
    name: choice.name,
    host: typeof host === 'string' ? host : '',
    skipTLSVerify: field(docker, 'SkipTLSVerify') === true,
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
    metaPath,
  };
}

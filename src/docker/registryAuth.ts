/**
 * Credentials for a push, found the way the docker CLI finds them (docker/cli
 * `cli/config/configfile`, `cli/config/credentials`): a per-registry credential helper, else the
 * global credsStore, else the auths entry in config.json. Secrets never reach a log line or an
 * error message: errors name the registry, the file or the helper, never what they hold.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ModelshipError } from '../core/errors';

/** What the engine's X-Registry-Auth header carries for a push. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** An OAuth refresh token, used instead of a password. */
  identitytoken?: string;
  /** The registry the credentials are for, as the CLI names it (`https://index.docker.io/v1/` for Docker Hub). */
  serveraddress: string;
}

/** What a credential helper run gives back. */
export interface HelperResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where resolveRegistryAuth reads from; tests pass fakes. */
export interface RegistryAuthDeps {
  configDir: string;
  /** The file's text, or undefined when it is missing or unreadable. */
  readFile(p: string): string | undefined;
  runHelper(helperName: string, registry: string): Promise<HelperResult>;
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const NOT_FOUND = 'credentials not found in native keychain';
const HELPER_TIMEOUT_MS = 10_000;

/** Registry host of an image reference the way Docker normalises it: 'iris:1' -> 'docker.io', '127.0.0.1:5000/x:y' -> '127.0.0.1:5000', 'ghcr.io/a/b' -> 'ghcr.io', 'localhost/x' -> 'localhost'. */
export function registryOf(imageRef: string): string {
  const slash = imageRef.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = imageRef.slice(0, slash);
  // distribution/reference: a first part is a registry when it is localhost, has a dot or colon, or has capitals.
  const isRegistry = first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first;
  if (!isRegistry || first === 'index.docker.io') return 'docker.io';
  return first;
}

/** The host part of a config key, as the CLI's ConvertToHostname reads `https://host/v2/`. */
function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
}

/** The entry of `map` for this registry: the CLI's exact key first, then any key with the same host. */
function lookup<T>(map: unknown, registry: string, serverAddress: string): [string, T] | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const entries = Object.entries(map as Record<string, T>);
  const hub = DOCKER_HUB_HOSTS.has(registry);
  const sameHost = (key: string) => hostOf(key) === registry || (hub && DOCKER_HUB_HOSTS.has(hostOf(key)));
  return entries.find(([k]) => k === serverAddress) ?? entries.find(([k]) => k === registry) ?? entries.find(([k]) => sameHost(k));
}

function fromAuthsEntry(key: string, entry: unknown, configPath: string): RegistryAuth | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const { auth, username, password, identitytoken } = entry as Record<string, unknown>;
  const result: RegistryAuth = { serveraddress: key };
  if (typeof auth === 'string' && auth !== '') {
    // As the CLI's decodeAuth: standard base64 of "user:password"; anything else is a broken file.
    const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(auth) ? Buffer.from(auth, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new ModelshipError('REGISTRY_AUTH', `The saved login for ${key} in ${configPath} is not valid base64 of "user:password".`, `Run \`docker login ${hostOf(key)}\` again.`);
    result.username = decoded.slice(0, colon);
    result.password = decoded.slice(colon + 1);
  } else {
    if (typeof username === 'string' && username !== '') result.username = username;
    if (typeof password === 'string' && password !== '') result.password = password;
  }
  if (typeof identitytoken === 'string' && identitytoken !== '') result.identitytoken = identitytoken;
  return result.username || result.password || result.identitytoken ? result : undefined;
}

async function fromHelper(helper: string, registry: string, serverAddress: string, configPath: string, deps: RegistryAuthDeps): Promise<RegistryAuth | undefined> {
  const { code, stdout, stderr } = await deps.runHelper(helper, serverAddress);
  const program = `docker-credential-${helper}`;
  if (code !== 0) {
    // Helpers report "not found" on stdout (docker-credential-helpers' protocol); it means an anonymous push.
    if (stdout.trim() === NOT_FOUND || stderr.trim() === NOT_FOUND) return undefined;
    const said = (stderr.trim() || stdout.trim()).split('\n')[0]?.slice(0, 300) || `exit code ${code}`;
    const login = registry === 'docker.io' ? 'docker login' : `docker login ${registry}`;
    const hint = code === 127 ? `Install ${program}, or remove "credsStore"/"credHelpers" for ${registry} from ${configPath}.` : `Run \`${login}\` and try again.`;
    throw new ModelshipError('REGISTRY_AUTH', `${program} could not get the credentials for ${registry}: ${said}`, hint);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    // Its output may hold the secret, so it is not quoted.
    throw new ModelshipError('REGISTRY_AUTH', `${program} answered for ${registry} with something that is not JSON.`, `Check that ${program} works: echo ${serverAddress} | ${program} get`);
  }
  const { Username: user, Secret: secret } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof secret !== 'string' || secret === '') return undefined;
  if (user === '<token>') return { identitytoken: secret, serveraddress: serverAddress };
  return { ...(typeof user === 'string' && user !== '' ? { username: user } : {}), password: secret, serveraddress: serverAddress };
}

/** From <configDir>/config.json: credHelpers[registry], then credsStore, then auths[registry] (auth, identitytoken, username+password). Returns undefined when nothing is configured (anonymous push). */
export async function resolveRegistryAuth(registry: string, deps: RegistryAuthDeps): Promise<RegistryAuth | undefined> {
  const configPath = join(deps.configDir, 'config.json');
  const text = deps.readFile(configPath);
  if (text === undefined || text.trim() === '') return undefined;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ModelshipError('REGISTRY_AUTH', `${configPath} is not valid JSON (${(error as Error).message}), so the login for ${registry} cannot be read.`, `Fix or remove ${configPath}, then run \`docker login\` again.`);
  }
  const host = DOCKER_HUB_HOSTS.has(registry) ? 'docker.io' : registry;
  // The CLI keys Docker Hub by its legacy index URL, and passes that to helpers too.
  const serverAddress = host === 'docker.io' ? DOCKER_HUB_KEY : host;
  const helper = lookup<unknown>(config.credHelpers, host, serverAddress)?.[1];
  const store = typeof helper === 'string' && helper !== '' ? helper : config.credsStore;
  // Once a store is configured the CLI asks only it; auths entries then hold no secrets.
  if (typeof store === 'string' && store !== '') return fromHelper(store, host, serverAddress, configPath, deps);
  const found = lookup<unknown>(config.auths, host, serverAddress);
  return found ? fromAuthsEntry(found[0], found[1], configPath) : undefined;
}

/** runHelper for real: spawns `docker-credential-<name> get`, writes the server URL on stdin, with a 10 s timeout; a missing helper binary gives code 127 and a clear stderr. */
export function spawnCredentialHelper(helperName: string, registry: string, timeoutMs = HELPER_TIMEOUT_MS): Promise<HelperResult> {
  const program = `docker-credential-${helperName}`;
  // A name with a path separator would run some other program than a helper on PATH.
  if (!helperName || /[/\\]/.test(helperName)) return Promise.resolve({ code: 127, stdout: '', stderr: `"${helperName}" is not a credential helper name.` });
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let done = false;
    const finish = (code: number, err?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err ?? Buffer.concat(stderr).toString('utf8') });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      finish(124, `${program} did not answer within ${timeoutMs / 1000} s.`);
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ENOENT' ? 127 : 126, e.code === 'ENOENT' ? `${program} was not found on PATH.` : `${program} could not be started: ${e.message}`));
    child.on('close', (code) => finish(code ?? 1));
    // A helper may exit without reading stdin; that is its answer, not a write error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(registry);
  });
}

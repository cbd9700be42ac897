/**
 * Finds the Docker engine the way the docker CLI does (docker/cli `cli/command/cli.go`,
 * `opts/hosts.go`, `cli/flags/options.go`): DOCKER_HOST wins, then DOCKER_CONTEXT, then the
 * config's current context; only with none of them does Modelship go past the CLI and also try
 * the sockets that rootless Docker, Docker Desktop and Podman use. Endpoints are plain data: PEM
 * contents rather than paths, so they can be logged (without the PEM) and compared in tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { homedir } from 'node:os';
import { ModelshipError } from '../core/errors';
import { dockerConfigDir, pathsFor, readContext, selectedContext, type StoredContext } from './dockerContexts';

/** One way to reach an engine. */
export interface EngineEndpoint {
  /** How to reach it. */
  kind: 'unix' | 'npipe' | 'tcp' | 'ssh';
  /** unix/npipe: socket path. */
  socketPath?: string;
  /** tcp/ssh: host name or address, without brackets. */
  host?: string;
  /** tcp/ssh: port. */
  port?: number;
  /** tcp: 'http' or 'https'; ssh: 'ssh'. */
  protocol?: 'http' | 'https' | 'ssh';
  /** ssh: the user to log in as, when the URL names one. */
  username?: string;
  /** PEM contents (not paths) when TLS is used. */
  tls?: { ca?: string; cert?: string; key?: string; verify: boolean };
  /** Where this endpoint came from, said in messages: 'DOCKER_HOST', 'context "colima"', 'default socket', 'rootless socket', 'Docker Desktop socket', 'Podman socket'. */
  source: string;
  /** The endpoint as a URL for messages, e.g. unix:///var/run/docker.sock, tcp://1.2.3.4:2376. */
  display: string;
}

/** What finding the engine needs from the machine; tests pass a fake. */
export interface EndpointEnvironment {
  env: Record<string, string | undefined>;
  homeDir: string;
  platform: NodeJS.Platform;
  /** The file's text, or undefined when it is missing or unreadable. */
  readFile(path: string): string | undefined;
  exists(path: string): boolean;
}

type Address = Omit<EngineEndpoint, 'source' | 'tls'>;

const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
const DEFAULT_NAMED_PIPE = '//./pipe/docker_engine';

const socket = (kind: 'unix' | 'npipe', path: string): Address => ({ kind, socketPath: path, display: `${kind}://${path}` });
const tcp = (host: string, port: number, scheme: 'tcp' | 'http' | 'https'): Address => ({
  kind: 'tcp',
  host,
  port,
  protocol: scheme === 'https' ? 'https' : 'http',
  display: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
});

function platformDefault(platform: NodeJS.Platform): Address {
  return platform === 'win32' ? socket('npipe', DEFAULT_NAMED_PIPE) : socket('unix', DEFAULT_UNIX_SOCKET);
}

/** `host[:port][/path]` as opts.ParseTCPAddr reads it; the path is dropped. Returns a reason on failure. */
function parseTcp(rest: string, scheme: 'tcp' | 'http' | 'https'): Address | string {
  const defaultPort = scheme === 'https' ? 2376 : 2375;
  if (rest.includes('://')) return `expected ${scheme}://host:port`;
  const hostPort = rest.split('/')[0] ?? '';
  let host = hostPort;
  let port = '';
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostPort);
  if (bracketed) [host, port] = [bracketed[1] ?? '', bracketed[2] ?? ''];
  else if (hostPort.startsWith('[')) return 'unclosed "[" in the address';
  else if (hostPort.split(':').length === 2) [host = '', port = ''] = hostPort.split(':');
  if (!/^\d{0,5}$/.test(port) || Number(port) > 65535) return `"${port}" is not a port number`;
  if (/[\s@?#]/.test(host)) return `"${host}" is not a host name`;
  return tcp(host || 'localhost', port ? Number(port) : defaultPort, scheme);
}

function parseSsh(value: string): Address | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a valid ssh:// URL';
  }
  if (url.password) return 'a password in the URL is not supported; use an SSH key or agent';
  if (!url.hostname) return 'no host given';
  if (url.pathname || url.search || url.hash) return 'nothing may follow the host and port';
  const username = decodeURIComponent(url.username);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const display = `ssh://${username ? `${url.username}@` : ''}${url.hostname}${url.port ? `:${url.port}` : ''}`;
  return { kind: 'ssh', host, port: url.port ? Number(url.port) : 22, protocol: 'ssh', ...(username ? { username } : {}), display };
}

/** opts.ParseHost: a missing scheme means unix for paths and tcp otherwise; empty means the default. */
function parseDockerHost(raw: string, platform: NodeJS.Platform, defaultToTLS: boolean): Address | string {
  const value = raw.trim();
  if (value === '') return defaultToTLS ? tcp('localhost', 2376, 'tcp') : platformDefault(platform);
  const cut = value.indexOf('://');
  const rest = cut < 0 ? value : value.slice(cut + 3);
  const scheme = cut >= 0 ? value.slice(0, cut) : value.startsWith('/') || value.startsWith('./') ? 'unix' : 'tcp';
  switch (scheme) {
    case 'unix':
    case 'npipe':
      if (rest.includes('://')) return `expected ${scheme}://path`;
      return socket(scheme, rest || (scheme === 'unix' ? DEFAULT_UNIX_SOCKET : DEFAULT_NAMED_PIPE));
    case 'tcp':
    case 'http':
    case 'https':
      return parseTcp(rest, scheme);
    case 'ssh':
      return parseSsh(value);
    default:
      return `unsupported scheme "${scheme}://"`;
  }
}

/** The TLS files DOCKER_TLS_VERIFY / DOCKER_TLS ask for; ca.pem is required, as the CLI requires it. */
function tlsFromEnv(e: EndpointEnvironment, configDir: string, verify: boolean, caRequired: boolean): EngineEndpoint['tls'] {
  const paths = pathsFor(e.platform);
  const dir = e.env.DOCKER_CERT_PATH || configDir;
  const [ca, cert, key] = ['ca.pem', 'cert.pem', 'key.pem'].map((f) => e.readFile(paths.join(dir, f)));
  const variable = e.env.DOCKER_TLS_VERIFY ? 'DOCKER_TLS_VERIFY' : 'DOCKER_TLS';
  const hint = `Put ca.pem, cert.pem and key.pem in ${dir}, or set DOCKER_CERT_PATH to the folder that has them.`;
  if (ca === undefined && caRequired) throw new ModelshipError('ENGINE_CONFIG', `${variable} is set but ${paths.join(dir, 'ca.pem')} is missing or unreadable.`, hint);
  if ((cert === undefined) !== (key === undefined)) throw new ModelshipError('ENGINE_CONFIG', `${dir} has ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}; TLS needs both or neither.`, hint);
  return { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert, key } : {}), verify };
}

function fromDockerHost(value: string, e: EndpointEnvironment, configDir: string): EngineEndpoint {
  const tlsVerify = Boolean(e.env.DOCKER_TLS_VERIFY);
  const tlsOn = tlsVerify || Boolean(e.env.DOCKER_TLS);
  const address = parseDockerHost(value, e.platform, tlsOn);
  if (typeof address === 'string') {
    const shown = value.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1****@');
    throw new ModelshipError(
      'ENGINE_CONFIG',
      `DOCKER_HOST is set to "${shown}", which is not a Docker host: ${address}.`,
      'Use unix:///path/to/docker.sock, tcp://host:2376, ssh://user@host or npipe:////./pipe/docker_engine, or unset DOCKER_HOST.',
    );
  }
  const source = value.trim() === '' && tlsOn ? (tlsVerify ? 'DOCKER_TLS_VERIFY' : 'DOCKER_TLS') : 'DOCKER_HOST';
  const scheme = address.display.slice(0, address.display.indexOf(':'));
  if (address.kind !== 'tcp' || scheme === 'http' || (scheme === 'tcp' && !tlsOn)) return { ...address, source };
  // https:// means TLS without the env vars (system CAs unless ca.pem is there); it verifies unless DOCKER_TLS alone is set.
  const https = scheme === 'https';
  const tls = tlsFromEnv(e, configDir, https ? tlsVerify || !e.env.DOCKER_TLS : tlsVerify, tlsOn);
  return { ...address, protocol: 'https', tls, source };
}

function fromContext(stored: StoredContext, platform: NodeJS.Platform): EngineEndpoint {
  const address = parseDockerHost(stored.host, platform, false);
  const source = `context "${stored.name}"`;
  if (typeof address === 'string') {
    throw new ModelshipError('ENGINE_CONFIG', `Docker context "${stored.name}" has host "${stored.host}" in ${stored.metaPath}, which is not a Docker host: ${address}.`, `Fix it with \`docker context update ${stored.name} --docker host=...\`.`);
  }
  // As in the CLI's context loader, TLS is on when the context has TLS files or skips verification.
  if (address.kind !== 'tcp' || (!stored.tls && !stored.skipTLSVerify && address.protocol !== 'https')) return { ...address, source };
  return { ...address, protocol: 'https', tls: { ...stored.tls, verify: !stored.skipTLSVerify }, source };
}

/** Sockets other engines listen on, tried only when the user chose nothing. */
function fallbacks(e: EndpointEnvironment): EngineEndpoint[] {
  if (e.platform === 'win32') return [];
  const paths = pathsFor(e.platform);
  const xdg = e.env.XDG_RUNTIME_DIR;
  const places: [string | undefined, string][] = [
    [xdg && paths.join(xdg, 'docker.sock'), 'rootless socket'],
    [paths.join(e.homeDir, '.docker', 'run', 'docker.sock'), 'Docker Desktop socket'],
    [paths.join(e.homeDir, '.docker', 'desktop', 'docker.sock'), 'Docker Desktop socket'],
    [xdg && paths.join(xdg, 'podman', 'podman.sock'), 'Podman socket'],
    ['/run/podman/podman.sock', 'Podman socket'],
  ];
  const seen = new Set([DEFAULT_UNIX_SOCKET]);
  return places.flatMap(([path, source]) => {
    if (!path || seen.has(path) || !e.exists(path)) return [];
    seen.add(path);
    return [{ ...socket('unix', path), source }];
  });
}

/** Ordered candidates: an explicit choice (DOCKER_HOST, then DOCKER_CONTEXT, then config.json currentContext when not "default") is the ONLY candidate; otherwise the default socket then fallbacks (rootless $XDG_RUNTIME_DIR/docker.sock, ~/.docker/run/docker.sock (Docker Desktop), ~/.docker/desktop/docker.sock, Podman: $XDG_RUNTIME_DIR/podman/podman.sock and /run/podman/podman.sock), only those that exist except the default one which is always first. */
export function resolveEngineEndpoints(e: EndpointEnvironment): EngineEndpoint[] {
  const configDir = dockerConfigDir(e);
  // Any non-empty DOCKER_HOST selects the default context, even one of only spaces (resolveContextName).
  if (e.env.DOCKER_HOST) return [fromDockerHost(e.env.DOCKER_HOST, e, configDir)];
  const choice = selectedContext(e, configDir);
  if (choice && choice.name !== 'default') return [fromContext(readContext(e, configDir, choice), e.platform)];
  // With TLS asked for and no host, the CLI's default context is tcp://localhost:2376.
  if (e.env.DOCKER_TLS_VERIFY || e.env.DOCKER_TLS) return [fromDockerHost('', e, configDir)];
  return [{ ...platformDefault(e.platform), source: 'default socket' }, ...fallbacks(e)];
}

/** The real environment, files and home folder of this process. */
export function nodeEndpointEnvironment(): EndpointEnvironment {
  return {
    env: process.env,
    homeDir: homedir(),
    platform: process.platform,
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: (path) => existsSync(path),
  };
}

/** dockerode/docker-modem constructor options for an endpoint (socketPath, or host/port/protocol + ca/cert/key; for ssh the sshOptions/username). */
export function modemOptions(ep: EngineEndpoint, env: Record<string, string | undefined> = process.env): Record<string, unknown> {
  if (ep.kind === 'unix' || ep.kind === 'npipe') return { socketPath: ep.socketPath };
  if (ep.kind === 'ssh') {
    // docker-modem's ssh2 needs a user name; ssh itself would default to the local one.
    const username = ep.username ?? env.USER ?? env.USERNAME;
    return { protocol: 'ssh', host: ep.host, port: ep.port, ...(username ? { username } : {}), sshOptions: { agent: env.SSH_AUTH_SOCK } };
  }
  if (!ep.tls) return { protocol: ep.protocol === 'https' ? 'https' : 'http', host: ep.host, port: ep.port };
  const { verify, ...pem } = ep.tls;
  const defined = Object.fromEntries(Object.entries(pem).filter(([, v]) => v !== undefined));
  // docker-modem has no switch for skipping verification; an agent's own options win over the request's.
  return { protocol: 'https', host: ep.host, port: ep.port, ...defined, ...(verify ? {} : { agent: new Agent({ ...defined, rejectUnauthorized: false }) }) };
}

function startHint(platform: NodeJS.Platform): string {
  if (platform === 'linux') return 'Start Docker with `sudo systemctl start docker` (or run `dockerd`), or Podman with `systemctl --user start podman.socket`.';
  return 'Start Docker Desktop (or Podman with `podman machine start`) and wait until it says the engine is running.';
}

/** The message when nothing answered: names each endpoint tried and the error each gave, and says how to start an engine or point elsewhere. */
export function unreachableMessage(tried: { endpoint: EngineEndpoint; error: string }[], platform: NodeJS.Platform): { message: string; hint: string } {
  const each = tried.map((t) => `${t.endpoint.display} (${t.endpoint.source}): ${t.error}`);
  const message =
    tried.length === 0 ? 'Cannot reach a Docker engine: there was no endpoint to try.'
    : tried.length === 1 ? `Cannot reach the Docker engine at ${each[0]}.`
    : `Cannot reach a Docker engine. Tried ${each.join('; ')}.`;
  const only = tried.length === 1 ? tried[0]?.endpoint.source ?? '' : '';
  const point =
    only === 'DOCKER_HOST' ? 'Check that the engine DOCKER_HOST names is running and reachable, or unset DOCKER_HOST to use the local engine.'
    : only.startsWith('context "') ? `Check that the engine of ${only} is running, or switch with \`docker context use default\` (or DOCKER_CONTEXT).`
    : 'To use another engine, set DOCKER_HOST (e.g. tcp://host:2376 or ssh://user@host) or run `docker context use <name>`.';
  const denied = platform === 'linux' && tried.some((t) => /EACCES|permission denied/i.test(t.error));
  const access = denied ? ' To use the socket without sudo, run `sudo usermod -aG docker $USER` and log in again.' : '';
  return { message, hint: `${startHint(platform)} ${point}${access}` };
}

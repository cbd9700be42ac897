/**
 * A connection to a Docker-compatible engine: the endpoint found the way the docker CLI finds it
 * (endpoint.ts), the API version negotiated down to what the engine speaks, and what it offers
 * (BuildKit, Podman). dockerode is required here, on first use, never at activation.
 */
import type Dockerode from 'dockerode';
import { ModelshipError } from '../core/errors';
import { modemOptions, nodeEndpointEnvironment, resolveEngineEndpoints, unreachableMessage, type EndpointEnvironment, type EngineEndpoint } from './endpoint';

/** The newest API this adapter is written against; engines that speak more are asked for this. */
export const MAX_API_VERSION = '1.47';
/** DeviceRequests (GPUs) arrived in 1.40 (Docker 19.03). */
export const MIN_API_VERSION = '1.40';

/** A connected engine. `api` is the raw client: only src/docker uses it. */
export interface Engine {
  readonly api: Dockerode;
  readonly endpoint: EngineEndpoint;
  /** The API version requests use, e.g. `1.41`. */
  readonly apiVersion: string;
  /** e.g. `20.10.24+dfsg1`, or Podman's version. */
  readonly serverVersion: string;
  readonly os: string;
  readonly podman: boolean;
  /** Whether builds can use BuildKit (`version=2` with a session). */
  readonly buildKit: boolean;
}

/** What `/version` answers, the fields used. */
interface VersionRecord {
  ApiVersion?: string;
  MinAPIVersion?: string;
  Version?: string;
  Os?: string;
  Components?: { Name?: string }[];
}

export interface ConnectOptions {
  environment?: EndpointEnvironment;
  /** How long one endpoint may take to answer `/version` (default 5 s). */
  timeoutMs?: number;
}

export function compareApiVersions(a: string, b: string): number {
  const [amaj = 0, amin = 0] = a.split('.').map(Number);
  const [bmaj = 0, bmin = 0] = b.split('.').map(Number);
  return amaj - bmaj || amin - bmin;
}

/** The version both sides speak, or an error naming the engine when it is too old. */
export function negotiateApiVersion(record: VersionRecord, where: string): string {
  const server = record.ApiVersion;
  if (!server || !/^\d+\.\d+$/.test(server)) return MIN_API_VERSION;
  if (compareApiVersions(server, MIN_API_VERSION) < 0) {
    throw new ModelshipError('ENGINE_TOO_OLD', `The engine at ${where} speaks Docker API ${server}; Modelship needs ${MIN_API_VERSION} or later (Docker 19.03+).`, 'Upgrade Docker, or point DOCKER_HOST at a newer engine.');
  }
  return compareApiVersions(server, MAX_API_VERSION) > 0 ? MAX_API_VERSION : server;
}

function loadDockerode(): typeof Dockerode {
  return require('dockerode') as typeof Dockerode;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The short reason a connection attempt failed, for the "nothing answered" message. */
export function describeConnectError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such socket';
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'EACCES') return 'permission denied (is your user in the docker group?)';
  if (e?.code === 'ENOTFOUND') return 'host not found';
  return e?.message ?? String(error);
}

/** Connects to the first endpoint that answers, in the docker CLI's order. */
export async function connectEngine(options: ConnectOptions = {}): Promise<Engine> {
  const environment = options.environment ?? nodeEndpointEnvironment();
  const endpoints = resolveEngineEndpoints(environment);
  const Docker = loadDockerode();
  const tried: { endpoint: EngineEndpoint; error: string }[] = [];
  let tlsFailure: EngineEndpoint | undefined;
  for (const endpoint of endpoints) {
    const probe = new Docker(modemOptions(endpoint) as Dockerode.DockerOptions);
    let record: VersionRecord;
    try {
      record = (await withTimeout(probe.version(), options.timeoutMs ?? 5000, `GET /version at ${endpoint.display}`)) as VersionRecord;
    } catch (error) {
      tried.push({ endpoint, error: describeConnectError(error) });
      if (isTlsError(error)) tlsFailure ??= endpoint;
      continue;
    }
    const apiVersion = negotiateApiVersion(record, endpoint.display);
    const api = new Docker({ ...(modemOptions(endpoint) as Dockerode.DockerOptions), version: `v${apiVersion}` });
    const podman = (record.Components ?? []).some((c) => /podman/i.test(c.Name ?? ''));
    const os = record.Os ?? 'linux';
    return {
      api,
      endpoint,
      apiVersion,
      serverVersion: record.Version ?? 'unknown',
      os,
      podman,
      // BuildKit through the API (a session over /session) arrived with API 1.39 on Linux engines; Podman has none.
      buildKit: !podman && os === 'linux' && compareApiVersions(apiVersion, '1.39') >= 0,
    };
  }
  const { message, hint } = unreachableMessage(tried, environment.platform);
  if (tlsFailure) {
    // It answered, so "start an engine" would mislead: the certificates are what to look at.
    const where = tlsFailure.source.startsWith('context') ? `the TLS files of ${tlsFailure.source}` : 'ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (default ~/.docker)';
    throw new ModelshipError('ENGINE_TLS', message, `The engine answered but TLS failed: check ${where} against the engine's certificate (it must be signed by that CA and name the host you connect to).`);
  }
  throw new ModelshipError('ENGINE_UNREACHABLE', message, hint);
}

/** Whether a connection failed on TLS (certificate, handshake), not on reaching the engine. */
export function isTlsError(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException;
  return /CERT|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO|UNABLE_TO_VERIFY|ALTNAME/i.test(e?.code ?? '') || /certificate|ssl|tls handshake/i.test(e?.message ?? '');
}

/** An engine error's message without dockerode's "(HTTP code 500) server error -" prefix. */
export function engineErrorMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string; reason?: string };
  const fromJson = e?.json && typeof e.json === 'object' ? e.json.message : undefined;
  const text = fromJson ?? e?.message ?? String(error);
  return text.replace(/^\(HTTP code \d+\)\s*[a-z ]*-\s*/i, '').trim();
}

/** The HTTP status of a failed engine call, when it had one. */
export function engineStatus(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

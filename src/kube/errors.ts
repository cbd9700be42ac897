/**
 * Turns whatever @kubernetes/client-node throws (ApiException with a Status body, node-fetch's
 * FetchError with a system or TLS code, a watch's `statusCode` error) into a ModelshipError that
 * says what failed, why, and what to do (shared/STYLE.md pattern 9). `toKubeError` is pure: it reads
 * the error and the session's target, nothing else. `withRetry` retries what is `retryable` (429,
 * 5xx, a reset connection) with exponential backoff, honouring Retry-After.
 */
import { ModelshipError } from '../core/errors';
import type { KubeTarget } from './kubeconfig';

/** One field the API server rejected (422) or another manager owns (409), as the Status lists it. */
export interface KubeFieldCause {
  field?: string;
  reason?: string;
  message?: string;
}

/** A ModelshipError from the API, with the HTTP status, whether a retry may help, and the causes. */
export class KubeError extends ModelshipError {
  constructor(
    code: string,
    message: string,
    hint: string | undefined,
    readonly statusCode: number | undefined,
    readonly retryable: boolean,
    readonly causes: readonly KubeFieldCause[] = [],
    details?: readonly string[],
    /** Milliseconds the server asked to wait (Retry-After), when it did. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message, hint, details);
  }

  /** The object the server's Status names (a 422's kind and name), for mapping causes to a manifest. */
  object?: { kind?: string; name?: string };
}

/** What the failed call was doing, for messages when the server's Status does not say. */
export interface KubeOperation {
  verb?: string;
  resource?: string;
  name?: string;
  namespace?: string;
}

/** The parts of a metav1.Status that messages quote. */
interface StatusRecord {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: KubeFieldCause[]; retryAfterSeconds?: number };
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ESOCKETTIMEDOUT']);
/** Network failures worth another try: the connection existed, or the name may resolve next time. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EAI_AGAIN']);

interface RawError {
  name?: string;
  message?: string;
  code?: unknown;
  errno?: unknown;
  statusCode?: unknown;
  body?: unknown;
  headers?: Record<string, string>;
  cause?: unknown;
  type?: string;
}

/** The Status in an ApiException body (a JSON string in client-node 1.x, sometimes parsed). */
export function parseStatus(body: unknown): StatusRecord | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim().slice(0, 500) } : undefined;
    }
  }
  return value && typeof value === 'object' ? (value as StatusRecord) : undefined;
}

/** The system or TLS code of a network error, looking through node-fetch's wrapping. */
function networkCode(err: RawError): string | undefined {
  for (let e: RawError | undefined = err, depth = 0; e && depth < 4; e = e.cause as RawError | undefined, depth++) {
    const code = typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : undefined;
    if (code) return code;
    const m = /\b(E[A-Z_]{3,}|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_[A-Z_]+)\b/.exec(e.message ?? '');
    if (m && (e.name === 'FetchError' || e.type === 'system')) return m[1];
  }
  return undefined;
}

function httpStatus(err: RawError): number | undefined {
  if (typeof err.code === 'number') return err.code;
  if (typeof err.statusCode === 'number') return err.statusCode;
  return undefined;
}

function retryAfter(err: RawError, status: StatusRecord | undefined): number | undefined {
  const header = err.headers?.['retry-after'];
  const seconds = header !== undefined ? Number(header) : status?.details?.retryAfterSeconds;
  return seconds !== undefined && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** `conflict with "other" using apps/v1` → `other`. */
export function conflictManager(message: string | undefined): string | undefined {
  return /conflict with "([^"]+)"/.exec(message ?? '')?.[1];
}

/** Verb, resource and namespace from an RBAC message: `… cannot list resource "pods" in API group "" in the namespace "x"`. */
export function parseForbidden(message: string): KubeOperation & { subject?: string } {
  const m = /User "([^"]+)" cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/.exec(message);
  if (!m) return {};
  const resource = m[4] ? `${m[3]}.${m[4]}` : m[3];
  return { subject: m[1], verb: m[2], resource, namespace: m[5] };
}

/**
 * The ModelshipError for a client-node failure. `target` names the server, context and user;
 * `op` says what was being done when the server's reply does not. Anything already a
 * ModelshipError passes through unchanged.
 */
export function toKubeError(error: unknown, target: KubeTarget, op: KubeOperation = {}): ModelshipError {
  if (error instanceof ModelshipError || (error instanceof Error && error.name === 'ModelshipError')) return error as ModelshipError;
  const err = (error ?? {}) as RawError;
  const where = `${target.server} (context "${target.context}")`;
  const what = [op.verb, op.resource && (op.name ? `${op.resource}/${op.name}` : op.resource)].filter(Boolean).join(' ');
  const doing = what ? ` to ${what}` : '';

  const code = networkCode(err);
  if (code && TLS_CODES.has(code)) {
    return new KubeError('KUBE_TLS', `TLS check of the Kubernetes API at ${where} failed: ${code}`, `The server's certificate does not match the CA of cluster "${target.cluster}": check clusters[].cluster.certificate-authority / certificate-authority-data (and tls-server-name) in the kubeconfig. Your provider's CLI can rewrite them (e.g. \`aws eks update-kubeconfig\`).`, undefined, false, [], [String(err.message ?? code)]);
  }
  if (code && UNREACHABLE_CODES.has(code)) {
    return new KubeError('KUBE_UNREACHABLE', `cannot reach the Kubernetes API at ${where}${doing}: ${code}`, `Is the cluster running and is ${target.server} reachable from here (VPN, proxy, firewall)? Check with \`kubectl --context ${target.context} cluster-info\`.`, undefined, TRANSIENT_CODES.has(code), [], err.message ? [err.message] : undefined);
  }

  const statusCode = httpStatus(err);
  const status = parseStatus(err.body);
  const serverSays = status?.message;
  const quoted = serverSays ? `: ${serverSays}` : '';
  const details = serverSays ? [serverSays] : undefined;
  switch (statusCode) {
    case 401:
      return new KubeError('KUBE_UNAUTHORIZED', `the Kubernetes API at ${where} rejected the credentials of user "${target.user}" (401 Unauthorized)`, `The token or client certificate of user "${target.user}" is missing, expired or not accepted by this cluster. If it comes from an exec plugin, run that plugin's login again (aws sso login, gcloud auth login, az login / kubelogin); otherwise fetch fresh credentials from your cluster provider.`, 401, false, [], details);
    case 403: {
      const parsed = serverSays ? parseForbidden(serverSays) : {};
      const verb = parsed.verb ?? op.verb ?? 'access';
      const resource = parsed.resource ?? status?.details?.kind ?? op.resource ?? 'the resource';
      const namespace = parsed.namespace ?? op.namespace;
      const inNs = namespace ? ` in namespace "${namespace}"` : ' (cluster-wide)';
      const who = parsed.subject ?? `user "${target.user}"`;
      return new KubeError('KUBE_FORBIDDEN', `RBAC forbids ${who} to ${verb} ${resource}${inNs} on context "${target.context}"${quoted}`, `Ask a cluster admin for a Role granting "${verb}" on "${resource}"${inNs}, or use a context whose user has it (check with \`kubectl --context ${target.context} auth can-i ${verb} ${resource}${namespace ? ` -n ${namespace}` : ''}\`).`, 403, false, [], details);
    }
    case 404:
      return new KubeError('KUBE_NOT_FOUND', `${what || 'the object'} was not found${op.namespace ? ` in namespace "${op.namespace}"` : ''} on context "${target.context}"${quoted}`, 'Check the name and namespace, and that the kind is served by this cluster (`kubectl api-resources`).', 404, false, [], details);
    case 409: {
      // The server can list one cause twice (its own validation and the apply's); once is enough.
      const causes = (status?.details?.causes ?? []).filter((c, i, all) => all.findIndex((d) => d.field === c.field && d.message === c.message) === i);
      const owned = causes.filter((c) => c.reason === 'FieldManagerConflict' || conflictManager(c.message));
      if (owned.length > 0) {
        const lines = owned.map((c) => `${c.field ?? '(field)'} is owned by field manager "${conflictManager(c.message) ?? 'another manager'}"`);
        const managers = [...new Set(owned.map((c) => conflictManager(c.message)).filter(Boolean))];
        const name = status?.details?.name ? `${status.details.kind ?? 'object'} "${status.details.name}"` : 'an object';
        return new KubeError('KUBE_CONFLICT', `server-side apply of ${name} conflicts with field manager ${managers.map((m) => `"${m}"`).join(', ')}: ${lines.join('; ')}`, `Another tool (${managers.join(', ')}) set these fields. Re-run with --force-conflicts to take them over for modelship, or remove them from the manifest so that ${managers.join(', ')} keeps them.`, 409, false, owned, lines);
      }
      return new KubeError('KUBE_CONFLICT', `conflict${doing} on context "${target.context}"${quoted}`, status?.reason === 'AlreadyExists' ? 'The object already exists.' : 'The object changed while it was being updated; try again.', 409, status?.reason !== 'AlreadyExists', causes, details);
    }
    case 422: {
      // The server can list one cause twice (its own validation and the apply's); once is enough.
      const causes = (status?.details?.causes ?? []).filter((c, i, all) => all.findIndex((d) => d.field === c.field && d.message === c.message) === i);
      const lines = causes.map((c) => `${c.field ?? '(object)'}: ${c.message ?? c.reason ?? 'invalid'}`);
      const name = status?.details?.name ? `${status.details.kind ?? 'object'} "${status.details.name}"` : what || 'the object';
      const invalid = new KubeError('KUBE_INVALID', `the API server rejected ${name}${causes.length ? ` at ${causes.map((c) => c.field ?? '(object)').join(', ')}` : ''}${quoted && !causes.length ? quoted : ''}`, 'Fix the listed fields in the manifest (or the overlay that renders them) and deploy again.', 422, false, causes, lines.length ? lines : details);
      invalid.object = { ...(status?.details?.kind ? { kind: kindOf(status.details.kind) } : {}), ...(status?.details?.name ? { name: status.details.name } : {}) };
      return invalid;
    }
    case 429:
      return new KubeError('KUBE_THROTTLED', `the Kubernetes API at ${where} is throttling requests (429)${quoted}`, 'Modelship retries with backoff; if this persists the API server is overloaded or a priority-and-fairness limit applies.', 429, true, [], details, retryAfter(err, status));
    default:
      // Server-side apply answers 500 for a value it cannot even decode (a quantity like `lots`): no retry helps.
      if (statusCode === 500 && /failed to convert new object|unable to convert unstructured object/.test(status?.message ?? '')) {
        return new KubeError('KUBE_INVALID', `the API server rejected ${what || 'the object'}: ${status?.message ?? ''}`, 'Fix the value it names in the manifest (or the overlay that renders it) and deploy again.', 422, false, [], details);
      }
      if (statusCode !== undefined && statusCode >= 500) {
        return new KubeError('KUBE_SERVER_ERROR', `the Kubernetes API at ${where} failed${doing} (${statusCode})${quoted}`, 'Modelship retries with backoff; if this persists, check the API server (and any admission webhook it calls).', statusCode, true, [], details, retryAfter(err, status));
      }
      if (statusCode !== undefined) {
        return new KubeError('KUBE_API_ERROR', `the Kubernetes API at ${where} answered ${statusCode}${doing}${quoted}`, undefined, statusCode, false, [], details);
      }
  }
  const message = err.message ?? String(error);
  if (/exec|credential|token/i.test(message) && /fail|error|exit/i.test(message)) {
    return new KubeError('KUBE_AUTH_PLUGIN_FAILED', `getting credentials for user "${target.user}" (context "${target.context}") failed: ${message.split('\n')[0]}`, 'Run the credential plugin named in the kubeconfig yourself to see why (often: log in again with your cloud CLI).', undefined, false);
  }
  return new KubeError('KUBE_API_ERROR', `Kubernetes API call${doing} on context "${target.context}" failed: ${message.split('\n')[0]}`, undefined, undefined, code !== undefined && TRANSIENT_CODES.has(code));
}

/** Whether another try may succeed: a retryable KubeError, or a raw 429/5xx/reset. */
export function isRetryable(error: unknown, target?: KubeTarget): boolean {
  if (error instanceof KubeError) return error.retryable;
  if (!target) target = { context: '', cluster: '', server: '', namespace: '', user: '' };
  const mapped = toKubeError(error, target);
  return mapped instanceof KubeError && mapped.retryable;
}

export interface RetryOptions {
  /** Tries after the first; default 4. */
  retries?: number;
  /** First delay; doubles each time, with jitter, up to maxDelayMs. Default 250 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Backoff for attempt `n` (0-based): base·2ⁿ, capped, with up to 20% jitter (pure given `random`). */
export function backoffDelay(n: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** n);
  return Math.round(raw * (0.8 + 0.2 * random()));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs `fn`, retrying retryable failures with exponential backoff; the last error is rethrown as it came. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= retries || options.signal?.aborted || !isRetryable(err)) throw err;
      const asked = err instanceof KubeError ? err.retryAfterMs : undefined;
      await wait(asked ?? backoffDelay(attempt, options.baseDelayMs ?? 250, options.maxDelayMs ?? 5000), options.signal);
    }
  }
}

/** A Status names kinds by resource (`deployments`) or kind (`Deployment`); manifests use the kind. */
function kindOf(kindOrResource: string): string {
  const known: Record<string, string> = { deployments: 'Deployment', services: 'Service', configmaps: 'ConfigMap', secrets: 'Secret', horizontalpodautoscalers: 'HorizontalPodAutoscaler', poddisruptionbudgets: 'PodDisruptionBudget', serviceaccounts: 'ServiceAccount', namespaces: 'Namespace' };
  return known[kindOrResource.toLowerCase()] ?? kindOrResource;
}

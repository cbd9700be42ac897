/**
 * Container sizing and health: MS-K8S003 (requests and limits), MS-K8S004 (probes), MS-K8S005
 * (probe ports), MS-K8S006 (probe paths of the Modelship app), MS-K8S007 (startup probe for a
 * large model).
 */
import { formatBytes } from '../../../formatBytes';
import type { ManifestAnalysis, ObjectView } from '../analysis';
import { get, isObj, isSidecar, LONG_RUNNING, objAt, parseQuantity, portsOf, type ContainerView, type Obj } from '../objects';
import { K8S } from '../rules';

const MiB = 1024 * 1024;
export const GPU = 'nvidia.com/gpu';
const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;
type ProbeField = (typeof PROBES)[number];

/** Containers of the file's workloads: `fn(view, container)` for each. */
export function eachContainer(a: ManifestAnalysis, fn: (view: ObjectView, c: ContainerView) => void, options: { patches?: boolean } = {}): void {
  for (const view of a.local) {
    if (!view.pod || (view.patch && !options.patches)) continue;
    for (const c of a.containers(view)) fn(view, c);
  }
}

/** Runs for the pod's lifetime: an app container, or a sidecar. */
const isServing = (view: ObjectView, c: ContainerView) => LONG_RUNNING.has(view.kind) && (!c.init || isSidecar(c));

export const gpuLimit = (c: Obj) => parseQuantity(get(c, ['resources', 'limits', GPU])) ?? 0;
/** GPUs a container asks for, by limit or (invalidly, see MS-K8S020) by request alone. */
export const gpuAsked = (c: Obj) => Math.max(gpuLimit(c), parseQuantity(get(c, ['resources', 'requests', GPU])) ?? 0);

/** What the Modelship generator would give this container: sized from the model when known. */
function suggestedResources(a: ManifestAnalysis, view: ObjectView, c: ContainerView): { requests: Record<string, string>; limits: Record<string, string>; basis: string } {
  const model = a.isModelshipApp(view, c) ? a.modelFor(view, c) : undefined;
  const gpu = gpuLimit(c.container) > 0;
  if (!model) return { requests: { cpu: gpu ? '2' : '250m', memory: gpu ? '4Gi' : '512Mi' }, limits: { memory: gpu ? '8Gi' : '1Gi' }, basis: 'conservative defaults' };
  // Mirrors scaffold/spec.ts: a deserialised model takes a few times its file size, plus ~300 MiB.
  const working = Math.max(256 * MiB, Math.ceil(model.bytes * 2.5) + 300 * MiB);
  const memory = gpu ? Math.max(working, 4096 * MiB) : working;
  const mi = (bytes: number) => `${Math.ceil(bytes / MiB)}Mi`;
  return { requests: { cpu: gpu ? '2' : '250m', memory: mi(memory) }, limits: { memory: mi(memory * 2) }, basis: `sized for ${model.path} (${formatBytes(model.bytes)})` };
}

function checkResources(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const resources = objAt(c.container, ['resources']) ?? {};
  const requests = objAt(resources, ['requests']) ?? {};
  const limits = objAt(resources, ['limits']) ?? {};
  if ((requests.cpu !== undefined || limits.cpu !== undefined) && limits.memory !== undefined) return;
  const missing: string[] = [];
  const want = suggestedResources(a, view, c);
  const add: { requests: Record<string, string>; limits: Record<string, string> } = { requests: {}, limits: {} };
  if (requests.cpu === undefined && limits.cpu === undefined) {
    missing.push('CPU request');
    add.requests.cpu = want.requests.cpu!;
  }
  if (requests.memory === undefined && limits.memory === undefined) {
    missing.push('memory request');
    add.requests.memory = want.requests.memory!;
  }
  if (limits.memory === undefined) {
    missing.push('memory limit');
    add.limits.memory = want.limits.memory!;
  }
  if (missing.length === 0) return;
  const value: Record<string, unknown> = {};
  if (Object.keys(add.requests).length > 0) value.requests = add.requests;
  if (Object.keys(add.limits).length > 0) value.limits = add.limits;
  const proposal = [...Object.entries(add.requests).map(([k, v]) => `${k} request ${v}`), ...Object.entries(add.limits).map(([k, v]) => `${k} limit ${v}`)].join(', ');
  const fix = a.fix(`Add ${proposal} (${want.basis})`, a.edits(view)?.set([...c.path, 'resources'], value));
  const list = missing.length > 1 ? `${missing.slice(0, -1).join(', no ')} and no ${missing[missing.length - 1]}` : missing[0];
  a.report(K8S.resources, view, c.container.resources !== undefined ? [...c.path, 'resources'] : c.path,
    `Container \`${c.name}\` has no ${list}: without requests the scheduler packs pods blindly and an HPA cannot compute utilisation; without a memory limit a leak can take the node down. Add them (${proposal}, ${want.basis}).`,
    { part: 'key', fixes: [fix] });
}

/** How a probe should address the container: its `http` port, or its first port, by name if named. */
function probePort(c: Obj): string | number | undefined {
  const ports = portsOf(c);
  const chosen = ports.find((p) => p.name === 'http') ?? ports[0];
  return chosen ? (chosen.name ?? chosen.port) : undefined;
}

/** Seconds a model of `bytes` may take to load (as scaffold/spec.ts budgets it). */
function loadSeconds(bytes: number): number {
  return Math.min(1800, Math.max(30, 30 + Math.ceil(bytes / (50 * MiB))));
}

const LARGE_MODEL_BYTES = 500 * 1000 * 1000;
const LLM_SERVER = /(^|\/)(vllm[-\w]*|text-generation-inference|tritonserver|tensorrt-llm|ollama|sglang|lmdeploy|llama\.cpp|llama-cpp-python|tgi)(:|$|\/)/i;

/** The load this container faces, when it is large: the project's model, or an LLM server image. */
function largeLoad(a: ManifestAnalysis, view: ObjectView, c: ContainerView): { what: string; seconds: number } | undefined {
  const model = a.ctx.project?.models.length && a.isModelshipApp(view, c) ? a.modelFor(view, c) : undefined;
  if (model && model.bytes > LARGE_MODEL_BYTES) return { what: `${model.path} (${formatBytes(model.bytes)})`, seconds: loadSeconds(model.bytes) };
  const image = typeof c.container.image === 'string' ? c.container.image : '';
  if (LLM_SERVER.test(image)) return { what: `the model that ${image.split('/').pop()} serves`, seconds: 600 };
  return undefined;
}

function startupProbeFor(c: Obj, seconds: number): Obj | undefined {
  const source = objAt(c, ['readinessProbe']) ?? objAt(c, ['livenessProbe']);
  const handler = source && (['httpGet', 'tcpSocket', 'grpc', 'exec'] as const).find((h) => isObj(source[h]));
  if (!source || !handler) return undefined;
  return { [handler]: source[handler], periodSeconds: 10, timeoutSeconds: 3, failureThreshold: Math.ceil(seconds / 10) };
}

function checkProbesPresent(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  if (c.container.readinessProbe !== undefined && c.container.livenessProbe !== undefined) return;
  if (!isServing(view, c) || portsOf(c.container).length === 0) return;
  const missing = (['readinessProbe', 'livenessProbe'] as const).filter((p) => c.container[p] === undefined);
  let fix;
  const port = probePort(c.container);
  if (a.isModelshipApp(view, c) && port !== undefined) {
    const value: Obj = {};
    if (missing.includes('readinessProbe')) value.readinessProbe = { httpGet: { path: '/readyz', port }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
    if (missing.includes('livenessProbe')) value.livenessProbe = { httpGet: { path: '/healthz', port }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 };
    const load = largeLoad(a, view, c);
    if (load && c.container.startupProbe === undefined) value.startupProbe = { httpGet: { path: '/readyz', port }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: Math.ceil(load.seconds / 10) };
    fix = a.fix(`Add ${Object.keys(value).join(' and ')} on /readyz and /healthz`, a.edits(view)?.set(c.path, value));
  }
  const what = missing.length === 2 ? 'readiness or liveness probe' : `${missing[0] === 'readinessProbe' ? 'readiness' : 'liveness'} probe`;
  const why = [
    missing.includes('readinessProbe') ? 'without a readiness probe it gets traffic before the model is loaded' : '',
    missing.includes('livenessProbe') ? 'without a liveness probe a wedged server is never restarted' : '',
  ].filter(Boolean).join('; ');
  a.report(K8S.probes, view, c.path, `Container \`${c.name}\` has no ${what}: ${why}. Add ${missing.map((m) => `\`${m}\``).join(' and ')}${fix ? ' (the app answers /readyz and /healthz)' : ''}.`, { fixes: [fix] });
}

const HANDLERS = ['httpGet', 'tcpSocket', 'grpc'] as const;

function checkProbePorts(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  if (!PROBES.some((p) => isObj(c.container[p]))) return;
  const ports = portsOf(c.container);
  if (view.patch && ports.length === 0) return;
  const listed = () => ports.map((p) => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(', ') || 'none';
  const only = ports.length === 1 ? (ports[0]!.name ?? ports[0]!.port) : undefined;
  for (const probe of PROBES) {
    const spec = c.container[probe];
    if (!isObj(spec)) continue;
    for (const handler of HANDLERS) {
      const port = get(spec[handler], ['port']);
      if (port === undefined || (typeof port === 'string' ? ports.some((p) => p.name === port) : typeof port !== 'number' || ports.length === 0 || ports.some((p) => p.port === port))) continue;
      const path = [...c.path, probe, handler, 'port'];
      const fix = only !== undefined ? a.fix(`Probe port ${only}`, a.edits(view)?.replaceScalar(path, String(only))) : undefined;
      if (typeof port === 'string') {
        a.report(K8S.probePort, view, path, `The ${probeName(probe)}'s port \`${port}\` names no port of container \`${c.name}\` (its ports: ${listed()}): the probe always fails${probe === 'livenessProbe' ? ', so the container restarts forever' : ', so the pod never becomes ready'}. Use ${only !== undefined ? `\`${only}\`` : 'one of its port names'}.`, { fixes: [fix] });
      } else {
        a.report(K8S.probePort, view, path, `The ${probeName(probe)} checks port ${port}, which container \`${c.name}\` does not declare (its ports: ${listed()}): if nothing listens there the probe always fails. Probe the port the server listens on${only !== undefined ? ` (\`${only}\`)` : ''}.`, { severity: 'warning', fixes: [fix] });
      }
    }
  }
}

const probeName = (p: ProbeField) => ({ startupProbe: 'startup probe', readinessProbe: 'readiness probe', livenessProbe: 'liveness probe' })[p];

/** Paths the Modelship app answers to GET, and the ones it answers only to POST. */
const GET_PATHS = [/^\/(healthz|readyz|metrics|docs|openapi\.json)$/, /^\/v2(\/health\/(live|ready))?$/, /^\/v2\/models\/[^/]+(\/versions\/[^/]+)?(\/ready)?$/, /^\/v1\/models\/[^/]+$/, /^\/jobs\/[^/]+$/];
const POST_PATHS = [/^\/predict$/, /^\/jobs$/, /^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/infer$/, /^\/v1\/models\/[^/]+:predict$/];

const normalPath = (raw: string) => raw.split('?')[0]!.replace(/\/+$/, '') || '/';

function checkProbePaths(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const unknown = PROBES.filter((probe) => {
    const raw = get(c.container[probe], ['httpGet', 'path']);
    return typeof raw === 'string' && !GET_PATHS.some((re) => re.test(normalPath(raw)));
  });
  if (unknown.length === 0 || !a.isModelshipApp(view, c)) return;
  for (const probe of unknown) {
    const raw = get(c.container[probe], ['httpGet', 'path']) as string;
    const path = normalPath(raw);
    const want = probe === 'livenessProbe' ? '/healthz' : '/readyz';
    const at = [...c.path, probe, 'httpGet', 'path'];
    const why = POST_PATHS.some((re) => re.test(path)) ? 'answers only POST, so the probe\'s GET gets 405' : 'is not a path the Modelship app serves, so the probe gets 404';
    a.report(K8S.probePath, view, at, `The ${probeName(probe)} of container \`${c.name}\` requests \`${raw}\`, which ${why} and always fails. Use \`${want}\`.`,
      { fixes: [a.fix(`Probe ${want}`, a.edits(view)?.replaceScalar(at, want))] });
  }
}

function checkStartupProbe(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  if (!isServing(view, c) || c.container.startupProbe !== undefined || !isObj(c.container.livenessProbe)) return;
  const load = largeLoad(a, view, c);
  if (!load) return;
  const liveness = c.container.livenessProbe;
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const budget = num(liveness.initialDelaySeconds, 0) + num(liveness.periodSeconds, 10) * num(liveness.failureThreshold, 3);
  if (budget >= load.seconds) return;
  const probe = startupProbeFor(c.container, load.seconds);
  const fix = probe ? a.fix(`Add a startupProbe allowing ${load.seconds}s`, a.edits(view)?.set([...c.path, 'startupProbe'], probe)) : undefined;
  a.report(K8S.startupProbe, view, [...c.path, 'livenessProbe'],
    `Container \`${c.name}\` loads ${load.what}, which can take ${load.seconds}s, but its liveness probe gives up after ${budget}s: the kubelet kills it before the model is loaded, again and again. Add a startupProbe that allows the load time; liveness checks start after it succeeds.`,
    { part: 'key', fixes: [fix] });
}

export function checkContainers(a: ManifestAnalysis): void {
  eachContainer(a, (view, c) => {
    checkResources(a, view, c);
    checkProbesPresent(a, view, c);
    checkStartupProbe(a, view, c);
  });
  eachContainer(a, (view, c) => {
    checkProbePorts(a, view, c);
    checkProbePaths(a, view, c);
  }, { patches: true });
}

/**
 * What the Deployment status panel shows, as plain JSON built from one RolloutSnapshot and its
 * RolloutAssessment (pure: data in, data out; the extension posts the result to a webview as is).
 *
 * Invariants:
 * - Every field is a string, number, boolean, array or plain object; ages are already text, as
 *   kubectl prints them (`45s`, `3m20s`, `5h`, `2d3h`), measured against the caller's `now`.
 * - `failure` is set when the rollout failed, and when it is still progressing with reasons, so
 *   the panel can put the reason and its fix at the top while there is still time to act.
 * - Events come oldest first and newest last, at most MAX_EVENTS of them.
 * - Fields the record types do not declare (probes' tcp/exec/grpc, a pod's init containers, a
 *   terminated state's message) are read through the widened shapes below, never assumed present.
 */
import type { ConditionRecord, ContainerSpecRecord, ContainerStateRecord, ContainerStatusRecord, EventRecord, PodRecord, ProbeRecord, RolloutSnapshot } from './records';
import { startupBudgetSeconds, type PodReason } from './podReasons';
import type { RolloutAssessment, RolloutState } from './rollout';

/** The events the panel keeps: the newest ones. */
export const MAX_EVENTS = 50;

/** The Deployment at a glance. Names are the caller's; counts are the Deployment's status. */
export interface StatusHeader {
  deployment: string;
  environment: string;
  context: string;
  namespace: string;
  /** Pods ready, against `desired` (spec.replicas). */
  ready: number;
  desired: number;
  /** Pods running the current template (status.updatedReplicas), and available ones. */
  updated: number;
  available: number;
  /** The Deployment's revision annotation, when set. */
  revision?: number;
  /** The first container's image as the template names it, and the digest a pod resolved it to. */
  image?: string;
  digest?: string;
  state: RolloutState;
  /** The assessment's one line (kubectl's wording, or the first reason). */
  summary: string;
}

/** One reason the rollout is not Ready, with what to do: the assessment's PodReason, as the panel needs it. */
export interface StatusReason extends Pick<PodReason, 'pod' | 'container' | 'kind' | 'message' | 'fix' | 'detail'> {
  /** Whether the previous container's logs hold the cause (a crash or an OOM after a restart). */
  previousLogs: boolean;
}

export interface StatusFailure {
  /** Whether the rollout has failed (`error`) or may still recover (`warning`). */
  severity: 'error' | 'warning';
  summary: string;
  reasons: StatusReason[];
}

/** A Deployment condition as kubectl describes it; `age` since its last transition (empty when unknown). */
export interface StatusCondition { type: string; status: string; reason: string; message: string; age: string }

/** A revision of the Deployment (one ReplicaSet); `age` since it was created. */
export interface StatusRevision { revision: number; image?: string; age?: string; current: boolean }

/** How a container ended last time: reason OOMKilled, Error, Completed…; `ago` since finishedAt. */
export interface StatusLastState { reason: string; exitCode?: number; finishedAt?: string; ago?: string; message?: string }

/** Each probe as short text, e.g. `http GET :8080/ready every 10s, 3 failures`. */
export interface StatusProbes { startup?: string; readiness?: string; liveness?: string }

export interface StatusContainer {
  name: string;
  image: string;
  /** Whether it is an init container. */
  init: boolean;
  ready: boolean;
  state: 'running' | 'waiting' | 'terminated';
  /** CrashLoopBackOff, ImagePullBackOff, OOMKilled… (empty while running), and the kubelet's message. */
  stateReason: string;
  stateMessage: string;
  startedAt?: string;
  lastState?: StatusLastState;
  restarts: number;
  probes: StatusProbes;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

export interface StatusPod {
  name: string;
  phase: string;
  /** kubectl's STATUS column: the first container's waiting or terminated reason, else the phase. */
  status: string;
  node: string;
  age: string;
  /** `ready/total` containers (init containers not counted), and their restarts. */
  ready: string;
  restarts: number;
  containers: StatusContainer[];
}

/** An event; `object` as `pod/<name>`, `replicaset/<name>`…; `age` since it was last seen. */
export interface StatusEvent { type: string; reason: string; message: string; object: string; count: number; age: string }

/** Everything the status panel renders; plain JSON. */
export interface StatusModel {
  header: StatusHeader;
  /** Set while the rollout fails or is held up: shown first. */
  failure?: StatusFailure;
  conditions: StatusCondition[];
  /** Newest first. */
  revisions: StatusRevision[];
  pods: StatusPod[];
  /** Oldest first, newest last. */
  events: StatusEvent[];
}

export interface StatusModelInput {
  snapshot: RolloutSnapshot;
  assessment: RolloutAssessment;
  revisions: { revision: number; image?: string; createdAt?: string; current?: boolean }[];
  /** Milliseconds since the epoch that ages are measured against. */
  now: number;
  environment: string;
  context: string;
  namespace: string;
  deployment: string;
}

/** Probe fields the API has beyond ProbeRecord. */
type WideProbe = ProbeRecord & { httpGet?: { scheme?: string }; tcpSocket?: { port?: number | string }; exec?: { command?: string[] }; grpc?: { port?: number } };
type WideSpec = ContainerSpecRecord & { startupProbe?: WideProbe; readinessProbe?: WideProbe; livenessProbe?: WideProbe };
type WidePod = PodRecord & { spec?: { initContainers?: WideSpec[] } };

/** kubectl's HumanDuration (k8s.io/apimachinery/pkg/util/duration), so ages read as in `kubectl get`. */
export function humanAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  const pair = (a: number, unitA: string, b: number, unitB: string) => (b === 0 ? `${a}${unitA}` : `${a}${unitA}${b}${unitB}`);
  if (m < 10) return pair(m, 'm', s % 60, 's');
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return pair(h, 'h', m % 60, 'm');
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return pair(Math.floor(h / 24), 'd', h % 24, 'h');
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 8) return pair(Math.floor(h / 24 / 365), 'y', Math.floor(h / 24) % 365, 'd');
  return `${Math.floor(h / 24 / 365)}y`;
}

/** The age of a timestamp as kubectl prints it; empty when there is none. */
const ageSince = (timestamp: string | undefined, now: number): string => (timestamp && !Number.isNaN(Date.parse(timestamp)) ? humanAge(now - Date.parse(timestamp)) : '');

/** The probe as one line; the API's defaults (period 10 s, 3 failures) are spelled out. */
export function describeProbe(probe: WideProbe | undefined, startup = false): string | undefined {
  if (!probe) return undefined;
  const port = (p: number | string | undefined) => (p === undefined ? '' : `:${p}`);
  const action = probe.httpGet
    ? `${(probe.httpGet.scheme ?? 'http').toLowerCase()} GET ${port(probe.httpGet.port)}${probe.httpGet.path ?? '/'}`
    : probe.tcpSocket ? `tcp ${port(probe.tcpSocket.port)}`
      : probe.grpc ? `grpc ${port(probe.grpc.port)}`
        : probe.exec ? `exec ${(probe.exec.command ?? []).join(' ')}` : 'probe';
  const failures = probe.failureThreshold ?? 3;
  const parts = [`${action} every ${probe.periodSeconds ?? 10}s`, `${failures} failure${failures === 1 ? '' : 's'}`];
  if (probe.initialDelaySeconds) parts.push(`after ${probe.initialDelaySeconds}s`);
  if (probe.timeoutSeconds && probe.timeoutSeconds !== 1) parts.push(`timeout ${probe.timeoutSeconds}s`);
  if (startup) parts.push(`budget ${startupBudgetSeconds(probe)}s`);
  return parts.join(', ');
}

function lastStateOf(state: ContainerStateRecord | undefined, now: number): StatusLastState | undefined {
  const t = state?.terminated;
  if (!t) return undefined;
  return {
    reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'),
    ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
    ...(t.finishedAt ? { finishedAt: t.finishedAt, ago: ageSince(t.finishedAt, now) } : {}),
    ...(t.message ? { message: t.message } : {}),
  };
}

function containerOf(status: ContainerStatusRecord | undefined, spec: WideSpec | undefined, init: boolean, now: number): StatusContainer {
  const s = status?.state;
  const state = s?.running ? 'running' : s?.terminated ? 'terminated' : 'waiting';
  const lastState = lastStateOf(status?.lastState, now);
  const described = { startup: describeProbe(spec?.startupProbe, true), readiness: describeProbe(spec?.readinessProbe), liveness: describeProbe(spec?.livenessProbe) };
  const probes: StatusProbes = Object.fromEntries(Object.entries(described).filter(([, text]) => text !== undefined));
  return {
    name: status?.name ?? spec?.name ?? '',
    // containerd reports a digest-pinned image as its config ID (sha256:…), which matches nothing the user wrote.
    image: (status?.image && !status.image.startsWith('sha256:') ? status.image : undefined) ?? spec?.image ?? status?.image ?? '',
    init,
    ready: status?.ready ?? false,
    state,
    stateReason: s?.waiting?.reason ?? s?.terminated?.reason ?? (s?.waiting ? 'ContainerCreating' : ''),
    stateMessage: s?.waiting?.message ?? s?.terminated?.message ?? '',
    ...(s?.running?.startedAt ? { startedAt: s.running.startedAt } : {}),
    ...(lastState ? { lastState } : {}),
    restarts: status?.restartCount ?? 0,
    probes,
    resources: { requests: { ...(spec?.resources?.requests ?? {}) }, limits: { ...(spec?.resources?.limits ?? {}) } },
  };
}

/** Containers in spec order (init containers first); a container without a status yet is waiting. */
function containersOf(pod: WidePod, now: number): StatusContainer[] {
  const pair = (specs: WideSpec[], statuses: ContainerStatusRecord[], init: boolean) => {
    const names = [...specs.map((c) => c.name), ...statuses.map((c) => c.name).filter((n) => !specs.some((c) => c.name === n))];
    return names.map((name) => containerOf(statuses.find((c) => c.name === name), specs.find((c) => c.name === name), init, now));
  };
  return [...pair(pod.spec?.initContainers ?? [], pod.status?.initContainerStatuses ?? [], true), ...pair(pod.spec?.containers ?? [], pod.status?.containerStatuses ?? [], false)];
}

function podOf(pod: WidePod, now: number): StatusPod {
  const containers = containersOf(pod, now);
  const main = containers.filter((c) => !c.init);
  const reason = main.map((c) => (c.state === 'running' ? '' : c.stateReason)).find(Boolean);
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    status: reason ?? pod.status?.reason ?? pod.status?.phase ?? 'Unknown',
    node: pod.spec?.nodeName ?? '',
    age: ageSince(pod.metadata?.creationTimestamp ?? pod.status?.startTime, now),
    ready: `${main.filter((c) => c.ready).length}/${main.length}`,
    restarts: main.reduce((n, c) => n + c.restarts, 0),
    containers,
  };
}

function conditionOf(c: ConditionRecord & { lastUpdateTime?: string }, now: number): StatusCondition {
  return { type: c.type ?? '', status: c.status ?? '', reason: c.reason ?? '', message: c.message ?? '', age: ageSince(c.lastTransitionTime ?? c.lastUpdateTime, now) };
}

function eventTime(e: EventRecord): string {
  return String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '');
}

function eventOf(e: EventRecord, now: number): StatusEvent {
  const kind = (e.involvedObject?.kind ?? '').toLowerCase();
  const object = kind ? `${kind}/${e.involvedObject?.name ?? ''}` : (e.involvedObject?.name ?? '');
  return { type: e.type ?? 'Normal', reason: e.reason ?? '', message: e.message ?? '', object, count: e.count ?? 1, age: ageSince(eventTime(e), now) };
}

/** `docker-pullable://repo@sha256:…` or `repo@sha256:…` to `sha256:…`. */
function digestOf(imageID: string | undefined): string | undefined {
  const at = imageID?.lastIndexOf('@') ?? -1;
  return imageID && at >= 0 ? imageID.slice(at + 1) : undefined;
}

function failureOf(assessment: RolloutAssessment): StatusFailure | undefined {
  if (assessment.state === 'ready' || (assessment.state === 'progressing' && assessment.reasons.length === 0)) return undefined;
  return {
    severity: assessment.state === 'failed' ? 'error' : 'warning',
    summary: assessment.summary,
    reasons: assessment.reasons.map(({ pod, container, kind, message, fix, detail, needsPreviousLogs, exitCode }) => ({
      pod, ...(container ? { container } : {}), kind, message, fix, ...(detail?.length ? { detail: [...detail] } : {}),
      previousLogs: needsPreviousLogs === true || ((kind === 'crash' || kind === 'oom') && exitCode !== undefined),
    })),
  };
}

function headerOf(input: StatusModelInput): StatusHeader {
  const { snapshot, assessment } = input;
  const d = snapshot.deployment;
  const revision = Number(d?.metadata?.annotations?.['deployment.kubernetes.io/revision']);
  const image = d?.spec?.template?.spec?.containers?.[0]?.image;
  const first = d?.spec?.template?.spec?.containers?.[0]?.name;
  const imageID = snapshot.pods.flatMap((p) => p.status?.containerStatuses ?? []).find((c) => c.name === first && c.imageID)?.imageID;
  const digest = digestOf(image?.includes('@') ? image : imageID);
  const { deployment, environment, context, namespace } = input;
  return {
    deployment, environment, context, namespace,
    ready: d?.status?.readyReplicas ?? 0,
    desired: d?.spec?.replicas ?? 1,
    updated: d?.status?.updatedReplicas ?? 0,
    available: d?.status?.availableReplicas ?? 0,
    ...(Number.isFinite(revision) && revision > 0 ? { revision } : {}),
    ...(image ? { image } : {}),
    ...(digest ? { digest } : {}),
    state: assessment.state,
    summary: assessment.summary,
  };
}

/** The status panel's model: header, failure first, then conditions, revisions, pods and events. */
export function buildStatusModel(input: StatusModelInput): StatusModel {
  const { snapshot, now } = input;
  const failure = failureOf(input.assessment);
  const events = [...snapshot.events].sort((a, b) => eventTime(a).localeCompare(eventTime(b))).slice(-MAX_EVENTS);
  const pods = [...snapshot.pods].sort((a, b) => String(a.metadata?.name ?? '').localeCompare(String(b.metadata?.name ?? '')));
  return {
    header: headerOf(input),
    ...(failure ? { failure } : {}),
    conditions: (snapshot.deployment?.status?.conditions ?? []).map((c) => conditionOf(c, now)),
    revisions: [...input.revisions].sort((a, b) => b.revision - a.revision).map(({ revision, image, createdAt, current }) =>
      ({ revision, ...(image ? { image } : {}), ...(createdAt ? { age: ageSince(createdAt, now) } : {}), current: current === true })),
    pods: pods.map((p) => podOf(p, now)),
    events: events.map((e) => eventOf(e, now)),
  };
}

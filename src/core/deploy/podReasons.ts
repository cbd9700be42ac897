/**
 * Why a new pod of a rollout is not Ready, in plain words with what to do, read from the pod's
 * conditions, its container statuses and the Warning events about it. Each container yields at
 * most one state reason (OOMKilled wins over the CrashLoopBackOff it causes); probe failures and
 * other Warning events are deduplicated per pod, container and message. `fatal` says whether the
 * reason fails the rollout at once (see rollout.ts for the rule).
 */
import { formatBytes } from '../formatBytes';
import type { ContainerSpecRecord, ContainerStatusRecord, EventRecord, PodRecord, ProbeRecord } from './records';

export type PodReasonKind = 'image-pull' | 'crash' | 'oom' | 'unschedulable' | 'probe' | 'config' | 'warning-event';

/** One reason a rollout is not (yet) Ready; plain data, printed by the CLI and shown by the editor. */
export interface PodReason {
  /** The pod's name; for an event about the Deployment or a ReplicaSet, `deployment/<name>` or `replicaset/<name>`. */
  pod: string;
  container?: string;
  kind: PodReasonKind;
  /** What is wrong, in plain words, with the cluster's own message where it matters. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** Supporting lines: for a crash, the previous container's last log lines, filled in by the adapter. */
  detail?: string[];
  /** Whether this reason fails the rollout now, rather than waiting for the progress deadline. */
  fatal: boolean;
  /** Set for crashes after a restart: the adapter should read the previous container's logs into `detail`. */
  needsPreviousLogs?: boolean;
  /** The image reference, for `image-pull`. */
  image?: string;
  /** The container's exit code, for `crash` and `oom`. */
  exitCode?: number;
  /** How many times the cluster reported it (events' counts summed). */
  count?: number;
}

/** What the model is, when known, so that OOM and probe reasons can be set against it. */
export interface ModelContext {
  modelBytes?: number;
  now?: number;
  /** The budget the spec planned for loading the model, used when a container has no startup probe. */
  startupBudgetSeconds?: number;
}

const MiB = 1024 * 1024;
const PULL_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const PULL_FATAL = new Set(['ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError']);
/** Pod event reasons that the container states and conditions already explain. */
const EXPLAINED_EVENTS = new Set(['Failed', 'BackOff', 'FailedScheduling', 'Unhealthy']);

/** Seconds a startup probe allows before liveness applies: initialDelaySeconds + failureThreshold × periodSeconds (API defaults 0, 3, 10). */
export function startupBudgetSeconds(probe: ProbeRecord | undefined): number | undefined {
  if (!probe) return undefined;
  return (probe.initialDelaySeconds ?? 0) + (probe.failureThreshold ?? 3) * (probe.periodSeconds ?? 10);
}

function imagePullReason(pod: string, status: ContainerStatusRecord, spec: ContainerSpecRecord | undefined, events: EventRecord[]): PodReason {
  const waiting = status.state?.waiting ?? {};
  const image = spec?.image ?? status.image ?? 'the image';
  const pullError = [...events].reverse().find((e) => e.reason === 'Failed' && e.message?.includes('Failed to pull image'))?.message ?? waiting.message ?? '';
  const cause = /not found|manifest unknown/i.test(pullError)
    ? 'the registry does not have that tag or digest'
    : /unauthorized|denied|authentication required|forbidden/i.test(pullError)
      ? 'the registry refused the cluster (no or wrong pull credentials)'
      : /connection refused|no such host|i\/o timeout|dial tcp|server gave HTTP response|x509/i.test(pullError)
        ? "the registry cannot be reached from the cluster's nodes"
        : waiting.reason === 'InvalidImageName'
          ? 'the reference is not a valid image name'
          : 'the pull failed';
  return {
    pod,
    container: status.name,
    kind: 'image-pull',
    image,
    message: `The cluster cannot pull ${image}: ${cause} (${waiting.reason ?? 'ErrImagePull'}).`,
    fix: "Push the image to a registry that the cluster's nodes can reach (not only your laptop; `localhost` in a reference means each node itself), check the reference, and set pullSecret in deploy/environments.yaml for a private registry.",
    ...(pullError ? { detail: [pullError] } : {}),
    fatal: PULL_FATAL.has(waiting.reason ?? ''),
  };
}

function oomReason(pod: string, status: ContainerStatusRecord, spec: ContainerSpecRecord | undefined, context: ModelContext): PodReason {
  const limit = spec?.resources?.limits?.memory;
  const beside = [limit ? `limits.memory ${limit}` : 'no memory limit set', context.modelBytes !== undefined ? `model ${formatBytes(context.modelBytes)}` : undefined].filter(Boolean).join(', ');
  const suggested = context.modelBytes !== undefined ? Math.ceil((2 * context.modelBytes + 256 * MiB) / (64 * MiB)) * 64 : undefined;
  return {
    pod,
    container: status.name,
    kind: 'oom',
    exitCode: status.lastState?.terminated?.exitCode ?? status.state?.terminated?.exitCode ?? 137,
    message: `Container ${status.name} was killed for using more memory than its limit (OOMKilled): ${beside}.`,
    fix: `Raise resources.limits.memory (and requests.memory) in the overlay above what loading the model takes${suggested ? `, e.g. ${suggested}Mi (twice the model plus 256 MiB)` : ' (the model file plus the framework\u2019s working memory)'}.`,
    fatal: true,
    ...(status.restartCount ? { needsPreviousLogs: true } : {}),
  };
}

function exitMeaning(code: number): string {
  if (code === 0) return 'it exited cleanly, but a server must keep running';
  if (code === 127) return 'command not found';
  if (code === 126) return 'command not executable';
  if (code === 137) return 'killed (SIGKILL), e.g. by a failed liveness or startup probe';
  if (code === 139) return 'segmentation fault';
  return "the app's own error is in its last log lines";
}

function crashReason(pod: string, status: ContainerStatusRecord): PodReason | undefined {
  const waiting = status.state?.waiting?.reason;
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  const restarts = status.restartCount ?? 0;
  const looping = waiting === 'CrashLoopBackOff' || waiting === 'RunContainerError';
  const failedNow = status.state?.terminated !== undefined && (status.state.terminated.exitCode ?? 0) !== 0;
  if (!looping && !failedNow && !(restarts > 0 && terminated && !status.ready)) return undefined;
  const code = terminated?.exitCode;
  const startError = waiting === 'RunContainerError' ? status.state?.waiting?.message : terminated?.reason === 'StartError' ? terminated.message : undefined;
  const how = startError ? `could not start: ${startError}` : code !== undefined ? `exited with code ${code} (${exitMeaning(code)})` : 'keeps exiting';
  return {
    pod,
    container: status.name,
    kind: 'crash',
    ...(code !== undefined ? { exitCode: code } : {}),
    message: `Container ${status.name} ${how}${restarts > 0 ? `; restarted ${restarts} time${restarts === 1 ? '' : 's'}` : ''}.`,
    fix: startError ? "Fix the container's command or entrypoint in the image or the manifest." : "Fix the error in the previous container's last log lines (often MODEL_PATH, a missing file or package), rebuild and deploy again.",
    fatal: looping || restarts > 0,
    ...(restarts > 0 ? { needsPreviousLogs: true } : {}),
  };
}

function containerReason(pod: PodRecord, status: ContainerStatusRecord, events: EventRecord[], context: ModelContext): PodReason | undefined {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec?.containers?.find((c) => c.name === status.name);
  const waiting = status.state?.waiting;
  if (waiting?.reason && PULL_REASONS.has(waiting.reason)) return imagePullReason(name, status, spec, events);
  if (waiting?.reason && CONFIG_REASONS.has(waiting.reason)) {
    return {
      pod: name,
      container: status.name,
      kind: 'config',
      message: `Container ${status.name} cannot be created: ${waiting.message ?? waiting.reason}.`,
      fix: /secret|configmap/i.test(waiting.message ?? '') ? `Create the missing Secret or ConfigMap in namespace ${pod.metadata?.namespace ?? 'the target namespace'}, or remove the reference from the manifest.` : 'Fix the container settings the message names in the manifest.',
      fatal: true,
    };
  }
  if (status.state?.terminated?.reason === 'OOMKilled' || status.lastState?.terminated?.reason === 'OOMKilled') return oomReason(name, status, spec, context);
  return crashReason(name, status);
}

/**
 * How long a shortage of a node's own resources (cpu, memory, pods, ephemeral-storage) must last
 * before it fails the rollout: on a shared cluster pods come and go, and a cluster autoscaler adds
 * a node within about a minute, so `kubectl rollout status` would wait. An extended resource
 * (nvidia.com/gpu) no node offers is reported at once.
 */
export const NODE_RESOURCE_GRACE_SECONDS = 60;
const NODE_RESOURCES = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage']);

function unschedulableReason(pod: PodRecord, now: number | undefined): PodReason | undefined {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  if (!condition) return undefined;
  const text = condition.message ?? 'no node fits the pod';
  const insufficient = /Insufficient ([\w./-]*\w)/.exec(text)?.[1];
  const fix = insufficient === 'nvidia.com/gpu'
    ? 'No node has a free nvidia.com/gpu. Use a cluster or node pool with NVIDIA GPUs and the NVIDIA device plugin, or remove the nvidia.com/gpu limit (containerize without --gpu) to run on CPU.'
    : insufficient
      ? `No node has enough free ${insufficient}. Lower resources.requests.${insufficient} in the overlay, scale replicas down, or add nodes.`
      : "Change the pod's node selector, affinity or tolerations to match a node, or add a node that matches.";
  const since = condition.lastTransitionTime ? Date.parse(condition.lastTransitionTime) : undefined;
  const waited = now !== undefined && since !== undefined && !Number.isNaN(since) ? (now - since) / 1000 : undefined;
  const fatal = insufficient !== undefined && (!NODE_RESOURCES.has(insufficient) || (waited !== undefined && waited >= NODE_RESOURCE_GRACE_SECONDS));
  return { pod: pod.metadata?.name ?? '', kind: 'unschedulable', message: `The scheduler cannot place the pod: ${text}`, fix, fatal };
}

/** A startup probe's failures say nothing once the container has started: the probe passed since. */
function isStale(probe: string, status: ContainerStatusRecord | undefined): boolean {
  return probe === 'Startup' && status?.started === true;
}

function probeReasons(pod: PodRecord, events: EventRecord[], context: ModelContext): PodReason[] {
  const name = pod.metadata?.name ?? '';
  const seen = new Map<string, PodReason>();
  for (const event of events) {
    if (event.type !== 'Warning' || event.reason !== 'Unhealthy' || !event.message) continue;
    const probe = /^(Startup|Readiness|Liveness) probe/.exec(event.message)?.[1] ?? 'A';
    const existing = seen.get(event.message);
    if (existing) {
      existing.count = (existing.count ?? 1) + (event.count ?? 1);
      continue;
    }
    const container = /\{(.+)\}/.exec(event.involvedObject?.fieldPath ?? '')?.[1];
    const spec = pod.spec?.containers?.find((c) => c.name === container) ?? pod.spec?.containers?.[0];
    if (isStale(probe, pod.status?.containerStatuses?.find((c) => c.name === spec?.name))) continue;
    const budget = startupBudgetSeconds(spec?.startupProbe) ?? context.startupBudgetSeconds;
    
    const started = pod.status?.containerStatuses?.find((c) => c.name === spec?.name)?.state?.running?.startedAt;
    const elapsed = started && context.now !== undefined ? Math.max(0, Math.round((context.now - Date.parse(started)) / 1000)) : undefined;
    const status = pod.status?.containerStatuses?.find((c) => c.name === spec?.name);
    // The kubelet stops a container that fails its startup or liveness probe with SIGTERM, then SIGKILL:
    // it ends with 0 (a graceful server), 143 or 137. Any other code is the app's own exit, a crash.
    const lastExit = status?.lastState?.terminated?.exitCode;
    const restarted = probe !== 'Readiness' && (status?.restartCount ?? 0) > 0 && lastExit !== undefined && [0, 137, 143].includes(lastExit);
    const against = budget !== undefined ? ` The startup budget is ${budget} s${elapsed !== undefined && !restarted ? ` and the container has run ${elapsed} s` : ''}` : '';
    const model = context.modelBytes !== undefined ? `the model (${formatBytes(context.modelBytes)})` : 'the model';
    const what = restarted ? `${probe} probe kept failing, so the kubelet restarted container ${spec?.name ?? ''} (${status?.restartCount} restart${status?.restartCount === 1 ? '' : 's'})` : `${probe} probe failing`;
    seen.set(event.message, {
      pod: name,
      ...(spec?.name ? { container: spec.name } : {}),
      kind: 'probe',
      message: `${what}: ${event.message}.${against}${against ? `; ${model} may need longer to load.` : ''}`,
      fix: `If the app is still loading ${model}, raise startupProbe.failureThreshold in the overlay (budget = initialDelaySeconds + failureThreshold \u00d7 periodSeconds); if it never answers, check the probe's path and port against the app.`,
      fatal: restarted,
      count: event.count ?? 1,
    });
  }
  return [...seen.values()];
}

/** Every reason a new pod is not Ready; `events` are those about this pod, oldest first. */
export function podReasons(pod: PodRecord, events: EventRecord[], context: ModelContext): PodReason[] {
  const reasons: PodReason[] = [];
  const unschedulable = unschedulableReason(pod, context.now);
  if (unschedulable) reasons.push(unschedulable);
  const probes = probeReasons(pod, events, context);
  const restartedByProbe = new Set(probes.filter((r) => r.fatal).map((r) => r.container));
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const reason = containerReason(pod, status, events, context);
    // A restart the probe caused is the probe's reason, not a crash of the app.
    if (reason && !(reason.kind === 'crash' && restartedByProbe.has(reason.container))) reasons.push(reason);
  }
  reasons.push(...probes);
  return reasons;
}

/** Warning events not explained by a pod's own reasons, one per object, reason and message. */
export function warningEventReasons(events: EventRecord[]): PodReason[] {
  const seen = new Map<string, PodReason>();
  for (const event of events) {
    if (event.type !== 'Warning') continue;
    const kind = event.involvedObject?.kind ?? '';
    if (kind === 'Pod' && EXPLAINED_EVENTS.has(event.reason ?? '')) continue;
    const object = kind === 'Pod' ? (event.involvedObject?.name ?? '') : `${kind.toLowerCase()}/${event.involvedObject?.name ?? ''}`;
    const key = `${object}\n${event.reason}\n${event.message}`;
    const existing = seen.get(key);
    if (existing) {
      existing.count = (existing.count ?? 1) + (event.count ?? 1);
      continue;
    }
    seen.set(key, {
      pod: object,
      kind: 'warning-event',
      message: `${event.reason ?? 'Warning'}: ${event.message ?? ''}`.trim(),
      fix: 'Read the message; it names what the cluster refused or could not do.',
      fatal: false,
      count: event.count ?? 1,
    });
  }
  return [...seen.values()];
}

/**
 * Where a Deployment's rollout stands, from one RolloutSnapshot: Ready, failed with its reasons, or
 * still progressing (with the reasons seen so far).
 *
 * Ready means exactly what `kubectl rollout status` means (kubectl's DeploymentStatusViewer):
 * status.observedGeneration >= metadata.generation, then, in order, the Progressing condition's
 * reason is not ProgressDeadlineExceeded (that is a failure), updatedReplicas >= spec.replicas,
 * status.replicas <= updatedReplicas (old pods terminated), availableReplicas >= updatedReplicas.
 *
 * Fail fast: only pods of the new ReplicaSet count (the one carrying the Deployment's revision once
 * the generation is observed, else the newest whose template matches); old pods are going away
 * and say nothing about this rollout. Before the generation is observed nothing fails fast. A reason fails the rollout at once
 * when waiting longer cannot help:
 * - image-pull once the kubelet backs off (ImagePullBackOff, InvalidImageName, ErrImageNeverPull;
 *   a first ErrImagePull is still retried);
 * - crash after a restart or in CrashLoopBackOff;
 * - oom (OOMKilled, now or as the last state);
 * - probe when a startup or liveness probe made the kubelet restart the container (the startup
 *   budget is spent, and each restart starts loading the model again);
 * - unschedulable when the scheduler says `Insufficient <resource>` (a resource no node has free;
 *   other scheduling messages wait for the deadline);
 * - config (CreateContainerConfigError, CreateContainerError).
 * Probe failures and other Warning events are reported but keep the rollout progressing until the
 * progress deadline (or the caller's timeout). Events older than the new ReplicaSet are ignored.
 * The reasons come out fatal first, then by kind (oom, crash, image-pull, config, unschedulable,
 * probe, warning-event).
 */
import type { DeploymentRecord, EventRecord, PodRecord, PodTemplateRecord, ReplicaSetRecord, RolloutSnapshot } from './records';
import { podReasons, warningEventReasons, type ModelContext, type PodReason, type PodReasonKind } from './podReasons';

export type RolloutState = 'progressing' | 'ready' | 'failed';

export interface RolloutAssessment {
  state: RolloutState;
  /** One line: kubectl's wording for progress and success, the first reason for a failure. */
  summary: string;
  reasons: PodReason[];
  /** The new ReplicaSet, when known. */
  newReplicaSet?: string;
  /** The new ReplicaSet's pods (whose logs are worth streaming). */
  newPods: string[];
}

const HASH = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
const ORDER: readonly PodReasonKind[] = ['oom', 'crash', 'image-pull', 'config', 'unschedulable', 'probe', 'warning-event'];

/** A template as comparable text, without the pod-template-hash label the controller adds. */
function templateKey(template: PodTemplateRecord | undefined): string {
  const labels = { ...(template?.metadata?.labels ?? {}) };
  delete labels[HASH];
  const sorted = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sorted) : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])])) : value;
  return JSON.stringify(sorted({ labels, spec: template?.spec ?? {} }));
}

/**
 * The ReplicaSet of the Deployment's current template. Once the controller has observed the
 * generation, the Deployment's revision annotation names it; before that there is none yet (the
 * annotation still names the old one). Without annotations, the newest ReplicaSet whose template
 * matches (ignoring pod-template-hash); partial records may hide differences, hence last.
 */
export function findNewReplicaSet(deployment: DeploymentRecord, replicaSets: ReplicaSetRecord[]): ReplicaSetRecord | undefined {
  if ((deployment.status?.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) return undefined;
  const revision = deployment.metadata?.annotations?.[REVISION];
  if (revision) return replicaSets.find((rs) => rs.metadata?.annotations?.[REVISION] === revision);
  const wanted = templateKey(deployment.spec?.template);
  return replicaSets
    .filter((rs) => templateKey(rs.spec?.template) === wanted)
    .sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
}

function belongsTo(pod: PodRecord, rs: ReplicaSetRecord): boolean {
  const uid = rs.metadata?.uid;
  if (uid && pod.metadata?.ownerReferences?.some((o) => o.uid === uid)) return true;
  const hash = rs.metadata?.labels?.[HASH];
  return hash !== undefined && pod.metadata?.labels?.[HASH] === hash;
}

/** kubectl's verdict: ready, deadline exceeded, or the line it prints while waiting. */
function kubectlStatus(deployment: DeploymentRecord): { ready: boolean; deadline: boolean; line: string } {
  const name = deployment.metadata?.name ?? 'deployment';
  const status = deployment.status ?? {};
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) return { ready: false, deadline: false, line: 'Waiting for deployment spec update to be observed' };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { ready: false, deadline: true, line: `deployment "${name}" exceeded its progress deadline` };
  const desired = deployment.spec?.replicas;
  const updated = status.updatedReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish: `;
  if (desired !== undefined && updated < desired) return { ready: false, deadline: false, line: `${waiting}${updated} out of ${desired} new replicas have been updated` };
  if ((status.replicas ?? 0) > updated) return { ready: false, deadline: false, line: `${waiting}${(status.replicas ?? 0) - updated} old replicas are pending termination` };
  if ((status.availableReplicas ?? 0) < updated) return { ready: false, deadline: false, line: `${waiting}${status.availableReplicas ?? 0} of ${updated} updated replicas are available` };
  return { ready: true, deadline: false, line: `deployment "${name}" successfully rolled out` };
}

/** A reason as one line, prefixed with where it was seen (`pod/container`). */
function reasonLine(reason: PodReason): string {
  return `${reason.container ? `${reason.pod}/${reason.container}` : reason.pod}: ${reason.message}`;
}

function rank(reason: PodReason): number {
  return (reason.fatal ? 0 : ORDER.length) + ORDER.indexOf(reason.kind);
}

/** The rollout's state and its reasons, from one snapshot. */
export function assessRollout(snapshot: RolloutSnapshot, context: ModelContext = {}): RolloutAssessment {
  const deployment = snapshot.deployment;
  if (!deployment) return { state: 'progressing', summary: 'Waiting for the Deployment to be created', reasons: [], newPods: [] };
  const verdict = kubectlStatus(deployment);
  const rs = findNewReplicaSet(deployment, snapshot.replicaSets);
  const pods = rs ? snapshot.pods.filter((p) => belongsTo(p, rs)) : [];
  const since = rs?.metadata?.creationTimestamp ?? '';
  const recent = (e: EventRecord) => String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '') >= since;
  const reasons: PodReason[] = [];
  for (const pod of pods) {
    const uid = pod.metadata?.uid;
    const name = pod.metadata?.name;
    reasons.push(...podReasons(pod, snapshot.events.filter((e) => e.involvedObject?.kind === 'Pod' && (uid ? e.involvedObject.uid === uid : e.involvedObject.name === name)), context));
  }
  const concerned = new Set([deployment.metadata?.uid, rs?.metadata?.uid, ...pods.map((p) => p.metadata?.uid)].filter(Boolean));
  reasons.push(...warningEventReasons(snapshot.events.filter((e) => concerned.has(e.involvedObject?.uid) && recent(e))));
  reasons.sort((a, b) => rank(a) - rank(b));
  const base = { reasons, newPods: pods.map((p) => p.metadata?.name ?? ''), ...(rs?.metadata?.name ? { newReplicaSet: rs.metadata.name } : {}) };
  const first = reasons[0];
  if (verdict.deadline) {
    const seconds = deployment.spec?.progressDeadlineSeconds ?? 600;
    return { ...base, state: 'failed', summary: `${verdict.line} (${seconds} s)${first ? `; last reason: ${reasonLine(first)}` : ''}` };
  }
  if (verdict.ready) return { ...base, state: 'ready', summary: verdict.line };
  if (first?.fatal) return { ...base, state: 'failed', summary: `Rollout of deployment "${deployment.metadata?.name ?? ''}" failed: ${reasonLine(first)}` };
  return { ...base, state: 'progressing', summary: first ? `${verdict.line} (${first.message})` : verdict.line };
}

/** The paragraph the CLI prints for a failed rollout (or a timeout): the first reason with its fix, its detail lines quoted, then what else was seen. */
export function describeRolloutFailure(result: Pick<RolloutAssessment, 'summary' | 'reasons'>): string {
  const [first, ...rest] = result.reasons;
  if (!first) return result.summary;
  const line = reasonLine(first);
  const lines = [result.summary.includes(line) ? `${result.summary} ${first.fix}` : `${result.summary}\n${line} ${first.fix}`];
  for (const detail of first.detail ?? []) lines.push(`  | ${detail}`);
  const samePods = rest.filter((r) => r.kind === first.kind && r.pod !== first.pod).length;
  const others = [...new Set(rest.filter((r) => r.kind !== first.kind).map((r) => r.kind))];
  const also = [samePods > 0 ? `${samePods} more pod${samePods === 1 ? '' : 's'} with the same problem` : '', others.length > 0 ? `also seen: ${others.join(', ')}` : ''].filter(Boolean);
  if (also.length > 0) lines.push(`(${also.join('; ')})`);
  return lines.join('\n');
}

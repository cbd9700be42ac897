/**
 * Where a deployed model stands, read once as plain data: the Deployment's rollout assessment, its
 * revisions, one row per pod (as kubectl get pods prints them), its autoscaler and recent Warning
 * events. Also the label selector that finds everything a deploy applied, for undeploy.
 */
import { summarizeHpa, type HpaSummary } from '../core/deploy/hpa';
import { ENVIRONMENT_LABEL } from '../core/deploy/prepareObjects';
import type { PodRecord, RolloutSnapshot } from '../core/deploy/records';
import { assessRollout, type RolloutAssessment } from '../core/deploy/rollout';
import type { Environment } from '../core/scaffold/k8s/environments';
import type { KubeSession, RevisionInfo } from '../kube';
import { revisionsOf } from '../kube/rollout';

/** One pod as `kubectl get pods` shows it. */
export interface PodRow {
  name: string;
  phase: string;
  /** Ready containers over all containers: `1/1`. */
  ready: string;
  restarts: number;
  /** Why a container waits or ended (`CrashLoopBackOff`, `OOMKilled`), else the pod's reason. */
  reason?: string;
  node?: string;
  /** As kubectl prints ages: 45s, 12m, 3h, 2d. */
  age?: string;
}

/** A recent Warning event of the namespace's objects. */
export interface StatusWarning {
  reason?: string;
  message?: string;
  /** The involved object's name. */
  object?: string;
  count?: number;
}

/** The Deployment of a project as status shows it. */
export interface DeploymentStatus {
  /** Whether the Deployment exists; the rest is empty when it does not. */
  exists: boolean;
  snapshot: RolloutSnapshot;
  assessment: RolloutAssessment;
  /** Newest first. */
  revisions: RevisionInfo[];
  pods: PodRow[];
  /** The autoscaler named as the Deployment, when there is one. */
  hpa?: HpaSummary;
  /** The last ten Warning events. */
  warnings: StatusWarning[];
}

/** The Deployment's autoscaler (named as the Deployment, as containerize generates it), when there is one. */
async function readHpa(session: KubeSession, name: string): Promise<HpaSummary | undefined> {
  try {
    const [hpa] = await session.readLive([{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: session.target.namespace } }]);
    return hpa ? summarizeHpa(hpa) : undefined;
  } catch {
    // A cluster without autoscaling/v2 (before 1.23), or no right to read it: status goes on without.
    return undefined;
  }
}

/** Reads the Deployment `name`, its pods, revisions, autoscaler and warnings, now. */
export async function readDeploymentStatus(session: KubeSession, name: string): Promise<DeploymentStatus> {
  const [snapshot, hpa] = await Promise.all([session.readRolloutSnapshot(name), readHpa(session, name)]);
  const warnings = snapshot.events.filter((e) => e.type === 'Warning').slice(-10).map((e) => ({ reason: e.reason, message: e.message, object: e.involvedObject?.name, count: e.count }));
  return {
    exists: snapshot.deployment !== undefined,
    snapshot,
    assessment: assessRollout(snapshot, {}),
    revisions: revisionsOf(snapshot.replicaSets),
    pods: snapshot.pods.map((pod) => podRow(pod)),
    ...(hpa ? { hpa } : {}),
    warnings,
  };
}

/** As kubectl prints ages: 45s, 12m, 3h, 2d. */
export function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 120 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** One pod as `kubectl get pods` shows it; `now` (epoch ms) for the age. */
export function podRow(pod: PodRecord, now = Date.now()): PodRow {
  const statuses = pod.status?.containerStatuses ?? [];
  const waiting = statuses.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find(Boolean);
  const started = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
  return {
    name: pod.metadata?.name ?? '?',
    phase: pod.status?.phase ?? '?',
    ready: `${statuses.filter((c) => c.ready).length}/${statuses.length || pod.spec?.containers?.length || 0}`,
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ...(waiting ?? pod.status?.reason ? { reason: waiting ?? pod.status?.reason } : {}),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
    ...(started ? { age: age(now - started) } : {}),
  };
}

/** The label selector of everything deploy applied for the project `name` in `environment`. */
export function undeploySelector(name: string, environment: Environment): string {
  return `app.kubernetes.io/managed-by=modelship,app.kubernetes.io/instance=${name},${ENVIRONMENT_LABEL}=${environment}`;
}

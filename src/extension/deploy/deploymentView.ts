/**
 * A Deployment's rollout snapshot as the Deployments view shows it: ready/desired, revision, the
 * image and the digest it pins, the rollout's state in one line, whether an older revision exists,
 * and each pod as kubectl lists it. Pure (no editor, no client), so unit tests run it on recorded
 * snapshots.
 */
import type { RolloutSnapshot } from '../../core/deploy/records';
import { assessRollout } from '../../core/deploy/rollout';
import { podRow } from '../../flows/clusterStatus';
import { revisionsOf } from '../../kube/rollout';
import type { DeploymentView } from './deployModel';

const REVISION = 'deployment.kubernetes.io/revision';

/** The Deployment as the tree shows it; undefined when the snapshot has none. */
export function deploymentView(snapshot: RolloutSnapshot, now = Date.now()): DeploymentView | undefined {
  const d = snapshot.deployment;
  if (!d) return undefined;
  const assessment = assessRollout(snapshot, { now });
  const revisions = revisionsOf(snapshot.replicaSets);
  const revision = Number(d.metadata?.annotations?.[REVISION]);
  const image = d.spec?.template?.spec?.containers?.[0]?.image;
  const digest = image?.match(/@(sha256:[0-9a-f]{64})$/)?.[1];
  return {
    name: d.metadata?.name ?? '?',
    ready: d.status?.readyReplicas ?? 0,
    desired: d.spec?.replicas ?? 0,
    updated: d.status?.updatedReplicas ?? 0,
    ...(Number.isInteger(revision) ? { revision } : {}),
    ...(image ? { image } : {}),
    ...(digest ? { digest } : {}),
    state: assessment.state,
    summary: assessment.summary,
    rollbackable: revisions.length > 1,
    pods: snapshot.pods.map((pod) => podRow(pod, now)).map(({ node: _node, ...row }) => row),
  };
}

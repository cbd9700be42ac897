/**
 * The panels' feeds over the cluster: the status panel's model (rebuilt from each rollout watch
 * snapshot, with a crashed container's last words read once per restart) and the logs panel's
 * stream (every pod and container of the Deployment, new pods joining). Failures go to the panel
 * as text; nothing here throws into the webview. Part of the deploy bundle.
 */
import * as path from 'node:path';
import type { RolloutSnapshot } from '../../core/deploy/records';
import { buildStatusModel } from '../../core/deploy/statusModel';
import { assessRollout } from '../../core/deploy/rollout';
import { ModelshipError } from '../../core/errors';
import { streamDeploymentLogs } from '../../kube/deploymentLogs';
import { revisionsOf } from '../../kube/rollout';
import { errorMessage } from '../log';
import type { LogFeed, PanelTarget, StatusFeed } from '../webview/api';
import type { DeploySession } from './deploySession';

const REVISION = 'deployment.kubernetes.io/revision';
/** How often a panel's ages are brought up to date when nothing else changed. */
export const AGE_REFRESH_MS = 30_000;

async function clusterOf(session: DeploySession, target: PanelTarget) {
  const resolved = await session.target({ projectDir: target.projectDir, environment: target.environment }, 'Show Deployment', { setUp: false });
  if (resolved.project.dir !== path.resolve(target.projectDir)) throw new ModelshipError('NOT_FOUND', `${target.projectDir} is no longer a Modelship project.`);
  return resolved.cluster;
}

export async function deploymentStatusFeed(session: DeploySession, target: PanelTarget): Promise<StatusFeed> {
  return {
    watch: async (onModel, onError, signal) => {
      try {
        const cluster = await clusterOf(session, target);
        const kube = await session.connect(cluster);
        let last: RolloutSnapshot | undefined;
        const publish = (): void => {
          if (!last) return;
          const snapshot = last;
          const now = Date.now();
          const current = Number(snapshot.deployment?.metadata?.annotations?.[REVISION]);
          onModel(buildStatusModel({
            snapshot,
            assessment: assessRollout(snapshot, { now }),
            revisions: revisionsOf(snapshot.replicaSets).map((r) => ({ revision: r.revision, image: r.image, ...(r.createdAt ? { createdAt: r.createdAt } : {}), current: r.revision === current })),
            now,
            environment: target.environment,
            context: kube.target.context,
            namespace: kube.target.namespace,
            deployment: target.deployment,
          }));
        };
        // Ages (and a startup budget running out) move on between watch events.
        const ticker = setInterval(publish, AGE_REFRESH_MS);
        try {
          await kube.watchRollout(target.deployment, (snapshot) => {
            last = snapshot;
            publish();
          }, signal);
        } finally {
          clearInterval(ticker);
        }
      } catch (error) {
        if (!signal.aborted) onError(`${errorMessage(error)}${(error as { hint?: string }).hint ? ` ${(error as { hint?: string }).hint}` : ''}`);
      }
    },
  };
}

export async function deploymentLogFeed(session: DeploySession, target: PanelTarget): Promise<LogFeed> {
  return {
    stream: async (query, onLines, onNotice, signal) => {
      try {
        const cluster = await clusterOf(session, target);
        const kube = await session.connect(cluster);
        const kubeconfig = session.kubeconfig();
        await streamDeploymentLogs(
          { context: kube.target.context, namespace: kube.target.namespace, ...(kubeconfig ? { kubeconfig } : {}) },
          {
            deployment: target.deployment,
            // A crashed container's previous instance has ended: read it to its end.
            follow: !query.previous,
            previous: query.previous,
            tailLines: query.tailLines ?? 500,
            ...(query.sinceSeconds ? { sinceSeconds: query.sinceSeconds } : {}),
            signal,
            onLines,
            onNotice,
          },
        );
      } catch (error) {
        if (!signal.aborted) onNotice(`Logs stopped: ${errorMessage(error)}`);
      }
    },
  };
}

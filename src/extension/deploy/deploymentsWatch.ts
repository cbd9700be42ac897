/**
 * What the Deployments view shows, read from the clusters: for each project, each environment
 * with a context (and the selected one), its Deployment and pods. `watchDeployments` keeps it live
 * (one rollout watch per environment, each change republished) until the signal aborts;
 * `readDeploymentsOnce` reads it once. A cluster that fails is marked on its row; when every one
 * fails to answer the view says the cluster is unreachable. Part of the deploy bundle.
 */
import type { RolloutSnapshot } from '../../core/deploy/records';
import { isModelshipError } from '../../core/errors';
import type { Environment } from '../../core/scaffold/k8s/environments';
import { resolveClusterTarget, type ClusterTarget } from '../../flows/clusterTarget';
import { loadKubeconfig } from '../../kube';
import { errorMessage } from '../log';
import type { DeploymentsSnapshot, EnvironmentView, KubeState } from './deployModel';
import { AGE_REFRESH_MS } from './deploymentFeeds';
import { deploymentView } from './deploymentView';
import type { DeploySession } from './deploySession';
import { DEPLOY_ENVIRONMENTS, readProjectTargets, selectedEnvironment } from './deployTargets';

/** Errors that mean the cluster did not answer at all (rather than refused a request). */
const UNREACHABLE = new Set(['KUBE_UNREACHABLE', 'KUBE_TLS']);

interface Row {
  view: EnvironmentView;
  cluster?: ClusterTarget;
}

/** The rows to show (configured environments and the selected one), or the state that replaces them. */
async function plannedRows(session: DeploySession): Promise<{ kube?: KubeState; message?: string; rows: Row[] }> {
  const projects = await readProjectTargets(session.ctx.config);
  if (projects.length === 0) return { kube: 'noProject', rows: [] };
  try {
    loadKubeconfig({ ...(session.kubeconfig() ? { kubeconfig: session.kubeconfig() } : {}) });
  } catch (error) {
    const code = isModelshipError(error) ? error.code : '';
    if (code === 'KUBECONFIG_MISSING') return { kube: 'noKubeconfig', message: errorMessage(error), rows: [] };
  }
  const selected = selectedEnvironment(session.ctx.memento);
  const rows: Row[] = [];
  for (const { project, targets } of projects) {
    for (const env of DEPLOY_ENVIRONMENTS as Environment[]) {
      const t = targets[env];
      if (!t || (!t.configured && env !== selected)) continue;
      const view: EnvironmentView = { projectDir: project.dir, project: project.target.name, environment: env, ...(t.context ? { context: t.context } : {}), namespace: t.namespace, selected: env === selected };
      let cluster: ClusterTarget | undefined;
      if (t.configured) {
        try {
          cluster = resolveClusterTarget(project.dir, { env, ...(t.context ? { context: t.context } : {}), namespace: t.namespace, surface: 'editor', yes: true });
        } catch (error) {
          view.error = errorMessage(error);
        }
      }
      rows.push({ view, ...(cluster ? { cluster } : {}) });
    }
  }
  return { rows };
}

function summarize(rows: Row[], codes: Map<Row, string>): DeploymentsSnapshot {
  const tried = rows.filter((r) => r.cluster);
  const unreachable = tried.length > 0 && tried.every((r) => UNREACHABLE.has(codes.get(r) ?? ''));
  const first = tried.find((r) => r.view.error)?.view.error;
  return {
    kube: unreachable ? 'unreachable' : 'reachable',
    ...(unreachable && first ? { message: first } : {}),
    // Copies: the watches go on mutating their rows, and the store compares with what it published.
    environments: rows.map((r) => structuredClone(r.view)),
  };
}

export async function readDeploymentsOnce(session: DeploySession): Promise<DeploymentsSnapshot> {
  const planned = await plannedRows(session);
  if (planned.kube) return { kube: planned.kube, ...(planned.message ? { message: planned.message } : {}), environments: [] };
  const codes = new Map<Row, string>();
  await Promise.all(planned.rows.map(async (row) => {
    if (!row.cluster) return;
    try {
      const kube = await session.connect(row.cluster);
      const deployment = deploymentView(await kube.readRolloutSnapshot(row.cluster.ws.target.name));
      if (deployment) row.view.deployment = deployment;
    } catch (error) {
      row.view.error = errorMessage(error);
      codes.set(row, isModelshipError(error) ? error.code : '');
    }
  }));
  return summarize(planned.rows, codes);
}

/** Publishes the first full read, then every change any environment's watch reports, until `signal` aborts. */
export async function watchDeployments(session: DeploySession, onSnapshot: (snapshot: DeploymentsSnapshot) => void, signal: AbortSignal): Promise<void> {
  const planned = await plannedRows(session);
  if (planned.kube) {
    onSnapshot({ kube: planned.kube, ...(planned.message ? { message: planned.message } : {}), environments: [] });
    return;
  }
  onSnapshot(await readDeploymentsOnce(session));
  const codes = new Map<Row, string>();
  const publish = (): void => {
    if (!signal.aborted) onSnapshot(summarize(planned.rows, codes));
  };
  // Pods' ages move on between watch events: the rows are rebuilt from the last snapshots now and then.
  const lastSnapshots = new Map<Row, RolloutSnapshot>();
  const ticker = setInterval(() => {
    for (const [row, snapshot] of lastSnapshots) {
      const deployment = deploymentView(snapshot);
      if (deployment) row.view.deployment = deployment;
    }
    publish();
  }, AGE_REFRESH_MS);
  signal.addEventListener('abort', () => clearInterval(ticker), { once: true });
  await Promise.all(planned.rows.map(async (row) => {
    if (!row.cluster) return;
    try {
      const kube = await session.connect(row.cluster);
      await kube.watchRollout(row.cluster.ws.target.name, (snapshot) => {
        lastSnapshots.set(row, snapshot);
        const deployment = deploymentView(snapshot);
        if (deployment) row.view.deployment = deployment;
        else delete row.view.deployment;
        delete row.view.error;
        codes.delete(row);
        publish();
      }, signal);
    } catch (error) {
      if (signal.aborted) return;
      row.view.error = errorMessage(error);
      codes.set(row, isModelshipError(error) ? error.code : '');
      publish();
    }
  }));
}

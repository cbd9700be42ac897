/**
 * The deploy flow both front ends run: connect, build the image if it is missing and push it to the
 * environment's registry (or load it into a local cluster), render the overlay or chart, show what
 * would change (server-side dry run), server-side apply and follow each Deployment's rollout to
 * Ready or to its reason. Progress goes to a reporter; nothing prints. The signal cancels: before
 * the real apply with CANCELLED (the cluster is unchanged), after it with followRollout's
 * INTERRUPTED (the rollout goes on). Prod is the caller's to guard, before calling.
 * Carries the engine client through deployImage.ts: the other cluster flows must not import this.
 */
import * as path from 'node:path';
import { diffObject, type ObjectDiff } from '../core/deploy/diff';
import { prepareObjects } from '../core/deploy/prepareObjects';
import type { KubeObject } from '../core/deploy/records';
import { ModelshipError } from '../core/errors';
import type { Environment } from '../core/scaffold/k8s/environments';
import type { KubeSession } from '../kube';
import { renderHelm, renderKustomize } from '../kube/render';
import { connectTarget, describeTarget, type ClusterTarget } from './clusterTarget';
import { pinnedImage } from './deployImage';
import { followRollout, type FollowResult, type RolloutReporter } from './followRollout';
import { withManifestLines } from './manifestLocations';

export { ManifestError, manifestLocationsOf, type ManifestLocation } from './manifestLocations';

export type DeployStep = 'connect' | 'image' | 'build' | 'push' | 'render' | 'diff' | 'apply' | 'rollout';

export interface DeployReporter extends RolloutReporter {
  /**
   * A step starts, or says a notable line ("Building iris:0.1.0-ab12cd34 (not built yet)…",
   * "Pushed localhost:5000/iris@sha256:…"). `diff` says one line per object ("+ Deployment/iris",
   * "~ Service/iris", "= ConfigMap/iris"); `apply` says "Created namespace N" before the first write
   * when the namespace is new; `rollout` names each Deployment before following it.
   */
  step(step: DeployStep, text: string): void;
  /** Engine build output lines (build steps, RUN output, builder warnings). */
  detail?(text: string): void;
  /** A Deployment's rollout ended (Ready, failed or timed out), before the next one is followed. */
  rolloutDone?(deployed: DeployedDeployment): void;
}

export interface DeployOptions {
  /** Stop after the server-side dry run: nothing is created, not even the namespace. */
  dryRun: boolean;
  /** Take over fields other managers own. */
  forceConflicts: boolean;
  /** Push even when the engine says this image is in the registry already. */
  push?: boolean;
  kubeconfig?: string;
  signal?: AbortSignal;
  /** Stream the new pods' log lines to `reporter.podLine` while following. */
  streamLogs: boolean;
  reporter: DeployReporter;
}

/** How one Deployment's rollout ended. */
export interface DeployedDeployment {
  deployment: string;
  state: 'ready' | 'failed' | 'progressing' | 'timeout';
  summary: string;
  result: FollowResult;
}

/** What a deploy did (or, with dryRun, would do). */
export interface DeployResult {
  environment: Environment;
  context: string;
  namespace: string;
  server: string;
  /** The image reference the cluster runs (a digest when pushed). */
  image: string;
  /** Each object against what is live: create, update or unchanged, with the patch. */
  changes: ObjectDiff[];
  /** Empty with dryRun. */
  deployments: DeployedDeployment[];
  /** A rollout did not reach Ready within the timeout. */
  failed: boolean;
  dryRun: boolean;
}

async function renderObjects(target: ClusterTarget, namespace: string, reporter: DeployReporter): Promise<KubeObject[]> {
  const { ws, entry, environment } = target;
  const rendered = entry.chart
    ? await renderHelm(path.resolve(ws.dir, entry.chart), ws.target.name, namespace, environment)
    : await renderKustomize(path.resolve(ws.dir, entry.overlay ?? `deploy/k8s/overlays/${environment}`));
  reporter.step('render', `Rendered ${rendered.objects.length} objects with ${rendered.renderedBy}`);
  return rendered.objects;
}

/** The adapter calls a test replaces (a fake session, an image that needs no engine); the real ones by default. */
export interface DeployAdapters {
  connect: typeof connectTarget;
  pinImage: typeof pinnedImage;
}

const ADAPTERS: DeployAdapters = { connect: connectTarget, pinImage: pinnedImage };

const cancelled = () => new ModelshipError('CANCELLED', 'Deploy cancelled before anything was applied; the cluster is unchanged.');

const marker = (change: ObjectDiff['change']) => (change === 'create' ? '+' : change === 'update' ? '~' : '=');

/** Everything before the real apply: the image and the manifests, then the dry run against what is live. */
async function plan(target: ClusterTarget, session: KubeSession, options: DeployOptions, adapters: DeployAdapters) {
  const { reporter, signal } = options;
  const checkpoint = () => {
    if (signal?.aborted) throw cancelled();
  };
  const namespace = session.target.namespace;
  // The image (engine and registry) and the manifests (kustomize) are independent; nothing is created before both are there.
  const [{ image, pullPolicy }, rendered] = await Promise.all([
    adapters.pinImage(target, session.target, {
      ...(options.push ? { push: true } : {}),
      ...(signal ? { signal } : {}),
      say: (step, text) => reporter.step(step, text),
      ...(reporter.detail ? { detail: (text: string) => reporter.detail?.(text) } : {}),
    }),
    renderObjects(target, namespace, reporter),
  ]).catch((error: unknown) => {
    checkpoint();
    throw error;
  });
  checkpoint();
  if (!options.dryRun && (await session.ensureNamespace(namespace)) === 'created') reporter.step('apply', `Created namespace ${namespace}`);
  const prepared = prepareObjects(rendered, {
    namespace,
    environment: target.environment,
    image,
    sourceImage: target.ws.target.imageRef,
    ...(target.entry.pullSecret ? { pullSecret: target.entry.pullSecret } : {}),
    ...(pullPolicy ? { pullPolicy } : {}),
  });
  const [planned, live] = await Promise.all([
    session.applyObjects(prepared.objects, { dryRun: true, force: options.forceConflicts }).catch((error: unknown) => {
      // A namespace that does not exist yet makes the dry run fail; the plan is then the objects as rendered.
      if (options.dryRun && (error as { code?: string }).code === 'KUBE_NOT_FOUND') return prepared.objects;
      throw withManifestLines(error, target);
    }),
    session.readLive(prepared.objects),
  ]);
  const changes = planned.map((object, i) => diffObject(live[i], object));
  for (const d of changes) reporter.step('diff', `${marker(d.change)} ${d.id}`);
  checkpoint();
  return { image, prepared, changes };
}

/** Connects, builds or finds the image, renders, diffs, applies and follows each Deployment; see the module header. */
export async function runDeployFlow(target: ClusterTarget, options: DeployOptions, adapters: DeployAdapters = ADAPTERS): Promise<DeployResult> {
  const { reporter, signal } = options;
  if (signal?.aborted) throw cancelled();
  const session = await adapters.connect(target, options.kubeconfig);
  reporter.step('connect', describeTarget(target, session));
  if (signal?.aborted) throw cancelled();
  const { image, prepared, changes } = await plan(target, session, options, adapters);
  const { context, namespace, server } = session.target;
  const result: DeployResult = { environment: target.environment, context, namespace, server, image, changes, deployments: [], failed: false, dryRun: options.dryRun };
  if (options.dryRun) return result;
  await session.applyObjects(prepared.objects, { dryRun: false, force: options.forceConflicts });
  reporter.step('apply', `Applied ${prepared.objects.length} objects (server-side, field manager modelship); following the rollout…`);
  for (const deployment of prepared.deployments) {
    reporter.step('rollout', `Following the rollout of deployment/${deployment}…`);
    const followed = await followRollout(session, deployment, target.ws, {
      timeoutSeconds: target.timeoutSeconds,
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(signal ? { signal } : {}),
      streamLogs: options.streamLogs,
      reporter,
    });
    const deployed: DeployedDeployment = { deployment, state: followed.timedOut ? 'timeout' : followed.assessment.state, summary: followed.assessment.summary, result: followed };
    if (deployed.state !== 'ready') result.failed = true;
    reporter.rolloutDone?.(deployed);
    result.deployments.push(deployed);
  }
  return result;
}

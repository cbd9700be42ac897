/**
 * `modelship deploy`: build the image if it is missing, push it to the environment's registry (or,
 * with none, load it into a kind, minikube or k3d cluster with its CLI), render the overlay, show
 * what would change (server dry run), server-side apply and follow the rollout to Ready or to its
 * reason. Bundled as dist/cli-deploy.js with the Kubernetes client and dockerode (for build and
 * push); the other cluster commands are in cluster.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffObject } from '../../core/deploy/diff';
import { prepareObjects } from '../../core/deploy/prepareObjects';
import { locateField, type ManifestFile } from '../../core/deploy/locateField';
import type { KubeObject } from '../../core/deploy/records';
import { ModelshipError } from '../../core/errors';
import { buildImage } from '../../docker/build';
import { connectEngine } from '../../docker/engine';
import { inspectImage } from '../../docker/images';
import { pushImage, retarget, tagImage } from '../../docker/push';
import { KubeError } from '../../kube/errors';
import { findOnPath, type KubeTarget } from '../../kube/kubeconfig';
import { describeLocalCluster, findLocalCluster, loadImage, loaderCommand, loaderMissingError, type LocalCluster } from '../../kube/localCluster';
import { renderHelm, renderKustomize } from '../../kube/render';
import { ENVIRONMENTS_FILE } from '../../core/deploy/environments';
import { connect, err, followRollout, guardProd, out, printFailure, resolveClusterTarget, type ClusterFlags, type ClusterTarget } from './cluster';

export { connect, resolveClusterTarget };

export interface DeployFlags extends ClusterFlags {
  dryRun: boolean;
  forceConflicts: boolean;
  /** Push even when the engine says this image is in the registry already. */
  push?: boolean;
}

/** The image the cluster runs, and the pull policy it needs when it was loaded into the nodes rather than pushed. */
interface PinnedImage {
  image: string;
  pullPolicy?: 'IfNotPresent';
}

/** `--registry local` (or `registry: local`): the image goes into a local cluster (kind, minikube, k3d, a desktop engine) instead of a registry. */
const LOCAL_REGISTRY = 'local';

/**
 * With no registry (or `local`) on a kind, minikube or k3d cluster: the image goes into its nodes
 * with their CLI, checked before anything is built. Undefined when the target is no local cluster
 * and no registry was asked for, so the caller says a registry is needed, as before.
 */
async function localCluster(target: ClusterTarget, kube: KubeTarget): Promise<LocalCluster | undefined> {
  const { entry, ws } = target;
  if (entry.registry && entry.registry !== LOCAL_REGISTRY) return undefined;
  const cluster = await findLocalCluster(kube);
  if (!cluster && entry.registry === LOCAL_REGISTRY) {
    throw new ModelshipError('NO_LOCAL_CLUSTER', `Registry "local" loads the image into a kind, minikube, k3d, Docker Desktop or Rancher Desktop cluster, and context ${kube.context} (cluster ${kube.cluster}, server ${kube.server}) is none of them.`, `Pass --registry HOST[/NAMESPACE] that the cluster can pull from, or choose a local cluster's context with --context.`);
  }
  if (cluster?.loader && !findOnPath(cluster.loader, process.env)) throw loaderMissingError(cluster, ws.target.imageRef);
  return cluster;
}

/**
 * The image the cluster runs: built when missing, then pushed to the environment's registry and
 * named by digest; or, on a local cluster with no registry, loaded into its nodes and named by the
 * Dockerfile's `<version>-<sha8>` tag with pull policy IfNotPresent.
 */
async function pinnedImage(target: ClusterTarget, flags: DeployFlags, kube: KubeTarget): Promise<PinnedImage> {
  const { ws, entry } = target;
  const local = await localCluster(target, kube);
  if (!entry.registry && !local) {
    throw new ModelshipError('NO_REGISTRY', `The ${target.environment} environment names no registry to push ${ws.target.imageRef} to, and the cluster cannot pull from your engine.`, `Pass --registry HOST[/NAMESPACE] (e.g. localhost:5000 for a local cluster's registry), or set registry: for ${target.environment} in ${ENVIRONMENTS_FILE}. kind, minikube, k3d and Docker Desktop contexts need none.`);
  }
  const engine = await connectEngine();
  if (!(await inspectImage(engine, ws.target.imageRef))) {
    err(`Building ${ws.target.imageRef} (not built yet)…`);
    const built = await buildImage(engine, { projectDir: ws.dir, target: ws.target, tags: [], buildArgs: {}, noCache: false, builder: 'auto' });
    err(`Built ${built.tags[0]} in ${(built.ms / 1000).toFixed(1)} s`);
  }
  if (local) {
    const command = loaderCommand(local, ws.target.imageRef);
    if (command) {
      err(`Loading ${ws.target.imageRef} into the ${describeLocalCluster(local)}: ${command.display}`);
      const loaded = await loadImage(local, ws.target.imageRef);
      if (loaded) err(`Loaded in ${(loaded.ms / 1000).toFixed(1)} s`);
    } else {
      err(`${describeLocalCluster(local)} runs on the engine that built ${ws.target.imageRef}; nothing to push or load`);
    }
    return { image: ws.target.imageRef, pullPolicy: 'IfNotPresent' };
  }
  const destination = retarget(ws.target.imageRef, entry.registry!);
  await tagImage(engine, ws.target.imageRef, destination);
  // The engine records the digest of each repository it pushed this very image to: no second push.
  const repository = destination.slice(0, destination.lastIndexOf(':'));
  const known = (await inspectImage(engine, destination))?.repoDigests.find((d) => d.startsWith(`${repository}@sha256:`));
  if (known && !flags.push) {
    err(`${destination} was pushed already (${known.slice(repository.length + 1, repository.length + 20)}…); not pushing again (--push forces it)`);
    return { image: known };
  }
  err(`Pushing ${destination}…`);
  const pushed = await pushImage(engine, destination);
  if (!flags.json) err(`Pushed ${pushed.pinned}`);
  return { image: pushed.pinned };
}

async function renderObjects(target: ClusterTarget, namespace: string): Promise<KubeObject[]> {
  const { ws, entry, environment } = target;
  const rendered = entry.chart
    ? await renderHelm(path.resolve(ws.dir, entry.chart), ws.target.name, namespace, environment)
    : await renderKustomize(path.resolve(ws.dir, entry.overlay ?? `deploy/k8s/overlays/${environment}`));
  err(`Rendered ${rendered.objects.length} objects with ${rendered.renderedBy}`);
  return rendered.objects;
}

/** The manifests a person edits for this environment: the base first, then the overlay (which wins). */
function manifestFiles(target: ClusterTarget): ManifestFile[] {
  const { ws, entry, environment } = target;
  const dirs = entry.chart ? [path.join(entry.chart, 'templates')] : ['deploy/k8s/base', entry.overlay ?? `deploy/k8s/overlays/${environment}`];
  return dirs.flatMap((dir) => {
    try {
      return fs.readdirSync(path.join(ws.dir, dir)).filter((f) => /\.ya?ml$/.test(f)).sort()
        .map((f) => ({ path: path.posix.join(dir.split(path.sep).join('/'), f), text: fs.readFileSync(path.join(ws.dir, dir, f), 'utf8') }));
    } catch {
      return [];
    }
  });
}

/** A 422 names fields of the rendered object; say where each is set in the project's manifests. */
function withManifestLines(error: unknown, target: ClusterTarget): unknown {
  if (!(error instanceof KubeError) || error.code !== 'KUBE_INVALID' || error.causes.length === 0) return error;
  const files = manifestFiles(target);
  const located = error.causes.map((cause) => {
    const at = cause.field ? locateField(files, error.object?.kind, error.object?.name, cause.field) : undefined;
    const where = at ? `${at.file}:${at.line}${at.matched === cause.field ? '' : ` (${at.matched})`}: ` : '';
    return `${where}${cause.field ?? '(object)'}: ${cause.message ?? cause.reason ?? 'invalid'}`;
  });
  return new KubeError(error.code, error.message, error.hint, error.statusCode, false, error.causes, located);
}

export async function runDeploy(dir: string, flags: DeployFlags): Promise<number> {
  const target = resolveClusterTarget(dir, flags);
  guardProd(target, flags, 'deploy to');
  const session = await connect(target, flags);
  const namespace = session.target.namespace;
  // The image (engine and registry) and the manifests (kustomize) are independent; nothing is created before both are there.
  const [{ image, pullPolicy }, rendered] = await Promise.all([pinnedImage(target, flags, session.target), renderObjects(target, namespace)]);
  if (!flags.dryRun && (await session.ensureNamespace(namespace)) === 'created') err(`Created namespace ${namespace}`);
  const prepared = prepareObjects(rendered, {
    namespace,
    environment: target.environment,
    image,
    sourceImage: target.ws.target.imageRef,
    ...(target.entry.pullSecret ? { pullSecret: target.entry.pullSecret } : {}),
    ...(pullPolicy ? { pullPolicy } : {}),
  });
  const [planned, live] = await Promise.all([
    session.applyObjects(prepared.objects, { dryRun: true, force: flags.forceConflicts }).catch((error: unknown) => {
      // A namespace that does not exist yet makes the dry run fail; the plan is then the objects as rendered.
      if (flags.dryRun && (error as { code?: string }).code === 'KUBE_NOT_FOUND') return prepared.objects;
      throw withManifestLines(error, target);
    }),
    session.readLive(prepared.objects),
  ]);
  const diffs = planned.map((object, i) => diffObject(live[i], object));
  if (flags.dryRun) {
    if (flags.json) out(JSON.stringify({ environment: target.environment, context: session.target.context, namespace, image, changes: diffs }, null, 2));
    else out(diffs.map((d) => (d.change === 'unchanged' ? `= ${d.id} (unchanged)` : d.patch)).join('\n') || 'Nothing would change.');
    return 0;
  }
  for (const d of diffs) err(`  ${d.change === 'create' ? '+' : d.change === 'update' ? '~' : '='} ${d.id}`);
  await session.applyObjects(prepared.objects, { dryRun: false, force: flags.forceConflicts });
  err(`Applied ${prepared.objects.length} objects (server-side, field manager modelship); following the rollout…`);
  const results: { deployment: string; state: string; summary: string }[] = [];
  let failed = false;
  for (const deployment of prepared.deployments) {
    const result = await followRollout(session, deployment, target.ws, target.timeoutSeconds, flags.json, flags.kubeconfig);
    const ok = result.assessment.state === 'ready' && !result.timedOut;
    if (!ok) {
      failed = true;
      printFailure(result, target.timeoutSeconds);
    }
    results.push({ deployment, state: result.timedOut ? 'timeout' : result.assessment.state, summary: result.assessment.summary });
  }
  if (flags.json) out(JSON.stringify({ environment: target.environment, context: session.target.context, namespace, image, deployments: results, failed }, null, 2));
  else if (!failed) out(`${target.ws.target.name} is Ready in ${target.environment} (context ${session.target.context}, namespace ${namespace}), running ${image}`);
  return failed ? 1 : 0;
}


/**
 * The image a deploy runs: built when missing, then pushed to the environment's registry and named
 * by digest; or, on a kind, minikube or k3d cluster with no registry (or `local`), loaded into its
 * nodes with their CLI and named by the Dockerfile's `<version>-<sha8>` tag, pulled IfNotPresent.
 * Carries the engine client (dockerode): only deployFlow.ts imports it, so the other cluster flows
 * stay free of it.
 */
import { ENVIRONMENTS_FILE } from '../core/deploy/environments';
import { ModelshipError } from '../core/errors';
import { buildImage } from '../docker/build';
import type { BuildEvent } from '../docker/buildProgress';
import { connectEngine } from '../docker/engine';
import { inspectImage } from '../docker/images';
import { pushImage, retarget, tagImage } from '../docker/push';
import { findOnPath, type KubeTarget } from '../kube/kubeconfig';
import { describeLocalCluster, findLocalCluster, loadImage, loaderCommand, loaderMissingError, type LocalCluster } from '../kube/localCluster';
import type { ClusterTarget } from './clusterTarget';

/** The image the cluster runs, and the pull policy it needs when it was loaded into the nodes rather than pushed. */
export interface PinnedImage {
  image: string;
  pullPolicy?: 'IfNotPresent';
}

/** What the image step says, and how it stops. */
export interface ImageOptions {
  /** Push even when the engine says this image is in the registry already. */
  push?: boolean;
  signal?: AbortSignal;
  /** A notable line of the step: `build`, `push`, or `image` for the rest (loading, nothing to push). */
  say(step: 'image' | 'build' | 'push', text: string): void;
  /** The engine's build output, line by line. */
  detail?(text: string): void;
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

/** A build event as one line of output, or undefined for events with nothing to read. */
function buildLine(event: BuildEvent): string | undefined {
  if (event.kind === 'step') return event.name;
  if (event.kind === 'output' || event.kind === 'warning') return event.text.replace(/\n$/, '');
  return undefined;
}

/**
 * The image the cluster runs: built when missing, then pushed to the environment's registry and
 * named by digest; or, on a local cluster with no registry, loaded into its nodes and named by the
 * Dockerfile's `<version>-<sha8>` tag with pull policy IfNotPresent.
 */
export async function pinnedImage(target: ClusterTarget, kube: KubeTarget, options: ImageOptions): Promise<PinnedImage> {
  const { ws, entry } = target;
  const { say, signal } = options;
  const local = await localCluster(target, kube);
  if (!entry.registry && !local) {
    throw new ModelshipError('NO_REGISTRY', `The ${target.environment} environment names no registry to push ${ws.target.imageRef} to, and the cluster cannot pull from your engine.`, `Pass --registry HOST[/NAMESPACE] (e.g. localhost:5000 for a local cluster's registry), or set registry: for ${target.environment} in ${ENVIRONMENTS_FILE}. kind, minikube, k3d and Docker Desktop contexts need none.`);
  }
  const engine = await connectEngine();
  // Always built: the tag names the model, not the Dockerfile or the serving code, so an image left
  // from before an edit (or a Modelship upgrade) would otherwise ship stale code under new settings.
  // Unchanged sources are a cache hit with the same image id, and nothing new is pushed.
  const before = (await inspectImage(engine, ws.target.imageRef))?.id;
  say('build', before ? `Building ${ws.target.imageRef} (cached layers are reused)…` : `Building ${ws.target.imageRef} (not built yet)…`);
  const detail = options.detail;
  const built = await buildImage(engine, {
    projectDir: ws.dir, target: ws.target, tags: [], buildArgs: {}, noCache: false, builder: 'auto',
    ...(signal ? { signal } : {}),
    ...(detail ? { onEvent: (event: BuildEvent) => { const line = buildLine(event); if (line !== undefined) detail(line); } } : {}),
  });
  const seconds = (built.ms / 1000).toFixed(1);
  say('build', built.imageId === before ? `${built.tags[0]} is up to date (${seconds} s, from cache)` : `Built ${built.tags[0]} in ${seconds} s`);
  if (local) {
    const command = loaderCommand(local, ws.target.imageRef);
    if (command) {
      say('image', `Loading ${ws.target.imageRef} into the ${describeLocalCluster(local)}: ${command.display}`);
      const loaded = await loadImage(local, ws.target.imageRef);
      if (loaded) say('image', `Loaded in ${(loaded.ms / 1000).toFixed(1)} s`);
    } else {
      say('image', `${describeLocalCluster(local)} runs on the engine that built ${ws.target.imageRef}; nothing to push or load`);
    }
    return { image: ws.target.imageRef, pullPolicy: 'IfNotPresent' };
  }
  const destination = retarget(ws.target.imageRef, entry.registry!);
  await tagImage(engine, ws.target.imageRef, destination);
  // The engine records the digest of each repository it pushed this very image to: no second push.
  const repository = destination.slice(0, destination.lastIndexOf(':'));
  const known = (await inspectImage(engine, destination))?.repoDigests.find((d) => d.startsWith(`${repository}@sha256:`));
  if (known && !options.push) {
    say('push', `${destination} was pushed already (${known.slice(repository.length + 1, repository.length + 20)}…); not pushing again (--push forces it)`);
    return { image: known };
  }
  say('push', `Pushing ${destination}…`);
  const pushed = await pushImage(engine, destination, signal ? { signal } : {});
  say('push', `Pushed ${pushed.pinned}`);
  return { image: pushed.pinned };
}

/**
 * Turns what an overlay rendered into what deploy applies: every namespaced object goes to the
 * environment's namespace (the Namespace objects of the overlay are left out: deploy creates the
 * namespace itself when missing), the model server's image becomes the pushed digest (never a
 * mutable tag), and each object is labelled with the environment so status and undeploy find it.
 * Pure: the objects are copied, never changed in place.
 */
import type { DeploymentRecord, KubeObject } from './records';

/** Kinds that live outside namespaces, among those manifests usually hold. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'PersistentVolume', 'IngressClass']);

export const ENVIRONMENT_LABEL = 'modelship.io/environment';
export const MANAGED_BY_SELECTOR = 'app.kubernetes.io/managed-by=modelship';

export interface PrepareOptions {
  namespace: string;
  environment: string;
  /** The reference every container that runs the project's image gets (`repo@sha256:…`). */
  image?: string;
  /** The image as the manifests name it (the Dockerfile's `io.modelship.image`): containers with it are repointed. */
  sourceImage?: string;
  pullSecret?: string;
  /** `IfNotPresent` for images loaded into kind/minikube/k3d nodes, where nothing can be pulled. */
  pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

export interface PreparedObjects {
  objects: KubeObject[];
  /** The Deployments deploy follows, by name. */
  deployments: string[];
  /** Objects of the overlay left out, with why. */
  skipped: { kind: string; name: string; why: string }[];
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function repoOf(ref: string): string {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  return colon > slash ? base.slice(0, colon) : base;
}

export function prepareObjects(rendered: readonly KubeObject[], options: PrepareOptions): PreparedObjects {
  const objects: KubeObject[] = [];
  const deployments: string[] = [];
  const skipped: PreparedObjects['skipped'] = [];
  for (const original of rendered) {
    const kind = original.kind ?? '';
    const name = original.metadata?.name ?? '';
    if (kind === 'Namespace') {
      skipped.push({ kind, name, why: `deploy uses namespace ${options.namespace} and creates it when missing` });
      continue;
    }
    const object = clone(original);
    object.metadata = { ...object.metadata, labels: { ...object.metadata?.labels, [ENVIRONMENT_LABEL]: options.environment } };
    if (!CLUSTER_SCOPED.has(kind)) object.metadata.namespace = options.namespace;
    const podSpec = podSpecOf(object);
    if (podSpec) {
      const template = (object.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template;
      if (template) template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [ENVIRONMENT_LABEL]: options.environment } };
      for (const container of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])]) {
        if (options.image && container.image && (!options.sourceImage || repoOf(container.image) === repoOf(options.sourceImage))) {
          container.image = options.image;
          if (options.pullPolicy) container.imagePullPolicy = options.pullPolicy;
        }
      }
      if (options.pullSecret && !(podSpec.imagePullSecrets ?? []).some((s) => s.name === options.pullSecret)) {
        podSpec.imagePullSecrets = [...(podSpec.imagePullSecrets ?? []), { name: options.pullSecret }];
      }
    }
    if (kind === 'Deployment' && name) deployments.push(name);
    objects.push(object);
  }
  return { objects, deployments, skipped };
}

interface PodSpecShape {
  containers?: { image?: string; imagePullPolicy?: string }[];
  initContainers?: { image?: string; imagePullPolicy?: string }[];
  imagePullSecrets?: { name?: string }[];
}

function podSpecOf(object: KubeObject): PodSpecShape | undefined {
  const spec = object.spec as DeploymentRecord['spec'] & { template?: { spec?: PodSpecShape } } | undefined;
  if (!spec || typeof spec !== 'object') return undefined;
  const template = spec.template as { spec?: PodSpecShape } | undefined;
  return template && typeof template === 'object' && template.spec && typeof template.spec === 'object' ? template.spec : undefined;
}

/**
 * MS-K8S002: API versions the configured Kubernetes version does not serve, from the Kubernetes
 * deprecated API migration guide: removed betas, and GA versions newer than the cluster.
 */
import type { ManifestAnalysis } from '../analysis';
import { get } from '../objects';
import { K8S } from '../rules';

interface Served {
  /** First minor (1.x) that serves it; absent: served by every version this rule cares about. */
  since?: number;
  /** First minor that no longer serves it. */
  removed?: number;
  /** What to use instead. */
  replacement?: string;
  /** Whether the object reads the same under the replacement, so the fix may just rename it. */
  compatible?: boolean | ((object: unknown) => boolean);
}

const hasSelector = (o: unknown) => get(o, ['spec', 'selector']) !== undefined;

const TABLE: Record<string, Served> = {
  'extensions/v1beta1/Deployment': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'extensions/v1beta1/DaemonSet': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'extensions/v1beta1/ReplicaSet': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'extensions/v1beta1/NetworkPolicy': { removed: 16, replacement: 'networking.k8s.io/v1', compatible: true },
  'extensions/v1beta1/PodSecurityPolicy': { removed: 16, replacement: 'policy/v1beta1' },
  'extensions/v1beta1/Ingress': { removed: 22, replacement: 'networking.k8s.io/v1' },
  'apps/v1beta1/Deployment': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'apps/v1beta1/StatefulSet': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'apps/v1beta2/Deployment': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'apps/v1beta2/StatefulSet': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'apps/v1beta2/DaemonSet': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'apps/v1beta2/ReplicaSet': { removed: 16, replacement: 'apps/v1', compatible: hasSelector },
  'networking.k8s.io/v1beta1/Ingress': { removed: 22, replacement: 'networking.k8s.io/v1' },
  'networking.k8s.io/v1beta1/IngressClass': { removed: 22, replacement: 'networking.k8s.io/v1', compatible: true },
  'networking.k8s.io/v1/Ingress': { since: 19 },
  'networking.k8s.io/v1/IngressClass': { since: 19 },
  'rbac.authorization.k8s.io/v1beta1/Role': { removed: 22, replacement: 'rbac.authorization.k8s.io/v1', compatible: true },
  'rbac.authorization.k8s.io/v1beta1/ClusterRole': { removed: 22, replacement: 'rbac.authorization.k8s.io/v1', compatible: true },
  'rbac.authorization.k8s.io/v1beta1/RoleBinding': { removed: 22, replacement: 'rbac.authorization.k8s.io/v1', compatible: true },
  'rbac.authorization.k8s.io/v1beta1/ClusterRoleBinding': { removed: 22, replacement: 'rbac.authorization.k8s.io/v1', compatible: true },
  'scheduling.k8s.io/v1beta1/PriorityClass': { removed: 22, replacement: 'scheduling.k8s.io/v1', compatible: true },
  'storage.k8s.io/v1beta1/StorageClass': { removed: 22, replacement: 'storage.k8s.io/v1', compatible: true },
  'storage.k8s.io/v1beta1/CSIDriver': { removed: 22, replacement: 'storage.k8s.io/v1', compatible: true },
  'storage.k8s.io/v1beta1/CSINode': { removed: 22, replacement: 'storage.k8s.io/v1', compatible: true },
  'storage.k8s.io/v1beta1/VolumeAttachment': { removed: 22, replacement: 'storage.k8s.io/v1', compatible: true },
  'storage.k8s.io/v1beta1/CSIStorageCapacity': { removed: 27, replacement: 'storage.k8s.io/v1', compatible: true },
  'apiextensions.k8s.io/v1beta1/CustomResourceDefinition': { removed: 22, replacement: 'apiextensions.k8s.io/v1' },
  'admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration': { removed: 22, replacement: 'admissionregistration.k8s.io/v1' },
  'admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration': { removed: 22, replacement: 'admissionregistration.k8s.io/v1' },
  'apiregistration.k8s.io/v1beta1/APIService': { removed: 22, replacement: 'apiregistration.k8s.io/v1', compatible: true },
  'certificates.k8s.io/v1beta1/CertificateSigningRequest': { removed: 22, replacement: 'certificates.k8s.io/v1' },
  'coordination.k8s.io/v1beta1/Lease': { removed: 22, replacement: 'coordination.k8s.io/v1', compatible: true },
  'batch/v1beta1/CronJob': { removed: 25, replacement: 'batch/v1', compatible: true },
  'batch/v2alpha1/CronJob': { removed: 21, replacement: 'batch/v1', compatible: true },
  'batch/v1/CronJob': { since: 21 },
  'discovery.k8s.io/v1beta1/EndpointSlice': { removed: 25, replacement: 'discovery.k8s.io/v1' },
  'discovery.k8s.io/v1/EndpointSlice': { since: 21 },
  'events.k8s.io/v1beta1/Event': { removed: 25, replacement: 'events.k8s.io/v1' },
  'autoscaling/v2beta1/HorizontalPodAutoscaler': { removed: 25, replacement: 'autoscaling/v2' },
  'autoscaling/v2beta2/HorizontalPodAutoscaler': { removed: 26, replacement: 'autoscaling/v2', compatible: true },
  'autoscaling/v2/HorizontalPodAutoscaler': { since: 23 },
  'policy/v1beta1/PodDisruptionBudget': { removed: 25, replacement: 'policy/v1', compatible: true },
  'policy/v1/PodDisruptionBudget': { since: 21 },
  'policy/v1beta1/PodSecurityPolicy': { removed: 25 },
  'node.k8s.io/v1beta1/RuntimeClass': { removed: 25, replacement: 'node.k8s.io/v1', compatible: true },
  'node.k8s.io/v1/RuntimeClass': { since: 20 },
  'flowcontrol.apiserver.k8s.io/v1beta1/FlowSchema': { removed: 26, replacement: 'flowcontrol.apiserver.k8s.io/v1', compatible: true },
  'flowcontrol.apiserver.k8s.io/v1beta1/PriorityLevelConfiguration': { removed: 26, replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1beta2/FlowSchema': { removed: 29, replacement: 'flowcontrol.apiserver.k8s.io/v1', compatible: true },
  'flowcontrol.apiserver.k8s.io/v1beta2/PriorityLevelConfiguration': { removed: 29, replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema': { removed: 32, replacement: 'flowcontrol.apiserver.k8s.io/v1', compatible: true },
  'flowcontrol.apiserver.k8s.io/v1beta3/PriorityLevelConfiguration': { removed: 32, replacement: 'flowcontrol.apiserver.k8s.io/v1', compatible: true },
  'flowcontrol.apiserver.k8s.io/v1/FlowSchema': { since: 29 },
};

/** `1.20`, `v1.20.2` → 20; undefined when unreadable. */
export function kubeMinor(version: string): number | undefined {
  const match = /^v?1\.(\d+)/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

export function checkApiVersions(a: ManifestAnalysis): void {
  const minor = kubeMinor(a.ctx.settings.kubernetesVersion);
  if (minor === undefined) return;
  const version = `1.${minor}`;
  for (const view of a.local) {
    const served = TABLE[`${view.apiVersion}/${view.kind}`];
    if (!served) continue;
    const replacement = served.replacement;
    const compatible = typeof served.compatible === 'function' ? served.compatible(view.object) : served.compatible === true;
    const fix = replacement && compatible ? a.fix(`Use ${replacement}`, a.edits(view)?.replaceScalar(['apiVersion'], replacement)) : undefined;
    if (served.removed !== undefined && minor >= served.removed) {
      const instead = replacement
        ? `use ${replacement}${compatible ? '' : ', whose fields differ (see the Kubernetes deprecated API migration guide)'}`
        : 'remove it: it has no replacement';
      a.report(K8S.apiVersion, view, ['apiVersion'], `${view.apiVersion} ${view.kind} was removed in Kubernetes 1.${served.removed} and the configured version is ${version}: ${instead}.`, { fixes: [fix] });
    } else if (served.since !== undefined && minor < served.since) {
      a.report(K8S.apiVersion, view, ['apiVersion'], `${view.apiVersion} ${view.kind} is served from Kubernetes 1.${served.since} on, and the configured version is ${version}: use the older API version that cluster serves, or raise \`modelship.lint.kubernetesVersion\` if the cluster is newer.`);
    }
  }
}

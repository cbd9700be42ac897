/**
 * Which API group versions the manifests use for a given Kubernetes minor version. The default
 * targets current clusters (autoscaling/v2 and policy/v1, served since 1.23 and 1.21); an older
 * target (Debian's 1.20 tooling, say) gets the beta versions those clusters serve instead.
 */

/** The Kubernetes version the manifests are written for unless told otherwise. */
export const DEFAULT_KUBE_VERSION = '1.32';

/** The oldest Kubernetes the default manifests run on (autoscaling/v2 arrived in 1.23). */
export const MIN_KUBE_VERSION_FOR_DEFAULTS = '1.23';

export interface KubeApiVersions {
  hpa: 'autoscaling/v2' | 'autoscaling/v2beta2';
  pdb: 'policy/v1' | 'policy/v1beta1';
}

/** `1.20`, `v1.20.2` or `1.20.5+really1.20.2` to the minor number (20); undefined when unreadable. */
export function kubeMinor(version: string): number | undefined {
  const match = /^v?1\.(\d+)/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

export function apiVersionsFor(kubeVersion: string = DEFAULT_KUBE_VERSION): KubeApiVersions {
  const minor = kubeMinor(kubeVersion) ?? kubeMinor(DEFAULT_KUBE_VERSION)!;
  return {
    hpa: minor >= 23 ? 'autoscaling/v2' : 'autoscaling/v2beta2',
    pdb: minor >= 21 ? 'policy/v1' : 'policy/v1beta1',
  };
}

/**
 * The Kubernetes objects of one serving service, as plain objects typed by kubernetes-models
 * (types only: nothing of it is bundled), so a misspelt field fails the type check.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IService } from 'kubernetes-models/v1/Service';
import type { ServingSpec } from '../types';
import type { KubeApiVersions } from './apiVersions';
import type { EnvironmentProfile } from './environments';
import { selectorLabels, standardLabels } from './labels';
import { configMapName, PORT_NAME, podTemplate, runtimeEnv } from './podTemplate';

/** An HPA or PDB whose group version follows the target cluster (see apiVersions.ts). */
export type Versioned<T extends { apiVersion: string }, V extends string> = Omit<T, 'apiVersion'> & { apiVersion: V };

/** Seconds a rollout may take before `kubectl rollout status` gives up: the model's startup budget and then some. */
export function progressDeadlineSeconds(spec: ServingSpec): number {
  return Math.max(600, spec.startupSeconds + 300);
}

export function deployment(spec: ServingSpec): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, labels: standardLabels(spec) },
    spec: {
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: progressDeadlineSeconds(spec),
      selector: { matchLabels: selectorLabels(spec) },
      // A new pod must be ready before an old one goes: loading a model takes a while.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: podTemplate(spec),
    },
  };
}

export function service(spec: ServingSpec): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: spec.name, labels: standardLabels(spec) },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(spec),
      ports: [{ name: PORT_NAME, port: spec.port, targetPort: PORT_NAME, protocol: 'TCP' }],
    },
  };
}

export function configMap(spec: ServingSpec): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMapName(spec), labels: standardLabels(spec) },
    data: runtimeEnv(spec),
  };
}

export function horizontalPodAutoscaler(
  spec: ServingSpec,
  scaling: NonNullable<EnvironmentProfile['autoscaling']>,
  versions: KubeApiVersions,
): Versioned<IHorizontalPodAutoscaler, KubeApiVersions['hpa']> {
  return {
    apiVersion: versions.hpa,
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: spec.name, labels: standardLabels(spec) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilizationPercentage } } }],
      // Scale down slowly: a new replica pays the model's load time again.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

export function podDisruptionBudget(
  spec: ServingSpec,
  budget: NonNullable<EnvironmentProfile['podDisruptionBudget']>,
  versions: KubeApiVersions,
): Versioned<IPodDisruptionBudget, KubeApiVersions['pdb']> {
  return {
    apiVersion: versions.pdb,
    kind: 'PodDisruptionBudget',
    metadata: { name: spec.name, labels: standardLabels(spec) },
    spec: { minAvailable: budget.minAvailable, selector: { matchLabels: selectorLabels(spec) } },
  };
}

export function namespace(name: string, spec: ServingSpec): INamespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/part-of': spec.name, 'app.kubernetes.io/managed-by': 'modelship' } } };
}

/**
 * The three environments the overlays (and the chart's values files) describe. Staging is the
 * default target of later deploys. Where an environment autoscales, the Deployment leaves
 * `replicas` unset so that re-applying the manifests never fights the HPA; the HPA's minimum is
 * then the replica count.
 */
import type { ServingSpec } from '../types';

export type Environment = 'dev' | 'staging' | 'prod';
export const ENVIRONMENTS: readonly Environment[] = ['dev', 'staging', 'prod'];
/** Where `modelship deploy` goes when no environment is named. */
export const DEFAULT_ENVIRONMENT: Environment = 'staging';

export interface EnvironmentProfile {
  name: Environment;
  /** Fixed replica count; only for environments that do not autoscale. */
  replicas?: number;
  autoscaling?: { minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number };
  /** At least one pod less than the HPA minimum, so a node drain can always proceed. */
  podDisruptionBudget?: { minAvailable: number };
  /** Dev runs on half the CPU; memory stays, since the model needs it whatever the environment. */
  cpuScale: number;
}

export const PROFILES: Record<Environment, EnvironmentProfile> = {
  dev: { name: 'dev', replicas: 1, cpuScale: 0.5 },
  staging: {
    name: 'staging',
    autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 },
    podDisruptionBudget: { minAvailable: 1 },
    cpuScale: 1,
  },
  prod: {
    name: 'prod',
    autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
    podDisruptionBudget: { minAvailable: 2 },
    cpuScale: 1,
  },
};

/** The namespace an environment's overlay deploys into. */
export function namespaceFor(spec: ServingSpec, env: Environment): string {
  return `${spec.name}-${env}`;
}

/** A CPU quantity (`250m`, `2`, `1.5`) times `factor`, in millicores, never below 50m. */
export function scaleCpu(quantity: string, factor: number): string {
  const millis = quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
  if (!Number.isFinite(millis)) return quantity;
  const scaled = Math.max(50, Math.round(millis * factor));
  return scaled % 1000 === 0 ? String(scaled / 1000) : `${scaled}m`;
}

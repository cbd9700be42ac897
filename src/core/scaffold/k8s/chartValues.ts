/**
 * The Helm chart's values, from the same spec and the same pod decisions as the plain manifests:
 * `values.yaml` is the staging environment (the default deploy target) and `values-dev.yaml` /
 * `values-prod.yaml` override it the way the Kustomize overlays patch the base. Every key a
 * template reads is present here, so the templates never meet a missing value.
 */
import type { ServingSpec } from '../types';
import { DEFAULT_ENVIRONMENT, PROFILES, scaleCpu, type Environment } from './environments';
import { mountedModel, STORAGE_INITIALIZER_IMAGE, storageCredentialsSecret } from './modelSource';
import { progressDeadlineSeconds } from './objects';
import { downloadSize, GPU_RESOURCE, probeTimings, runtimeEnv, shmSize, TMP_SIZE, usesTorch } from './podTemplate';

function modelValues(spec: ServingSpec): Record<string, unknown> {
  const mounted = spec.mode === 'mount' ? mountedModel(spec) : undefined;
  const source = !mounted ? 'image' : mounted.scheme === 'pvc' ? 'pvc' : 'download';
  return {
    source,
    dir: spec.model.containerDir,
    pvc: { claimName: mounted?.claimName ?? '', subPath: mounted?.subPath ?? '' },
    download: {
      uri: source === 'download' ? mounted!.uri : '',
      image: STORAGE_INITIALIZER_IMAGE,
      credentialsSecret: storageCredentialsSecret(spec),
      sizeLimit: downloadSize(spec),
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    },
  };
}

function scalingValues(env: Environment): Record<string, unknown> {
  const profile = PROFILES[env];
  const scaling = profile.autoscaling;
  return {
    replicaCount: profile.replicas ?? scaling?.minReplicas ?? 1,
    autoscaling: scaling ? { enabled: true, ...scaling } : { enabled: false },
    podDisruptionBudget: profile.podDisruptionBudget ? { enabled: true, ...profile.podDisruptionBudget } : { enabled: false },
    spreadAcrossNodes: env === 'prod',
  };
}

function resourceValues(spec: ServingSpec, cpuScale: number): Record<string, unknown> {
  const { requests, limits } = spec.resources;
  return {
    requests: { cpu: scaleCpu(requests.cpu, cpuScale), memory: requests.memory },
    limits: { cpu: scaleCpu(limits.cpu, cpuScale), memory: limits.memory },
  };
}

/** `values.yaml`: everything, set for the default environment. */
export function chartValues(spec: ServingSpec): Record<string, unknown> {
  const staging = scalingValues(DEFAULT_ENVIRONMENT);
  return {
    nameOverride: '',
    fullnameOverride: '',
    image: { repository: spec.image.repository, tag: spec.image.tag, pullPolicy: 'IfNotPresent' },
    imagePullSecrets: [],
    replicaCount: staging.replicaCount,
    autoscaling: staging.autoscaling,
    podDisruptionBudget: staging.podDisruptionBudget,
    spreadAcrossNodes: staging.spreadAcrossNodes,
    containerPort: spec.port,
    service: { type: 'ClusterIP', port: spec.port },
    paths: { ...spec.paths },
    probes: probeTimings(spec),
    progressDeadlineSeconds: progressDeadlineSeconds(spec),
    metrics: { scrape: true },
    resources: resourceValues(spec, PROFILES[DEFAULT_ENVIRONMENT].cpuScale),
    gpu: { enabled: spec.gpu.enabled, resource: GPU_RESOURCE, count: 1 },
    shm: { enabled: usesTorch(spec), sizeLimit: shmSize(spec) },
    tmp: { sizeLimit: TMP_SIZE },
    model: modelValues(spec),
    env: runtimeEnv(spec),
    uid: spec.uid,
    podAnnotations: {},
    nodeSelector: {},
    tolerations: [],
    affinity: {},
  };
}

/** `values-<env>.yaml`: only what the environment changes from `values.yaml`. */
export function environmentValues(spec: ServingSpec, env: Environment): Record<string, unknown> {
  const values: Record<string, unknown> = { ...scalingValues(env) };
  if (PROFILES[env].cpuScale !== PROFILES[DEFAULT_ENVIRONMENT].cpuScale) values.resources = resourceValues(spec, PROFILES[env].cpuScale);
  return values;
}

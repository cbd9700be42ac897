/**
 * The serving pod, shared by the Deployment (and mirrored by the chart's values): probes on the
 * app's endpoints with a startup budget sized to the model, a restricted security context (non-root,
 * read-only root, no capabilities, no privilege escalation), a writable emptyDir for /tmp, a
 * memory-backed /dev/shm for torch's DataLoader and IPC, GPU limits and the usual toleration, and
 * the model volume in mount mode.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { ServingSpec } from '../types';
import { scaleCpu } from './environments';
import { standardLabels } from './labels';
import { mountedModel, STORAGE_INITIALIZER_IMAGE, storageCredentialsSecret } from './modelSource';

export const CONTAINER_NAME = 'server';
export const PORT_NAME = 'http';
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const GPU_TOLERATION: IToleration = { key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' };
export const TMP_SIZE = '1Gi';

const MiB = 1024 * 1024;

export function configMapName(spec: ServingSpec): string {
  return `${spec.name}-config`;
}

/** Whether the model runs on torch, whose workers share tensors through /dev/shm. */
export function usesTorch(spec: ServingSpec): boolean {
  return ['pytorch', 'safetensors', 'transformers'].includes(spec.model.framework) || spec.requirements.some((r) => /^torch\b/i.test(r));
}

function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) return 1024;
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/** Half the memory limit, since a memory-backed emptyDir counts against it. */
export function shmSize(spec: ServingSpec): string {
  return `${Math.max(64, Math.floor(mebibytes(spec.resources.limits.memory) / 2))}Mi`;
}

/** Room for the download and, for an archive, its unpacked copy. */
export function downloadSize(spec: ServingSpec): string {
  return `${Math.max(1024, Math.ceil((spec.model.bytes * 2) / MiB))}Mi`;
}

/** Probe timings; the startup probe allows `startupSeconds` for loading the model before liveness applies. */
export function probeTimings(spec: ServingSpec) {
  return {
    startup: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: Math.ceil(spec.startupSeconds / 5) },
    readiness: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    liveness: { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
  };
}

export function probes(spec: ServingSpec): Pick<IContainer, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  const t = probeTimings(spec);
  const get = (path: string): IProbe['httpGet'] => ({ path, port: PORT_NAME });
  return {
    startupProbe: { httpGet: get(spec.paths.ready), ...t.startup },
    readinessProbe: { httpGet: get(spec.paths.ready), ...t.readiness },
    livenessProbe: { httpGet: get(spec.paths.live), ...t.liveness },
  };
}

export function containerResources(spec: ServingSpec, cpuScale = 1): IResourceRequirements {
  const gpu: Record<string, number> = spec.gpu.enabled ? { [GPU_RESOURCE]: 1 } : {};
  return {
    requests: { cpu: scaleCpu(spec.resources.requests.cpu, cpuScale), memory: spec.resources.requests.memory, ...gpu },
    limits: { cpu: scaleCpu(spec.resources.limits.cpu, cpuScale), memory: spec.resources.limits.memory, ...gpu },
  };
}

export const CONTAINER_SECURITY: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/** The environment the app reads; in mount mode MODEL_PATH follows the URI (see modelSource.ts). */
export function runtimeEnv(spec: ServingSpec): Record<string, string> {
  if (spec.mode !== 'mount') return { ...spec.env };
  return { ...spec.env, MODEL_PATH: mountedModel(spec).modelPath };
}

/** The model volume, its mount and (for object stores) the init container that fills it. */
function modelVolume(spec: ServingSpec): { volume: IVolume; mount: IVolumeMount; init?: IContainer } | undefined {
  if (spec.mode !== 'mount') return undefined;
  const model = mountedModel(spec);
  const dir = spec.model.containerDir;
  if (model.scheme === 'pvc') {
    return {
      volume: { name: 'model', persistentVolumeClaim: { claimName: model.claimName!, readOnly: true } },
      mount: { name: 'model', mountPath: dir, readOnly: true, ...(model.subPath ? { subPath: model.subPath } : {}) },
    };
  }
  const init: IContainer = {
    name: 'fetch-model',
    image: STORAGE_INITIALIZER_IMAGE,
    args: [model.uri, dir],
    env: [{ name: 'HOME', value: '/tmp' }],
    envFrom: [{ secretRef: { name: storageCredentialsSecret(spec), optional: true } }],
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [{ name: 'model', mountPath: dir }, { name: 'tmp', mountPath: '/tmp' }],
  };
  return { volume: { name: 'model', emptyDir: { sizeLimit: downloadSize(spec) } }, mount: { name: 'model', mountPath: dir, readOnly: true }, init };
}

export function podTemplate(spec: ServingSpec): IPodTemplateSpec {
  const model = modelVolume(spec);
  const torch = usesTorch(spec);
  const volumes: IVolume[] = [{ name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE } }];
  const mounts: IVolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  if (torch) {
    volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: shmSize(spec) } });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  if (model) {
    volumes.push(model.volume);
    mounts.push(model.mount);
  }
  const container: IContainer = {
    name: CONTAINER_NAME,
    image: spec.image.ref,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: PORT_NAME, containerPort: spec.port, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: configMapName(spec) } }],
    resources: containerResources(spec),
    ...probes(spec),
    securityContext: CONTAINER_SECURITY,
    volumeMounts: mounts,
  };
  return {
    metadata: {
      labels: standardLabels(spec),
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(spec.port), 'prometheus.io/path': spec.paths.metrics },
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: spec.uid, runAsGroup: spec.uid, fsGroup: spec.uid, seccompProfile: { type: 'RuntimeDefault' } },
      ...(model?.init ? { initContainers: [model.init] } : {}),
      containers: [container],
      ...(spec.gpu.enabled ? { tolerations: [GPU_TOLERATION] } : {}),
      volumes,
    },
  };
}

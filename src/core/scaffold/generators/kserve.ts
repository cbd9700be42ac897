/**
 * A KServe InferenceService (`serving.kserve.io/v1beta1`). In `bake` mode, or for formats KServe
 * has no server for, the predictor is the built image as a custom container. In `mount` mode, a
 * format KServe serves natively gets `modelFormat` + `storageUri` and no image of ours at all;
 * any other format keeps our image and hands the URI to KServe's storage initializer through
 * `STORAGE_URI`, which downloads (or mounts, for `pvc://`) the model at /mnt/models.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { Generator } from '../generator';
import { DEFAULT_ENVIRONMENT, PROFILES } from '../k8s/environments';
import { standardLabels } from '../k8s/labels';
import { mountedModel } from '../k8s/modelSource';
import { CONTAINER_SECURITY, containerResources, GPU_TOLERATION, probeTimings, shmSize, TMP_SIZE, usesTorch } from '../k8s/podTemplate';
import { yamlText } from '../k8s/yamlText';
import { LAYOUT } from '../layout';
import type { PlannedFile, ServingSpec } from '../types';

/** Where KServe's storage initializer puts the model for a custom container. */
export const KSERVE_MODEL_DIR = '/mnt/models';

/** The `modelFormat.name` KServe serves natively, with what its server expects to find at the URI. */
export interface NativeFormat {
  name: 'sklearn' | 'xgboost' | 'lightgbm' | 'onnx' | 'pytorch' | 'tensorflow';
  layout: string;
}

export function kserveNativeFormat(spec: ServingSpec): NativeFormat | undefined {
  const { format, framework } = spec.model;
  if (framework === 'sklearn' && (format === 'joblib' || format === 'pickle')) return { name: 'sklearn', layout: 'the first *.joblib, *.pkl or *.pickle file under the URI' };
  if (format === 'xgboost-json' || format === 'xgboost-ubj') return { name: 'xgboost', layout: 'a *.json, *.ubj or *.bst booster file under the URI' };
  if (format === 'lightgbm-text') return { name: 'lightgbm', layout: 'a *.bst file under the URI (rename the text model to model.bst)' };
  if (format === 'onnx') return { name: 'onnx', layout: "the runtime's model repository layout (Triton: <name>/1/model.onnx)" };
  if (format === 'torchscript') return { name: 'pytorch', layout: 'TorchServe: a .mar archive and config/config.properties; for a bare TorchScript file pick the Triton runtime and its <name>/1/model.pt layout' };
  if (format === 'savedmodel') return { name: 'tensorflow', layout: 'numbered version folders (<uri>/1/saved_model.pb), as TF Serving reads them' };
  return undefined;
}

interface Predictor {
  minReplicas: number;
  maxReplicas: number;
  model?: { modelFormat: { name: string }; storageUri: string; resources: IResourceRequirements };
  containers?: IContainer[];
  volumes?: IVolume[];
  tolerations?: IToleration[];
}

function customContainer(spec: ServingSpec): { container: IContainer; volumes: IVolume[] } {
  const env = { ...spec.env };
  if (spec.mode === 'mount') {
    const model = mountedModel(spec, KSERVE_MODEL_DIR);
    Object.assign(env, { STORAGE_URI: model.uri, MODEL_PATH: model.modelPath });
  }
  const volumes: IVolume[] = [{ name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE } }];
  if (usesTorch(spec)) volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: shmSize(spec) } });
  const t = probeTimings(spec);
  // No startup probe (Knative has none): liveness waits out the model's startup budget instead.
  const container: IContainer = {
    name: 'kserve-container',
    image: spec.image.ref,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: spec.port, protocol: 'TCP' }],
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    resources: containerResources(spec),
    readinessProbe: { httpGet: { path: spec.paths.ready, port: spec.port }, ...t.readiness },
    livenessProbe: { httpGet: { path: spec.paths.live, port: spec.port }, initialDelaySeconds: spec.startupSeconds, ...t.liveness },
    securityContext: { ...CONTAINER_SECURITY, runAsUser: spec.uid },
    volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.name === 'dshm' ? '/dev/shm' : '/tmp' })),
  };
  return { container, volumes };
}

export function inferenceService(spec: ServingSpec): Record<string, unknown> {
  const scaling = PROFILES[DEFAULT_ENVIRONMENT].autoscaling!;
  const native = spec.mode === 'mount' ? kserveNativeFormat(spec) : undefined;
  const predictor: Predictor = { minReplicas: scaling.minReplicas, maxReplicas: scaling.maxReplicas };
  if (native) {
    predictor.model = { modelFormat: { name: native.name }, storageUri: mountedModel(spec, KSERVE_MODEL_DIR).uri, resources: containerResources(spec) };
  } else {
    const { container, volumes } = customContainer(spec);
    predictor.containers = [container];
    predictor.volumes = volumes;
  }
  if (spec.gpu.enabled) predictor.tolerations = [GPU_TOLERATION];
  const annotations: Record<string, string> = native
    ? { 'serving.kserve.io/enable-prometheus-scraping': 'true' }
    : { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(spec.port), 'prometheus.io/path': spec.paths.metrics };
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: spec.name, labels: standardLabels(spec), annotations },
    spec: { predictor },
  };
}

function comment(spec: ServingSpec): string {
  const native = spec.mode === 'mount' ? kserveNativeFormat(spec) : undefined;
  const lines = [`KServe InferenceService for ${spec.model.source}: kubectl apply -f ${LAYOUT.kserveFile}`];
  if (native) {
    lines.push(
      `KServe's own ${native.name} server loads the model from the storage URI; it expects ${native.layout}.`,
      'It answers the KServe protocol (/v1/models/<name>:predict), not the Modelship app\'s /predict.',
    );
  } else {
    lines.push(
      spec.mode === 'mount'
        ? "Our image serves the model; KServe's storage initializer fetches STORAGE_URI into /mnt/models first."
        : 'Our image serves the model baked into it, on the same /predict, /healthz, /readyz and /metrics as everywhere else.',
      'In Serverless mode the emptyDir volumes need Knative\'s kubernetes.podspec-emptydir flag (on by default since Knative 1.7).',
    );
  }
  lines.push('Generated by Modelship; edit freely, `modelship containerize` asks before overwriting.');
  return lines.join('\n');
}

export const generate: Generator = ({ spec }): PlannedFile[] => [
  {
    path: LAYOUT.kserveFile,
    contents: yamlText({ value: inferenceService(spec), comment: comment(spec) }),
    target: 'kserve',
    purpose: 'KServe InferenceService',
  },
];

/**
 * The few questions `Modelship: Containerize` asks (targets, GPU, where the model lives) and their
 * defaults: the answers last given in this workspace, else the `modelship.containerize.*`
 * settings, else every target, no GPU, baked in. Pure helpers plus one function that asks.
 */
import type { DetectedModel } from '../../core/detect/types';
import { LAYOUT } from '../../core/scaffold/layout';
import { ALL_TARGETS, type ModelMode, type ScaffoldTarget } from '../../core/scaffold/types';
import type { PickItem, Prompter } from '../prompter';

/** What the user chose; the rest of ContainerizeOptions is derived. */
export interface ContainerizeAnswers {
  targets: ScaffoldTarget[];
  gpu: boolean;
  mode: ModelMode;
  /** Where the model lives at run time; only in `mount` mode. */
  modelUri?: string;
}

/** The workspaceState key of the last answers. */
export { ANSWERS_KEY } from './containerizeCtx';

export const BUILT_IN_ANSWERS: ContainerizeAnswers = { targets: [...ALL_TARGETS], gpu: false, mode: 'bake' };

/** Keeps the parts of stored or configured answers that are well-formed, in ALL_TARGETS order. */
export function normalizeAnswers(raw: unknown): Partial<ContainerizeAnswers> {
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const result: Partial<ContainerizeAnswers> = {};
  if (Array.isArray(r.targets)) {
    const targets = ALL_TARGETS.filter((t) => (r.targets as unknown[]).includes(t));
    if (targets.length > 0) result.targets = targets;
  }
  if (typeof r.gpu === 'boolean') result.gpu = r.gpu;
  if (r.mode === 'bake' || r.mode === 'mount') result.mode = r.mode;
  if (typeof r.modelUri === 'string' && validateModelUri(r.modelUri) === undefined) result.modelUri = r.modelUri;
  return result;
}

/** Last answers first, then settings, then the built-in defaults. */
export function defaultAnswers(remembered: unknown, settings: unknown): ContainerizeAnswers {
  return { ...BUILT_IN_ANSWERS, ...normalizeAnswers(settings), ...normalizeAnswers(remembered) };
}

const URI_SHAPE = /^(pvc|s3|gs):\/\/[a-z0-9][\w.-]*\/\S+$/i;

/** Undefined for a usable model URI, else what is wrong with it. */
export function validateModelUri(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return 'Enter where the model lives: pvc://claim/path, s3://bucket/key, gs://bucket/key or https://host/path.';
  if (/^https:\/\/[^/\s]+(\/\S*)?$/i.test(v) || URI_SHAPE.test(v)) return undefined;
  if (/^(pvc|s3|gs):\/\/[^/]*\/?$/i.test(v)) return `${v} names no file: add the path of the model, e.g. ${v.replace(/\/?$/, '/model.pkl')}.`;
  return `Modelship reads models from pvc://claim/path, s3://bucket/key, gs://bucket/key or https:// URLs, not from "${v}".`;
}

/** What each target generates, as the targets question shows it. */
export const TARGET_CHOICES: Record<ScaffoldTarget, { label: string; files: string; detail: string }> = {
  dockerfile: { label: 'Dockerfile', files: `${LAYOUT.dockerfile}, ${LAYOUT.dockerignore}`, detail: 'A multi-stage image that runs the serving app as a non-root user.' },
  app: { label: 'Serving app', files: `${LAYOUT.appDir}/`, detail: 'The HTTP app the image runs: /predict, health probes, /metrics.' },
  k8s: { label: 'Kubernetes', files: `${LAYOUT.k8sDir}/`, detail: 'Deployment, Service and probes as kustomize manifests, sized from the model.' },
  helm: { label: 'Helm chart', files: `${LAYOUT.helmDir}/<name>/`, detail: 'The same deployment as a chart, with the image, resources and GPU as values.' },
  kserve: { label: 'KServe', files: LAYOUT.kserveFile, detail: 'A KServe InferenceService that runs the image as a custom predictor.' },
  compose: { label: 'Docker Compose', files: LAYOUT.composeFile, detail: 'The API, a Redis-backed batch worker (POST /jobs) and Redis, for running the stack locally.' },
  ci: { label: 'CI workflow', files: LAYOUT.ciWorkflow, detail: 'A GitHub Actions workflow that builds the image and smoke-tests /predict.' },
};

/** Frameworks whose models commonly run on a GPU; only used to word the question. */
const GPU_FRAMEWORKS = new Set(['pytorch', 'tensorflow', 'keras', 'transformers', 'safetensors', 'llama.cpp']);

/** The question the user dismissed. */
export interface QuestionsCancelled {
  cancelledAt: 'targets' | 'gpu' | 'mode' | 'modelUri';
}

export type QuestionsOutcome = { answers: ContainerizeAnswers } | QuestionsCancelled;

export async function askContainerizeQuestions(
  prompter: Prompter,
  model: DetectedModel,
  defaults: ContainerizeAnswers,
): Promise<QuestionsOutcome> {
  const name = model.path.slice(model.path.lastIndexOf('/') + 1) || model.path;
  const title = `Modelship: Containerize ${name}`;
  let targets: ScaffoldTarget[] | undefined;
  while (!targets || targets.length === 0) {
    const items = ALL_TARGETS.map((t): PickItem<ScaffoldTarget> => ({ label: TARGET_CHOICES[t].label, description: TARGET_CHOICES[t].files, detail: TARGET_CHOICES[t].detail, value: t }));
    const placeholder = targets ? 'Tick at least one thing to generate' : 'What to generate (Enter keeps the ticked ones)';
    targets = await prompter.pickMany(items, { title, placeholder, step: 1, totalSteps: 3, defaults: defaults.targets });
    if (!targets) return { cancelledAt: 'targets' };
  }
  const usual = GPU_FRAMEWORKS.has(model.framework) ? `${model.framework} models can use one` : `${model.framework} models rarely need one`;
  const gpu = await prompter.pickOne<boolean>([
    { label: 'No GPU', description: 'CPU only', detail: 'A slim Python base image; no GPU requests in the manifests.', value: false },
    { label: 'GPU (NVIDIA CUDA)', description: usual, detail: 'A CUDA base image matched to the framework pin; nvidia.com/gpu limits and tolerations in the manifests.', value: true },
  ], { title, placeholder: 'Does the service need a GPU?', step: 2, totalSteps: 3, defaults: [defaults.gpu] });
  if (gpu === undefined) return { cancelledAt: 'gpu' };
  const mode = await prompter.pickOne<ModelMode>([
    { label: 'Bake into the image', description: 'one artifact', detail: `Copies ${model.path} into the image: what you test is what you ship.`, value: 'bake' },
    { label: 'Mount at run time', description: 'smaller image', detail: 'The image holds no model; it reads it at start-up from a volume or an object store.', value: 'mount' },
  ], { title, placeholder: 'Where does the container get the model?', step: 3, totalSteps: 3, defaults: [defaults.mode] });
  if (mode === undefined) return { cancelledAt: 'mode' };
  if (mode === 'bake') return { answers: { targets, gpu, mode } };
  const modelUri = await prompter.input({
    title,
    prompt: 'Where the model lives at run time: a PersistentVolumeClaim (pvc://claim/path), an object store (s3://, gs://) or an https:// URL',
    placeholder: `s3://my-bucket/models/${name}`,
    value: defaults.modelUri,
    step: 4,
    totalSteps: 4,
    validate: validateModelUri,
  });
  if (modelUri === undefined) return { cancelledAt: 'modelUri' };
  return { answers: { targets, gpu, mode, modelUri: modelUri.trim() } };
}

/**
 * Builds the ServingSpec: the single source of every port, path, probe budget, image reference and
 * resource size the generators write. Sizes follow the model: a 2 GB checkpoint gets more memory
 * and a longer startup budget than a 2 KB pipeline.
 */
import type { DetectedModel, ProjectDescription, Requirement } from '../detect/types';
import { FRAMEWORK_DISTRIBUTIONS } from '../detect/frameworks';
import { ModelshipError } from '../errors';
import { chooseGpuBase, cpuTorchIndexUrl } from './gpuCompat';
import { serviceName } from './naming';
import { LAYOUT } from './layout';
import type { ContainerizeOptions, ServingSpec } from './types';

export const SERVING_PORT = 8080;
export const MODEL_DIR = '/models';
export const APP_UID = 10001;

/**
 * The serving stack's own pins, used when the project pins none. The app avoids APIs that differ
 * between these and older releases (it parses JSON itself), so a base image's older FastAPI works.
 */
export const SERVING_PINS: Record<string, string> = {
  fastapi: '0.115.6',
  uvicorn: '0.32.1',
  // uvicorn's C HTTP parser and event loop: measured 30% of in-process predict rows/s at batch 64
  // with them, 18% without (bench/serving.mjs).
  httptools: '0.6.4',
  uvloop: '0.21.0',
  'prometheus-client': '0.21.1',
  numpy: '1.26.4',
};

/** What each framework's adapter imports at serving time, beyond the framework itself. */
const FRAMEWORK_RUNTIME: Record<string, string[]> = {
  sklearn: ['scikit-learn', 'joblib', 'scipy'],
  xgboost: ['xgboost', 'scikit-learn', 'joblib'],
  lightgbm: ['lightgbm'],
  catboost: ['catboost'],
  pytorch: ['torch'],
  tensorflow: ['tensorflow'],
  keras: ['keras', 'tensorflow'],
  onnx: ['onnxruntime'],
  safetensors: ['safetensors', 'torch'],
  'llama.cpp': ['llama-cpp-python'],
  numpy: [],
  pandas: ['pandas'],
  statsmodels: ['statsmodels'],
  transformers: ['transformers', 'torch'],
};

const MiB = 1024 * 1024;
/** Models up to this size get one uvicorn worker per CPU of the limit; larger ones one copy in memory. */
const MULTI_WORKER_MAX_BYTES = 512 * MiB;
/** uvicorn workers of a CPU model: WORKERS=auto reads this back from the CPU limit (cgroup quota). */
const CPU_WORKERS = 2;
/** CPU requested per worker: small, so that several replicas fit a small node; the limit is what a worker may burst to. */
const CPU_REQUEST_PER_WORKER_MILLIS = 250;

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / MiB)}Mi`;
}

function findModel(desc: ProjectDescription, path: string): DetectedModel {
  const normalized = path.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/$/, '') || '.';
  const model = desc.models.find((m) => m.path === normalized);
  if (!model) {
    const known = desc.models.map((m) => m.path).join(', ') || 'none';
    throw new ModelshipError('NOT_A_MODEL', `${path} is not a model Modelship detected in ${desc.root}`, `Models found: ${known}`);
  }
  return model;
}

/** The project's own requirement for a distribution, preferring a pinned one. */
function projectRequirement(desc: ProjectDescription, name: string): Requirement | undefined {
  // Our own serving/requirements.txt is an output, not a source: reading it back would make re-runs drift.
  const matches = desc.requirements.packages.filter((p) => p.normalizedName === name && !p.source.startsWith(`${LAYOUT.appDir}/`));
  return matches.find((p) => p.pinned) ?? matches[0];
}

function requirementLine(req: Requirement): string {
  const extras = req.extras.length > 0 ? `[${req.extras.join(',')}]` : '';
  if (req.url) return `${req.name}${extras} @ ${req.url}`;
  return `${req.name}${extras}${req.specifier}${req.marker ? `; ${req.marker}` : ''}`;
}

const normalize = (name: string): string => name.trim().toLowerCase().replace(/[-_.]+/g, '-');

/** `name` or `name==version` lines → name → version ('' when unknown). */
export function parseProvided(lines: readonly string[]): Map<string, string> {
  const provided = new Map<string, string>();
  for (const line of lines) {
    const [name, version] = line.split('==');
    if (name && normalize(name)) provided.set(normalize(name), (version ?? '').trim());
  }
  return provided;
}

/** The serving stack, which works across versions: a base image's copy is used as it is. */
const SERVING_STACK = ['fastapi', 'uvicorn', 'httptools', 'uvloop', 'prometheus-client'];

/** Framework pins from the project, then the serving stack; the first mention of a distribution wins. */
function servingRequirements(desc: ProjectDescription, model: DetectedModel, provided: Map<string, string>): string[] {
  const wanted = [...(FRAMEWORK_RUNTIME[model.framework] ?? FRAMEWORK_DISTRIBUTIONS[model.framework]?.slice(0, 1) ?? []), 'numpy'];
  if (model.format === 'joblib' && !wanted.includes('joblib')) wanted.push('joblib');
  const lines = new Map<string, string>();
  for (const name of wanted) {
    const req = projectRequirement(desc, name);
    if (req) lines.set(name, requirementLine(req));
    else if (SERVING_PINS[name]) lines.set(name, `${name}==${SERVING_PINS[name]}`);
    else if (desc.requirements.packages.length > 0 || FRAMEWORK_DISTRIBUTIONS[model.framework]?.includes(name)) lines.set(name, name);
  }
  for (const name of SERVING_STACK) {
    const req = projectRequirement(desc, name);
    const base = provided.get(name);
    lines.set(name, req ? requirementLine(req) : base !== undefined ? (base ? `${name}==${base}` : name) : `${name}==${SERVING_PINS[name]}`);
  }
  return [...lines.values()];
}

export function buildServingSpec(desc: ProjectDescription, options: ContainerizeOptions): ServingSpec {
  const model = findModel(desc, options.model);
  if (model.format === 'lfs-pointer') {
    throw new ModelshipError('LFS_POINTER', `${model.path} is a Git LFS pointer, not the model`, `Fetch the weights first: git lfs pull --include "${model.path}"`);
  }
  const rootName = desc.root.split(/[\\/]/).filter(Boolean).pop() ?? 'model';
  const name = serviceName(model.path === '.' ? rootName : model.path, rootName);
  const version = options.version ?? '0.1.0';
  const sha8 = options.modelSha256?.slice(0, 8);
  const tag = sha8 ? `${version}-${sha8}` : version;
  const repository = options.imageRepository ?? name;
  const fileName = model.path === '.' ? rootName : model.path.split('/').pop()!;
  const containerPath = `${MODEL_DIR}/${fileName}`;
  const provided = parseProvided(options.baseProvides ?? []);
  const requirements = servingRequirements(desc, model, provided);
  const gpu = options.gpu ? chooseGpuBase(desc, model, options.gpuBaseImage) : undefined;
  const torchIndexUrl = gpu?.torchIndexUrl ?? (requirements.some((r) => /^torch\b/.test(r)) ? cpuTorchIndexUrl() : undefined);

  // Deserialised models take a few times their file size in memory; the app and runtime need ~300 MiB.
  const working = Math.max(256 * MiB, Math.ceil(model.bytes * 2.5) + 300 * MiB);
  // GPU and large models: one process. Otherwise one per CPU of the limit, each with its own copy of
  // the model, so the memory request counts every copy and the CPU request grows with the workers.
  const workers = options.gpu || model.bytes > MULTI_WORKER_MAX_BYTES ? 1 : CPU_WORKERS;
  const memoryRequest = options.gpu ? Math.max(working, 4 * 1024 * MiB) : working * workers;
  const startupSeconds = Math.min(1800, Math.max(30, 30 + Math.ceil(model.bytes / (50 * MiB))));

  return {
    name,
    version,
    image: { repository, tag, ref: `${repository}:${tag}` },
    port: SERVING_PORT,
    paths: { live: '/healthz', ready: '/readyz', metrics: '/metrics', predict: '/predict' },
    model: {
      source: model.path,
      fileName,
      containerPath,
      containerDir: MODEL_DIR,
      format: model.format,
      framework: model.framework,
      bytes: model.bytes,
      ...(options.modelSha256 ? { sha256: options.modelSha256 } : {}),
      ...(model.details?.inputFeatures ? { inputFeatures: model.details.inputFeatures } : {}),
    },
    mode: options.mode,
    ...(options.modelUri ? { modelUri: options.modelUri } : {}),
    python: { version: desc.python.version, source: desc.python.source },
    requirements,
    baseProvides: [...provided.keys()].sort(),
    offline: options.offline === true,
    // Offline installs read no index, so they need no secrets (and stay buildable by the classic builder).
    pipSecrets: options.offline !== true && options.pipSecrets !== false,
    gpu: {
      enabled: options.gpu,
      ...(gpu ? { baseImage: gpu.baseImage, reason: gpu.reason } : {}),
      ...(torchIndexUrl ? { torchIndexUrl } : {}),
    },
    baseImage: options.baseImage ?? `python:${desc.python.version}-slim`,
    resources: {
      requests: { cpu: options.gpu ? '2' : `${CPU_REQUEST_PER_WORKER_MILLIS * workers}m`, memory: mebibytes(memoryRequest) },
      limits: { cpu: options.gpu ? '4' : String(CPU_WORKERS), memory: mebibytes(memoryRequest * 2) },
    },
    startupSeconds,
    env: {
      MODEL_PATH: containerPath,
      MODEL_FORMAT: model.format,
      MODEL_FRAMEWORK: model.framework,
      MODEL_NAME: name,
      PORT: String(SERVING_PORT),
      // auto: as many as the CPU limit's whole CPUs (serving/__main__.py reads the cgroup quota).
      WORKERS: workers > 1 ? 'auto' : '1',
      MAX_BATCH_SIZE: '1024',
      MAX_BODY_BYTES: String(10 * MiB),
    },
    uid: APP_UID,
  };
}

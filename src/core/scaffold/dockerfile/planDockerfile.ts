/**
 * Everything the Dockerfile and .dockerignore need, decided once from the ServingSpec: the base
 * image and how it gets Python, what goes into the build context, where the model lands, which
 * pins the base image must already provide.
 */
import type { DetectedModel, ProjectDescription } from '../../detect/types';
import { exactVersion } from '../../detect/requirements/pinning';
import { normalizeName } from '../../detect/requirements/pep508';
import { ModelshipError } from '../../errors';
import { chooseGpuBase, type GpuBase } from '../gpuCompat';
import { LAYOUT } from '../layout';
import type { ServingSpec } from '../types';
import { pythonForBase, type BasePython } from './basePython';
import type { ContextPath } from './dockerignore';
import { assertPortablePath } from './syntax';

/** Where the venv lives in both stages. */
export const VENV = '/opt/venv';
/** The app's working directory; `serving/` is copied under it. */
export const APP_DIR = '/app';

export interface ModelCopy {
  /** Project-relative sources, in the order COPY lists them. */
  sources: string[];
  /** Absolute destination; ends with `/` when it is a folder. */
  dest: string;
}

export interface DockerfilePlan {
  spec: ServingSpec;
  /** FROM of both stages. */
  base: string;
  python: BasePython;
  /** apt packages the runtime stage installs (its Python and any pinned cuDNN). */
  runtimeApt: string[];
  gpu?: GpuBase;
  /** NVIDIA container toolkit settings the base does not already set. */
  nvidiaEnv: [string, string][];
  /** What makes up the model and where it lands; copied only in `bake` mode. */
  model: ModelCopy;
  /** What the Dockerfile copies from the context, for .dockerignore. */
  keep: ContextPath[];
  /** Distributions the base image must already hold, with the pinned version ('' when unpinned). */
  provided: [string, string][];
  requirementsFile: string;
}

export function planDockerfile(spec: ServingSpec, desc: ProjectDescription): DockerfilePlan {
  if (spec.image.tag === 'latest') {
    throw new ModelshipError('IMAGE_TAG_LATEST', `The image tag for ${spec.image.repository} is "latest"`, 'Give the image a version: --version 0.1.0.');
  }
  // The path reaches COPY, .dockerignore, ENV and comments; refuse one they cannot all spell.
  if (spec.model.source !== '.') assertPortablePath(spec.model.source);
  const model = desc.models.find((m) => m.path === spec.model.source);
  const gpu = spec.gpu.enabled ? gpuBaseFor(spec, desc, model) : undefined;
  const base = gpu?.baseImage ?? spec.baseImage;
  const python = pythonForBase(base, spec.python.version);
  const copy = modelCopy(spec, model);
  const requirementsFile = `${LAYOUT.appDir}/requirements.txt`;
  const keep: ContextPath[] = [{ path: requirementsFile, folder: false }, { path: LAYOUT.appDir, folder: true }];
  if (spec.offline) keep.push({ path: LAYOUT.wheelsDir, folder: true });
  if (spec.mode === 'bake') keep.push(...modelContextPaths(spec, copy));
  return {
    spec,
    base,
    python,
    runtimeApt: [...python.runtimePackages, ...(gpu?.runtimeAptPackages ?? [])],
    ...(gpu ? { gpu } : {}),
    nvidiaEnv: gpu ? nvidiaEnv(base, gpu) : [],
    model: copy,
    keep,
    provided: providedPins(spec),
    requirementsFile,
  };
}

/** The table's full answer for the spec's GPU base (an override stays an override). */
function gpuBaseFor(spec: ServingSpec, desc: ProjectDescription, model: DetectedModel | undefined): GpuBase {
  const image = spec.gpu.baseImage ?? spec.baseImage;
  if (!model) return { baseImage: image, reason: spec.gpu.reason ?? '', runtimeAptPackages: [] };
  return chooseGpuBase(desc, model, image);
}

/**
 * NVIDIA's CUDA images set the toolkit variables themselves. Other bases (python-slim with CUDA
 * wheels) get the capabilities and, when the table knows it, the minimum CUDA the driver must
 * support, so an old driver fails at `docker run` with a clear message instead of at the first
 * inference. NVIDIA_VISIBLE_DEVICES is left unset: `--gpus` and the Kubernetes device plugin set
 * it, and baking `all` in would hand every GPU to containers that asked for none.
 */
function nvidiaEnv(base: string, gpu: GpuBase): [string, string][] {
  if (/(?:^|\/)nvidia\/cuda:/.test(base)) return [];
  const env: [string, string][] = [['NVIDIA_DRIVER_CAPABILITIES', 'compute,utility']];
  if (gpu.requireCuda) env.push(['NVIDIA_REQUIRE_CUDA', gpu.requireCuda]);
  return env;
}

function modelCopy(spec: ServingSpec, model: DetectedModel | undefined): ModelCopy {
  const dir = spec.model.containerDir;
  if (spec.model.format === 'savedmodel') return { sources: [spec.model.source], dest: `${spec.model.containerPath}/` };
  const shards = model?.details?.shards ?? [];
  if (shards.length > 0) return { sources: [spec.model.source, ...shards], dest: `${dir}/` };
  return { sources: [spec.model.source], dest: spec.model.containerPath };
}

/** The context paths a model COPY reads; a SavedModel at the project root is its two parts. */
function modelContextPaths(spec: ServingSpec, copy: ModelCopy): ContextPath[] {
  if (spec.model.source === '.') return [{ path: 'saved_model.pb', folder: false }, { path: 'variables', folder: true }];
  const folder = spec.model.format === 'savedmodel';
  return copy.sources.map((path) => ({ path, folder }));
}

/** `name==version` for each distribution the base provides, from the spec's requirement lines. */
function providedPins(spec: ServingSpec): [string, string][] {
  const pins = new Map<string, string>();
  for (const line of spec.requirements) {
    const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;@]*)/.exec(line);
    if (match?.[1]) pins.set(normalizeName(match[1]), exactVersion(match[2] ?? '') ?? '');
  }
  return spec.baseProvides.map((name) => normalizeName(name)).sort().map((name) => [name, pins.get(name) ?? '']);
}

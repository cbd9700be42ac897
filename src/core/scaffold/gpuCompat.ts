/**
 * Which base a GPU image needs, keyed by the project's PyTorch or TensorFlow pin and looked up in
 * the versioned table in `dockerfile/gpuTable.ts` (its header says where the rows come from and how
 * to refresh them).
 *
 * - PyTorch CUDA wheels carry their own CUDA and cuDNN (bundled, or as `nvidia-*` wheels), so the
 *   base is the same `python:<version>-slim` as a CPU image and only the wheel index changes. A CUDA
 *   image underneath would ship the toolkit twice.
 * - TensorFlow loads the system CUDA and cuDNN it was built against, so the base is the NVIDIA
 *   runtime image its tested-build row requires, and the image runs that Ubuntu's own Python.
 *
 * Everything here is pure: a pin the table lacks is a ModelshipError naming the way out.
 */
import type { DetectedModel, ProjectDescription, Requirement } from '../detect/types';
import { exactVersion } from '../detect/requirements/pinning';
import { minorSatisfies } from '../detect/requirements/pythonVersion';
import { ModelshipError } from '../errors';
import {
  cudaOfIndex, MIN_DRIVER, TABLE_VERSION, TENSORFLOW_ROWS, TENSORFLOW_SOURCE, TORCH_ROWS, TORCH_SOURCE, UBUNTU_PYTHON, UPDATED,
  type CudaImage, type TensorflowRow, type TorchRow,
} from './dockerfile/gpuTable';

/** The base image a GPU build runs on, and why. */
export interface GpuBase {
  baseImage: string;
  /** One or two sentences a user can check: which pin selected which CUDA line, and the table version. */
  reason: string;
  /** PyTorch wheel index for the chosen CUDA line. */
  torchIndexUrl?: string;
  /** Packages the runtime stage installs from NVIDIA's apt repository (a pinned cuDNN). */
  runtimeAptPackages: string[];
  /** `NVIDIA_REQUIRE_CUDA` for a base that does not set it (python-slim with CUDA wheels). */
  requireCuda?: string;
}

const TORCH_INDEX = 'https://download.pytorch.org/whl';

export function cpuTorchIndexUrl(): string {
  return `${TORCH_INDEX}/cpu`;
}

/** Which table a model's framework reads. */
export type GpuFamily = 'torch' | 'tensorflow' | 'other';

const TORCH_FRAMEWORKS = new Set(['pytorch', 'safetensors', 'transformers']);
const TENSORFLOW_FRAMEWORKS = new Set(['tensorflow', 'keras']);
const TENSORFLOW_DISTRIBUTIONS = ['tensorflow', 'tensorflow-gpu'];

export function gpuFamily(desc: ProjectDescription, model: DetectedModel): GpuFamily {
  if (TORCH_FRAMEWORKS.has(model.framework)) return 'torch';
  if (TENSORFLOW_FRAMEWORKS.has(model.framework)) return 'tensorflow';
  if (model.framework === 'unknown') {
    if (findRequirement(desc, ['torch'])) return 'torch';
    if (findRequirement(desc, TENSORFLOW_DISTRIBUTIONS)) return 'tensorflow';
  }
  return 'other';
}

/**
 * The GPU base for `model`. An `override` (the user's `--gpu-base-image`) wins; when it names the
 * table's own choice, the table's full answer (apt packages, reason) comes back.
 */
export function chooseGpuBase(desc: ProjectDescription, model: DetectedModel, override?: string): GpuBase {
  if (override === undefined) return tableGpuBase(desc, model);
  let table: GpuBase | undefined;
  try {
    table = tableGpuBase(desc, model);
  } catch {
    table = undefined;
  }
  if (table?.baseImage === override) return table;
  const cuda = /(?:^|\/)nvidia\/cuda:(\d+)\.(\d+)/.exec(override);
  const torchIndexUrl = gpuFamily(desc, model) !== 'torch' ? undefined
    : cuda ? `${TORCH_INDEX}/cu${cuda[1]}${cuda[2]}` : table?.torchIndexUrl;
  return {
    baseImage: override,
    reason: `${override} was chosen with --gpu-base-image${table ? ` (the table suggests ${table.baseImage})` : ''}.`,
    ...(torchIndexUrl ? { torchIndexUrl } : {}),
    runtimeAptPackages: [],
  };
}

function tableGpuBase(desc: ProjectDescription, model: DetectedModel): GpuBase {
  switch (gpuFamily(desc, model)) {
    case 'torch': return torchBase(desc);
    case 'tensorflow': return tensorflowBase(desc);
    default: return {
      baseImage: `python:${desc.python.version}-slim`,
      reason: `Modelship's CUDA table covers PyTorch and TensorFlow, not ${model.framework}: the image is python:${desc.python.version}-slim and relies on wheels that bring their own CUDA libraries; the driver comes from the host.`,
      runtimeAptPackages: [],
    };
  }
}

function torchBase(desc: ProjectDescription): GpuBase {
  const req = findRequirement(desc, ['torch']);
  const pin = req ? exactVersion(req.specifier) : undefined;
  let row: TorchRow;
  let index: string;
  let said: string;
  if (pin && req) {
    const local = /\+([a-z0-9.]+)$/i.exec(pin)?.[1]?.toLowerCase();
    if (local && !/^cu\d+$/.test(local)) {
      throw new ModelshipError('GPU_TORCH_BUILD', `torch is pinned to ${pin} in ${req.source}, a build without CUDA, but a GPU image was asked for`,
        `Pin torch==${pin.split('+')[0]} in ${req.source}, or containerize without --gpu.`);
    }
    row = lookup(TORCH_ROWS, pin, 'torch', req);
    if (local && !row.lines.includes(local)) {
      throw new ModelshipError('GPU_TORCH_BUILD', `torch ${pin} (${req.source}) names ${local} wheels, but PyTorch ${row.release} publishes ${row.lines.join(', ')}`,
        `Pin torch==${pin.split('+')[0]} to get the ${row.index} wheels, or one of ${row.lines.map((l) => `+${l}`).join(', ')}.`);
    }
    index = local ?? row.index;
    said = `torch ${pin} (${req.source})`;
  } else {
    row = newestAllowed(TORCH_ROWS, req?.specifier ?? '');
    index = row.index;
    said = `torch is not pinned, so the newest release the table knows (${row.release}) is assumed; pin torch to make this reproducible`;
  }
  const cuda = cudaOfIndex(index);
  const major = cuda.split('.')[0] ?? '';
  const driver = MIN_DRIVER[major];
  return {
    baseImage: `python:${desc.python.version}-slim`,
    reason: `${said}: its ${index} wheels bring CUDA ${cuda} and cuDNN with them, so the base is python:${desc.python.version}-slim and CUDA is not shipped twice${driver ? `; the host needs an NVIDIA driver >= ${driver}` : ''}. CUDA table v${TABLE_VERSION} (${UPDATED}), from ${TORCH_SOURCE}.`,
    torchIndexUrl: `${TORCH_INDEX}/${index}`,
    runtimeAptPackages: [],
    requireCuda: `cuda>=${major}.0`,
  };
}

function tensorflowBase(desc: ProjectDescription): GpuBase {
  const req = findRequirement(desc, TENSORFLOW_DISTRIBUTIONS);
  const pin = req ? exactVersion(req.specifier) : undefined;
  const row = pin && req ? lookup(TENSORFLOW_ROWS, pin, 'tensorflow', req) : newestAllowed(TENSORFLOW_ROWS, req?.specifier ?? '');
  const image = imageForPython(row, desc, pin);
  const python = UBUNTU_PYTHON[image.ubuntu] ?? '';
  const said = pin ? `tensorflow ${pin}` : `tensorflow is not pinned, so the newest release the table knows (${row.release}) is assumed; pin it to make this reproducible. TensorFlow ${row.release}`;
  const pythonNote = python === desc.python.version ? '' : ` (not ${desc.python.version}: no image in the row runs it, and nothing pins it)`;
  return {
    baseImage: image.image,
    reason: `${said} was tested with CUDA ${row.cuda} and cuDNN ${row.cudnn}: ${image.image} has CUDA ${row.cuda} and cuDNN ${image.cudnn}${image.aptPackages.length > 0 ? ' (installed from NVIDIA\'s apt repository)' : ''}, and runs Ubuntu ${image.ubuntu}'s Python ${python}${pythonNote}. CUDA table v${TABLE_VERSION} (${UPDATED}), from ${TENSORFLOW_SOURCE}.`,
    runtimeAptPackages: [...image.aptPackages],
  };
}

/**
 * The row's image whose Ubuntu Python is the project's. When none is, a project that never chose
 * its Python gets the row's first image; one that did (or whose range excludes every image) gets
 * an error, because silently serving on another Python than the one it pinned breaks its pins.
 */
function imageForPython(row: TensorflowRow, desc: ProjectDescription, pin: string | undefined): CudaImage {
  const pythonOf = (image: CudaImage): string => UBUNTU_PYTHON[image.ubuntu] ?? '';
  const exact = row.images.find((image) => pythonOf(image) === desc.python.version);
  if (exact) return exact;
  const constraint = desc.python.constraint;
  const allowed = constraint ? row.images.find((image) => minorSatisfies(pythonOf(image), constraint)) : undefined;
  if (allowed) return allowed;
  if (desc.python.source === 'default' && row.images[0]) return row.images[0];
  const offered = row.images.map((image) => `${pythonOf(image)} (${image.image})`).join(' or ');
  throw new ModelshipError('GPU_PYTHON_MISMATCH',
    `TensorFlow ${pin ?? row.release} GPU images run Ubuntu's own Python ${offered}, but ${desc.python.source} asks for Python ${desc.python.version}`,
    `Pin Python ${row.images.map(pythonOf).join(' or ')} in ${desc.python.source}, or pass --gpu-base-image with a CUDA ${row.cuda} / cuDNN ${row.cudnn} image that has python3 ${desc.python.version}.`);
}

interface Row { release: string }

/** The row for a pinned version's `major.minor`; a missing row is the user's error, with the way out. */
function lookup<T extends Row>(rows: readonly T[], pin: string, name: string, req: Requirement): T {
  const release = releaseOf(pin);
  const row = rows.find((r) => r.release === release);
  if (row) return row;
  throw new ModelshipError('GPU_TABLE_MISSING',
    `${name} ${pin} (${req.source}) is not in Modelship's CUDA table v${TABLE_VERSION} (updated ${UPDATED}), which knows ${name} ${rows[0]?.release} to ${rows[rows.length - 1]?.release}`,
    `Pass --gpu-base-image to choose the GPU base yourself, or pin a ${name} release the table knows.`);
}

/** The newest row some release of which the specifier admits (the newest row when it admits none). */
function newestAllowed<T extends Row>(rows: readonly T[], specifier: string): T {
  const allowed = specifier.trim() === '' ? [...rows] : rows.filter((r) => minorSatisfies(r.release, specifier));
  const row = (allowed.length > 0 ? allowed : [...rows]).pop();
  if (!row) throw new Error('the CUDA table is empty');
  return row;
}

/** `2.3.1+cu121` gives `2.3`. */
export function releaseOf(version: string): string {
  return version.split('+')[0]!.split('.').slice(0, 2).join('.');
}

/** The project's requirement for one of `names`, preferring a pinned one. */
function findRequirement(desc: ProjectDescription, names: string[]): Requirement | undefined {
  const matches = desc.requirements.packages.filter((p) => names.includes(p.normalizedName) && !p.url);
  return matches.find((p) => p.pinned) ?? matches[0];
}

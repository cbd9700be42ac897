/**
 * The versioned compatibility table behind GPU images: which CUDA line a pinned PyTorch or
 * TensorFlow release needs, and which NVIDIA image (plus pinned cuDNN) provides it.
 *
 * Where the rows come from:
 * - PyTorch: "Previous PyTorch Versions" (https://pytorch.org/get-started/previous-versions/,
 *   source pytorch/pytorch.github.io `_get_started/previous-versions.md`) lists the CUDA wheel
 *   indexes (`cuXXX`) each release publishes. `index` is the line of the release's default Linux
 *   wheel on PyPI (its `nvidia-cuda-runtime-cu12` dependency), so the container runs the same CUDA
 *   build as a plain `pip install torch==X` on the data scientist's Linux machine.
 * - TensorFlow: "Tested build configurations", Linux GPU table
 *   (https://www.tensorflow.org/install/source#gpu, source tensorflow/docs `site/en/install/source.md`)
 *   gives the Python range, cuDNN and CUDA of each release. TensorFlow refuses a cuDNN whose major
 *   differs or whose minor is older than the one it was built with, so each row names an image
 *   whose cuDNN meets that, or pins the exact cuDNN package from NVIDIA's apt repository.
 * - NVIDIA images: the supported-tags list
 *   (https://gitlab.com/nvidia/container-images/cuda/-/blob/master/doc/supported-tags.md) and the
 *   `NV_CUDNN_VERSION` each `-cudnn*-runtime` Dockerfile installs.
 *
 * Refreshing: when PyTorch or TensorFlow releases, add its row from the pages above, bump
 * TABLE_VERSION and UPDATED, and run `test/unit/scaffold/gpuCompat.test.ts`: it fails for any
 * torch or tensorflow pin in the fixtures and examples that the table lacks, saying which row to
 * add. NVIDIA deletes image tags six months after their driver branch reaches end of life
 * (doc/support-policy.md in the same repository), so also check every `image` below is still listed.
 */

/** Bumped whenever a row is added or changed; shown in the generated Dockerfile's GPU comment. */
export const TABLE_VERSION = 1;
/** The day the rows were last checked against the sources above. */
export const UPDATED = '2026-11-21';

export const TORCH_SOURCE = 'https://pytorch.org/get-started/previous-versions/';
export const TENSORFLOW_SOURCE = 'https://www.tensorflow.org/install/source#gpu';

/** One PyTorch release line (`major.minor`; patch releases share their wheels' CUDA lines). */
export interface TorchRow {
  release: string;
  /** The CUDA wheel index the image installs from, e.g. `cu121`. */
  index: string;
  /** Every CUDA wheel index the release publishes, newest last. */
  lines: string[];
}

/** Oldest first; a lookup takes the row whose `release` equals the pin's `major.minor`. */
export const TORCH_ROWS: readonly TorchRow[] = [
  { release: '2.0', index: 'cu117', lines: ['cu117', 'cu118'] },
  { release: '2.1', index: 'cu121', lines: ['cu118', 'cu121'] },
  { release: '2.2', index: 'cu121', lines: ['cu118', 'cu121'] },
  { release: '2.3', index: 'cu121', lines: ['cu118', 'cu121'] },
  { release: '2.4', index: 'cu121', lines: ['cu118', 'cu121', 'cu124'] },
  { release: '2.5', index: 'cu124', lines: ['cu118', 'cu121', 'cu124'] },
  { release: '2.6', index: 'cu124', lines: ['cu118', 'cu124', 'cu126'] },
  { release: '2.7', index: 'cu126', lines: ['cu118', 'cu126', 'cu128'] },
  { release: '2.8', index: 'cu128', lines: ['cu126', 'cu128', 'cu129'] },
  { release: '2.9', index: 'cu128', lines: ['cu126', 'cu128', 'cu130'] },
  // PyPI's default line for 2.10 was not checked; cu128 is the line 2.8 and 2.9 default to.
  { release: '2.10', index: 'cu128', lines: ['cu126', 'cu128', 'cu130'] },
];

/** An NVIDIA CUDA runtime image and what it holds. */
export interface CudaImage {
  image: string;
  /** The Ubuntu release; its own `python3` is the only Python the image can install offline-free. */
  ubuntu: string;
  /** The cuDNN the image ships, or the one `aptPackages` pins. */
  cudnn: string;
  /** Packages the runtime stage installs from NVIDIA's apt repository (already configured in the image). */
  aptPackages: string[];
}

/** One TensorFlow release line, as the tested-build table states it. */
export interface TensorflowRow {
  release: string;
  /** Supported Python, inclusive `[lowest, highest]` `major.minor`. */
  python: [string, string];
  cuda: string;
  cudnn: string;
  /** Images that satisfy the row, in order of preference. */
  images: CudaImage[];
}

/** The `python3` each Ubuntu release ships (main archive, security-supported). */
export const UBUNTU_PYTHON: Record<string, string> = { '20.04': '3.8', '22.04': '3.10', '24.04': '3.12' };

const CUDA_11_2: CudaImage[] = [
  { image: 'nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04', ubuntu: '20.04', cudnn: '8.1.1.33', aptPackages: [] },
];
const CUDA_11_8_UBUNTU_22: CudaImage = { image: 'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04', ubuntu: '22.04', cudnn: '8.9.6.50', aptPackages: [] };
const CUDA_11_8_UBUNTU_20: CudaImage = { image: 'nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu20.04', ubuntu: '20.04', cudnn: '8.9.6.50', aptPackages: [] };
const CUDA_12_2: CudaImage[] = [
  { image: 'nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04', ubuntu: '22.04', cudnn: '8.9.6.50', aptPackages: [] },
];
// NVIDIA publishes 12.3.2 only with cuDNN 9, which TensorFlow 2.16/2.17 (built with cuDNN 8.9) cannot load.
const CUDA_12_3_CUDNN_8_9: CudaImage[] = [
  { image: 'nvidia/cuda:12.3.2-runtime-ubuntu22.04', ubuntu: '22.04', cudnn: '8.9.7.29', aptPackages: ['libcudnn8=8.9.7.29-1+cuda12.2'] },
];
// The 12.5.1 cuDNN images ship cuDNN 9.2.1, older than the 9.3 TensorFlow 2.18 was built with.
const CUDA_12_5_CUDNN_9_3: CudaImage[] = [
  { image: 'nvidia/cuda:12.5.1-runtime-ubuntu22.04', ubuntu: '22.04', cudnn: '9.3.0.75', aptPackages: ['libcudnn9-cuda-12=9.3.0.75-1'] },
  { image: 'nvidia/cuda:12.5.1-runtime-ubuntu24.04', ubuntu: '24.04', cudnn: '9.3.0.75', aptPackages: ['libcudnn9-cuda-12=9.3.0.75-1'] },
];

/** Oldest first. */
export const TENSORFLOW_ROWS: readonly TensorflowRow[] = [
  { release: '2.5', python: ['3.6', '3.9'], cuda: '11.2', cudnn: '8.1', images: CUDA_11_2 },
  { release: '2.6', python: ['3.6', '3.9'], cuda: '11.2', cudnn: '8.1', images: CUDA_11_2 },
  { release: '2.7', python: ['3.7', '3.9'], cuda: '11.2', cudnn: '8.1', images: CUDA_11_2 },
  { release: '2.8', python: ['3.7', '3.10'], cuda: '11.2', cudnn: '8.1', images: CUDA_11_2 },
  { release: '2.9', python: ['3.7', '3.10'], cuda: '11.2', cudnn: '8.1', images: CUDA_11_2 },
  { release: '2.10', python: ['3.7', '3.10'], cuda: '11.2', cudnn: '8.1', images: CUDA_11_2 },
  { release: '2.11', python: ['3.7', '3.10'], cuda: '11.2', cudnn: '8.1', images: CUDA_11_2 },
  { release: '2.12', python: ['3.8', '3.11'], cuda: '11.8', cudnn: '8.6', images: [CUDA_11_8_UBUNTU_22, CUDA_11_8_UBUNTU_20] },
  { release: '2.13', python: ['3.8', '3.11'], cuda: '11.8', cudnn: '8.6', images: [CUDA_11_8_UBUNTU_22, CUDA_11_8_UBUNTU_20] },
  { release: '2.14', python: ['3.9', '3.11'], cuda: '11.8', cudnn: '8.7', images: [CUDA_11_8_UBUNTU_22] },
  { release: '2.15', python: ['3.9', '3.11'], cuda: '12.2', cudnn: '8.9', images: CUDA_12_2 },
  { release: '2.16', python: ['3.9', '3.12'], cuda: '12.3', cudnn: '8.9', images: CUDA_12_3_CUDNN_8_9 },
  { release: '2.17', python: ['3.9', '3.12'], cuda: '12.3', cudnn: '8.9', images: CUDA_12_3_CUDNN_8_9 },
  { release: '2.18', python: ['3.9', '3.12'], cuda: '12.5', cudnn: '9.3', images: CUDA_12_5_CUDNN_9_3 },
];

/** The CUDA version of a wheel index: `cu121` gives `12.1`, `cu130` gives `13.0`. */
export function cudaOfIndex(index: string): string {
  const digits = /^cu(\d+)$/.exec(index)?.[1] ?? '';
  return `${digits.slice(0, -1)}.${digits.slice(-1)}`;
}

/**
 * The oldest driver that runs every release of a CUDA major line, thanks to CUDA minor-version
 * compatibility (NVIDIA's "CUDA Compatibility" guide: 11.x needs >= 450.80.02, 12.x >= 525.60.13).
 */
export const MIN_DRIVER: Record<string, string> = { '11': '450.80.02', '12': '525.60.13' };

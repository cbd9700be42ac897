/**
 * Where a base image's Python comes from. The builder and the runtime stage always start FROM the
 * same image and get their interpreter the same way, so the venv the builder fills links against
 * exactly the interpreter (path, version and C ABI) that runs it.
 */
import { UBUNTU_PYTHON } from './gpuTable';

/** How the Dockerfile gets an interpreter in a base image. */
export interface BasePython {
  /**
   * `image`: the official `python:<version>` images, which ship it at `/usr/local/bin/python`.
   * `apt`: NVIDIA's Ubuntu-based CUDA images, which ship none; both stages install the Ubuntu
   * release's own `python3.X` (the only one its archive keeps patched).
   * `assumed`: any other image (a framework image, a company base); it must already have `python3`
   * with the `venv` module, and the build says so when it does not.
   */
  kind: 'image' | 'apt' | 'assumed';
  /** `major.minor` the image runs (the project's, when the image does not say). */
  version: string;
  /** The command that creates the venv. */
  command: string;
  /** apt packages each stage installs to get it (`apt` only): the builder's list includes `-venv`. */
  builderPackages: string[];
  runtimePackages: string[];
}

/** Ubuntu release of NVIDIA's `nvidia/cuda:<ver>-<flavour>-ubuntuNN.NN` tags, with and without a registry prefix. */
const CUDA_UBUNTU = /(?:^|\/)nvidia\/cuda:[^\s]*-ubuntu(\d{2}\.\d{2})$/;
/** Official Python images, with or without a registry prefix: `python:3.11-slim`, `docker.io/library/python:3.11`. */
const PYTHON_IMAGE = /(?:^|\/)python:(\d+)\.(\d+)(?:[.-][^\s]*)?$/;


export function pythonForBase(image: string, projectPython: string): BasePython {
  const py = PYTHON_IMAGE.exec(image);
  if (py) return { kind: 'image', version: `${py[1]}.${py[2]}`, command: 'python', builderPackages: [], runtimePackages: [] };
  const ubuntu = CUDA_UBUNTU.exec(image)?.[1];
  const distroPython = ubuntu ? UBUNTU_PYTHON[ubuntu] : undefined;
  if (distroPython) {
    const exe = `python${distroPython}`;
    return { kind: 'apt', version: distroPython, command: exe, builderPackages: [exe, `${exe}-venv`], runtimePackages: [exe] };
  }
  return { kind: 'assumed', version: projectPython, command: 'python3', builderPackages: [], runtimePackages: [] };
}

/** The Python an Ubuntu-based NVIDIA image would run, if `image` is one. */
export function ubuntuPythonOf(image: string): string | undefined {
  const ubuntu = CUDA_UBUNTU.exec(image)?.[1];
  return ubuntu ? UBUNTU_PYTHON[ubuntu] : undefined;
}

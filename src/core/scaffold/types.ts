/**
 * Scaffolding turns one ProjectDescription and the user's few choices into a ServingSpec, and the
 * spec into files. Every generator reads the same spec, so the Dockerfile, the app, the manifests,
 * the chart, KServe, compose and CI never disagree on the port, paths, probes or image.
 *
 * Invariants: generators are pure and deterministic (same spec, same bytes); paths are
 * project-relative POSIX paths; nothing here touches the disk.
 */
import type { Framework, ModelFormat } from '../detect/types';

/** What `containerize` can generate, as named on the command line (`--only`). */
export type ScaffoldTarget = 'dockerfile' | 'app' | 'k8s' | 'helm' | 'kserve' | 'compose' | 'ci';
export const ALL_TARGETS: readonly ScaffoldTarget[] = ['dockerfile', 'app', 'k8s', 'helm', 'kserve', 'compose', 'ci'];

/** `bake` copies the model into the image; `mount` reads it at run time from a volume or an object-store URI. */
export type ModelMode = 'bake' | 'mount';

/** The user's choices; everything else is derived. */
export interface ContainerizeOptions {
  /** Project-relative path of the model to serve (a file, or a SavedModel folder). */
  model: string;
  gpu: boolean;
  mode: ModelMode;
  targets: ScaffoldTarget[];
  /** Install wheels from `wheels/` with `--no-index` instead of reaching an index. */
  offline?: boolean;
  /**
   * Let pip read a package mirror from build secrets (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, pip.conf)
   * through `RUN --mount=type=secret`, which needs BuildKit. Default true; false writes a Dockerfile
   * the classic builder accepts (and that only reaches the default index).
   */
  pipSecrets?: boolean;
  /** Overrides the CPU runtime base image (default `python:<version>-slim`). */
  baseImage?: string;
  /** Overrides the GPU runtime base image (default from the CUDA compatibility table). */
  gpuBaseImage?: string;
  /**
   * Distributions the base image already provides, as `name` or `name==version` (pip freeze lines),
   * so the build reuses them instead of downloading them again (GPU framework images, test base
   * images). The project's own pins must match them; the serving stack adopts the base's versions.
   */
  baseProvides?: string[];
  /** Image repository without tag, e.g. `ghcr.io/acme/iris`; default: the service name. */
  imageRepository?: string;
  /** Where the model lives in `mount` mode (`s3://bucket/model.joblib`, `pvc://claim/path`, `gs://...`). */
  modelUri?: string;
  /** SHA-256 of the model file, hex, computed at the edge by streaming it (core reads no files). */
  modelSha256?: string;
  /** The version stamped on the image and the manifests (default 0.1.0). */
  version?: string;
}

/** The one description every generator reads. */
export interface ServingSpec {
  /** DNS-1123 label used for the image, the Deployment, the Service, the chart and the compose service. */
  name: string;
  version: string;
  image: {
    repository: string;
    /** Never `latest`: `<version>` or `<version>-<sha8>` when the model hash is known. */
    tag: string;
    /** `repository:tag`. */
    ref: string;
  };
  /** The port the app listens on inside the container (and EXPOSE, containerPort, targetPort, probes). */
  port: number;
  paths: { live: string; ready: string; metrics: string; predict: string };
  model: {
    /** Project-relative source path. */
    source: string;
    /** The file or folder name inside the container's model directory. */
    fileName: string;
    /** Absolute path inside the container (MODEL_PATH). */
    containerPath: string;
    /** Folder the model lives in inside the container (`/models`), also the volume mount point. */
    containerDir: string;
    format: ModelFormat;
    framework: Framework;
    bytes: number;
    sha256?: string;
    /** Input width, when the file says it (used to shape smoke-test rows). */
    inputFeatures?: number;
  };
  mode: ModelMode;
  /** Object-store or volume URI of the model in `mount` mode. */
  modelUri?: string;
  python: { version: string; source: string };
  /** Pip requirement lines the image installs (framework pins from the project + serving deps). */
  requirements: string[];
  /** Distributions the base image provides and the build must not reinstall. */
  baseProvides: string[];
  offline: boolean;
  /** pip reads PIP_INDEX_URL, PIP_EXTRA_INDEX_URL and pip.conf from optional build secrets (BuildKit). */
  pipSecrets: boolean;
  gpu: {
    enabled: boolean;
    /** Runtime base image for GPU builds, from the compatibility table (or the user's override). */
    baseImage?: string;
    /** Why that base: which pinned framework version selected which CUDA line. */
    reason?: string;
    /** PyTorch wheel index for the chosen CUDA line (or the CPU-only index when no GPU). */
    torchIndexUrl?: string;
  };
  /** CPU runtime base image. */
  baseImage: string;
  /** Container sizing derived from the model's size. */
  resources: {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
  };
  /** Seconds the startup probe allows for loading the model, sized from its bytes. */
  startupSeconds: number;
  /** Environment every runtime passes to the app. */
  env: Record<string, string>;
  /** The uid/gid the image runs as. */
  uid: number;
}

/** One file scaffolding wants to exist. */
export interface PlannedFile {
  /** Project-relative POSIX path. */
  path: string;
  contents: string;
  /** File mode to write with, when not the default 0o644 (scripts). */
  mode?: number;
  /** Which target produced it. */
  target: ScaffoldTarget;
  /** One line saying what the file is for, shown in the plan. */
  purpose: string;
}

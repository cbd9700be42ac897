/**
 * The project description that detection produces and every later layer consumes
 * (scaffolding, diagnostics, the tree view, `modelship detect --json`).
 *
 * Invariants:
 * - Everything here is plain, JSON-serialisable data: no class instances, no editor types.
 * - Every path is relative to the project root, uses forward slashes and never starts with `./`.
 * - Lines are 1-based, as users and `--json` readers count them.
 * - Detection never executes, imports or unpickles anything it reads.
 */

/** The on-disk format of a model artifact, as printed by `modelship detect --json`. */
export type ModelFormat =
  | 'pickle'
  | 'joblib'
  | 'pytorch'
  | 'torchscript'
  | 'safetensors'
  | 'onnx'
  | 'keras-h5'
  | 'keras'
  | 'savedmodel'
  | 'tflite'
  | 'gguf'
  | 'xgboost-json'
  | 'xgboost-ubj'
  | 'lightgbm-text'
  | 'catboost'
  | 'numpy'
  | 'lfs-pointer';

/** The framework that made (and is needed to load) a model. */
export type Framework =
  | 'sklearn'
  | 'xgboost'
  | 'lightgbm'
  | 'catboost'
  | 'pytorch'
  | 'tensorflow'
  | 'keras'
  | 'onnx'
  | 'safetensors'
  | 'llama.cpp'
  | 'numpy'
  | 'pandas'
  | 'statsmodels'
  | 'transformers'
  | 'unknown';

/** One model artifact found in the project. */
export interface DetectedModel {
  /** Project-relative path; for a SavedModel, the directory. */
  path: string;
  format: ModelFormat;
  framework: Framework;
  /** Size on disk; for a directory or a sharded checkpoint, the sum of its files. */
  bytes: number;
  /** Why detection decided this, in a few words a user can check (magic bytes, members, globals). */
  evidence: string;
  /** Facts read from the file that later layers use (pickle protocol, opset, architecture, shards...). */
  details?: ModelDetails;
}

/** Format-specific facts; every field is optional because each format tells different things. */
export interface ModelDetails {
  /** Pickle protocol (0-5) of the first pickle in the stream. */
  pickleProtocol?: number;
  /** Fully qualified globals referenced by the pickle head, e.g. `sklearn.pipeline.Pipeline`. */
  globals?: string[];
  /** Compression wrapping a joblib file (`zlib`, `gzip`, `bz2`, `xz`, `lzma`, `lz4`). */
  compression?: string;
  /** Zip member names seen (capped), for zip-based formats. */
  members?: string[];
  /** Shard files of a sharded checkpoint, project-relative. */
  shards?: string[];
  /** ONNX IR version and default-domain opset. */
  onnxIrVersion?: number;
  onnxOpset?: number;
  /** Producer recorded in the file (ONNX producer_name, Keras version, XGBoost version...). */
  producer?: string;
  /** GGUF `general.architecture`, safetensors `__metadata__.format` and the like. */
  architecture?: string;
  /** Format version number recorded in the file (GGUF version, LightGBM `version=v3`...). */
  formatVersion?: string;
  /** Number of input features, when the file states it (used to shape smoke-test rows). */
  inputFeatures?: number;
  /** For LFS pointers: the object id and the size of the real file. */
  lfsOid?: string;
  lfsSize?: number;
}

/** How a requirement is constrained; `pinned` means exactly one version can be installed. */
export interface Requirement {
  /** The distribution name as written. */
  name: string;
  /** PEP 503 normalised name (lowercase, runs of `-_.` become `-`), used for lookups. */
  normalizedName: string;
  /** Version specifier as written (`==1.2.1`, `>=2,<3`), empty when none. */
  specifier: string;
  /** True when the specifier admits exactly one version (`==x.y.z` without wildcard, or `===`). */
  pinned: boolean;
  extras: string[];
  /** PEP 508 environment marker, without the `;`. */
  marker?: string;
  /** A direct reference (`name @ url`, VCS or file URL) instead of an index version. */
  url?: string;
  /** The file that declared it and the 1-based line. */
  source: string;
  line: number;
}

/** A dependency file that was read. */
export interface RequirementsFile {
  path: string;
  kind: 'requirements.txt' | 'pyproject.toml' | 'Pipfile' | 'environment.yml' | 'constraints';
}

export interface RequirementsInfo {
  /** Files read, in the order they were found (includes followed through `-r`/`-c`). */
  files: RequirementsFile[];
  /** Every requirement from every file; the same package may appear once per file. */
  packages: Requirement[];
  /** pip options found in requirements files (`--index-url`, `--extra-index-url`, `--find-links`...). */
  options: { option: string; value: string; source: string; line: number }[];
  /** Conda-only (non-pip) dependencies from environment.yml, as written. */
  conda: { name: string; specifier: string; source: string; line: number }[];
}

export interface PythonInfo {
  /** `major.minor`, e.g. `3.11`. */
  version: string;
  /** The file that said so, or `default` when nothing did. */
  source: string;
  /** The full constraint as written, when it was a range (`>=3.9,<3.13`). */
  constraint?: string;
}

export type ProblemSeverity = 'error' | 'warning' | 'info';

/** Something the user should fix before shipping; `path` and `line` locate it when known. */
export interface Problem {
  /** Project-relative path, or `.` for the project as a whole. */
  path: string;
  /** 1-based line, when the problem is on a line. */
  line?: number;
  message: string;
  severity: ProblemSeverity;
  /** Stable identifier, e.g. `framework-missing`, `unpinned`, `lfs-pointer`, `unreadable`. */
  code: string;
  /** What to do about it, when there is one obvious fix. */
  fix?: string;
}

/** Everything detection learned about one project folder. */
export interface ProjectDescription {
  /** Absolute path of the project root, as the caller named it. */
  root: string;
  models: DetectedModel[];
  requirements: RequirementsInfo;
  python: PythonInfo;
  problems: Problem[];
}

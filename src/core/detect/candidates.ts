/**
 * Which files are worth opening. Content decides what a file is, but opening every file of a
 * 50k-file repository would cost far more than listing it, so names decide what is opened:
 * anything a model could plausibly be saved as is sniffed; source, docs, media and data formats
 * that no model library writes are not. A LightGBM `.txt` or XGBoost `.json` is opened only when
 * its name suggests a model.
 */

/** Extensions model libraries write, plus generic binary ones a model often hides behind. */
const SNIFF_EXTENSIONS = new Set([
  'pkl', 'pickle', 'pk', 'p', 'joblib', 'jbl', 'sav', 'dill', 'cloudpickle', 'pt', 'pth', 'bin', 'ckpt', 'pt2',
  'onnx', 'ort', 'h5', 'hdf5', 'he5', 'keras', 'tflite', 'lite', 'gguf', 'ggml', 'safetensors', 'ubj', 'ubjson',
  'cbm', 'npy', 'npz', 'model', 'mdl', 'dat', 'weights', 'xgb', 'xgboost', 'lgb', 'lgbm', 'booster', 'zip', 'z',
  'gz', 'bz2', 'xz', 'lzma', 'lz4', 'data', 'pb', 'state', 'params', 'est', 'clf',
]);

/** A model-ish word in a `.json` or `.txt` name (`xgb_model.json`, `lgbm-booster.txt`). */
const MODEL_NAME_HINT = /model|booster|xgb|lgb|lightgbm|gbm|gbdt|tree|estimator|classifier|regressor|clf|weights|checkpoint/i;

/** Extension-less names that are never models (build and project files). */
const NEVER_MODELS = new Set([
  'license', 'licence', 'copying', 'notice', 'readme', 'authors', 'contributors', 'changelog', 'makefile',
  'dockerfile', 'containerfile', 'procfile', 'pipfile', 'gemfile', 'rakefile', 'jenkinsfile', 'vagrantfile',
  'codeowners', 'manifest', 'version', '.gitignore', '.gitattributes', '.dockerignore', '.python-version',
  '.editorconfig', '.env', '.envrc', '.npmrc', '.gitmodules',
]);

/**
 * Names only a model (or its joblib compression) goes by: a file named so that holds nothing, text
 * or a cut stream is reported, where a generic name (`.bin`, `.dat`, no extension) stays silent.
 */
const MODEL_FILE_NAME = /\.(pkl|pickle|joblib|jbl|sav|dill|pt|pth|pt2|bin|ckpt|onnx|ort|h5|hdf5|keras|tflite|gguf|safetensors|cbm|ubj|npy|npz)(\.(z|gz|bz2|xz|lzma|lz4))?$/i;

export function isModelFileName(name: string): boolean {
  return MODEL_FILE_NAME.test(name);
}

/** True when a file of this base name should be opened and sniffed. */
export function shouldSniff(name: string): boolean {
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  if (dot <= 0) return !NEVER_MODELS.has(lower) && !lower.startsWith('.');
  const ext = lower.slice(dot + 1);
  if (SNIFF_EXTENSIONS.has(ext)) return true;
  if (ext === 'json') return lower.endsWith('.index.json') || MODEL_NAME_HINT.test(lower.slice(0, dot));
  if (ext === 'txt') return MODEL_NAME_HINT.test(lower.slice(0, dot)) && !isDependencyTxt(lower);
  return false;
}

function isDependencyTxt(lower: string): boolean {
  return lower.startsWith('requirements') || lower.startsWith('constraints') || lower === 'runtime.txt';
}

/** What kind of dependency or Python-version file a name is, if any. */
export type DependencyKind = 'requirements' | 'pyproject' | 'pipfile' | 'conda' | 'pythonVersion' | 'runtime';

export function dependencyKind(name: string, parentDir: string): DependencyKind | undefined {
  const lower = name.toLowerCase();
  if (lower === 'pyproject.toml') return 'pyproject';
  if (name === 'Pipfile') return 'pipfile';
  if (lower === 'environment.yml' || lower === 'environment.yaml' || lower === 'conda.yaml' || lower === 'conda.yml') return 'conda';
  if (lower === '.python-version') return 'pythonVersion';
  if (lower === 'runtime.txt') return 'runtime';
  if (lower.endsWith('.txt') && (/^(requirements|constraints)([-_.\w]*)\.txt$/.test(lower) || /(^|\/)requirements$/.test(parentDir))) {
    return 'requirements';
  }
  return undefined;
}

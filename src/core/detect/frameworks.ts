/**
 * Which framework a model needs, from the Python modules its pickle references, and which pip
 * distributions provide that framework (to check the requirements).
 */
import type { Framework, ModelFormat } from './types';

/**
 * Top-level module → framework, most specific first: a scikit-learn pipeline wrapping an XGBoost
 * estimator needs both, but the estimator's library is the one a user forgets.
 */
const MODULE_FRAMEWORKS: [string, Framework][] = [
  ['xgboost', 'xgboost'],
  ['lightgbm', 'lightgbm'],
  ['catboost', 'catboost'],
  ['transformers', 'transformers'],
  ['torch', 'pytorch'],
  ['torchvision', 'pytorch'],
  ['keras', 'keras'],
  ['tensorflow', 'tensorflow'],
  ['tf_keras', 'keras'],
  ['onnx', 'onnx'],
  ['statsmodels', 'statsmodels'],
  ['sklearn', 'sklearn'],
  ['imblearn', 'sklearn'],
  ['pandas', 'pandas'],
  ['numpy', 'numpy'],
];

const PRIORITY = new Map<Framework, number>(MODULE_FRAMEWORKS.map(([, f], i) => [f, i]));

/** The framework behind a set of imported modules, or `unknown` when none is known. */
export function frameworkFromModules(modules: Iterable<string>): Framework {
  let best: Framework = 'unknown';
  let bestRank = Infinity;
  for (const module of modules) {
    const top = module.split('.')[0]!;
    for (const [prefix, framework] of MODULE_FRAMEWORKS) {
      if (top === prefix) {
        const rank = PRIORITY.get(framework)!;
        if (rank < bestRank) {
          best = framework;
          bestRank = rank;
        }
      }
    }
  }
  return best;
}

/** The framework every file of a format needs, for formats whose bytes say it outright. */
export const FORMAT_FRAMEWORK: Partial<Record<ModelFormat, Framework>> = {
  pytorch: 'pytorch',
  torchscript: 'pytorch',
  safetensors: 'safetensors',
  onnx: 'onnx',
  'keras-h5': 'keras',
  keras: 'keras',
  savedmodel: 'tensorflow',
  tflite: 'tensorflow',
  gguf: 'llama.cpp',
  'xgboost-json': 'xgboost',
  'xgboost-ubj': 'xgboost',
  'lightgbm-text': 'lightgbm',
  catboost: 'catboost',
  numpy: 'numpy',
  'lfs-pointer': 'unknown',
};

/**
 * PEP 503-normalised distributions any one of which provides the framework at serving time.
 * ONNX models are served by onnxruntime; Keras 3 runs on any backend but ships as `keras`, and
 * Keras 2 files load with TensorFlow's bundled Keras.
 */
export const FRAMEWORK_DISTRIBUTIONS: Partial<Record<Framework, string[]>> = {
  sklearn: ['scikit-learn', 'sklearn'],
  xgboost: ['xgboost', 'xgboost-cpu'],
  lightgbm: ['lightgbm'],
  catboost: ['catboost'],
  pytorch: ['torch', 'pytorch'],
  tensorflow: ['tensorflow', 'tensorflow-cpu', 'tensorflow-gpu', 'tensorflow-macos', 'tf-nightly', 'tflite-runtime', 'ai-edge-litert'],
  keras: ['keras', 'tensorflow', 'tensorflow-cpu', 'tensorflow-gpu', 'tensorflow-macos', 'tf-keras'],
  onnx: ['onnxruntime', 'onnxruntime-gpu', 'onnxruntime-openvino', 'onnxruntime-directml'],
  safetensors: ['safetensors'],
  'llama.cpp': ['llama-cpp-python'],
  numpy: ['numpy'],
  pandas: ['pandas'],
  statsmodels: ['statsmodels'],
  transformers: ['transformers'],
};

/** The distribution to suggest adding when none of a framework's is required. */
export function suggestedDistribution(framework: Framework): string | undefined {
  return FRAMEWORK_DISTRIBUTIONS[framework]?.[0];
}

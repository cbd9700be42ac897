/**
 * Cross-file conclusions: folds the shards of a sharded checkpoint into its index, and finds the
 * problems no single file shows (a model whose framework no requirement provides, LFS pointers
 * shipped instead of weights, missing shards, no dependency file at all).
 */
import type { DependencyResult } from './requirementsApi';
import type { DetectedModel, Problem } from './types';
import { FRAMEWORK_DISTRIBUTIONS, suggestedDistribution } from './frameworks';

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

const FRAMEWORK_LABEL: Record<string, string> = {
  sklearn: 'scikit-learn', pytorch: 'PyTorch', tensorflow: 'TensorFlow', keras: 'Keras', onnx: 'ONNX',
  xgboost: 'XGBoost', lightgbm: 'LightGBM', catboost: 'CatBoost', 'llama.cpp': 'llama.cpp', safetensors: 'safetensors',
  numpy: 'NumPy', pandas: 'pandas', statsmodels: 'statsmodels', transformers: 'Transformers',
};

/** Conda package names that differ from the pip distribution providing the same framework. */
const CONDA_NAMES: Record<string, string> = { pytorch: 'torch', 'py-xgboost': 'xgboost', 'pytorch-cpu': 'torch', 'pytorch-gpu': 'torch', 'tensorflow-base': 'tensorflow' };

function condaToPip(name: string): string {
  const bare = name.slice(name.lastIndexOf(':') + 1).toLowerCase().replace(/[-_.]+/g, '-');
  return CONDA_NAMES[bare] ?? bare;
}

export async function projectProblems(
  rawModels: DetectedModel[],
  deps: DependencyResult,
  fileProblems: Problem[],
  sizeOf: (path: string) => Promise<number | undefined>,
): Promise<{ models: DetectedModel[]; problems: Problem[] }> {
  const problems: Problem[] = [...fileProblems, ...deps.problems];
  const byPath = new Map(rawModels.map((m) => [m.path, { ...m }]));

  for (const model of byPath.values()) {
    const shards = model.details?.shards;
    if (!shards) continue;
    const dir = dirOf(model.path);
    const resolved = shards.map((s) => joinPath(dir, s));
    let total = model.bytes;
    const missing: string[] = [];
    for (const shard of resolved) {
      const size = byPath.get(shard)?.bytes ?? (await sizeOf(shard));
      if (size === undefined) missing.push(shard);
      else total += size;
      byPath.delete(shard);
    }
    model.bytes = total;
    model.details = { ...model.details, shards: resolved };
    if (missing.length > 0) {
      problems.push({
        path: model.path,
        message: `${missing.length} of ${resolved.length} shards named by this index are missing: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`,
        severity: 'error',
        code: 'missing-shard',
        fix: 'Download or copy the missing shard files next to the index.',
      });
    }
  }
  const models = [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));

  for (const model of models) {
    if (model.format === 'lfs-pointer') {
      problems.push({
        path: model.path,
        line: 1,
        message: `This is a Git LFS pointer, not the model: the ${model.details?.lfsSize ?? '?'}-byte weights were never pulled, so an image built now would ship a 130-byte text file`,
        severity: 'error',
        code: 'lfs-pointer',
        fix: `git lfs install && git lfs pull --include "${model.path}"`,
      });
    }
  }

  const required = new Set([
    ...deps.requirements.packages.map((p) => p.normalizedName),
    ...deps.requirements.conda.map((c) => condaToPip(c.name)),
  ]);
  const hasDependencyFiles = deps.requirements.files.length > 0;
  if (models.length > 0 && !hasDependencyFiles) {
    const needed = [...new Set(models.map((m) => suggestedDistribution(m.framework)).filter((d): d is string => !!d))].slice(0, 5);
    problems.push({
      path: '.',
      message: `No requirements file found: the image cannot reproduce the environment the model${models.length > 1 ? 's were' : ' was'} saved with`,
      severity: 'warning',
      code: 'no-requirements',
      fix: needed.length > 0 ? `Add requirements.txt pinning ${needed.join(', ')} at the versions used for training (pip freeze | grep -i -E '${needed.join('|')}')` : 'Add a requirements.txt that pins the versions used for training.',
    });
  }
  if (hasDependencyFiles) {
    const reported = new Set<string>();
    for (const model of models) {
      const candidates = FRAMEWORK_DISTRIBUTIONS[model.framework];
      if (!candidates || candidates.some((d) => required.has(d))) continue;
      const key = `${model.framework}`;
      const suggestion = candidates[0]!;
      problems.push({
        path: model.path,
        message: `This ${FRAMEWORK_LABEL[model.framework] ?? model.framework} model needs ${suggestion}, which no requirements file lists (${deps.requirements.files.map((f) => f.path).join(', ')})`,
        severity: 'warning',
        code: 'framework-missing',
        fix: `Add ${suggestion}==<the version used to save it> to ${deps.requirements.files.find((f) => f.kind === 'requirements.txt')?.path ?? deps.requirements.files[0]!.path}`,
      });
      reported.add(key);
    }
    const needsJoblib = models.some((m) => m.format === 'joblib');
    if (needsJoblib && !required.has('joblib') && !required.has('scikit-learn')) {
      const model = models.find((m) => m.format === 'joblib')!;
      problems.push({
        path: model.path,
        message: 'This joblib file needs joblib to load, and no requirements file lists it (scikit-learn would bring it)',
        severity: 'warning',
        code: 'framework-missing',
        fix: 'Add joblib==<the version used to save it> to the requirements.',
      });
    }
  }
  for (const model of models) {
    const protocol = model.details?.pickleProtocol;
    if (protocol === 5 && /^3\.[0-7]$/.test(deps.python.version)) {
      problems.push({
        path: model.path,
        message: `Pickle protocol 5 needs Python 3.8 or newer, but the project targets Python ${deps.python.version} (${deps.python.source})`,
        severity: 'error',
        code: 'python-too-old',
      });
    }
  }
  problems.sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
  return { models, problems };
}

/** What the context checks share: the project's models as context paths, and which one the image serves. */
import { posix } from 'node:path';
import type { DetectedModel } from '../../../detect/types';
import type { Analysis } from '../analysis';
import type { Prop } from '../model';

export interface ContextModel {
  model: DetectedModel;
  /** Context path (a folder for a SavedModel). */
  path: string;
}

/** File names that hold weights, for sources detection did not list. */
export const MODEL_FILE = /\.(pt|pth|ckpt|bin|safetensors|onnx|h5|hdf5|keras|tflite|gguf|pkl|pickle|joblib|npy|npz|cbm|ubj)$/i;
/** Environment variables the generated app (and most serving images) read the model location from. */
export const MODEL_ENV = ['MODEL_PATH', 'MODEL_DIR'];

const memo = new WeakMap<Analysis, ContextModel[]>();

export function contextModels(a: Analysis): ContextModel[] {
  const known = memo.get(a);
  if (known) return known;
  const out: ContextModel[] = [];
  memo.set(a, out);
  for (const model of a.project?.models ?? []) {
    const path = a.context.fromProject(model.path);
    if (path !== undefined && path !== '') out.push({ model, path });
  }
  return out;
}

/** The project model at or containing context path `path` (a shard, a SavedModel folder's file). */
export function modelAt(a: Analysis, path: string): ContextModel | undefined {
  return contextModels(a).find((m) => m.path === path || path.startsWith(`${m.path}/`)
    || (m.model.details?.shards ?? []).some((s) => a.context.fromProject(s) === path));
}

export function looksLikeModel(a: Analysis, path: string): boolean {
  return modelAt(a, path) !== undefined || MODEL_FILE.test(path);
}

/** The last MODEL_PATH / MODEL_DIR of the final image, with the instruction setting it. */
export function modelEnv(a: Analysis): { prop: Prop; value: string }[] {
  const found = new Map<string, { prop: Prop; value: string }>();
  for (const ins of a.model.finalInstructions()) {
    if (ins.keyword !== 'ENV') continue;
    for (const prop of a.model.props(ins)) {
      if (MODEL_ENV.includes(prop.name) && prop.value) found.set(prop.name, { prop, value: prop.value });
    }
  }
  return [...found.values()];
}

/**
 * Models the Dockerfile refers to (by path or file name in an ENV value, a COPY source, a RUN or
 * the command); with none named and one model in the project, that one.
 */
export function servedModels(a: Analysis): Set<string> {
  const all = contextModels(a);
  const words = new Set<string>();
  for (const ins of a.model.instructions) {
    if (ins.keyword === 'ENV' || ins.keyword === 'ARG') for (const p of a.model.props(ins)) words.add(p.value ?? '');
    else for (const arg of ins.args) words.add(arg.value);
  }
  const text = [...words].join('\n');
  const named = all.filter((m) => text.includes(m.path) || text.includes(posix.basename(m.path)));
  return new Set((named.length > 0 ? named : all.length === 1 ? all : []).map((m) => m.path));
}

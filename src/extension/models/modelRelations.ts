/**
 * What belongs to one detected model inside a ProjectDescription: the requirements that matter
 * for loading it (its framework's distributions, plus those of the modules its pickle globals name) and the
 * problems located on it. Everything else is project-level. Pure functions over plain data.
 */
import { FRAMEWORK_DISTRIBUTIONS, frameworkFromModules } from '../../core/detect/frameworks';
import type { DetectedModel, Problem, ProjectDescription, Requirement } from '../../core/detect/types';

export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** One row under a model: a package it needs, and the requirement that provides it if any. */
export interface ModelRequirement {
  name: string;
  requirement?: Requirement;
}

export function requirementsForModel(desc: ProjectDescription, model: DetectedModel): ModelRequirement[] {
  const rows: ModelRequirement[] = [];
  const seen = new Set<string>();
  const add = (candidates: string[]): void => {
    const normalized = candidates.map(normalizePackageName);
    const found = desc.requirements.packages.find((r) => normalized.includes(r.normalizedName));
    const name = found?.normalizedName ?? normalized[0];
    if (name === undefined || seen.has(name)) return;
    seen.add(name);
    rows.push(found ? { name: found.name, requirement: found } : { name: candidates[0] as string });
  };
  add(FRAMEWORK_DISTRIBUTIONS[model.framework] ?? []);
  // A pickle may need more than its main framework (a pipeline with an XGBoost step, pandas frames).
  for (const global of model.details?.globals ?? []) add(FRAMEWORK_DISTRIBUTIONS[frameworkFromModules([global])] ?? []);
  return rows;
}

/** True when `p` is the model itself, a file inside a model directory, or one of its shards. */
function belongsTo(model: DetectedModel, p: string): boolean {
  return p === model.path || p.startsWith(`${model.path}/`) || (model.details?.shards ?? []).includes(p);
}

export function problemsForModel(desc: ProjectDescription, model: DetectedModel): Problem[] {
  return desc.problems.filter((p) => belongsTo(model, p.path));
}

/** Problems not located on any model: missing requirements file, default Python, bad lines... */
export function projectProblems(desc: ProjectDescription): Problem[] {
  return desc.problems.filter((p) => !desc.models.some((m) => belongsTo(m, p.path)));
}

/** Models that a selected project-relative path designates: the model, models below a folder, or the model containing it. */
export function modelsAt(desc: ProjectDescription, selected: string): DetectedModel[] {
  if (selected === '' || selected === '.') return [...desc.models];
  return desc.models.filter((m) => belongsTo(m, selected) || m.path.startsWith(`${selected}/`));
}

export { formatBytes } from '../../core/formatBytes';

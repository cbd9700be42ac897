/**
 * `scaffold(desc, options)`: the files that ship a model, computed from one ServingSpec.
 * Same input, same files, byte for byte; writing them is the edge's job (see plan.ts).
 */
import type { ProjectDescription } from '../detect/types';
import type { Generator } from './generator';
import { buildServingSpec } from './spec';
import type { ContainerizeOptions, PlannedFile, ScaffoldTarget, ServingSpec } from './types';
import { generate as dockerfile } from './generators/dockerfile';
import { generate as app } from './generators/app';
import { generate as kubernetes } from './generators/kubernetes';
import { generate as helm } from './generators/helm';
import { generate as kserve } from './generators/kserve';
import { generate as compose } from './generators/compose';
import { generate as ci } from './generators/ci';

export type * from './types';
export { ALL_TARGETS } from './types';
export { buildServingSpec } from './spec';
export { LAYOUT } from './layout';
import { LAYOUT } from './layout';

const GENERATORS: Record<ScaffoldTarget, Generator> = { dockerfile, app, k8s: kubernetes, helm, kserve, compose, ci };

export interface ScaffoldResult {
  spec: ServingSpec;
  files: PlannedFile[];
}

/**
 * The project as scaffolding should see it: the files scaffolding itself wrote (our
 * serving/requirements.txt) are outputs, not sources, or every re-run would drift.
 */
function withoutOwnOutputs(desc: ProjectDescription): ProjectDescription {
  const own = (path: string): boolean => path.startsWith(`${LAYOUT.appDir}/`);
  return {
    ...desc,
    requirements: {
      ...desc.requirements,
      files: desc.requirements.files.filter((f) => !own(f.path)),
      packages: desc.requirements.packages.filter((p) => !own(p.source)),
      options: desc.requirements.options.filter((o) => !own(o.source)),
    },
  };
}

export function scaffold(project: ProjectDescription, options: ContainerizeOptions): ScaffoldResult {
  const desc = withoutOwnOutputs(project);
  const spec = buildServingSpec(desc, options);
  const targets = [...new Set(options.targets)];
  const files: PlannedFile[] = [];
  for (const target of targets) files.push(...GENERATORS[target]({ spec, desc, targets }));
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`two generators planned ${file.path}`);
    seen.add(file.path);
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { spec, files };
}

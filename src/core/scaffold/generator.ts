import type { ProjectDescription } from '../detect/types';
import type { PlannedFile, ScaffoldTarget, ServingSpec } from './types';

/** What every generator receives: the spec, the project it came from, and the other chosen targets. */
export interface GeneratorInput {
  spec: ServingSpec;
  desc: ProjectDescription;
  targets: readonly ScaffoldTarget[];
}

/** A pure function from the spec to the files of one target. */
export type Generator = (input: GeneratorInput) => PlannedFile[];

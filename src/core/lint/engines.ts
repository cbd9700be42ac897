/**
 * The per-format linters behind the facade in index.ts. (Until each engine lands, it reports
 * nothing; this file is the single place that wires them in.)
 */
import type { ProjectDescription } from '../detect/types';
import type { Finding, LintSettings } from './types';

export interface DockerfileLintContext {
  file: string;
  settings: LintSettings;
  dockerignore?: string;
  project?: ProjectDescription;
  contextFiles?: { path: string; bytes: number }[];
}

export interface ManifestLintContext {
  file: string;
  settings: LintSettings;
  project?: ProjectDescription;
}

export type { ModelSafety, SafetyGlobal } from './model/modelSafety';
export { scanModelSafety } from './model/scanModelSafety';
export { safetyFindings } from './model/safetyFindings';

export function lintDockerfile(_text: string, _ctx: DockerfileLintContext): Finding[] {
  return [];
}

export async function lintManifests(_text: string, _ctx: ManifestLintContext): Promise<Finding[]> {
  return [];
}

/**
 * Lint: one entry for every surface (the editor's diagnostics, `modelship lint`, the tree view).
 * `lintFile` picks the linter from the file's name and content; model files go through
 * `scanModelSafety` (a streaming, static pickle scan) instead.
 */
import type { ProjectDescription } from '../detect/types';
import { lintDockerfile, lintManifests } from './engines';
import type { Finding, LintSettings } from './types';

export type * from './types';
export { DEFAULT_LINT_SETTINGS } from './types';
export type { ModelSafety, SafetyGlobal } from './engines';
export { scanModelSafety, safetyFindings, manifestTooLarge, prepareManifestLinter, parseManifests } from './engines';
export type { ParsedManifest } from './engines';
export { ALL_RULES, ruleDoc } from './rules';
export { configureFindings } from './configure';

export type LintableKind = 'dockerfile' | 'kubernetes';

/** Dockerfiles by name (`Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*`); manifests by YAML content. */
export function lintableKind(path: string, text?: string): LintableKind | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/^(Dockerfile|Containerfile)(\..+)?$/i.test(name) || /\.(dockerfile|containerfile)$/i.test(name)) return 'dockerfile';
  if (/\.ya?ml$/i.test(name)) {
    if (/^(kustomization|Chart|values[-\w.]*)\.ya?ml$/i.test(name) || /(^|\/)templates\//.test(path)) return undefined;
    if (text === undefined || (/^\s*apiVersion\s*:/m.test(text) && /^\s*kind\s*:/m.test(text))) return 'kubernetes';
  }
  return undefined;
}

export interface LintInput {
  /** Project-relative path. */
  file: string;
  text: string;
  settings: LintSettings;
  project?: ProjectDescription;
  /** The .dockerignore beside a Dockerfile. */
  dockerignore?: string;
  /** Files under a Dockerfile's build context (project-relative), to estimate what `COPY .` sends. */
  contextFiles?: { path: string; bytes: number }[];
  /** Manifests from the other files of the same folder or kustomization (cross-object rules). */
  otherDocuments?: import('./engines').ParsedManifest[];
}

/** Lints one Dockerfile or manifest; other files give no findings. Never throws on bad input. */
export async function lintFile(input: LintInput): Promise<Finding[]> {
  const kind = lintableKind(input.file, input.text);
  if (kind === 'dockerfile') {
    return lintDockerfile(input.text, {
      file: input.file,
      settings: input.settings,
      ...(input.dockerignore !== undefined ? { dockerignore: input.dockerignore } : {}),
      ...(input.project ? { project: input.project } : {}),
      ...(input.contextFiles ? { contextFiles: input.contextFiles } : {}),
    });
  }
  if (kind === 'kubernetes') {
    return lintManifests(input.text, {
      file: input.file,
      settings: input.settings,
      ...(input.project ? { project: input.project } : {}),
      ...(input.otherDocuments ? { otherDocuments: input.otherDocuments } : {}),
    });
  }
  return [];
}

/**
 * The lint entry the editor calls: which kind of file a document is, then the core linter, then
 * the ignore comments and rule settings. Bundled into dist/detection.js (never extension.js), so
 * the linters load only once a Dockerfile or manifest is open.
 */
import { configureFindings, lintableKind, lintFile, type Finding, type LintableKind, type LintInput } from '../../core/lint';
import { lintDockerfile } from '../../core/lint/engines';
import type { FileLinter } from '../ctx';

export interface DocumentLintInput extends LintInput {
  /** The editor's language id: a `dockerfile` document is a Dockerfile whatever its name. */
  languageId: string;
}

export interface DocumentLintResult {
  kind: LintableKind;
  findings: Finding[];
}

/** Dockerfiles by name or language id; manifests by name and content (see `lintableKind`). */
export function documentKind(file: string, text: string, languageId: string): LintableKind | undefined {
  return lintableKind(file, text) ?? (languageId === 'dockerfile' ? 'dockerfile' : undefined);
}

/** The core linter for `kind`: `lintFile` picks by name, so a Dockerfile by language id goes to its engine directly. */
async function coreLint(input: LintInput, kind: LintableKind): Promise<Finding[]> {
  if (kind === 'dockerfile' && lintableKind(input.file) !== 'dockerfile') {
    return lintDockerfile(input.text, {
      file: input.file, settings: input.settings,
      ...(input.dockerignore !== undefined ? { dockerignore: input.dockerignore } : {}),
      ...(input.project ? { project: input.project } : {}),
      ...(input.contextFiles ? { contextFiles: input.contextFiles } : {}),
    });
  }
  return lintFile(input);
}

/** Lints one document; undefined when it is neither a Dockerfile nor a Kubernetes manifest. */
export async function lintDocument(input: DocumentLintInput, linter?: FileLinter): Promise<DocumentLintResult | undefined> {
  const kind = documentKind(input.file, input.text, input.languageId);
  if (!kind) return undefined;
  const { languageId: _languageId, ...lintInput } = input;
  const raw = await (linter ?? coreLint)(lintInput, kind);
  return { kind, findings: configureFindings(raw, input.text, input.settings) };
}

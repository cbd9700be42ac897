/**
 * Kubernetes manifest lint: `lintManifests(text, ctx)` → findings, with exact zero-based ranges on
 * the offending key or value, fixes as text edits, `# modelship-ignore` comments and severity
 * settings applied.
 *
 * Cheap enough to run on every keystroke: after `prepareManifestLinter()` has loaded the schema
 * validators once (about 100 ms), `lintManifests` is synchronous and costs little more than parsing
 * the YAML. Called before that, it returns a promise that loads them first.
 *
 * Invariants: never throws; skips Helm templates and non-Kubernetes YAML (no findings); reports
 * findings only in `ctx.file`, with other files' objects in `related` locations.
 */
import { K8S } from './rules';
import { lintManifestText } from './lint';
import { isTemplate, parseManifestFile } from './parse';
import { prepareSchemas, schemasReady } from './checks/schema';
import type { Finding } from '../types';
import type { ManifestLintContext } from './types';

export type { ManifestLintContext, ParsedManifest } from './types';
export { parseManifests } from './parse';
export { K8S, RULES } from './rules';

/**
 * Loads the compiled schema validators (once per process; later calls return at once). The
 * Kubernetes version is read from each lint's settings, so any version may be passed here.
 */
export async function prepareManifestLinter(_kubernetesVersion?: string): Promise<void> {
  await prepareSchemas();
}

/** Whether `lintManifests` answers synchronously now. */
export function isManifestLinterReady(): boolean {
  return schemasReady();
}

/** The guarded lint: a bug in a check costs that file its rule findings, never the caller. */
function lintNow(text: string, ctx: ManifestLintContext): Finding[] {
  try {
    return lintManifestText(text, ctx);
  } catch {
    try {
      return parseManifestFile(text, ctx.file)?.syntax.filter((f) => f.ruleId === K8S.syntax) ?? [];
    } catch {
      return [];
    }
  }
}

/**
 * Lints one manifest file (a multi-document YAML stream). Synchronous once the linter is ready
 * (`prepareManifestLinter`); otherwise a promise of the same findings.
 */
export function lintManifests(text: string, ctx: ManifestLintContext): Finding[] | Promise<Finding[]> {
  if (schemasReady() || isTemplate(text)) return lintNow(text, ctx);
  return prepareSchemas().then(() => lintNow(text, ctx), () => lintNow(text, ctx));
}

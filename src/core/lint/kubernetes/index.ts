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
import { formatBytes } from '../../formatBytes';
import { configureFindings } from '../configure';
import { checkFailed, lintManifestText } from './lint';
import { LineIndex } from './locate';
import { isTemplate, parseManifestFile, type ParsedManifestFile } from './parse';
import { prepareSchemas, schemasReady } from './checks/schema';
import { defaultSeverity, K8S } from './rules';
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

/** The finding for a manifest larger than a caller reads (`modelship lint` stops at 4 MiB): not checked is not a pass. */
export function manifestTooLarge(file: string, bytes: number, limit: number): Finding {
  const start = { line: 0, character: 0 };
  return {
    ruleId: K8S.notChecked, severity: defaultSeverity(K8S.notChecked), file, range: { start, end: start },
    message: `This manifest is ${formatBytes(bytes)}, more than the ${formatBytes(limit)} Modelship reads, so nothing in it was checked. Split it into smaller files.`,
  };
}

/** Whether `lintManifests` answers synchronously now. */
export function isManifestLinterReady(): boolean {
  return schemasReady();
}

/**
 * The guarded lint: a bug in a check costs that file that check's findings, never the caller, and
 * is itself a finding (MS-K8S027), so a failing lint never reads as a pass.
 */
function lintNow(text: string, ctx: ManifestLintContext): Finding[] {
  try {
    return lintManifestText(text, ctx, { guarded: true });
  } catch (error) {
    let parsed: ParsedManifestFile | undefined;
    try {
      parsed = parseManifestFile(text, ctx.file);
    } catch {
      parsed = { text, lines: new LineIndex(text), documents: [], syntax: [], unchecked: [] };
    }
    if (!parsed) return [];
    return configureFindings([...parsed.syntax, ...parsed.unchecked, checkFailed(parsed, ctx.file, 'reading the manifest', error)], text, ctx.settings);
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

/**
 * The manifest linter proper: parse, run every check, apply ignore comments and settings. By
 * default it throws on a bug in a check (so tests and fuzzing see it); `lintManifests` (index.ts),
 * the guarded entry, has each failing check reported as an MS-K8S027 finding instead.
 */
import { configureFindings } from '../configure';
import type { Finding } from '../types';
import { ManifestAnalysis } from './analysis';
import { checkApiVersions } from './checks/apiVersions';
import { checkAutoscaling } from './checks/autoscaling';
import { checkContainers } from './checks/containers';
import { checkGpu } from './checks/gpu';
import { checkImages } from './checks/images';
import { checkSchema } from './checks/schema';
import { checkSecrets } from './checks/secrets';
import { checkSecurity } from './checks/security';
import { checkSelectors } from './checks/selectors';
import { isKustomizationFile, parseManifestFile, uncheckedFinding, type ParsedManifestFile } from './parse';
import type { ManifestLintContext } from './types';

const CHECKS: ((a: ManifestAnalysis) => void)[] = [
  checkSchema,
  checkApiVersions,
  checkContainers,
  checkSecurity,
  checkImages,
  checkSelectors,
  checkAutoscaling,
  checkGpu,
  checkSecrets,
];

export interface LintTextOptions {
  /** Report a check that throws as an MS-K8S027 finding and run the others, instead of throwing. */
  guarded?: boolean;
}

/** The finding for a check that threw: the file was not fully checked, and we want to hear of it. */
export function checkFailed(parsed: ParsedManifestFile, file: string, what: string, error: unknown): Finding {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const message = `Modelship could not check this file in full: ${what} failed (${reason.slice(0, 200)}), so problems it would report may be missing. This is a bug in Modelship; please report it with the file.`;
  return uncheckedFinding(file, parsed.lines, parsed.text, parsed.documents[0]?.ast.range[0] ?? 0, message);
}

/** Lints one manifest file; kustomization files get their syntax checked only. */
export function lintManifestText(text: string, ctx: ManifestLintContext, options: LintTextOptions = {}): Finding[] {
  const parsed = parseManifestFile(text, ctx.file);
  if (!parsed) return [];
  const findings = [...parsed.syntax, ...parsed.unchecked];
  if (!isKustomizationFile(ctx.file) && parsed.documents.length > 0) {
    const analysis = new ManifestAnalysis(parsed, ctx);
    for (const check of CHECKS) {
      try {
        check(analysis);
      } catch (error) {
        if (!options.guarded) throw error;
        findings.push(checkFailed(parsed, ctx.file, `the rule check ${check.name}`, error));
      }
    }
    // A loop, not push(...): a file can hold more findings than a call can take arguments.
    for (const f of analysis.findings) findings.push(f);
  }
  return configureFindings(findings, text, ctx.settings);
}

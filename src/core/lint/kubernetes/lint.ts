/**
 * The manifest linter proper: parse, run every check, apply ignore comments and settings. It may
 * throw on a bug in a check; `lintManifests` (index.ts) is the guarded entry.
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
import { isKustomizationFile, parseManifestFile } from './parse';
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

/** Lints one manifest file; kustomization files get their syntax checked only. */
export function lintManifestText(text: string, ctx: ManifestLintContext): Finding[] {
  const parsed = parseManifestFile(text, ctx.file);
  if (!parsed) return [];
  const findings = [...parsed.syntax];
  if (!isKustomizationFile(ctx.file) && parsed.documents.length > 0) {
    const analysis = new ManifestAnalysis(parsed, ctx);
    for (const check of CHECKS) check(analysis);
    findings.push(...analysis.findings);
  }
  return configureFindings(findings, text, ctx.settings);
}

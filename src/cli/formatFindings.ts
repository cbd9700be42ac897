/**
 * Findings for people (one line each, like compilers print them), for programs (a JSON array with
 * 1-based lines and columns) and for code scanning (SARIF 2.1.0, as GitHub accepts it).
 */
import { ALL_RULES } from '../core/lint/rules';
import type { Finding } from '../core/lint/types';
import type { Log, ReportingDescriptor, Result } from 'sarif';

export function findingsText(findings: Finding[]): string {
  if (findings.length === 0) return 'No problems found.';
  const lines = findings.map((f) => `${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.message} [${f.ruleId}]`);
  const count = (s: Finding['severity']): number => findings.filter((f) => f.severity === s).length;
  lines.push('', `${findings.length} problem${findings.length === 1 ? '' : 's'} (${count('error')} errors, ${count('warning')} warnings, ${count('info')} info)`);
  return lines.join('\n');
}

/** The documented `--format json` shape: 1-based lines and columns. */
export function findingsJson(findings: Finding[]): string {
  return JSON.stringify(findings.map((f) => ({
    file: f.file,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
  })), null, 2);
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const satisfies Record<Finding['severity'], Result.level>;

export function findingsSarif(findings: Finding[], version: string): string {
  const rules: ReportingDescriptor[] = ALL_RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.summary },
    fullDescription: { text: r.description },
    helpUri: `https://github.com/modelship/modelship/blob/main/docs/rules.md#${r.id.toLowerCase()}`,
    defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
    properties: { category: r.category, fixable: r.fixable },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: Result[] = findings.map((f) => ({
    ruleId: f.ruleId,
    ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: f.file, uriBaseId: '%SRCROOT%' },
        region: {
          startLine: f.range.start.line + 1,
          startColumn: f.range.start.character + 1,
          endLine: f.range.end.line + 1,
          endColumn: Math.max(f.range.end.character + 1, f.range.end.line === f.range.start.line ? f.range.start.character + 2 : 1),
        },
      },
    }],
    ...(f.related ? {
      relatedLocations: f.related.map((r, i) => ({
        id: i,
        message: { text: r.message },
        physicalLocation: { artifactLocation: { uri: r.file, uriBaseId: '%SRCROOT%' }, region: { startLine: r.range.start.line + 1, startColumn: r.range.start.character + 1 } },
      })),
    } : {}),
  }));
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'Modelship', informationUri: 'https://github.com/modelship/modelship', version, rules } },
      originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///' } },
      results,
    }],
  };
  return JSON.stringify(log, null, 2);
}

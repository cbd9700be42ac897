/**
 * The one place a lint `Finding` becomes a `vscode.Diagnostic` (STYLE pattern 16): source
 * `Modelship`, the rule id as the code linking to its entry in docs/rules.md, the severity, and
 * the related places as related information. Findings are zero-based like VS Code, so ranges
 * carry over as they are (clamped to the document when there is one).
 */
import * as vscode from 'vscode';
import type { Finding, Range, Severity } from '../../core/lint/types';

/** What every Modelship diagnostic says in its `source`, whichever file it is on. */
export const DIAGNOSTIC_SOURCE = 'Modelship';

const SEVERITIES: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Where a finding is shown. */
export interface DiagnosticTarget {
  /** The workspace folder the finding's (project-relative) paths are relative to. */
  folder: vscode.Uri;
  /** The base of the rule documentation links: `https://github.com/<owner>/<repo>/blob/main/docs/rules.md`. */
  rulesDoc: vscode.Uri;
  /** The open document, to keep ranges inside it; absent for binary files (models). */
  document?: vscode.TextDocument;
}

/** The rules page of the repository named in package.json (`https://github.com/o/r.git` → `…/o/r/blob/main/docs/rules.md`). */
export function rulesDocUri(repositoryUrl: unknown): vscode.Uri {
  const raw = typeof repositoryUrl === 'string' ? repositoryUrl
    : typeof repositoryUrl === 'object' && repositoryUrl !== null && typeof (repositoryUrl as { url?: unknown }).url === 'string'
      ? (repositoryUrl as { url: string }).url : 'https://github.com/modelship/modelship';
  const base = raw.replace(/^git\+/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  return vscode.Uri.parse(`${base}/blob/main/docs/rules.md`);
}

/** The link to one rule's entry: GitHub's heading anchors are the lower-cased id (`#ms-df001`). */
export function ruleDocLink(rulesDoc: vscode.Uri, ruleId: string): vscode.Uri {
  return rulesDoc.with({ fragment: ruleId.toLowerCase() });
}

function toRange(range: Range, document?: vscode.TextDocument): vscode.Range {
  const r = new vscode.Range(
    Math.max(0, range.start.line), Math.max(0, range.start.character),
    Math.max(0, range.end.line), Math.max(0, range.end.character),
  );
  return document ? document.validateRange(r) : r;
}

export function findingToDiagnostic(finding: Finding, target: DiagnosticTarget): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(finding.range, target.document), finding.message, SEVERITIES[finding.severity] ?? vscode.DiagnosticSeverity.Warning);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: finding.ruleId, target: ruleDocLink(target.rulesDoc, finding.ruleId) };
  if (finding.related?.length) {
    d.relatedInformation = finding.related.map((r) => new vscode.DiagnosticRelatedInformation(
      new vscode.Location(vscode.Uri.joinPath(target.folder, ...r.file.split('/')), toRange(r.range)), r.message,
    ));
  }
  return d;
}

/** The rule id of one of our diagnostics, or undefined for someone else's. */
export function ruleIdOf(diagnostic: vscode.Diagnostic): string | undefined {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE) return undefined;
  const code = diagnostic.code;
  const value = typeof code === 'object' && code !== null ? code.value : code;
  return value === undefined ? undefined : String(value);
}

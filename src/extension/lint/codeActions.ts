/**
 * Quick fixes for our diagnostics in Dockerfiles and manifests: each of the finding's own fixes
 * (add USER, add `--no-cache-dir`, pin the tag, add resources or probes...) as a WorkspaceEdit,
 * then "Ignore MS-XXX for this line" (a `# modelship-ignore MS-XXX` comment above it; Dockerfiles
 * and YAML both comment with `#`) and "Disable MS-XXX in settings". A diagnostic is mapped back
 * to its finding through what the DocumentLinter last published; fixes are offered only while
 * that lint is of the document's current version, so their ranges still hold.
 */
import * as vscode from 'vscode';
import type { Range } from '../../core/lint/types';
import { ruleIdOf } from '../common/diagnostics';
import type { DocumentLinter, PublishedFinding } from './documentLinter';

const IGNORE_COMMENT = /^(\s*)#\s*modelship-ignore(?!-file)\b(.*?)\s*$/;

function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

function sameDiagnostic(a: vscode.Diagnostic, b: vscode.Diagnostic): boolean {
  return ruleIdOf(a) === ruleIdOf(b) && a.message === b.message && a.range.isEqual(b.range);
}

/** Inserts `# modelship-ignore RULE` above the diagnostic's line, or adds RULE to such a comment already there. */
export function ignoreLineEdit(document: vscode.TextDocument, line: number, ruleId: string): vscode.TextEdit | undefined {
  const previous = line > 0 ? document.lineAt(line - 1).text : undefined;
  const existing = previous !== undefined ? IGNORE_COMMENT.exec(previous) : null;
  if (existing) {
    const ids = (existing[2] ?? '').split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase());
    if (ids.includes(ruleId)) return undefined;
    const end = (previous as string).trimEnd().length;
    return vscode.TextEdit.insert(new vscode.Position(line - 1, end), ` ${ruleId}`);
  }
  const indent = /^\s*/.exec(document.lineAt(line).text)?.[0] ?? '';
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  return vscode.TextEdit.insert(new vscode.Position(line, 0), `${indent}# modelship-ignore ${ruleId}${eol}`);
}

export class LintCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly linter: DocumentLinter) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !vscode.CodeActionKind.QuickFix.contains(context.only) && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    const last = this.linter.lastLint(document.uri);
    const current = last && last.version === document.version ? last.entries : [];
    const fixes: vscode.CodeAction[] = [];
    const others: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const diagnostic of context.diagnostics) {
      const ruleId = ruleIdOf(diagnostic);
      if (!ruleId) continue;
      const entry = current.find((e: PublishedFinding) => sameDiagnostic(e.diagnostic, diagnostic));
      for (const [i, fix] of (entry?.finding.fixes ?? []).entries()) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) action.edit.replace(document.uri, toRange(e.range), e.newText);
        action.diagnostics = [diagnostic];
        action.isPreferred = i === 0;
        fixes.push(action);
      }
      const line = diagnostic.range.start.line;
      if (!seen.has(`${ruleId}:${line}`)) {
        seen.add(`${ruleId}:${line}`);
        const edit = ignoreLineEdit(document, line, ruleId);
        if (edit) {
          const ignore = new vscode.CodeAction(`Ignore ${ruleId} for this line`, vscode.CodeActionKind.QuickFix);
          ignore.edit = new vscode.WorkspaceEdit();
          ignore.edit.set(document.uri, [edit]);
          ignore.diagnostics = [diagnostic];
          others.push(ignore);
        }
      }
      if (!seen.has(ruleId)) {
        seen.add(ruleId);
        const disable = new vscode.CodeAction(`Disable ${ruleId} in settings`, vscode.CodeActionKind.QuickFix);
        disable.command = { command: 'modelship.disableRule', title: disable.title, arguments: [ruleId, document.uri] };
        disable.diagnostics = [diagnostic];
        others.push(disable);
      }
    }
    return [...fixes, ...others];
  }
}

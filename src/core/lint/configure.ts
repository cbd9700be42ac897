/**
 * What every linter does after its rules ran: drop findings the user silenced — by setting, by a
 * `# modelship-ignore MS-DF001` comment on the line or the line above, or by
 * `# modelship-ignore-file MS-DF001` anywhere in the file — and apply severity overrides.
 */
import type { Finding, LintSettings } from './types';

const IGNORE = /#\s*modelship-ignore(-file)?\b([^\n]*)/g;

interface Ignores {
  file: Set<string>;
  /** Zero-based line → ids silenced on that line and the next. */
  lines: Map<number, Set<string>>;
}

function parseIds(text: string): Set<string> {
  const ids = text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => /^MS-[A-Z0-9]+$/i.test(s)).map((s) => s.toUpperCase());
  return new Set(ids.length > 0 ? ids : ['*']);
}

export function parseIgnoreComments(text: string): Ignores {
  const ignores: Ignores = { file: new Set(), lines: new Map() };
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (!line.includes('modelship-ignore')) return;
    for (const match of line.matchAll(IGNORE)) {
      const ids = parseIds(match[2] ?? '');
      if (match[1]) ids.forEach((id) => ignores.file.add(id));
      else ignores.lines.set(index, new Set([...(ignores.lines.get(index) ?? []), ...ids]));
    }
  });
  return ignores;
}

function silenced(ignores: Ignores, finding: Finding): boolean {
  const has = (set: Set<string> | undefined): boolean => !!set && (set.has('*') || set.has(finding.ruleId));
  if (has(ignores.file)) return true;
  const line = finding.range.start.line;
  return has(ignores.lines.get(line)) || has(ignores.lines.get(line - 1));
}

/** Applies ignore comments found in `text` (the file the findings are in) and the settings. */
export function configureFindings(findings: Finding[], text: string | undefined, settings: LintSettings): Finding[] {
  const ignores = text?.includes('modelship-ignore') ? parseIgnoreComments(text) : undefined;
  const out: Finding[] = [];
  for (const finding of findings) {
    const override = settings.rules[finding.ruleId];
    if (override === 'off') continue;
    if (ignores && silenced(ignores, finding)) continue;
    out.push(override ? { ...finding, severity: override } : finding);
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId));
}

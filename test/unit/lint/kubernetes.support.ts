// Shared by the manifest lint tests: linting with defaults, applying a fix's edits, and the
// per-rule fixtures under test/fixtures/lint/kubernetes/rules/<id>-<name>/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { lintManifests, parseManifests, type ParsedManifest } from '../../../src/core/lint/kubernetes';
import { DEFAULT_LINT_SETTINGS, type Finding, type LintSettings, type Range, type TextEdit } from '../../../src/core/lint/types';

export const FIXTURES = join(__dirname, '../../fixtures/lint/kubernetes');

export interface LintOptions {
  file?: string;
  settings?: Partial<LintSettings>;
  project?: ProjectDescription;
  others?: ParsedManifest[];
}

export async function lint(text: string, options: LintOptions = {}): Promise<Finding[]> {
  return lintManifests(text, {
    file: options.file ?? 'deploy/app.yaml',
    settings: { ...DEFAULT_LINT_SETTINGS, ...options.settings },
    ...(options.project ? { project: options.project } : {}),
    ...(options.others ? { otherDocuments: options.others } : {}),
  });
}

export const ids = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.ruleId))].sort();
export const only = (findings: Finding[], id: string): Finding[] => findings.filter((f) => f.ruleId === id);

function offset(text: string, position: Range['start']): number {
  let at = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', at);
    if (next < 0) return text.length;
    at = next + 1;
  }
  return at + position.character;
}

/** Applies edits as an editor does: all against the original text; inserts at one place keep their order. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const located = edits.map((e, i) => ({ start: offset(text, e.range.start), end: offset(text, e.range.end), text: e.newText, i }));
  located.sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  for (const e of located) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The source text a range covers. */
export function slice(text: string, range: Range): string {
  return text.slice(offset(text, range.start), offset(text, range.end));
}

export interface RuleFixture {
  id: string;
  name: string;
  dir: string;
  triggers: string;
  clean: string;
  project?: ProjectDescription;
  /** Findings of the rule that its fixes cannot resolve (a ConfigMap secret, say). */
  remainingAfterFixes: number;
  others?: ParsedManifest[];
}

export function ruleFixtures(): RuleFixture[] {
  const root = join(FIXTURES, 'rules');
  return readdirSync(root).sort().map((entry) => {
    const dir = join(root, entry);
    const [, id, name] = /^(MS-K8S\d{3})-(.+)$/.exec(entry)!;
    const context = existsSync(join(dir, 'context.json'))
      ? (JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8')) as { project?: ProjectDescription; remainingAfterFixes?: number; others?: string[] })
      : {};
    return {
      id: id!,
      name: name!,
      dir,
      triggers: readFileSync(join(dir, 'triggers.yaml'), 'utf8'),
      clean: readFileSync(join(dir, 'clean.yaml'), 'utf8'),
      ...(context.project ? { project: context.project } : {}),
      remainingAfterFixes: context.remainingAfterFixes ?? 0,
      ...(context.others ? { others: context.others.flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), `deploy/${f}`)) } : {}),
    };
  });
}

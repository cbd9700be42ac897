/**
 * Findings: what every lint rule reports, and what the editor (Diagnostics, quick fixes), the CLI
 * (text, JSON, SARIF) and the tree view consume.
 *
 * Invariants: plain, JSON-serialisable data; `file` is project-relative POSIX; ranges are
 * ZERO-based (line and character), as VS Code counts — the CLI's JSON adds one; a fix only edits
 * the file its finding is in.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A mechanical fix: applying every edit (in the finding's file) resolves the finding. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  /** Stable rule id, e.g. `MS-DF001`. */
  ruleId: string;
  severity: Severity;
  /** Says what is wrong and what to do. */
  message: string;
  /** Project-relative path of the file the finding is in. */
  file: string;
  range: Range;
  fixes?: Fix[];
  /** Other places that explain the finding (the Service whose port disagrees...). */
  related?: { file: string; range: Range; message: string }[];
}

export type RuleCategory = 'dockerfile' | 'kubernetes' | 'model' | 'project';

/** A rule's documentation entry (docs/rules.md and SARIF's rule metadata are generated from these). */
export interface RuleDoc {
  id: string;
  /** Short name, e.g. `untagged-base-image`. */
  name: string;
  category: RuleCategory;
  defaultSeverity: Severity;
  /** One sentence: what the rule checks. */
  summary: string;
  /** Why it matters and how to fix it, a few sentences. */
  description: string;
  /** True when the rule offers a fix. */
  fixable: boolean;
}

/** How a user tunes rules (VS Code settings, a config file, CLI flags). */
export interface LintSettings {
  /** Rule id → 'off' or a severity. */
  rules: Record<string, Severity | 'off'>;
  /** Kubernetes version manifests are validated against, `major.minor`. */
  kubernetesVersion: string;
}

export const DEFAULT_LINT_SETTINGS: LintSettings = { rules: {}, kubernetesVersion: '1.32' };

export function rangeAt(line: number, startCharacter: number, endLine: number, endCharacter: number): Range {
  return { start: { line, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

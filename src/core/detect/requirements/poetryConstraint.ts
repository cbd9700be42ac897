/**
 * Translates Poetry version constraints into PEP 440 specifiers, following Poetry's documented rules:
 * - `^` keeps the left-most non-zero part: `^1.2.3` → `>=1.2.3,<2.0.0`, `^0.2.3` → `>=0.2.3,<0.3.0`,
 *   `^0.0.3` → `>=0.0.3,<0.0.4`, `^0` → `>=0,<1`.
 * - `~` allows the last given part of a `major.minor` to move: `~1.2.3` → `>=1.2.3,<1.3.0`, `~1` → `>=1,<2`.
 * - A bare version means exactly that version: `1.2.3` → `==1.2.3`; `*` and `""` mean any version.
 * - Clauses are joined by `,` or blanks; `||` separates alternatives, which PEP 440 cannot express,
 *   so those stay joined by ` || ` in the specifier and are listed one by one in `alternatives`.
 */
import { formatSpecifier, parseSpecifier, type ParseResult } from './pep508';

export interface PoetryConstraint {
  /** PEP 440 text, or alternatives joined by ` || `. */
  specifier: string;
  /** Each `||` alternative as a PEP 440 specifier; one empty string for "any version". */
  alternatives: string[];
}

export function poetryToPep440(text: string): ParseResult<PoetryConstraint> {
  const alternatives: string[] = [];
  for (const group of text.trim().split(/\|\|?/)) {
    const compact = group.trim().replace(/(===|==|!=|<=|>=|~=|<|>|\^|~)\s+/g, '$1');
    const clauses: string[] = [];
    for (const word of compact.split(/[\s,]+/).filter((w) => w !== '' && w !== '*')) {
      const translated = translateWord(word);
      if (!translated.ok) return translated;
      clauses.push(translated.value);
    }
    const parsed = parseSpecifier(clauses.join(','));
    if (!parsed.ok) return parsed;
    alternatives.push(formatSpecifier(parsed.value));
  }
  const specifier = alternatives.length === 1 ? (alternatives[0] ?? '') : alternatives.join(' || ');
  return { ok: true, value: { specifier, alternatives } };
}

function translateWord(word: string): ParseResult<string> {
  if (word.startsWith('^')) return bounded(word.slice(1), 'caret');
  if (word.startsWith('~') && !word.startsWith('~=')) return bounded(word.slice(1), 'tilde');
  if (/^[<>=!~]/.test(word)) return { ok: true, value: word };
  if (/^v?\d/.test(word)) return { ok: true, value: `==${word}` };
  return { ok: false, reason: `"${word}" is not a Poetry version constraint` };
}

function bounded(version: string, kind: 'caret' | 'tilde'): ParseResult<string> {
  const release = /^(\d+(?:\.\d+)*)/.exec(version)?.[1];
  if (release === undefined) return { ok: false, reason: `"${version}" after ${kind === 'caret' ? '^' : '~'} is not a version` };
  const parts = release.split('.').map(Number);
  let bump: number;
  if (kind === 'tilde') {
    bump = parts.length === 1 ? 0 : 1;
  } else {
    bump = parts.findIndex((p) => p !== 0);
    if (bump < 0) bump = parts.length - 1;
  }
  const upper = parts.map((p, i) => (i < bump ? p : i === bump ? p + 1 : 0));
  return { ok: true, value: `>=${version},<${upper.join('.')}` };
}

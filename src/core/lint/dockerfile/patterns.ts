/**
 * Path patterns from the workspace (.dockerignore lines, COPY wildcards), matched in time bounded
 * by the input's size. Docker matches with Go's RE2, which never backtracks; JavaScript regular
 * expressions do, so a pattern such as `**\/**\/**\/...` or `(a+)+` handed to a RegExp unguarded
 * can hang the editor. Hence:
 * - COPY wildcards are matched segment by segment with filepath.Match's rules, without RegExp;
 * - .dockerignore lines go to @balena/dockerignore (a port of moby's matcher) after escaping the
 *   characters moby's current patternmatcher escapes too (`( ) + { } |`), collapsing repeated
 *   `**`, and leaving out (for the linter only) the rare line with more than MAX_STARS wildcards
 *   or one that does not compile.
 */
import ignore from '@balena/dockerignore';

export interface PathMatcher {
  ignores(path: string): boolean;
}

const MAX_STARS = 6;

/** The last .dockerignore compiled: an editor lints the same file again and again with it. */
let last: { text: string; matcher: PathMatcher } | undefined;

export function dockerignoreMatcher(text: string): PathMatcher {
  if (last?.text !== text) last = { text, matcher: compile(text) };
  return last.matcher;
}

function compile(text: string): PathMatcher {
  const lines = text.split(/\r?\n/).map(safeLine).filter((l): l is string => l !== undefined);
  let ig = ignore().add(lines);
  try {
    ig.ignores('a/b');
  } catch {
    // One line does not compile (an unclosed `[`): find it, rather than lose every line.
    ig = ignore().add(lines.filter(compiles));
  }
  return {
    ignores: (path) => {
      try {
        return ig.ignores(path);
      } catch {
        return false;
      }
    },
  };
}

function safeLine(line: string): string | undefined {
  if (line.trim() === '' || line.trimStart().startsWith('#')) return line;
  let out = '';
  let inClass = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      out += c + line[++i];
    } else if (inClass) {
      out += c;
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else {
      out += '(){}+|'.includes(c) ? `[${c}]` : c;
    }
  }
  const collapsed = out.replace(/(\*\*\/)+/g, '**/').replace(/\*{3,}/g, '**');
  return (collapsed.match(/\*/g)?.length ?? 0) > MAX_STARS ? undefined : collapsed;
}

function compiles(line: string): boolean {
  try {
    ignore().add([line]).ignores('a/b');
    return true;
  } catch {
    return false;
  }
}

/** Whether a COPY wildcard source matches `path`, or a folder holding it (filepath.Match per segment). */
export function globMatches(pattern: string, path: string): boolean {
  const ps = pattern.split('/');
  const ss = path.split('/');
  if (ps.length > ss.length) return false;
  return ps.every((p, i) => matchSegment(p, ss[i]!));
}

/** `*`, `?`, `[...]` (with `^`/`!` and ranges) and `\` escapes within one segment; O(n·m). */
export function matchSegment(p: string, s: string): boolean {
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (p[pi] === '*') {
      starP = pi++;
      starS = si;
      continue;
    }
    const next = pi < p.length ? matchOne(p, pi, s[si]!) : -1;
    if (next >= 0) {
      pi = next;
      si++;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** The pattern index after the element at `pi` if it matches `c`, else -1. */
function matchOne(p: string, pi: number, c: string): number {
  const t = p[pi];
  if (t === '?') return pi + 1;
  if (t === '\\') return p[pi + 1] === c ? pi + 2 : -1;
  if (t !== '[') return t === c ? pi + 1 : -1;
  const close = p.indexOf(']', pi + 2);
  if (close < 0) return c === '[' ? pi + 1 : -1;
  let body = p.slice(pi + 1, close);
  const negate = body[0] === '^' || body[0] === '!';
  if (negate) body = body.slice(1);
  let hit = false;
  for (let i = 0; i < body.length; i++) {
    if (body[i + 1] === '-' && i + 2 < body.length) {
      if (c >= body[i]! && c <= body[i + 2]!) hit = true;
      i += 2;
    } else if (body[i] === c) hit = true;
  }
  return hit !== negate ? close + 1 : -1;
}

/**
 * The literal path a COPY source names when its only pattern characters are escapes (`\\*`) and
 * one-character classes (`[(]`, how Modelship writes `( ) + { } |` and `[`); undefined when it is a
 * real wildcard.
 */
export function literalPath(pattern: string): string | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' || c === '?') return undefined;
    if (c === '\\' && i + 1 < pattern.length) out += pattern[++i];
    else if (c === '[') {
      const one = /^\[([^\]^!\\-]|\\.)\]/.exec(pattern.slice(i));
      if (!one) return undefined;
      out += one[1]!.length === 2 ? one[1]![1] : one[1];
      i += one[0].length - 1;
    } else out += c;
  }
  return out;
}

/**
 * `.dockerignore` matching exactly as the docker CLI (28, classic builder) applies it when it tars
 * a context: moby/patternmatcher/ignorefile `ReadAll` (reading the file), patternmatcher `New`
 * (cleaning and syntax checks), `Pattern.compile`/`match` (exact, prefix, suffix or regexp),
 * `MatchesUsingParentResults` (what moby/go-archive's TarWithOptions calls per walked path) and the
 * deprecated `Matches` that docker/cli's TrimBuildFilesFromExcludes still uses.
 *
 * Invariants: paths are POSIX, relative to the context root, with no `./` and no trailing `/`.
 * Patterns keep Docker's meaning on every OS except Windows' backslash separators (see `readDockerignore`).
 *
 * Not @balena/dockerignore: checked against the tarball docker CLI 28 sends, it differs on
 * `+ ( ) | { }` (regexp syntax there, literal in Docker), `**.pyc` (Docker: any path ending in
 * `.pyc`), a pattern that re-excludes after a `!` exception (Docker keeps its parent-results
 * quirk), a lone `!` and malformed `[` (Docker refuses the build), a UTF-8 BOM, and case (it
 * ignores case by default).
 */
import { posix } from 'node:path';
import { ModelshipError } from '../core/errors';

/** One cleaned pattern, compiled once. */
export interface IgnorePattern {
  /** The cleaned pattern without its `!` (what Docker's `Pattern.String()` returns). */
  readonly text: string;
  /** True for a `!` exception. */
  readonly exclusion: boolean;
  /** How many `/`-separated parts the pattern has (the deprecated `Matches` uses it). */
  readonly parts: number;
  /** Whether the pattern itself matches `path`, with no look at its parents. */
  match(path: string): boolean;
}

/** A parsed pattern list, as moby's `PatternMatcher`. */
export interface IgnorePatterns {
  readonly patterns: readonly IgnorePattern[];
  /** Whether any pattern is a `!` exception. */
  readonly exclusions: boolean;
}

/** Per-pattern match results of a directory, handed to its children (moby's `MatchInfo`). */
export type ParentMatches = readonly boolean[] | undefined;

// Go's unicode.IsSpace, which strings.TrimSpace uses (String.prototype.trim differs on U+0085 and U+FEFF).
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM = new RegExp(`^${SPACE}+|${SPACE}+$`, 'g');
const trimSpace = (s: string): string => s.replace(TRIM, '');

/** Go's filepath.Clean on a POSIX path. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function badPattern(source: string, pattern: string, why: string): ModelshipError {
  return new ModelshipError('BUILD_CONTEXT', `${source}: ${why} in pattern "${pattern}"`, 'Fix the pattern: docker build refuses this .dockerignore too.');
}

/**
 * The patterns of a .dockerignore file, as ignorefile.ReadAll returns them: comments dropped,
 * spaces trimmed, each pattern cleaned and made relative, `!` kept in front. On Windows a
 * backslash separates paths, as it does for the CLI there, so it escapes nothing.
 */
export function readDockerignore(text: string, windows = process.platform === 'win32'): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // bufio.ScanLines drops one \r before each \n; the first line loses a UTF-8 BOM.
    let line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (i === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    // A comment is a line whose very first character is '#', before any trimming.
    if (line.startsWith('#')) continue;
    let pattern = trimSpace(windows ? line.replace(/\\/g, '/') : line);
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = trimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}

/** The error Go's filepath.Match would return for `pattern`, or undefined when its syntax is valid. */
function matchSyntaxError(pattern: string): string | undefined {
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '\\') {
      if (i + 1 >= chars.length) return 'a trailing backslash';
      i++;
    } else if (ch === '[') {
      // A class: optional ^, then one or more chars or ranges (each may be escaped), then ].
      i++;
      if (chars[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (chars[i] === ']' && ranges > 0) break;
        for (let end = 0; end < 2; end++) {
          const c = chars[i];
          if (c === undefined || c === '-' || c === ']') return 'a malformed [character class]';
          if (c === '\\') i++;
          if (chars[i] === undefined || chars[i + 1] === undefined) return 'an unterminated [character class]';
          i++;
          if (end === 1 || chars[i] !== '-') break;
          i++;
        }
        ranges++;
      }
    }
  }
  return undefined;
}

// Escapes that mean the same to Go's regexp and a JavaScript RegExp: ASCII punctuation (the
// character itself) and these letters. Go reads other letters, digits and non-ASCII differently
// (\a, \A, \z, \Q, \x, octal, \s without Unicode spaces) or refuses them, so they are refused.
const SAME_ESCAPES = /^[!-/:-@[-`{-~dDwWbBfnrtv]$/;
const REGEXP_ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** moby's Pattern.compile: the cheapest test that gives the same answer as its regexp. */
function compile(text: string, source: string): (path: string) => boolean {
  const chars = Array.from(text);
  let re = '^';
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let i = 0, token = 0; i < chars.length; i++, token++) {
    const ch = chars[i]!;
    if (ch === '*' && chars[i + 1] === '*') {
      i++;
      if (chars[i + 1] === '/') i++;
      if (i + 1 >= chars.length) {
        if (type === 'exact') type = 'prefix';
        else {
          re += '[^\\n]*';
          type = 'regexp';
        }
      } else {
        re += '([^\\n]*/)?';
        type = 'regexp';
      }
      if (token === 0) type = 'suffix';
    } else if (ch === '*') {
      re += '[^/]*';
      type = 'regexp';
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (REGEXP_ESCAPED.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) re += '\\\\';
      else {
        if (!SAME_ESCAPES.test(next)) throw badPattern(source, text, `the escape \\${next} (a Go regexp escape Modelship does not reproduce)`);
        re += `\\${next}`;
        i++;
        type = 'regexp';
      }
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  switch (type) {
    case 'exact':
      return (path) => path === text;
    case 'prefix': {
      const prefix = text.slice(0, -2);
      return (path) => path.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = text.slice(2);
      return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp': {
      let regexp: RegExp;
      try {
        regexp = new RegExp(`${re}$`);
      } catch {
        throw badPattern(source, text, 'a syntax error');
      }
      return (path) => regexp.test(path);
    }
  }
}

/** moby's patternmatcher.New: trims and cleans each pattern, refuses a lone `!` and bad syntax. */
export function compilePatterns(lines: readonly string[], source = '.dockerignore'): IgnorePatterns {
  const patterns: IgnorePattern[] = [];
  for (const line of lines) {
    let text = trimSpace(line);
    if (text === '') continue;
    text = cleanPath(text);
    const exclusion = text.startsWith('!');
    if (exclusion) {
      if (text.length === 1) throw badPattern(source, line, 'an exception with no path ("!")');
      text = text.slice(1);
    }
    const why = matchSyntaxError(text);
    if (why) throw badPattern(source, text, why);
    patterns.push({ text, exclusion, parts: text.split('/').length, match: compile(text, source) });
  }
  return { patterns, exclusions: patterns.some((p) => p.exclusion) };
}

function matchesSomeParent(pattern: IgnorePattern, path: string): boolean {
  for (let at = path.indexOf('/'); at >= 0; at = path.indexOf('/', at + 1)) {
    if (pattern.match(path.slice(0, at))) return true;
  }
  return false;
}

/**
 * moby's MatchesUsingParentResults: whether `path` is excluded, given its directory's per-pattern
 * results (undefined at the top level, where every parent is checked instead). Its quirk is kept
 * on purpose: a pattern skipped for the directory (already excluded, or not yet) is later tried on
 * the child alone, so `*`, `!data/keep`, `data` sends data/keep, as the CLI does.
 */
export function matchPath(set: IgnorePatterns, path: string, parent: ParentMatches): { excluded: boolean; matches: boolean[] } {
  let excluded = false;
  const matches: boolean[] = new Array<boolean>(set.patterns.length).fill(false);
  set.patterns.forEach((pattern, i) => {
    let match = parent ? parent[i]! : false;
    if (!match) {
      if (pattern.exclusion !== excluded) return;
      match = pattern.match(path) || (parent === undefined && matchesSomeParent(pattern, path));
    }
    matches[i] = match;
    if (match) excluded = !pattern.exclusion;
  });
  return { excluded, matches };
}

/**
 * Whether an excluded directory must still be walked because an exception names a path under it:
 * go-archive's literal prefix test, so `!**\/*.py` does not reopen an excluded `src/`.
 */
export function exceptionUnder(set: IgnorePatterns, dir: string): boolean {
  if (!set.exclusions) return false;
  const dirSlash = `${dir}/`;
  return set.patterns.some((p) => p.exclusion && `${p.text}/`.startsWith(dirSlash));
}

/**
 * The deprecated patternmatcher.Matches that TrimBuildFilesFromExcludes calls: it checks only the
 * parent with as many parts as the pattern. An invalid list answers false, as the CLI ignores that error.
 */
export function matchesLegacy(lines: readonly string[], file: string): boolean {
  let set: IgnorePatterns;
  try {
    set = compilePatterns(lines);
  } catch {
    return false;
  }
  const path = cleanPath(file);
  if (path === '.') return false;
  const parentDirs = posix.dirname(path).split('/');
  let matched = false;
  for (const pattern of set.patterns) {
    if (pattern.exclusion !== matched) continue;
    let match = pattern.match(path);
    if (!match && parentDirs[0] !== '.' && pattern.parts <= parentDirs.length) {
      match = pattern.match(parentDirs.slice(0, pattern.parts).join('/'));
    }
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

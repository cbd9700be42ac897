/**
 * A PEP 508 requirement parser and PEP 440 specifier checker, written by hand because npm has no
 * well-kept, pure one. It checks names, extras, specifiers and the shape of markers; it never
 * evaluates a marker. Parsing returns a result instead of throwing, so one bad line never stops a file.
 *
 * Grammar (PEP 508, simplified to what pip accepts):
 *   requirement = name [extras] ( '@' url [ws ';' marker] | [specifier] [';' marker] )
 *   name        = [A-Za-z0-9] ( [A-Za-z0-9._-]* [A-Za-z0-9] )?
 *   extras      = '[' [ name ( ',' name )* ] ']'
 *   specifier   = '(' clauses ')' | clauses
 *   clauses     = clause ( ',' clause )*
 *   clause      = ( '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===' ) version
 *   marker      = atom ( ( 'and' | 'or' ) atom )*
 *   atom        = '(' marker ')' | value op value      value = identifier | quoted string
 */

/** A parsed requirement before it is tied to a file and line. */
export interface RequirementSpec {
  name: string;
  extras: string[];
  /** Clauses joined by `,` with blanks removed; empty when there are none. */
  specifier: string;
  marker?: string;
  url?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface SpecifierClause {
  op: string;
  version: string;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const FULL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*(.*)$/;
const VERSION =
  /^v?(?:\d+!)?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;
const WILDCARD_VERSION = /^v?(?:\d+!)?\d+(?:\.\d+)*\.\*$/;
/** pip expands `${VAR}` before parsing; we never expand it, so it stands in for a version number. */
const ENV_VAR = /\$\{[A-Za-z0-9_]+\}/g;

/** PEP 503 normalisation: lowercase, and runs of `-`, `_` and `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function isValidName(name: string): boolean {
  return FULL_NAME.test(name);
}

/** Splits and checks a specifier such as `>=1.2, <2` or `(==1.0)`. */
export function parseSpecifier(text: string): ParseResult<SpecifierClause[]> {
  let body = text.trim();
  if (body.startsWith('(')) {
    if (!body.endsWith(')')) return { ok: false, reason: 'an opening parenthesis is never closed' };
    body = body.slice(1, -1).trim();
  }
  if (body === '') return { ok: true, value: [] };
  const clauses: SpecifierClause[] = [];
  for (const part of body.split(',')) {
    const match = CLAUSE.exec(part.trim());
    if (!match) return { ok: false, reason: `"${part.trim()}" is not a version clause such as ==1.0 or >=2` };
    const op = match[1] ?? '';
    const version = (match[2] ?? '').trim();
    const problem = checkVersion(op, version);
    if (problem) return { ok: false, reason: problem };
    clauses.push({ op, version });
  }
  return { ok: true, value: clauses };
}

function checkVersion(op: string, version: string): string | undefined {
  if (version === '') return `"${op}" has no version after it`;
  if (op === '===') return /^[^\s,;]+$/.test(version) ? undefined : `"${version}" is not a version`;
  const plain = version.replace(ENV_VAR, '0');
  if (WILDCARD_VERSION.test(plain)) {
    return op === '==' || op === '!=' ? undefined : `a wildcard version only works with == or !=, not ${op}`;
  }
  if (!VERSION.test(plain)) return `"${version}" is not a PEP 440 version`;
  if (op === '~=' && !/^v?(?:\d+!)?\d+\.\d+/.test(plain)) return `~= needs at least two version parts, as in ~=${plain}.0`;
  return undefined;
}

export function formatSpecifier(clauses: SpecifierClause[]): string {
  return clauses.map((c) => c.op + c.version).join(',');
}

/** True when the clauses admit one version only: some clause is `==X` without a wildcard, or `===X`. */
export function isPinnedSpecifier(specifier: string): boolean {
  const parsed = parseSpecifier(specifier);
  if (!parsed.ok) return false;
  return parsed.value.some((c) => c.op === '===' || (c.op === '==' && !c.version.includes('*')));
}

/** Parses one PEP 508 requirement string, e.g. `requests[socks]>=2.31; python_version < "3.13"`. */
export function parsePep508(text: string): ParseResult<RequirementSpec> {
  const source = text.trim();
  const nameMatch = NAME.exec(source);
  if (!nameMatch) return { ok: false, reason: 'it does not start with a package name' };
  const name = nameMatch[0];
  let rest = source.slice(name.length).trimStart();
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { ok: false, reason: 'the extras list "[" is never closed' };
    const parsed = parseExtras(rest.slice(1, close));
    if (!parsed.ok) return parsed;
    extras = parsed.value;
    rest = rest.slice(close + 1).trimStart();
  }
  if (rest.startsWith('@')) return parseDirectReference(name, extras, rest.slice(1).trimStart());
  const semicolon = rest.indexOf(';');
  const specText = semicolon < 0 ? rest : rest.slice(0, semicolon);
  const clauses = parseSpecifier(specText);
  if (!clauses.ok) return clauses;
  const spec: RequirementSpec = { name, extras, specifier: formatSpecifier(clauses.value) };
  if (semicolon >= 0) {
    const marker = checkMarker(rest.slice(semicolon + 1));
    if (!marker.ok) return marker;
    spec.marker = marker.value;
  }
  return { ok: true, value: spec };
}

export function parseExtras(text: string): ParseResult<string[]> {
  const items = text.split(',').map((e) => e.trim());
  if (items.length === 1 && items[0] === '') return { ok: true, value: [] };
  const bad = items.find((e) => !FULL_NAME.test(e));
  if (bad !== undefined) return { ok: false, reason: `"${bad}" is not a valid extra name` };
  return { ok: true, value: items };
}

function parseDirectReference(name: string, extras: string[], rest: string): ParseResult<RequirementSpec> {
  const url = /^\S+/.exec(rest)?.[0];
  if (!url) return { ok: false, reason: 'nothing follows "@"; expected a URL' };
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return { ok: false, reason: `"${url}" after "@" is not a URL` };
  const spec: RequirementSpec = { name, extras, specifier: '', url };
  const after = rest.slice(url.length).trim();
  if (after === '') return { ok: true, value: spec };
  if (!after.startsWith(';')) return { ok: false, reason: `unexpected "${after}" after the URL` };
  const marker = checkMarker(after.slice(1));
  if (!marker.ok) return marker;
  spec.marker = marker.value;
  return { ok: true, value: spec };
}

const MARKER_TOKEN = /\s*(?:(\(|\))|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>)|(not\s+in\b|in\b|and\b|or\b)|([A-Za-z_][A-Za-z0-9_.]*))/y;

/** Checks a marker's shape (values, operators, `and`/`or`, parentheses) and returns it trimmed. */
export function checkMarker(text: string): ParseResult<string> {
  const marker = text.trim();
  if (marker === '') return { ok: false, reason: 'nothing follows ";"; expected an environment marker' };
  const tokens: string[] = [];
  MARKER_TOKEN.lastIndex = 0;
  while (MARKER_TOKEN.lastIndex < marker.length) {
    const start = MARKER_TOKEN.lastIndex;
    const match = MARKER_TOKEN.exec(marker);
    if (!match) return { ok: false, reason: `the marker cannot be read from "${marker.slice(start).trim()}"` };
    if (match[1]) tokens.push(match[1]);
    else if (match[2]) tokens.push('value');
    else if (match[3]) tokens.push('op');
    else if (match[4]) tokens.push(/^(and|or)$/.test(match[4]) ? 'bool' : 'op');
    else tokens.push('value');
  }
  return markerShapeIsValid(tokens) ? { ok: true, value: marker } : { ok: false, reason: `"${marker}" is not a valid environment marker` };
}

/**
 * Checks the token kinds against expr = atom (bool atom)*, atom = '(' expr ')' | value op value,
 * with a depth counter instead of recursion: a line of 100,000 `(` must not overflow the stack.
 */
function markerShapeIsValid(tokens: string[]): boolean {
  let depth = 0;
  let i = 0;
  for (;;) {
    while (tokens[i] === '(') {
      depth++;
      i++;
    }
    if (tokens[i] !== 'value' || tokens[i + 1] !== 'op' || tokens[i + 2] !== 'value') return false;
    i += 3;
    while (tokens[i] === ')' && depth > 0) {
      depth--;
      i++;
    }
    if (tokens[i] !== 'bool') return depth === 0 && i === tokens.length;
    i++;
  }
}

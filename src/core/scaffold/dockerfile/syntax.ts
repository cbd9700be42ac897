/**
 * Quoting for the Dockerfile and .dockerignore Modelship writes. Workspace paths and values reach
 * these files verbatim, so every character the formats treat specially is escaped here and
 * nowhere else: `$` (variable expansion), quotes, a leading `#` or `!` in .dockerignore, and the
 * pattern characters of COPY sources and .dockerignore lines.
 *
 * Docker matches .dockerignore lines by translating them to regular expressions (moby's
 * patternmatcher; older releases pass `( ) + { } |` through unescaped), and COPY sources with
 * filepath.Match. A one-character class such as `[(]` is literal in all of them, so `[ ( ) + { } |`
 * are written that way. `*`, `?` and `^` have no escape that works in both and on Windows
 * clients (where `\` separates paths), so paths holding them are refused with a clear error.
 */
import { ModelshipError } from '../../errors';

/** Characters an unquoted ENV value may hold. */
const BARE_VALUE = /^[A-Za-z0-9_./:,+=@%-]+$/;

/** A JSON array, the exec form of CMD, RUN, HEALTHCHECK and COPY. */
export function jsonArray(args: readonly string[]): string {
  return `[${args.map((a) => JSON.stringify(a)).join(', ')}]`;
}

/** `text` on one line: control characters (a newline would end the instruction) become spaces. */
export function oneLine(text: string): string {
  return [...text].map((c) => (c.charCodeAt(0) < 0x20 ? ' ' : c)).join('');
}

/** A double-quoted Dockerfile word on one line: `\`, `"` and `$` are escaped, so nothing expands. */
export function quoted(value: string): string {
  return `"${oneLine(value).replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** An ENV or ARG value: bare when it is plain, quoted otherwise. */
export function envValue(value: string): string {
  return BARE_VALUE.test(value) ? value : quoted(value);
}

/** Whether `path` can be written into both files (see assertPortablePath). */
export function isPortablePath(path: string): boolean {
  const control = [...path].some((c) => c.charCodeAt(0) < 0x20);
  return !control && !/[*?^\\]/.test(path) && path.split('/').every((part) => part === part.trim());
}

/** Rejects what neither format can express portably: `* ? ^`, backslashes, control characters, edge spaces. */
export function assertPortablePath(path: string): void {
  if (!isPortablePath(path)) {
    throw new ModelshipError('UNSUPPORTED_PATH', `${JSON.stringify(path)} cannot be written into a Dockerfile or .dockerignore portably`,
      'Rename it without * ? ^ or backslashes, control characters, or spaces at the start or end of a name.');
  }
}

/** Pattern characters as one-character classes, which every Docker matcher reads literally. */
function escapeGlob(path: string): string {
  return path.replace(/[[()+{}|]/g, (c) => `[${c}]`);
}

/** A COPY destination: `$` taken literally (COPY expands variables in every argument). */
export function copyDestination(path: string): string {
  return path.replace(/\$/g, '\\$');
}

/** A COPY source (for the JSON form): pattern characters and `$` taken literally. */
export function copySource(path: string): string {
  assertPortablePath(path);
  return escapeGlob(path).replace(/\$/g, '\\$');
}

/** A .dockerignore pattern matching exactly `path` (and, for a folder, everything in it). */
export function ignorePattern(path: string): string {
  assertPortablePath(path);
  const escaped = escapeGlob(path);
  // Docker drops `./` when it cleans a pattern, after deciding whether the line is a comment or an exception.
  return /^[#!]/.test(escaped) ? `./${escaped}` : escaped;
}

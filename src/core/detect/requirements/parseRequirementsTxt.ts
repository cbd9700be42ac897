/**
 * Parses pip requirements files (requirements*.txt, constraints*.txt, and the `pip:` list of a
 * conda environment) into requirements, includes, options and errors. Pure and total: text in,
 * data out, never a throw; every result carries the 1-based line it came from.
 *
 * Preprocessing follows pip's own (pip/_internal/req/req_file.py): a line ending in `\` is joined
 * to the next and the joined line keeps the number of its first line; a comment line ends a
 * continuation; `#` starts a comment at the start of a line or after blanks, so `#egg=` in a URL
 * survives. `${VAR}` is kept as written, because core code has no environment to expand it from.
 */
import { isUrl, looksLikePath, nameFromReference, eggName } from './directReference';
import { bracketSuffix, stripComment, trimTrailing } from './linearText';
import { parseExtras, parsePep508, type ParseResult, type RequirementSpec } from './pep508';

/** A requirement line; `spec.name` is empty when a bare URL or path does not reveal the name. */
export interface TxtRequirement {
  spec: RequirementSpec;
  line: number;
  editable: boolean;
}

/** A `-r`/`--requirement` or `-c`/`--constraint` line, with the target as written. */
export interface TxtInclude {
  kind: 'requirement' | 'constraint';
  target: string;
  line: number;
}

/** A global pip option, under its long name (`-i` is recorded as `--index-url`); flags have value `''`. */
export interface TxtOption {
  option: string;
  value: string;
  line: number;
}

export interface TxtError {
  line: number;
  /** The logical line as written, without its comment. */
  text: string;
  reason: string;
}

export interface ParsedRequirementsTxt {
  requirements: TxtRequirement[];
  includes: TxtInclude[];
  options: TxtOption[];
  errors: TxtError[];
}

type OptionAction = 'global' | 'requirement' | 'constraint' | 'editable' | 'per-line';

interface OptionDef {
  long: string;
  takesValue: boolean;
  action: OptionAction;
}

function def(long: string, takesValue: boolean, action: OptionAction): OptionDef {
  return { long, takesValue, action };
}

/** The options pip accepts inside a requirements file (SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ). */
const OPTIONS: Record<string, OptionDef> = {
  '-i': def('--index-url', true, 'global'),
  '--index-url': def('--index-url', true, 'global'),
  '--extra-index-url': def('--extra-index-url', true, 'global'),
  '--no-index': def('--no-index', false, 'global'),
  '-f': def('--find-links', true, 'global'),
  '--find-links': def('--find-links', true, 'global'),
  '--no-binary': def('--no-binary', true, 'global'),
  '--only-binary': def('--only-binary', true, 'global'),
  '--prefer-binary': def('--prefer-binary', false, 'global'),
  '--require-hashes': def('--require-hashes', false, 'global'),
  '--pre': def('--pre', false, 'global'),
  '--trusted-host': def('--trusted-host', true, 'global'),
  '--use-feature': def('--use-feature', true, 'global'),
  '-r': def('--requirement', true, 'requirement'),
  '--requirement': def('--requirement', true, 'requirement'),
  '-c': def('--constraint', true, 'constraint'),
  '--constraint': def('--constraint', true, 'constraint'),
  '-e': def('--editable', true, 'editable'),
  '--editable': def('--editable', true, 'editable'),
  '--hash': def('--hash', true, 'per-line'),
  '-C': def('--config-settings', true, 'per-line'),
  '--config-settings': def('--config-settings', true, 'per-line'),
  '--global-option': def('--global-option', true, 'per-line'),
  '--install-option': def('--install-option', true, 'per-line'),
};

/** `name [extras] @` starts a PEP 508 direct reference, which must not be mistaken for a path. */
const DIRECT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\]\s*)?@/;

export function emptyParsed(): ParsedRequirementsTxt {
  return { requirements: [], includes: [], options: [], errors: [] };
}

export function parseRequirementsTxt(text: string): ParsedRequirementsTxt {
  const parsed = emptyParsed();
  for (const logical of logicalLines(text)) parseRequirementLine(logical.text, logical.line, parsed);
  return parsed;
}

/** Joins continuations and strips comments; blank results are dropped. */
export function logicalLines(text: string): { line: number; text: string }[] {
  const joined: { line: number; text: string }[] = [];
  let pending: string[] = [];
  let first = 0;
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const isComment = /^\s*#/.test(raw);
    if (raw.endsWith('\\') && !isComment) {
      if (pending.length === 0) first = index + 1;
      pending.push(trimTrailing(raw, '\\'));
      return;
    }
    if (pending.length > 0) {
      joined.push({ line: first, text: pending.join('') + (isComment ? '' : raw) });
      pending = [];
    } else {
      joined.push({ line: index + 1, text: raw });
    }
  });
  if (pending.length > 0) joined.push({ line: first, text: pending.join('') });
  return joined.map((l) => ({ line: l.line, text: stripComment(l.text) })).filter((l) => l.text !== '');
}

/** Parses one logical line (already joined, comment removed) into `into`. */
export function parseRequirementLine(text: string, line: number, into: ParsedRequirementsTxt): void {
  const trimmed = text.trim();
  if (trimmed === '') return;
  const fail = (reason: string): void => {
    into.errors.push({ line, text: trimmed, reason });
  };
  if (trimmed.startsWith('-')) {
    parseOptions(splitWords(trimmed), line, into, fail, false);
    return;
  }
  // Like pip's break_args_options: the requirement runs up to the first blank-preceded `-`.
  const optionStart = trimmed.search(/\s-/);
  const requirementText = optionStart < 0 ? trimmed : trimmed.slice(0, optionStart).trim();
  const spec = parseRequirementText(requirementText);
  if (!spec.ok) {
    fail(spec.reason);
    return;
  }
  if (optionStart >= 0 && !parseOptions(splitWords(trimmed.slice(optionStart)), line, into, fail, true)) return;
  into.requirements.push({ spec: spec.value, line, editable: false });
}

/** A requirement as pip reads it: a PEP 508 string, or a bare URL or path to install from. */
export function parseRequirementText(text: string): ParseResult<RequirementSpec> {
  if (DIRECT_REFERENCE.test(text)) return parsePep508(text);
  if (isUrl(text) || looksLikePath(text)) return parseBareReference(text);
  return parsePep508(text);
}

/** Parses a URL or path; pip separates its marker with `; ` for URLs (which may hold `;`) and `;` for paths. */
function parseBareReference(text: string): ParseResult<RequirementSpec> {
  const url = isUrl(text);
  const split = url ? text.search(/;\s/) : text.indexOf(';');
  let reference = (split < 0 ? text : text.slice(0, split)).trim();
  const marker = split < 0 ? undefined : text.slice(split + 1).trim();
  let extras: string[] = [];
  const bracket = url ? undefined : bracketSuffix(reference);
  if (bracket) {
    const parsed = parseExtras(bracket.inner);
    if (!parsed.ok) return parsed;
    extras = parsed.value;
    reference = bracket.base;
  }
  if (reference === '' || /\s/.test(reference)) return { ok: false, reason: `"${reference}" is neither a package nor a single URL or path` };
  if (url && extras.length === 0) {
    const egg = bracketSuffix(eggName(reference) ?? '');
    if (egg) {
      const parsed = parseExtras(egg.inner);
      if (parsed.ok) extras = parsed.value;
    }
  }
  const spec: RequirementSpec = { name: nameFromReference(reference) ?? '', extras, specifier: '', url: reference };
  if (marker !== undefined) {
    const checked = parsePep508(`x; ${marker}`);
    if (!checked.ok) return checked;
    spec.marker = checked.value.marker ?? marker;
  }
  return { ok: true, value: spec };
}

/**
 * Reads option words in order. On a requirement line only per-line options (`--hash` and the
 * like) are allowed. Returns false, after reporting, when the line is in error.
 */
function parseOptions(
  words: string[],
  line: number,
  into: ParsedRequirementsTxt,
  fail: (reason: string) => void,
  onRequirementLine: boolean,
): boolean {
  let hasRequirement = onRequirementLine;
  const pending: (() => void)[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const { flag, inline } = splitOptionWord(word);
    const option = OPTIONS[flag];
    if (!option) return report(fail, `"${word}" is not an option pip accepts in a requirements file`);
    if (onRequirementLine && option.action !== 'per-line') {
      return report(fail, `${option.long} must be on its own line, not after a requirement`);
    }
    let value = '';
    if (option.takesValue) {
      const next = inline ?? words[++i];
      if (next === undefined || next === '') return report(fail, `${option.long} needs a value`);
      value = next;
    } else if (inline !== undefined) {
      return report(fail, `${option.long} takes no value`);
    }
    if (option.action === 'editable') {
      const spec = parseBareReference(value);
      if (!spec.ok || !(isUrl(value) || looksLikePath(value))) {
        return report(fail, spec.ok ? `-e needs a local path or a VCS URL, not "${value}"` : spec.reason);
      }
      hasRequirement = true;
      pending.push(() => into.requirements.push({ spec: spec.value, line, editable: true }));
    } else if (option.action === 'requirement' || option.action === 'constraint') {
      const kind = option.action;
      pending.push(() => into.includes.push({ kind, target: value, line }));
    } else if (option.action === 'global') {
      const long = option.long;
      pending.push(() => into.options.push({ option: long, value, line }));
    } else if (!hasRequirement) {
      return report(fail, `${option.long} belongs after a requirement on the same line`);
    }
  }
  // Nothing is recorded from a line in error, so a half-read line never looks like a good one.
  for (const apply of pending) apply();
  return true;
}

function report(fail: (reason: string) => void, reason: string): false {
  fail(reason);
  return false;
}

/** `--opt=value` and `-rfile` carry their value in the same word. */
function splitOptionWord(word: string): { flag: string; inline?: string } {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return eq < 0 ? { flag: word } : { flag: word.slice(0, eq), inline: word.slice(eq + 1) };
  }
  if (word.length > 2) return { flag: word.slice(0, 2), inline: word.slice(2).replace(/^=/, '') };
  return { flag: word };
}

/** Splits on blanks, honouring single and double quotes as pip's shlex does; backslashes stay literal. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (const ch of text) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

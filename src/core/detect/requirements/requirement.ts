/**
 * Builds the boundary `Requirement` from a parsed spec, and the Problems every format shares.
 * Optional fields are left out rather than set to `undefined`, so `--json` output stays clean.
 */
import type { Problem, Requirement } from '../types';
import { isPinnedReference } from './directReference';
import { isPinnedSpecifier, normalizeName, type RequirementSpec } from './pep508';

/**
 * A spec with an empty name (a bare URL or path that does not reveal it) keeps the reference as
 * its `name` and gets an empty `normalizedName`, so name lookups never match a guess.
 */
export function toRequirement(spec: RequirementSpec, source: string, line: number): Requirement {
  const requirement: Requirement = {
    name: spec.name || spec.url || '',
    normalizedName: spec.name ? normalizeName(spec.name) : '',
    specifier: spec.specifier,
    pinned: spec.url !== undefined ? isPinnedReference(spec.url) : isPinnedSpecifier(spec.specifier),
    extras: spec.extras,
    source,
    line,
  };
  if (spec.marker !== undefined) requirement.marker = spec.marker;
  if (spec.url !== undefined) requirement.url = spec.url;
  return requirement;
}

export function unparseableProblem(path: string, line: number, text: string, reason: string): Problem {
  return {
    code: 'unparseable-requirement',
    severity: 'warning',
    path,
    line,
    message: `Could not parse "${shorten(text)}": ${shorten(reason, 400)}. The line is left out.`,
  };
}

/** A TOML or YAML file that cannot be parsed at all; its tools would refuse it too. */
export function syntaxProblem(path: string, line: number | undefined, detail: string): Problem {
  const problem: Problem = {
    code: 'syntax-error',
    severity: 'error',
    path,
    message: `${path} is not valid: ${detail}. Its dependencies are left out.`,
  };
  if (line !== undefined) problem.line = line;
  return problem;
}

/** Keeps a quoted line short in a message: a 1 MB line is reported by its ends. */
export function shorten(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 40)} … ${text.slice(-30)} (${text.length} characters)`;
}

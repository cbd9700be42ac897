/**
 * Decides the project's Python version from what each file says. Candidates arrive in priority
 * order (`.python-version`, `requires-python`, Poetry `python`, Pipfile, `runtime.txt`, conda) and
 * the first that names a usable version wins. Every other candidate the chosen version does not
 * satisfy becomes a warning naming both files, because the image can honour only one of them.
 */
import type { Problem, PythonInfo } from '../types';
import { parseSpecifier, type SpecifierClause } from './pep508';

/** What one file says about the Python version. */
export interface PythonCandidate {
  source: string;
  line?: number;
  /** Which setting said it, for messages: `.python-version`, `requires-python`... */
  label: string;
  /** The text as written, for messages and for `PythonInfo.constraint`. */
  said: string;
  /** An exact `major.minor`, when the file names one. */
  version?: string;
  /** PEP 440 alternatives, when the file gives a range; any one of them may hold. */
  ranges?: string[];
}

/**
 * A range picks the newest minor it allows, but not past 3.12 (the newest with wheels for most ML
 * libraries) unless the range forces it; releases outside 3.8-3.13 are a last resort.
 */
const RANGE_PREFERENCE = [12, 11, 10, 9, 8, 13, 14, 15, 7, 6].map((minor) => `3.${minor}`);

/** `.python-version`: the first non-comment line; `pypy3.10` gives 3.10; `system` and venv names say nothing. */
export function pythonFromVersionFile(text: string, source: string): PythonCandidate | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const index = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const said = lines[index]?.trim() ?? '';
  const match = /^(?:[A-Za-z]+-?)?([23])\.(\d+)/.exec(said);
  return match ? { source, line: index + 1, label: '.python-version', said, version: `${match[1]}.${match[2]}` } : undefined;
}

/** `runtime.txt` as Heroku writes it: `python-3.11.6`. */
export function pythonFromRuntimeTxt(text: string, source: string): PythonCandidate | undefined {
  const said = text.trim().split(/\s+/)[0] ?? '';
  const match = /^(?:python-)?([23])\.(\d+)/.exec(said);
  return match ? { source, line: 1, label: 'runtime.txt', said, version: `${match[1]}.${match[2]}` } : undefined;
}

/** A candidate from a version such as `3.11` or `3.11.4`; undefined when it is not one. */
export function exactPython(said: string, source: string, label: string, line?: number): PythonCandidate | undefined {
  const match = /^\s*([23])\.(\d+)/.exec(said);
  if (!match) return undefined;
  const candidate: PythonCandidate = { source, label, said: said.trim(), version: `${match[1]}.${match[2]}` };
  if (line !== undefined) candidate.line = line;
  return candidate;
}

export function rangePython(said: string, ranges: string[], source: string, label: string, line?: number): PythonCandidate {
  const candidate: PythonCandidate = { source, label, said: said.trim(), ranges };
  if (line !== undefined) candidate.line = line;
  return candidate;
}

export function resolvePython(candidates: PythonCandidate[], defaultVersion: string): { python: PythonInfo; problems: Problem[] } {
  const problems: Problem[] = [];
  let winner: { candidate: PythonCandidate; version: string } | undefined;
  for (const candidate of candidates) {
    const version = candidate.version ?? pickFromRanges(candidate.ranges ?? []);
    if (version !== undefined) {
      winner = { candidate, version };
      break;
    }
    problems.push(locate(candidate, {
      code: 'python-unsatisfiable',
      severity: 'warning',
      path: candidate.source,
      message: `${candidate.label} "${candidate.said}" in ${candidate.source} allows no Python release from 3.6 to 3.15, so it is ignored.`,
    }));
  }
  if (!winner) {
    problems.push({
      code: 'python-default',
      severity: 'info',
      path: '.',
      message: `No file names a Python version; assuming ${defaultVersion}. Add a .python-version file to choose.`,
    });
    return { python: { version: defaultVersion, source: 'default' }, problems };
  }
  const { candidate: chosen, version } = winner;
  const python: PythonInfo = { version, source: chosen.source };
  if (chosen.ranges) python.constraint = chosen.said;
  for (const other of candidates) {
    if (other === chosen || agrees(version, other) !== false) continue;
    problems.push(locate(other, {
      code: 'python-mismatch',
      severity: 'warning',
      path: other.source,
      message: `${other.source} asks for Python ${other.said} (${other.label}), but ${chosen.source} says ${chosen.said}; the image uses Python ${version}.`,
      fix: `Make ${other.source} and ${chosen.source} name the same Python version.`,
    }));
  }
  return { python, problems };
}

function locate(candidate: PythonCandidate, problem: Problem): Problem {
  if (candidate.line !== undefined) problem.line = candidate.line;
  return problem;
}

/** False when `version` breaks what the candidate says; undefined when the candidate cannot be read. */
function agrees(version: string, candidate: PythonCandidate): boolean | undefined {
  if (candidate.version !== undefined) return candidate.version === version;
  const ranges = candidate.ranges ?? [];
  if (ranges.length === 0 || pickFromRanges(ranges) === undefined) return undefined;
  return ranges.some((range) => minorSatisfies(version, range));
}

function pickFromRanges(ranges: string[]): string | undefined {
  return RANGE_PREFERENCE.find((minor) => ranges.some((range) => minorSatisfies(minor, range)));
}

/** True when some patch release of `major.minor` satisfies every clause of `specifier`. */
export function minorSatisfies(minor: string, specifier: string): boolean {
  const parsed = parseSpecifier(specifier);
  if (!parsed.ok) return false;
  const [major, min] = minor.split('.').map(Number);
  if (major === undefined || min === undefined) return false;
  for (let patch = 0; patch <= 30; patch++) {
    const release = [major, min, patch];
    if (parsed.value.every((clause) => clauseHolds(release, clause))) return true;
  }
  return false;
}

function clauseHolds(release: number[], { op, version }: SpecifierClause): boolean {
  if (op === '===') return version === release.join('.') || version === release.slice(0, 2).join('.');
  const digits = /^v?(?:\d+!)?(\d+(?:\.\d+)*)/.exec(version)?.[1];
  if (digits === undefined) return false;
  const target = digits.split('.').map(Number);
  const wildcard = version.endsWith('.*');
  const order = compare(release, target);
  switch (op) {
    case '==':
      return wildcard ? hasPrefix(release, target) : order === 0;
    case '!=':
      return wildcard ? !hasPrefix(release, target) : order !== 0;
    case '>=':
      return order >= 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '<':
      return order < 0;
    case '~=':
      return order >= 0 && hasPrefix(release, target.slice(0, -1));
    default:
      return false;
  }
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

function hasPrefix(release: number[], prefix: number[]): boolean {
  return prefix.every((part, i) => (release[i] ?? 0) === part);
}

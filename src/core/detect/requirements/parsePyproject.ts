/**
 * Reads runtime dependencies and the Python constraint from pyproject.toml: PEP 621 `[project]`
 * (which Poetry 2 also uses) and Poetry 1's `[tool.poetry.dependencies]`.
 *
 * Only what a plain install brings in counts: `[project].dependencies`, and Poetry's main group
 * without `optional = true` entries. Optional groups, extras and dev groups are left out, because
 * a serving image installs the package itself, and which extras it needs is not written anywhere.
 * When `[project].dependencies` is a list, Poetry's table only enriches it (Poetry 2), so its
 * entries are not counted twice; only its `python` key is still read.
 */
import type { Problem, Requirement } from '../types';
import { isValidName, parsePep508, parseSpecifier, formatSpecifier, type RequirementSpec } from './pep508';
import { poetryToPep440 } from './poetryConstraint';
import { rangePython, type PythonCandidate } from './pythonVersion';
import { toRequirement, unparseableProblem } from './requirement';
import { describeTomlValue, isRecord, parseTomlDocument, tomlValueStart } from './tomlDocument';
import { TomlLines } from './tomlLines';

export interface PyprojectResult {
  requirements: Requirement[];
  /** From `[project] requires-python`. */
  requiresPython?: PythonCandidate;
  /** From Poetry's `python` dependency. */
  poetryPython?: PythonCandidate;
  problems: Problem[];
}

export function parsePyproject(text: string, path: string): PyprojectResult {
  const result: PyprojectResult = { requirements: [], problems: [] };
  const parsed = parseTomlDocument(text, path);
  if ('problem' in parsed) {
    result.problems.push(parsed.problem);
    return result;
  }
  const lines = new TomlLines(text);
  const project = isRecord(parsed.doc.project) ? parsed.doc.project : undefined;
  if (project) readProject(project, lines, path, result);
  const tool = isRecord(parsed.doc.tool) ? parsed.doc.tool : undefined;
  const poetry = tool && isRecord(tool.poetry) ? tool.poetry : undefined;
  if (poetry && isRecord(poetry.dependencies)) {
    readPoetry(poetry.dependencies, !Array.isArray(project?.dependencies), lines, path, result);
  }
  return result;
}

function readProject(project: Record<string, unknown>, lines: TomlLines, path: string, result: PyprojectResult): void {
  const table = lines.table(['project']) ?? 1;
  const requires = project['requires-python'];
  if (typeof requires === 'string') {
    const line = lines.key(table, 'requires-python') ?? table;
    const clauses = parseSpecifier(requires);
    if (clauses.ok) result.requiresPython = rangePython(requires, [formatSpecifier(clauses.value)], path, 'requires-python', line);
    else result.problems.push(unparseableProblem(path, line, requires, clauses.reason));
  }
  if (!Array.isArray(project.dependencies)) return;
  let cursor = lines.key(table, 'dependencies') ?? table;
  for (const item of project.dependencies as unknown[]) {
    const text = describeTomlValue(item);
    const line = (typeof item === 'string' ? lines.string(cursor, item) : lines.literal(cursor, tomlValueStart(item))) ?? cursor;
    cursor = line;
    const spec = typeof item === 'string' ? parsePep508(item) : { ok: false as const, reason: 'a dependency must be a string' };
    if (spec.ok) result.requirements.push(toRequirement(spec.value, path, line));
    else result.problems.push(unparseableProblem(path, line, text, spec.reason));
  }
}

function readPoetry(
  dependencies: Record<string, unknown>,
  countPackages: boolean,
  lines: TomlLines,
  path: string,
  result: PyprojectResult,
): void {
  const table = lines.table(['tool', 'poetry', 'dependencies']) ?? 1;
  for (const [name, value] of Object.entries(dependencies)) {
    const line = lines.key(table, name) ?? table;
    if (name.toLowerCase() === 'python') {
      readPoetryPython(value, line, path, result);
      continue;
    }
    if (!countPackages) continue;
    for (const entry of Array.isArray(value) ? value : [value]) {
      const spec = poetrySpec(name, entry);
      if (spec === 'optional') continue;
      if (spec.ok) result.requirements.push(toRequirement(spec.value, path, line));
      else result.problems.push(unparseableProblem(path, line, `${name} = ${describeTomlValue(entry)}`, spec.reason));
    }
  }
}

function readPoetryPython(value: unknown, line: number, path: string, result: PyprojectResult): void {
  if (typeof value !== 'string') return;
  const constraint = poetryToPep440(value);
  if (constraint.ok) result.poetryPython = rangePython(value, constraint.value.alternatives, path, 'Poetry python', line);
  else result.problems.push(unparseableProblem(path, line, `python = "${value}"`, constraint.reason));
}

type SpecResult = { ok: true; value: RequirementSpec } | { ok: false; reason: string } | 'optional';

/** One Poetry dependency: a constraint string, or a table with version, git, path or url. */
function poetrySpec(name: string, entry: unknown): SpecResult {
  if (!isValidName(name)) return { ok: false, reason: `"${name}" is not a valid package name` };
  if (typeof entry === 'string') return withConstraint({ name, extras: [], specifier: '' }, entry);
  if (!isRecord(entry)) return { ok: false, reason: 'a dependency must be a version string or a table' };
  if (entry.optional === true) return 'optional';
  const extras = Array.isArray(entry.extras) ? entry.extras.filter((e): e is string => typeof e === 'string') : [];
  const spec: RequirementSpec = { name, extras, specifier: '' };
  if (typeof entry.markers === 'string') spec.marker = entry.markers;
  const url = poetryReference(entry);
  if (url !== undefined) {
    spec.url = url;
    return { ok: true, value: spec };
  }
  return withConstraint(spec, typeof entry.version === 'string' ? entry.version : '*');
}

function withConstraint(spec: RequirementSpec, constraint: string): SpecResult {
  const translated = poetryToPep440(constraint);
  if (!translated.ok) return translated;
  return { ok: true, value: { ...spec, specifier: translated.value.specifier } };
}

/** `git` (with `rev`, `tag` or `branch`), `path` or `url`, written the way pip would take it. */
function poetryReference(entry: Record<string, unknown>): string | undefined {
  if (typeof entry.git === 'string') {
    const base = entry.git.startsWith('git+') ? entry.git : `git+${entry.git}`;
    const ref = [entry.rev, entry.tag, entry.branch].find((r): r is string => typeof r === 'string');
    const sub = typeof entry.subdirectory === 'string' ? `#subdirectory=${entry.subdirectory}` : '';
    return `${base}${ref ? `@${ref}` : ''}${sub}`;
  }
  if (typeof entry.path === 'string') return entry.path;
  if (typeof entry.url === 'string') return entry.url;
  return undefined;
}

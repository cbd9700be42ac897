/**
 * Reads a Pipfile: `[packages]` (strings or tables) and `[requires]` for Python. `[dev-packages]`
 * is left out because a serving image does not install it. Versions are PEP 440 as in pipenv;
 * `*` means any version and a bare `1.2.3` means exactly that version.
 */
import type { Problem, Requirement } from '../types';
import { formatSpecifier, isValidName, parseSpecifier, type RequirementSpec } from './pep508';
import { describeTomlValue, isRecord, parseTomlDocument } from './tomlDocument';
import { exactPython, type PythonCandidate } from './pythonVersion';
import { toRequirement, unparseableProblem } from './requirement';
import { TomlLines } from './tomlLines';

export interface PipfileResult {
  requirements: Requirement[];
  python?: PythonCandidate;
  problems: Problem[];
}

/** Pipenv lets a table name a marker variable directly: `pywin32 = {version = "*", sys_platform = "== 'win32'"}`. */
const MARKER_KEYS = [
  'os_name', 'sys_platform', 'platform_machine', 'platform_python_implementation', 'platform_release',
  'platform_system', 'platform_version', 'python_version', 'python_full_version', 'implementation_name',
];

export function parsePipfile(text: string, path: string): PipfileResult {
  const result: PipfileResult = { requirements: [], problems: [] };
  const parsed = parseTomlDocument(text, path);
  if ('problem' in parsed) {
    result.problems.push(parsed.problem);
    return result;
  }
  const lines = new TomlLines(text);
  const requires = parsed.doc.requires;
  if (isRecord(requires)) {
    const table = lines.table(['requires']) ?? 1;
    for (const key of ['python_full_version', 'python_version']) {
      const value = requires[key];
      if (typeof value !== 'string' || result.python) continue;
      result.python = exactPython(value, path, `Pipfile ${key}`, lines.key(table, key) ?? table);
    }
  }
  const packages = parsed.doc.packages;
  if (!isRecord(packages)) return result;
  const table = lines.table(['packages']) ?? 1;
  for (const [name, value] of Object.entries(packages)) {
    const line = lines.key(table, name) ?? table;
    const spec = pipfileSpec(name, value);
    if (spec.ok) result.requirements.push(toRequirement(spec.value, path, line));
    else result.problems.push(unparseableProblem(path, line, `${name} = ${describeTomlValue(value)}`, spec.reason));
  }
  return result;
}

type SpecResult = { ok: true; value: RequirementSpec } | { ok: false; reason: string };

function pipfileSpec(name: string, value: unknown): SpecResult {
  if (!isValidName(name)) return { ok: false, reason: `"${name}" is not a valid package name` };
  if (typeof value === 'string') return withVersion({ name, extras: [], specifier: '' }, value);
  if (!isRecord(value)) return { ok: false, reason: 'a package must be a version string or a table' };
  const extras = Array.isArray(value.extras) ? value.extras.filter((e): e is string => typeof e === 'string') : [];
  const spec: RequirementSpec = { name, extras, specifier: '' };
  const markers = [
    ...(typeof value.markers === 'string' ? [value.markers] : []),
    ...MARKER_KEYS.filter((k) => typeof value[k] === 'string').map((k) => `${k} ${String(value[k])}`),
  ];
  if (markers.length > 0) spec.marker = markers.length === 1 ? (markers[0] ?? '') : markers.map((m) => `(${m})`).join(' and ');
  if (typeof value.git === 'string') {
    const base = value.git.startsWith('git+') ? value.git : `git+${value.git}`;
    spec.url = typeof value.ref === 'string' ? `${base}@${value.ref}` : base;
    return { ok: true, value: spec };
  }
  const local = [value.path, value.file].find((v): v is string => typeof v === 'string');
  if (local !== undefined) {
    spec.url = local;
    return { ok: true, value: spec };
  }
  return withVersion(spec, typeof value.version === 'string' ? value.version : '*');
}

function withVersion(spec: RequirementSpec, version: string): SpecResult {
  const text = version.trim();
  if (text === '*' || text === '') return { ok: true, value: spec };
  const clauses = parseSpecifier(/^\d/.test(text) ? `==${text}` : text);
  if (!clauses.ok) return clauses;
  return { ok: true, value: { ...spec, specifier: formatSpecifier(clauses.value) } };
}

/**
 * Decides which requirements still float and says so, one warning per requirement line.
 * A constraint file that fixes a package's version pins it for pip, so such a package is marked
 * pinned and not reported. A manifest with a lock file beside it (poetry.lock, Pipfile.lock...)
 * is not reported either: its tool installs the locked versions, so the image is reproducible.
 */
import type { Problem, Requirement, RequirementsFile } from '../types';
import { isVcsUrl, vcsRevision } from './directReference';
import { normalizeName, parseSpecifier } from './pep508';
import type { CondaDependency } from './parseCondaEnvironment';
import { shorten } from './requirement';

/** Lock files that make a manifest's ranges reproducible, by manifest file name. */
export const LOCK_FILES: Record<string, string[]> = {
  'pyproject.toml': ['poetry.lock', 'uv.lock', 'pdm.lock'],
  Pipfile: ['Pipfile.lock'],
  'environment.yml': ['conda-lock.yml'],
};

/** Conda entries that never need a pin: the interpreter comes from the base image, pip from conda. */
const CONDA_UNPINNABLE = new Set(['python', 'pip']);

/** The exact version of `==X` (without wildcard) or `===X`, if the specifier has one. */
export function exactVersion(specifier: string): string | undefined {
  const parsed = parseSpecifier(specifier);
  if (!parsed.ok) return undefined;
  return parsed.value.find((c) => c.op === '===' || (c.op === '==' && !c.version.includes('*')))?.version;
}

/** Marks as pinned every named, index-installed requirement that a constraint fixes to one version. */
export function applyConstraints(packages: Requirement[], constraints: Requirement[]): Requirement[] {
  const fixed = new Set(constraints.filter((c) => c.normalizedName && !c.url && exactVersion(c.specifier)).map((c) => c.normalizedName));
  return packages.map((p) => (!p.pinned && !p.url && fixed.has(p.normalizedName) ? { ...p, pinned: true } : p));
}

/** Versions pinned anywhere in the project, so a warning can suggest the one already in use. */
export function knownVersions(requirements: Requirement[]): Map<string, string> {
  const known = new Map<string, string>();
  for (const r of requirements) {
    const version = exactVersion(r.specifier);
    if (version && r.normalizedName && !known.has(r.normalizedName)) known.set(r.normalizedName, version);
  }
  return known;
}

export interface UnpinnedInput {
  packages: Requirement[];
  conda: CondaDependency[];
  files: RequirementsFile[];
  known: Map<string, string>;
  /** Manifests with a lock file beside them. */
  locked: Set<string>;
}

export function unpinnedProblems(input: UnpinnedInput): Problem[] {
  const kinds = new Map(input.files.map((f) => [f.path, f.kind]));
  const problems: Problem[] = [];
  for (const r of input.packages) {
    if (r.pinned || input.locked.has(r.source)) continue;
    const kind = kinds.get(r.source) ?? 'requirements.txt';
    const example = r.url !== undefined ? pinnedUrlExample(r.url) : `${r.name}==${input.known.get(r.normalizedName) ?? '<version>'}`;
    problems.push(unpinned(r.name, r.specifier || r.url || '', example, r.source, r.line, fixFor(kind, shorten(example, 160))));
  }
  for (const c of input.conda) {
    const bare = c.name.replace(/^.*::/, '');
    if (c.pinned || input.locked.has(c.source) || CONDA_UNPINNABLE.has(bare.toLowerCase())) continue;
    const example = `${c.name}==${input.known.get(normalizeName(bare)) ?? '<version>'}`;
    problems.push(unpinned(c.name, c.specifier, example, c.source, c.line, fixFor('environment.yml', shorten(example, 160))));
  }
  return problems;
}

/** A VCS URL pins with a full commit; any other URL with the hash of the file it serves. */
function pinnedUrlExample(url: string): string {
  const base = url.replace(/#.*$/, '');
  if (!isVcsUrl(base)) return `${base}#sha256=<hash of the file>`;
  const rev = vcsRevision(base);
  return `${rev === undefined ? base : base.slice(0, base.length - rev.length - 1)}@<full commit hash>`;
}

function unpinned(fullName: string, fullSpecifier: string, fullExample: string, path: string, line: number, fix: string): Problem {
  const [name, specifier, example] = [shorten(fullName, 120), shorten(fullSpecifier, 120), shorten(fullExample, 160)];
  return {
    code: 'unpinned',
    severity: 'warning',
    path,
    line,
    message: `${name} is not pinned (${specifier || 'no version'}); pin it (e.g. ${example}) so the image is reproducible`,
    fix,
  };
}

function fixFor(kind: RequirementsFile['kind'], example: string): string {
  switch (kind) {
    case 'pyproject.toml':
      return `Write ${example}, or commit a lock file (poetry lock, uv lock, pdm lock) next to the pyproject.toml.`;
    case 'Pipfile':
      return 'Run pipenv lock and commit Pipfile.lock, so the image installs the locked versions.';
    case 'environment.yml':
      return `Write ${example}, or lock the environment with conda-lock.`;
    default:
      return `Write ${example}, or generate the file with pip-compile (pip-tools) or pip freeze so every package is pinned.`;
  }
}

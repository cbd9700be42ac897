/**
 * Recognises conda package lists saved under a requirements*.txt name, as `conda list --export`
 * and `conda list --explicit` write them. pip cannot install such a file, so instead of one
 * unparseable-line warning per package the file gets one warning, and its specs go to `conda`.
 */
import type { Problem } from '../types';
import { emptyParsed, logicalLines } from './parseRequirementsTxt';
import { readCondaSpec, type CondaResult } from './parseCondaEnvironment';

/** `numpy=1.26.4=py311h64a7726_0`: conda's single `=`, which pip rejects. */
const CONDA_EXPORT_LINE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*=[^=<>!~\s;]+(?:=\S+)?$/;

/**
 * True for an `@EXPLICIT` file, a file with the `# platform: linux-64` header conda writes, or a
 * file of at least three lines where most lines use conda's `name=version` form.
 */
export function isCondaPackageList(text: string): boolean {
  if (/^#\s*platform:\s*\S+/m.test(text)) return true;
  const lines = logicalLines(text).map((l) => l.text);
  if (lines.includes('@EXPLICIT')) return true;
  const condaLines = lines.filter((l) => CONDA_EXPORT_LINE.test(l)).length;
  return condaLines >= 3 && condaLines * 2 >= lines.length;
}

/** Reads the specs of an export list; an `@EXPLICIT` list of package URLs adds none, since every URL is exact. */
export function parseCondaPackageList(text: string, path: string): CondaResult {
  const result: CondaResult = { conda: [], pip: emptyParsed(), problems: [condaListProblem(path)] };
  const lines = logicalLines(text);
  if (lines.some((l) => l.text === '@EXPLICIT')) return result;
  for (const { text: spec, line } of lines) readCondaSpec(spec, line, path, result);
  return result;
}

function condaListProblem(path: string): Problem {
  return {
    code: 'conda-package-list',
    severity: 'warning',
    path,
    line: 1,
    message: `${path} is a conda package list (as conda list --export writes it), not a pip requirements file; pip install -r cannot read it.`,
    fix: `Create the environment with conda (conda create --file ${path}), or write pip requirements with pip list --format=freeze.`,
  };
}

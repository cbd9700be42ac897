/**
 * Reads every dependency and Python-version file the walker found and merges them into one
 * DependencyResult. Invariants:
 * - It never throws: unreadable files, syntax errors and bad lines become Problems.
 * - Each file is read once and listed once in `files`, however often it is included.
 * - `files` keeps discovery order: requirements files (each followed by what it includes), then
 *   pyproject.toml, Pipfile and conda files.
 * - Python comes from the first source that names a version, in the order `.python-version`,
 *   `requires-python`, Poetry `python`, Pipfile, `runtime.txt`, conda; within one kind the file
 *   nearest the project root wins.
 */
import * as posix from 'path/posix';
import type { DetectSettings } from '../../settings';
import type { WorkspaceReader } from '../../workspaceReader';
import type { DependencyFiles, DependencyResult } from '../requirementsApi';
import type { Problem, Requirement } from '../types';
import { parseCondaEnvironment } from './parseCondaEnvironment';
import { parsePipfile } from './parsePipfile';
import { parsePyproject } from './parsePyproject';
import { applyConstraints, knownVersions, LOCK_FILES, unpinnedProblems } from './pinning';
import { pythonFromRuntimeTxt, pythonFromVersionFile, resolvePython, type PythonCandidate } from './pythonVersion';
import { readerFailedProblem, readSource, unreadableProblem } from './readSource';
import { RequirementsTree, type DependencySink } from './requirementsTree';

/**
 * Reads the dependency files the walker found (following `-r`/`-c` includes) and decides the
 * Python version. Resolves with everything it could read; each failure is a Problem, never a rejection.
 */
export async function readDependencies(
  reader: WorkspaceReader,
  files: DependencyFiles,
  settings: DetectSettings,
): Promise<DependencyResult> {
  try {
    return await collect(reader, files, settings);
  } catch (error) {
    // Only a bug gets here; detection must still finish, so report it and carry on without dependencies.
    const fallback = resolvePython([], settings.defaultPythonVersion);
    const problem: Problem = {
      code: 'unreadable',
      severity: 'warning',
      path: '.',
      message: `Reading the dependency files failed (${error instanceof Error ? error.message : String(error)}); dependencies are not checked.`,
    };
    return { requirements: { files: [], packages: [], options: [], conda: [] }, python: fallback.python, problems: [problem, ...fallback.problems] };
  }
}

type PythonSourceKind = 'versionFile' | 'requiresPython' | 'poetry' | 'pipfile' | 'runtime' | 'conda';
const PYTHON_PRIORITY: PythonSourceKind[] = ['versionFile', 'requiresPython', 'poetry', 'pipfile', 'runtime', 'conda'];

/** The state one `readDependencies` call builds up. */
interface Collection {
  reader: WorkspaceReader;
  sink: DependencySink;
  python: Map<PythonSourceKind, PythonCandidate[]>;
  /** Manifests with a lock file beside them. */
  locked: Set<string>;
}

async function collect(reader: WorkspaceReader, files: DependencyFiles, settings: DetectSettings): Promise<DependencyResult> {
  const sink: DependencySink = { files: [], packages: [], constraints: [], options: [], conda: [], problems: [] };
  const c: Collection = { reader, sink, python: new Map(PYTHON_PRIORITY.map((k) => [k, []])), locked: new Set() };
  const tree = new RequirementsTree(reader, sink);
  await tree.readRoots(unique(files.requirements));
  await readManifests(c, unique(files.pyproject), 'pyproject.toml', (text, path) => {
    const result = parsePyproject(text, path);
    addPython(c, 'requiresPython', result.requiresPython);
    addPython(c, 'poetry', result.poetryPython);
    return result;
  });
  await readManifests(c, unique(files.pipfile), 'Pipfile', (text, path) => {
    const result = parsePipfile(text, path);
    addPython(c, 'pipfile', result.python);
    return result;
  });
  await readManifests(c, unique(files.conda), 'environment.yml', async (text, path) => {
    const result = parseCondaEnvironment(text, path);
    sink.conda.push(...result.conda);
    addPython(c, 'conda', result.python);
    sink.problems.push(...result.problems);
    await tree.addParsed(path, result.pip);
    return { requirements: [], problems: [] };
  });
  tree.finish();
  for (const path of unique(files.pythonVersion)) {
    const text = await readOrReport(c, path);
    if (text !== undefined) addPython(c, 'versionFile', guarded(c, path, () => pythonFromVersionFile(text, path)));
  }
  for (const path of unique(files.runtime)) {
    const text = await readOrReport(c, path);
    if (text !== undefined) addPython(c, 'runtime', guarded(c, path, () => pythonFromRuntimeTxt(text, path)));
  }
  return finish(c, settings);
}

interface ParsedManifest {
  requirements: Requirement[];
  problems: Problem[];
}

/** Reads each manifest, records it in `files`, adds what `parse` found and notes a lock file beside it. */
async function readManifests(
  c: Collection,
  paths: string[],
  kind: 'pyproject.toml' | 'Pipfile' | 'environment.yml',
  parse: (text: string, path: string) => ParsedManifest | Promise<ParsedManifest>,
): Promise<void> {
  for (const path of paths) {
    const text = await readOrReport(c, path);
    if (text === undefined) continue;
    c.sink.files.push({ path, kind });
    let result: ParsedManifest;
    try {
      result = await parse(text, path);
    } catch (error) {
      // A reader bug on one file costs that file's dependencies, never the other files'.
      c.sink.problems.push(readerFailedProblem(path, error));
      continue;
    }
    c.sink.packages.push(...result.requirements);
    c.sink.problems.push(...result.problems);
    if (await hasLockBeside(c.reader, path, LOCK_FILES[kind] ?? [])) c.locked.add(path);
  }
}

/** Runs one file's reader; a throw becomes that file's problem. */
function guarded<T>(c: Collection, path: string, read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    c.sink.problems.push(readerFailedProblem(path, error));
    return undefined;
  }
}

function finish(c: Collection, settings: DetectSettings): DependencyResult {
  const { sink } = c;
  const candidates = PYTHON_PRIORITY.flatMap((kind) => byDepth(c.python.get(kind) ?? []));
  const resolved = resolvePython(candidates, settings.defaultPythonVersion);
  const packages = applyConstraints(sink.packages, sink.constraints);
  const unpinned = unpinnedProblems({
    packages,
    conda: sink.conda,
    files: sink.files,
    known: knownVersions([...packages, ...sink.constraints]),
    locked: c.locked,
  });
  return {
    requirements: {
      files: sink.files,
      packages,
      options: sink.options,
      conda: sink.conda.map(({ name, specifier, source, line }) => ({ name, specifier, source, line })),
    },
    python: resolved.python,
    problems: [...sink.problems, ...unpinned, ...resolved.problems],
  };
}

function addPython(c: Collection, kind: PythonSourceKind, candidate: PythonCandidate | undefined): void {
  if (candidate) c.python.get(kind)?.push(candidate);
}

async function readOrReport(c: Collection, path: string): Promise<string | undefined> {
  const source = await readSource(c.reader, path);
  if (source.ok) return source.text;
  c.sink.problems.push(unreadableProblem(path, source.reason));
  return undefined;
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

/** Stable sort by folder depth, so a file at the project root outranks one in a subfolder. */
function byDepth(candidates: PythonCandidate[]): PythonCandidate[] {
  const depth = (path: string): number => path.split('/').length;
  return [...candidates].sort((a, b) => depth(a.source) - depth(b.source));
}

async function hasLockBeside(reader: WorkspaceReader, manifest: string, locks: string[]): Promise<boolean> {
  for (const lock of locks) {
    const path = posix.join(posix.dirname(manifest), lock);
    if (await reader.stat(path).then((s) => s.kind === 'file', () => false)) return true;
  }
  return false;
}

/**
 * Reads a conda environment file (environment.yml) with the `yaml` package and a LineCounter, so
 * every dependency keeps its own line. Conda match specs go to `conda` as written (a channel prefix
 * such as `pytorch::` stays, since `conda install` takes it back); the `- pip:` list is parsed as
 * requirement lines. The `python` spec names the Python version.
 *
 * Conda's `=` is a prefix match (`numpy=1.24` is any 1.24.x), so only `==1.24.3`, `=1.24.3`
 * (three parts), `=1.24=build` and the space form `numpy 1.24.3` count as pinned.
 */
import type { Document, LineCounter, Node } from 'yaml';
import { loadYaml } from '../../lazyLibraries';
import type { Problem } from '../types';
import { formatSpecifier, parseSpecifier } from './pep508';
import { emptyParsed, parseRequirementLine, type ParsedRequirementsTxt } from './parseRequirementsTxt';
import { exactPython, rangePython, type PythonCandidate } from './pythonVersion';
import { syntaxProblem, unparseableProblem } from './requirement';
import { yamlNesting } from '../../yamlNesting';

export interface CondaDependency {
  name: string;
  specifier: string;
  source: string;
  line: number;
  pinned: boolean;
}

export interface CondaResult {
  conda: CondaDependency[];
  /** The `- pip:` entries, parsed as requirement lines on their own lines. */
  pip: ParsedRequirementsTxt;
  python?: PythonCandidate;
  problems: Problem[];
}

/** `[channel::]name[ spec]`; the channel may itself be a URL or `conda-forge/label/dev`. */
const CONDA_SPEC = /^(?:(.+)::)?([A-Za-z0-9_][A-Za-z0-9_.-]*)(.*)$/;
const VERSION_PART = String.raw`(?:[=<>!~]=?)?[\d*][\w.*+!-]*`;
/** A version expression (`>=1.2,<2`, `1.2|1.3`, `=1.2=build`), then an optional build string. */
const CONDA_VERSION = new RegExp(String.raw`^${VERSION_PART}(?:[,|]${VERSION_PART})*(?:=[\w.*+-]+)?(?:\s+[\w.*+-]+)?$`);

/** Whether the text after a conda package name is a version (and build), or a `[key=value]` bracket. */
function isCondaSpecRest(rest: string): boolean {
  const spec = rest.trim().replace(/([=<>!~])\s+/g, '$1');
  return spec === '' || /^\[[^\]]*\]$/.test(spec) || CONDA_VERSION.test(spec);
}

/** Far deeper than any environment file (they nest four or five levels), far below where the YAML parser overflows. */
const MAX_DEPTH = 64;

/** Parses YAML, or gives undefined for text nested too deeply to parse safely. */
function parseDeepLimited(text: string, lineCounter: LineCounter): Document.Parsed | undefined {
  if (yamlNesting(text, MAX_DEPTH).exceeded) return undefined;
  try {
    const doc = loadYaml().parseDocument(text, { lineCounter, prettyErrors: false });
    // The parser reports its own stack overflow as a syntax error; the nesting check should make that unreachable.
    return doc.errors.some((e) => /call stack/i.test(e.message)) ? undefined : doc;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

export function parseCondaEnvironment(text: string, path: string): CondaResult {
  const result: CondaResult = { conda: [], pip: emptyParsed(), problems: [] };
  const { isMap, isScalar, isSeq, LineCounter } = loadYaml();
  const counter = new LineCounter();
  const doc = parseDeepLimited(text, counter);
  if (!doc) {
    result.problems.push(syntaxProblem(path, undefined, `it is too deeply nested to read (more than ${MAX_DEPTH} levels)`));
    return result;
  }
  const error = doc.errors[0];
  if (error) {
    const line = counter.linePos(error.pos[0]).line;
    result.problems.push(syntaxProblem(path, line, `${error.message.split('\n')[0] ?? error.code} (line ${line})`));
    return result;
  }
  const lineOf = (node: Node): number => counter.linePos(node.range?.[0] ?? 0).line;
  const dependencies = isMap(doc.contents) ? doc.contents.get('dependencies', true) : undefined;
  if (dependencies === undefined || dependencies === null) return result;
  if (!isSeq(dependencies)) {
    result.problems.push(unparseableProblem(path, lineOf(dependencies as Node), 'dependencies', 'it must be a list'));
    return result;
  }
  for (const item of dependencies.items) {
    if (isScalar(item)) {
      if (item.value === null) continue;
      if (typeof item.value === 'string') readCondaSpec(item.value, lineOf(item), path, result);
      else result.problems.push(unparseableProblem(path, lineOf(item), String(item.value), 'a dependency must be a string'));
    } else if (isMap(item)) {
      readSubList(item.items, lineOf, path, result);
    } else if (item) {
      result.problems.push(unparseableProblem(path, lineOf(item as Node), String(item), 'a dependency must be a string or a pip: list'));
    }
  }
  return result;
}

function readSubList(pairs: { key: unknown; value: unknown }[], lineOf: (node: Node) => number, path: string, result: CondaResult): void {
  const { isScalar, isSeq } = loadYaml();
  for (const pair of pairs) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    const keyLine = isScalar(pair.key) ? lineOf(pair.key) : 1;
    if (key !== 'pip' || !isSeq(pair.value)) {
      result.problems.push(unparseableProblem(path, keyLine, String(key), 'only a "pip:" list may appear among conda dependencies'));
      continue;
    }
    for (const entry of pair.value.items) {
      if (isScalar(entry) && typeof entry.value === 'string') parseRequirementLine(entry.value, lineOf(entry), result.pip);
      else if (isScalar(entry) && entry.value !== null) {
        result.pip.errors.push({ line: lineOf(entry), text: String(entry.value), reason: 'a pip requirement must be a string' });
      }
    }
  }
}

/** Adds one conda match spec to `result`, or a Problem when it is not one. */
export function readCondaSpec(text: string, line: number, path: string, result: CondaResult): void {
  const match = CONDA_SPEC.exec(text.trim());
  const rest = (match?.[3] ?? '').trim();
  if (!match || !/^(?:$|[\s=<>!~[])/.test(match[3] ?? '') || !isCondaSpecRest(rest)) {
    result.problems.push(unparseableProblem(path, line, text, 'it is not a conda package spec such as numpy=1.26 or conda-forge::numpy>=1.24'));
    return;
  }
  const bare = match[2] ?? '';
  const name = match[1] !== undefined ? `${match[1]}::${bare}` : bare;
  result.conda.push({ name, specifier: rest, source: path, line, pinned: condaPinned(rest) });
  if (bare.toLowerCase() === 'python' && !result.python) {
    const python = condaPython(rest, path, line);
    if (python) result.python = python;
  }
}

export function condaPinned(spec: string): boolean {
  if (spec === '' || /[*,|<>!~[]/.test(spec)) return false;
  if (spec.startsWith('==')) return /^==\s*\S/.test(spec);
  if (spec.startsWith('=')) {
    const [version = '', build] = spec.slice(1).split('=');
    return (build !== undefined && build !== '') || version.split('.').length >= 3;
  }
  return /^\d/.test(spec);
}

/** `python=3.10`, `python==3.11.4`, `python 3.10.*` name a version; `python>=3.9,<3.12` is a range. */
function condaPython(spec: string, path: string, line: number): PythonCandidate | undefined {
  if (/[<>!~,|]/.test(spec)) {
    const clauses = parseSpecifier(spec);
    return clauses.ok ? rangePython(spec, [formatSpecifier(clauses.value)], path, 'conda python', line) : undefined;
  }
  const version = spec.replace(/^=+\s*/, '').split(/[=\s]/)[0] ?? '';
  if (!/^\d+\.\d+/.test(version)) return undefined;
  return exactPython(version, path, 'conda python', line);
}

/**
 * Reads requirements files and follows their `-r` and `-c` includes through the WorkspaceReader.
 * Includes resolve against the including file's folder, as pip does. Each file is read once, however
 * many files include it; an include back into the chain that led to it is a cycle and is reported,
 * not followed. Entries of constraint files are kept apart: pip uses them to pin, not to install.
 */
import * as posix from 'path/posix';
import type { Problem, Requirement, RequirementsFile, RequirementsInfo } from '../types';
import type { WorkspaceReader } from '../../workspaceReader';
import { isCondaPackageList, parseCondaPackageList } from './condaPackageList';
import { isUrl } from './directReference';
import type { CondaDependency } from './parseCondaEnvironment';
import { parseRequirementsTxt, type ParsedRequirementsTxt, type TxtInclude } from './parseRequirementsTxt';
import { readSource, unreadableProblem, type SourceText } from './readSource';
import { toRequirement, unparseableProblem } from './requirement';

/** What reading requirements files adds to the result; shared with the other formats. */
export interface DependencySink {
  files: RequirementsFile[];
  packages: Requirement[];
  /** Requirements from constraint files; they pin packages but are not installed themselves. */
  constraints: Requirement[];
  options: RequirementsInfo['options'];
  /** Conda specs, from environment files and from conda package lists named like requirements files. */
  conda: CondaDependency[];
  problems: Problem[];
}

/** `constraints.txt`, `constraints-cpu.txt`, `requirements/constraints.txt`... */
export function isConstraintsPath(path: string): boolean {
  return /^constraints[^/]*\.txt$/i.test(posix.basename(path));
}

/** The project path an include names, relative to the including file; undefined when it leaves the project. */
function resolveInclude(from: string, target: string): string | undefined {
  const resolved = posix.normalize(posix.join(posix.dirname(from), target.replace(/\\/g, '/')));
  return posix.isAbsolute(target) || resolved === '..' || resolved.startsWith('../') ? undefined : resolved;
}

export class RequirementsTree {
  private readonly visited = new Set<string>();
  private readonly sources = new Map<string, Promise<SourceText>>();

  constructor(
    private readonly reader: WorkspaceReader,
    private readonly sink: DependencySink,
  ) {}

  /**
   * Reads the files the walker found. A file that another found file includes is read through that
   * include instead, so it keeps the include's kind (a `-c pins.txt` stays a constraints file) and
   * its place after the includer. Files only reachable through a cycle are read last, as roots.
   */
  async readRoots(paths: string[]): Promise<void> {
    const included = new Set<string>();
    for (const path of paths) {
      const source = await this.load(path);
      if (!source.ok || isCondaPackageList(source.text)) continue;
      for (const include of parseRequirementsTxt(source.text).includes) {
        const target = resolveInclude(path, include.target);
        if (target !== undefined && target !== path) included.add(target);
      }
    }
    for (const path of paths) if (!included.has(path)) await this.readRoot(path);
    for (const path of paths) await this.readRoot(path);
  }

  /** Reads a file the walker found, unless an include already read it. */
  private async readRoot(path: string): Promise<void> {
    await this.readFile(path, isConstraintsPath(path) ? 'constraints' : 'requirements.txt', []);
  }

  /**
   * Adds entries parsed elsewhere (the `pip:` list of an environment.yml) as if they came from
   * `path`, following their includes relative to it. The caller records `path` in `files`.
   */
  async addParsed(path: string, parsed: ParsedRequirementsTxt): Promise<void> {
    this.visited.add(path);
    await this.ingest(path, parsed, false, [path]);
  }

  /** Reads each file from the reader at most once, even when the pre-pass already did. */
  private load(path: string): Promise<SourceText> {
    let source = this.sources.get(path);
    if (!source) {
      source = readSource(this.reader, path);
      this.sources.set(path, source);
    }
    return source;
  }

  private async readFile(path: string, kind: 'requirements.txt' | 'constraints', chain: string[]): Promise<void> {
    if (this.visited.has(path)) return;
    this.visited.add(path);
    const source = await this.load(path);
    if (!source.ok) {
      this.sink.problems.push(unreadableProblem(path, source.reason));
      return;
    }
    this.sink.files.push({ path, kind });
    if (isCondaPackageList(source.text)) {
      const list = parseCondaPackageList(source.text, path);
      this.sink.conda.push(...list.conda);
      this.sink.problems.push(...list.problems);
      return;
    }
    await this.ingest(path, parseRequirementsTxt(source.text), kind === 'constraints', [...chain, path]);
  }

  private async ingest(path: string, parsed: ParsedRequirementsTxt, isConstraints: boolean, chain: string[]): Promise<void> {
    for (const error of parsed.errors) this.sink.problems.push(unparseableProblem(path, error.line, error.text, error.reason));
    for (const option of parsed.options) this.sink.options.push({ ...option, source: path });
    const target = isConstraints ? this.sink.constraints : this.sink.packages;
    for (const entry of parsed.requirements) target.push(toRequirement(entry.spec, path, entry.line));
    for (const include of parsed.includes) await this.follow(path, include, chain);
  }

  private async follow(from: string, include: TxtInclude, chain: string[]): Promise<void> {
    const flag = include.kind === 'constraint' ? '-c' : '-r';
    const problem = (code: string, severity: Problem['severity'], message: string, fix?: string): void => {
      const p: Problem = { code, severity, path: from, line: include.line, message };
      if (fix) p.fix = fix;
      this.sink.problems.push(p);
    };
    if (isUrl(include.target)) {
      problem('remote-include', 'warning', `${from} line ${include.line} includes ${include.target} (${flag}), a URL detection does not fetch; its packages are not checked.`);
      return;
    }
    const resolved = resolveInclude(from, include.target);
    if (resolved === undefined) {
      problem('missing-include', 'error', `${from} line ${include.line} includes ${include.target} (${flag}), which is outside the project, so a build from the project folder cannot read it.`,
        `Move ${include.target} into the project and include it by a relative path.`);
      return;
    }
    if (chain.includes(resolved)) {
      problem('include-cycle', 'warning', `${from} line ${include.line} includes ${resolved} (${flag}), which is already being read: ${[...chain, resolved].join(' -> ')}.`,
        `Remove the ${flag} ${include.target} line; the file is already included.`);
      return;
    }
    const source = await this.load(resolved);
    if (!source.ok && source.missing) {
      problem('missing-include', 'error', `${from} line ${include.line} includes ${resolved} (${flag} ${include.target}), which does not exist; pip install would fail.`,
        `Create ${resolved}, or fix the path after ${flag} (it is relative to ${posix.dirname(from) === '.' ? 'the project root' : `${posix.dirname(from)}/`}).`);
      return;
    }
    await this.readFile(resolved, include.kind === 'constraint' ? 'constraints' : 'requirements.txt', chain);
  }
}

/**
 * Reads requirements files and follows their `-r` and `-c` includes through the WorkspaceReader.
 * Includes resolve against the including file's folder, as pip does. Each file is read once, however
 * many files include it; an include back into the chain that led to it is a cycle and is reported,
 * not followed. Entries of constraint files are kept apart: pip uses them to pin, not to install.
 *
 * Invariants: work is linear in the text read: each file is read and parsed once, the chain of
 * files being read is a stack with a set beside it, and each message names at most a few files.
 * The graph is capped (MAX_FILES files, includes MAX_DEPTH deep), and hitting a cap is a Problem.
 */
import * as posix from 'path/posix';
import type { Problem, Requirement, RequirementsFile, RequirementsInfo } from '../types';
import type { WorkspaceReader } from '../../workspaceReader';
import { isCondaPackageList, parseCondaPackageList } from './condaPackageList';
import { isUrl } from './directReference';
import type { CondaDependency } from './parseCondaEnvironment';
import { parseRequirementsTxt, type ParsedRequirementsTxt, type TxtInclude } from './parseRequirementsTxt';
import { readerFailedProblem, readSource, unreadableProblem, type SourceText } from './readSource';
import { shorten, toRequirement, unparseableProblem } from './requirement';

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

/** The most requirements files one project's include graph reads. */
export const MAX_FILES = 1000;
/** The deepest chain of `-r`/`-c` includes followed (pip has no limit; real projects nest two or three deep). */
export const MAX_DEPTH = 32;
/** Problems of one kind listed per project; the rest are counted in one closing problem. */
const MAX_REPORTS = 20;

/** A chain of files for a message: the whole chain when short, its ends when long. */
function showChain(chain: string[]): string {
  const shown = chain.length <= 6 ? chain : [...chain.slice(0, 2), `… (${chain.length - 5} more)`, ...chain.slice(-3)];
  return shown.map((path) => shorten(path, 80)).join(' -> ');
}

export class RequirementsTree {
  private readonly visited = new Set<string>();
  private readonly sources = new Map<string, Promise<SourceText>>();
  /** Each file's parse; null when the parser threw on it (reported once). */
  private readonly parsed = new Map<string, ParsedRequirementsTxt | null>();
  /** The files being read, outermost first, and the same as a set for cycle checks. */
  private readonly chain: string[] = [];
  private readonly onChain = new Set<string>();
  /** Includes not followed because of a cap, by target; reported at `finish` unless read another way. */
  private readonly capped = new Map<string, Problem>();
  private readonly reports = new Map<string, number>();
  private filesRead = 0;

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
      for (const include of this.parse(path, source.text)?.includes ?? []) {
        const target = resolveInclude(path, include.target);
        if (target !== undefined && target !== path) included.add(target);
      }
    }
    for (const path of paths) if (!included.has(path)) await this.readRoot(path);
    for (const path of paths) await this.readRoot(path);
  }

  /**
   * Adds entries parsed elsewhere (the `pip:` list of an environment.yml) as if they came from
   * `path`, following their includes relative to it. The caller records `path` in `files`.
   */
  async addParsed(path: string, parsed: ParsedRequirementsTxt): Promise<void> {
    this.visited.add(path);
    await this.within(path, () => this.ingest(path, parsed, false));
  }

  /** Reports the includes a cap kept from being read, and how many problems were not listed. */
  finish(): void {
    const unread = [...this.capped.entries()].filter(([target]) => !this.visited.has(target));
    if (unread.length > 0) {
      const first = unread[0]![1];
      if (unread.length > 1) first.message += ` ${unread.length - 1} more included files were not read either.`;
      this.sink.problems.push(first);
    }
    for (const [code, count] of this.reports) {
      if (count <= MAX_REPORTS) continue;
      this.sink.problems.push({ code, severity: 'info', path: '.', message: `${count - MAX_REPORTS} more ${code} problems are not listed.` });
    }
  }

  /** Reads a file the walker found, unless an include already read it. */
  private async readRoot(path: string): Promise<void> {
    await this.readFile(path, isConstraintsPath(path) ? 'constraints' : 'requirements.txt');
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

  /** Parses each file once; a parser that throws (a bug) costs that file only. */
  private parse(path: string, text: string): ParsedRequirementsTxt | undefined {
    const known = this.parsed.get(path);
    if (known !== undefined) return known ?? undefined;
    let parsed: ParsedRequirementsTxt | null = null;
    try {
      parsed = parseRequirementsTxt(text);
    } catch (error) {
      this.sink.problems.push(readerFailedProblem(path, error));
    }
    this.parsed.set(path, parsed);
    return parsed ?? undefined;
  }

  private async within(path: string, read: () => Promise<void>): Promise<void> {
    this.chain.push(path);
    this.onChain.add(path);
    try {
      await read();
    } finally {
      this.chain.pop();
      this.onChain.delete(path);
    }
  }

  private async readFile(path: string, kind: 'requirements.txt' | 'constraints'): Promise<void> {
    if (this.visited.has(path)) return;
    this.visited.add(path);
    this.filesRead++;
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
    const parsed = this.parse(path, source.text);
    if (parsed) await this.within(path, () => this.ingest(path, parsed, kind === 'constraints'));
    // Texts are not needed again once parsed: keep memory to the files still to be read.
    this.sources.set(path, Promise.resolve({ ok: true, text: '' }));
  }

  private async ingest(path: string, parsed: ParsedRequirementsTxt, isConstraints: boolean): Promise<void> {
    for (const error of parsed.errors) this.sink.problems.push(unparseableProblem(path, error.line, error.text, error.reason));
    for (const option of parsed.options) this.sink.options.push({ ...option, source: path });
    const target = isConstraints ? this.sink.constraints : this.sink.packages;
    for (const entry of parsed.requirements) target.push(toRequirement(entry.spec, path, entry.line));
    for (const include of parsed.includes) await this.follow(path, include);
  }

  /** Adds a problem, or only counts it past MAX_REPORTS of its code. */
  private report(problem: Problem): void {
    const count = (this.reports.get(problem.code) ?? 0) + 1;
    this.reports.set(problem.code, count);
    if (count <= MAX_REPORTS) this.sink.problems.push(problem);
  }

  private async follow(from: string, include: TxtInclude): Promise<void> {
    const flag = include.kind === 'constraint' ? '-c' : '-r';
    // Paths in messages are shortened: a mutated file can name a 100 KB "path".
    const target = shorten(include.target, 160);
    const problem = (code: string, severity: Problem['severity'], message: string, fix?: string): Problem => {
      const p: Problem = { code, severity, path: from, line: include.line, message };
      if (fix) p.fix = fix;
      return p;
    };
    if (isUrl(include.target)) {
      this.report(problem('remote-include', 'warning', `${from} line ${include.line} includes ${target} (${flag}), a URL detection does not fetch; its packages are not checked.`));
      return;
    }
    const resolved = resolveInclude(from, include.target);
    if (resolved === undefined) {
      this.report(problem('missing-include', 'error', `${from} line ${include.line} includes ${target} (${flag}), which is outside the project, so a build from the project folder cannot read it.`,
        `Move ${target} into the project and include it by a relative path.`));
      return;
    }
    if (this.onChain.has(resolved)) {
      const cycle = this.chain.slice(this.chain.indexOf(resolved));
      this.report(problem('include-cycle', 'warning', `${from} line ${include.line} includes ${shorten(resolved, 160)} (${flag}), which is already being read: ${showChain([...cycle, resolved])}.`,
        `Remove the ${flag} ${target} line; the file is already included.`));
      return;
    }
    if (this.visited.has(resolved)) return;
    if (this.chain.length >= MAX_DEPTH || this.filesRead >= MAX_FILES) {
      const why = this.chain.length >= MAX_DEPTH ? `includes nest more than ${MAX_DEPTH} files deep` : `the project's requirements files include more than ${MAX_FILES} files`;
      if (!this.capped.has(resolved)) {
        this.capped.set(resolved, problem('include-limit', 'warning', `${from} line ${include.line} includes ${shorten(resolved, 160)} (${flag}), which was not read: ${why}, more than detection follows.`,
          'Flatten the includes: pip reads them all, but a chain this long is almost surely generated or circular.'));
      }
      return;
    }
    const source = await this.load(resolved);
    if (!source.ok && source.missing) {
      this.report(problem('missing-include', 'error', `${from} line ${include.line} includes ${shorten(resolved, 160)} (${flag} ${target}), which does not exist; pip install would fail.`,
        `Create ${shorten(resolved, 160)}, or fix the path after ${flag} (it is relative to ${posix.dirname(from) === '.' ? 'the project root' : `${posix.dirname(from)}/`}).`));
      return;
    }
    await this.readFile(resolved, include.kind === 'constraint' ? 'constraints' : 'requirements.txt');
  }
}

/**
 * The build context as the Dockerfile sees it: the Dockerfile's folder, minus what .dockerignore
 * excludes (matched with Docker's own rules through @balena/dockerignore), plus what COPY puts
 * where. Context paths are relative to the context root, POSIX, without `./`; project paths are
 * relative to the project root, as ProjectDescription and Finding use them.
 */
import { posix } from 'node:path';
import type { ProjectDescription } from '../../detect/types';
import type { Arg, DockerfileModel, Ins } from './model';
import { dockerignoreMatcher, globMatches, literalPath, type PathMatcher } from './patterns';

/** What the caller told us about the workspace. */
export interface ContextInput {
  file: string;
  dockerignore?: string | undefined;
  project?: ProjectDescription | undefined;
  contextFiles?: { path: string; bytes: number }[] | undefined;
}

export interface ContextFile {
  path: string;
  bytes: number;
}

/** One COPY/ADD source, as a context path. */
export interface CopySource {
  arg: Arg;
  path: string;
  /** Holds `* ? [`: Docker matches it against the context. */
  wildcard: boolean;
  /** Names the whole context (`.`, `./`, `*`). */
  whole: boolean;
}

export interface CopyStep {
  ins: Ins;
  sources: CopySource[];
  /** Absolute container path, or undefined when a variable hides it. */
  dest: string | undefined;
  /** The destination is a folder (ends with `/`, or several sources). */
  destIsDir: boolean;
}

export class BuildContext {
  /** Project path of the context root; '' for the project root. */
  readonly dir: string;
  private matcher: PathMatcher | undefined;
  private included: ContextFile[] | undefined;
  private readonly files: Map<string, number> | undefined;
  private dirs: Set<string> | undefined;

  constructor(readonly input: ContextInput) {
    const dir = posix.dirname(normalize(input.file));
    this.dir = dir === '.' ? '' : dir;
    if (input.contextFiles) {
      this.files = new Map();
      for (const f of input.contextFiles) {
        const rel = this.fromProject(f.path);
        if (rel !== undefined && rel !== '') this.files.set(rel, f.bytes);
      }
    }
  }

  get hasDockerignore(): boolean {
    return this.input.dockerignore !== undefined;
  }

  get knowsFiles(): boolean {
    return this.files !== undefined;
  }

  /** Whether .dockerignore keeps `path` out of the context. Never throws, even on a broken pattern. */
  ignores(path: string): boolean {
    if (this.input.dockerignore === undefined || path === '') return false;
    this.matcher ??= dockerignoreMatcher(this.input.dockerignore);
    return this.matcher.ignores(path);
  }

  toProject(path: string): string {
    return this.dir && path ? `${this.dir}/${path}` : this.dir || path;
  }

  /** The context path of a project path, or undefined when it lies outside the context. */
  fromProject(path: string): string | undefined {
    const p = normalize(path);
    if (!this.dir) return p;
    if (p === this.dir) return '';
    return p.startsWith(`${this.dir}/`) ? p.slice(this.dir.length + 1) : undefined;
  }

  /** Whether `path` is a file or folder of the context: undefined when the caller listed no files. */
  exists(path: string): boolean | undefined {
    if (!this.files) return undefined;
    if (path === '' || this.files.has(path)) return true;
    if (!this.dirs) {
      this.dirs = new Set();
      for (const f of this.files.keys()) for (let i = f.indexOf('/'); i > 0; i = f.indexOf('/', i + 1)) this.dirs.add(f.slice(0, i));
    }
    return this.dirs.has(path);
  }

  isFile(path: string): boolean {
    return this.files?.has(path) ?? false;
  }

  /** Files the builder receives (listed and not excluded), biggest first; [] when none were listed. */
  includedFiles(): ContextFile[] {
    if (!this.included) {
      this.included = [...(this.files ?? [])].filter(([p]) => !this.ignores(p)).map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes);
    }
    return this.included;
  }

  /** Files under `path` (or `path` itself) that reach the builder. */
  includedUnder(path: string): ContextFile[] {
    return this.includedFiles().filter((f) => path === '' || f.path === path || f.path.startsWith(`${path}/`));
  }

  /** Context files a wildcard source matches (Docker matches each path segment like filepath.Match). */
  matching(pattern: string): ContextFile[] {
    return this.includedFiles().filter((f) => globMatches(pattern, f.path));
  }
}

/** `./a//b/` gives `a/b`; `.` and `/` give ''. */
export function normalize(path: string): string {
  if (!/(^|\/)\.{1,2}(\/|$)|\/\/|^\/|\/$/.test(path)) return path;
  const cleaned = posix.normalize(`/${path}`).replace(/^\/+/, '').replace(/\/+$/, '');
  return cleaned === '.' ? '' : cleaned;
}

/** The context-reading COPY/ADD steps of the file (no `--from`, no heredoc, no URL). */
export function copySteps(model: DockerfileModel): CopyStep[] {
  const steps: CopyStep[] = [];
  for (const ins of model.instructions) {
    if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.stage < 0) continue;
    if (ins.flags.some((f) => f.name === 'from') || ins.args.length < 2) continue;
    const written = ins.args.slice(0, -1);
    if (written.some((a) => a.value.startsWith('<<'))) continue;
    const destArg = ins.args[ins.args.length - 1]!;
    const sources: CopySource[] = [];
    for (const arg of written) {
      // An unescaped `$` is a build variable whose value is unknown here; `\$` is a literal one.
      if (/(^|[^\\])\$/.test(arg.value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(arg.value) || /^git@/.test(arg.value)) continue;
      const value = arg.value.replace(/\\\$/g, '$');
      const literal = /[*?[\\]/.test(value) ? literalPath(value) : value;
      const path = normalize(literal ?? value);
      sources.push({ arg, path, wildcard: literal === undefined, whole: path === '' || value.trim() === '*' });
    }
    const workdir = model.workdirBefore(ins);
    const rawDest = destArg.value;
    const dest = rawDest.includes('$') || workdir === undefined ? undefined : posix.resolve(workdir, rawDest);
    steps.push({ ins, sources, dest, destIsDir: rawDest.endsWith('/') || written.length > 1 || rawDest === '.' });
  }
  return steps;
}

/**
 * The context path a COPY step puts at container path `target`, or undefined when the step does
 * not cover it. A source is read as a folder when it names the context, ends with `/`, or the
 * listed files show it is one.
 */
export function sourceFor(step: CopyStep, target: string, context: BuildContext): { source: CopySource; path: string } | undefined {
  const dest = step.dest;
  if (!dest) return undefined;
  for (const source of [...step.sources].reverse()) {
    if (source.wildcard) continue;
    const folder = source.whole || source.arg.value.endsWith('/') || (context.exists(source.path) === true && !context.isFile(source.path));
    if (!folder) {
      const at: string = step.destIsDir ? posix.join(dest, posix.basename(source.path)) : dest;
      if (at === target) return { source, path: source.path };
      if (context.knowsFiles) continue;
    }
    if (folder && target === dest) return { source, path: source.path };
    if (target.startsWith(`${dest}/`) || (dest === '/' && target.startsWith('/'))) {
      const rel = dest === '/' ? target.slice(1) : target.slice(dest.length + 1);
      const path = source.path ? `${source.path}/${rel}` : rel;
      if (folder || context.exists(path) !== false) return { source, path };
    }
  }
  return undefined;
}

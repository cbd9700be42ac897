/**
 * The build context sent to the Engine API: planned here as the docker CLI plans it (which
 * Dockerfile, which .dockerignore, TrimBuildFilesFromExcludes), walked by buildContextWalk.ts with
 * the patterns of buildContextPatterns.ts, packed and streamed by buildContextPack.ts.
 *
 * Invariants: planning stats and never reads a context file (only the .dockerignore); paths in a
 * plan are POSIX and relative to `root`, in the CLI's tar order (each directory's names sorted
 * bytewise, a directory before what it holds); an excluded directory is walked for its contents
 * only when an exception names a path inside it, otherwise it is only measured (stat, for the
 * excluded summary, up to a budget of entries) and none of its files is ever opened.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compilePatterns, matchesLegacy, readDockerignore } from './buildContextPatterns';
import { contextError, unreadable, walkContext } from './buildContextWalk';
import type { ContextPlan } from './contextPlan';

export { contextSizeWarning, packBuildContext } from './buildContextPack';

export type { ContextEntry, ContextPlan, ExcludedGroup } from './contextPlan';

const toPosix = (p: string): string => p.split(path.sep).join('/');
const outside = (rel: string): boolean => rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** The Dockerfile the CLI would send: given relative to `root` (or absolute), symlinks resolved. */
async function resolveDockerfile(root: string, given: string | undefined): Promise<{ rel: string; named: string }> {
  let named = path.resolve(root, given ?? 'Dockerfile');
  // The CLI falls back to a lowercase `dockerfile` only when no name was given.
  if (given === undefined) {
    const exists = (p: string) => fs.lstat(p).then(() => true, () => false);
    if (!(await exists(named)) && (await exists(path.join(root, 'dockerfile')))) named = path.join(root, 'dockerfile');
  }
  let real: string;
  try {
    real = await fs.realpath(named);
  } catch (error) {
    if (code(error) === 'ENOENT') throw contextError(`No Dockerfile at ${named}.`, 'Pass the path of the Dockerfile, relative to the build context.');
    throw unreadable(named, error);
  }
  const rel = path.relative(root, real);
  if (outside(rel)) {
    throw contextError(`The Dockerfile ${real} is outside the build context ${root}.`, 'Move the Dockerfile into the context directory, or build from a directory that holds it.');
  }
  if ((await fs.stat(real)).isDirectory()) throw contextError(`The Dockerfile ${real} is a directory.`);
  // Where BuildKit looks for <Dockerfile>.dockerignore: beside the Dockerfile as named, not its link target.
  const namedReal = path.join(await fs.realpath(path.dirname(named)).catch(() => path.dirname(named)), path.basename(named));
  return { rel: toPosix(rel), named: namedReal };
}

/** The ignore file that applies: `<Dockerfile>.dockerignore` beside the Dockerfile first, as BuildKit does, then `.dockerignore`. */
async function readIgnoreFile(root: string, dockerfileNamed: string): Promise<{ rel: string; lines: string[] } | undefined> {
  const candidates = [`${dockerfileNamed}.dockerignore`, path.join(root, '.dockerignore')];
  for (const file of candidates) {
    const rel = path.relative(root, file);
    if (outside(rel)) continue;
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (code(error) === 'ENOENT') continue;
      throw unreadable(file, error);
    }
    return { rel: toPosix(rel), lines: readDockerignore(text) };
  }
  return undefined;
}

/**
 * Walks `root` honouring `<root>/.dockerignore` (or `<dockerfile>.dockerignore` next to the
 * Dockerfile, which takes precedence, as BuildKit does) exactly as the docker CLI matches it.
 * Stats only; reads no file contents. Directories excluded with no `!` exception naming a path
 * inside them are not walked for the context (Docker does the same), only measured. The Dockerfile
 * and the ignore file are always sent even if ignored (docker CLI TrimBuildFilesFromExcludes): a
 * builder reading the tarball needs them. `dockerfile` is relative to `root` (or absolute), by
 * default `Dockerfile` (or `dockerfile` when only that exists). A Dockerfile outside the context,
 * a malformed pattern and an unreadable entry each throw ModelshipError('BUILD_CONTEXT') naming it.
 */
export async function planBuildContext(root: string, dockerfile?: string): Promise<ContextPlan> {
  let realRoot: string;
  try {
    realRoot = await fs.realpath(path.resolve(root));
  } catch (error) {
    throw unreadable(root, error);
  }
  if (!(await fs.stat(realRoot)).isDirectory()) throw contextError(`The build context ${realRoot} is not a directory.`);
  const df = await resolveDockerfile(realRoot, dockerfile);
  const ignore = await readIgnoreFile(realRoot, df.named);
  const lines = [...(ignore?.lines ?? [])];
  // TrimBuildFilesFromExcludes: exceptions for the ignore file and the Dockerfile, when excluded.
  const ignoreRel = ignore?.rel ?? '.dockerignore';
  if (matchesLegacy(lines, ignoreRel)) lines.push(`!${ignoreRel}`);
  if (matchesLegacy(lines, df.rel)) lines.push(`!${df.rel}`);
  const walked = await walkContext(realRoot, compilePatterns(lines, ignore?.rel ?? '.dockerignore'));
  return { root: realRoot, dockerfile: df.rel, ...(ignore ? { ignoreFile: ignore.rel } : {}), ...walked };
}

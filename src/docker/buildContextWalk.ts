/**
 * The walk behind planBuildContext: the context directory in the docker CLI's tar order (moby's
 * go-archive TarWithOptions), each path matched against the .dockerignore patterns with its
 * directory's results, as the CLI does.
 *
 * Invariants: stats only, never opens a file for reading; an excluded directory is walked only
 * when an exception names a path inside it, otherwise only measured for the excluded summary
 * (readdir and lstat, within a budget of entries).
 */
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { ModelshipError } from '../core/errors';
import type { ContextEntry, ContextPlan } from './contextPlan';
import { exceptionUnder, matchPath, type IgnorePatterns, type ParentMatches } from './buildContextPatterns';

const STAT_BATCH = 64;
const MEASURE_BUDGET = 20_000;

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** The error for anything that keeps a context from being planned or sent. */
export function contextError(message: string, hint?: string): ModelshipError {
  return new ModelshipError('BUILD_CONTEXT', message, hint);
}

/** A BUILD_CONTEXT error naming what could not be read, and why. */
export function unreadable(where: string, error: unknown): ModelshipError {
  const why = code(error) ?? (error instanceof Error ? error.message : String(error));
  return contextError(`Cannot read ${where} for the build context (${why}).`, 'Fix its permissions, or add it to .dockerignore if the image does not need it.');
}

/** Orders names as Go's os.ReadDir does: by UTF-8 bytes, which is code point order. */
export function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (!/[\ud800-\udfff]/.test(a + b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function mapBatched<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += STAT_BATCH) out.push(...(await Promise.all(items.slice(i, i + STAT_BATCH).map(fn))));
  return out;
}

interface Walk {
  root: string;
  set: IgnorePatterns;
  entries: ContextEntry[];
  totalBytes: number;
  excludedFiles: number;
  excludedBytes: number;
  groups: Map<string, number>;
  measureBudget: number;
  partial: boolean;
}

function exclude(walk: Walk, rel: string, files: number, bytes: number): void {
  walk.excludedFiles += files;
  walk.excludedBytes += bytes;
  const slash = rel.indexOf('/');
  const group = slash < 0 ? rel : `${rel.slice(0, slash)}/`;
  walk.groups.set(group, (walk.groups.get(group) ?? 0) + bytes);
}

/**
 * Files and bytes under an excluded directory, from stat alone, within what is left of the plan's
 * budget of entries; what cannot be listed is not counted.
 */
async function measure(walk: Walk, dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const pending = [dir];
  while (pending.length > 0) {
    if (walk.measureBudget <= 0) {
      walk.partial = true;
      break;
    }
    const batch = pending.splice(0, STAT_BATCH);
    const listed = await Promise.all(batch.map((d) => fs.readdir(d, { withFileTypes: true }).catch(() => [])));
    const sized: string[] = [];
    listed.forEach((dirents, i) => {
      walk.measureBudget -= dirents.length;
      for (const d of dirents) {
        const full = path.join(batch[i]!, d.name);
        if (d.isDirectory()) pending.push(full);
        else if (d.isFile()) sized.push(full);
      }
    });
    if (walk.measureBudget < 0) {
      walk.partial = true;
      break;
    }
    const stats = await mapBatched(sized, (f) => fs.lstat(f).catch(() => undefined));
    for (const st of stats) {
      if (!st) continue;
      files += 1;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

// Go's archive/tar on Windows: no group/world write, and everything executable.
const tarMode = (st: Stats): number => (process.platform === 'win32' ? (st.mode & 0o755) | 0o111 : st.mode & 0o7777);

async function walkDir(walk: Walk, dirRel: string, parent: ParentMatches): Promise<void> {
  const dirAbs = dirRel ? path.join(walk.root, dirRel) : walk.root;
  let names: string[];
  try {
    names = await fs.readdir(dirAbs);
  } catch (error) {
    throw unreadable(dirRel || walk.root, error);
  }
  names.sort(byteOrder);
  const stats = await mapBatched(names, (name) =>
    fs.lstat(path.join(dirAbs, name)).catch((error: unknown) => {
      throw unreadable(dirRel ? `${dirRel}/${name}` : name, error);
    }),
  );
  // Readable checks for the files sent, done in batches after matching (as the CLI opens each one).
  const sent: { rel: string; abs: string }[] = [];
  for (let i = 0; i < names.length; i++) {
    const rel = dirRel ? `${dirRel}/${names[i]}` : names[i]!;
    const abs = path.join(dirAbs, names[i]!);
    const st = stats[i]!;
    const { excluded, matches } = matchPath(walk.set, rel, parent);
    if (excluded) {
      if (!st.isDirectory()) exclude(walk, rel, st.isFile() ? 1 : 0, st.isFile() ? st.size : 0);
      else if (exceptionUnder(walk.set, rel)) await walkDir(walk, rel, matches);
      else {
        const inside = await measure(walk, abs);
        exclude(walk, `${rel}/`, inside.files, inside.bytes);
      }
      continue;
    }
    const base = { path: rel, mode: tarMode(st), mtimeMs: st.mtimeMs };
    if (st.isDirectory()) {
      walk.entries.push({ ...base, type: 'directory', size: 0 });
      await walkDir(walk, rel, matches);
    } else if (st.isFile()) {
      walk.entries.push({ ...base, type: 'file', size: st.size });
      walk.totalBytes += st.size;
      sent.push({ rel, abs });
    } else if (st.isSymbolicLink()) {
      const linkTarget = await fs.readlink(abs).catch((error: unknown) => {
        throw unreadable(rel, error);
      });
      walk.entries.push({ ...base, type: 'symlink', size: 0, linkTarget });
    } else if (!st.isSocket()) {
      // Docker skips sockets (its tar writer cannot take them); FIFOs and devices, which it would
      // send, have no ContextEntry type, so they are refused by name rather than sent as something else.
      throw contextError(`${rel} is a ${st.isFIFO() ? 'named pipe' : 'device'}, which a build context cannot hold.`, 'Add it to .dockerignore.');
    }
  }
  await mapBatched(sent, ({ rel, abs }) =>
    fs.access(abs, fs.constants.R_OK).catch((error: unknown) => {
      throw unreadable(rel, error);
    }),
  );
}

/** Every entry sent from `root`, in tar order, and what the patterns kept out. */
export async function walkContext(root: string, set: IgnorePatterns): Promise<Pick<ContextPlan, 'entries' | 'totalBytes' | 'excluded'>> {
  const walk: Walk = { root, set, entries: [], totalBytes: 0, excludedFiles: 0, excludedBytes: 0, groups: new Map(), measureBudget: MEASURE_BUDGET, partial: false };
  await walkDir(walk, '', undefined);
  const largest = [...walk.groups]
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1] || byteOrder(a[0], b[0]))
    .slice(0, 5)
    .map(([p, bytes]) => ({ path: p, bytes }));
  return {
    entries: walk.entries,
    totalBytes: walk.totalBytes,
    excluded: { files: walk.excludedFiles, bytes: walk.excludedBytes, largest, ...(walk.partial ? { partial: true } : {}) },
  };
}

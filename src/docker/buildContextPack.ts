/**
 * Streams a planned build context as a tarball, and words the warning for a large one.
 *
 * Invariants: only the plan's files are opened, each read once from start to end while the
 * consumer pulls (a large file one chunk at a time, small files a bounded few ahead); headers
 * carry uid/gid 0 and the planned mode, mtime and size, so a file that changed size since planning
 * fails the stream naming it instead of corrupting the tarball.
 */
import fsCallback, { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as tar from 'tar-stream';
import { ModelshipError } from '../core/errors';
import { formatBytes } from '../core/formatBytes';
import type { ContextEntry, ContextPlan } from './contextPlan';

const READ_CHUNK = 1024 * 1024;
// Small files are read whole, a few ahead of the tar writer: each async open/read/close costs a
// thread-pool round trip, which for thousands of small files would dominate sending them.
const SMALL_FILE = 64 * 1024;
const AHEAD_FILES = 16;
const AHEAD_BYTES = 2 * 1024 * 1024;
const DEFAULT_WARN_BYTES = 200 * 1024 * 1024;

type TarHeader = Parameters<tar.Pack['entry']>[0];
type TarSink = ReturnType<tar.Pack['entry']>;

function changed(entry: ContextEntry, now: string): ModelshipError {
  return new ModelshipError('BUILD_CONTEXT', `${entry.path} changed while the build context was being sent (planned ${entry.size} bytes, ${now}).`, 'Build again once nothing is writing to it, or add it to .dockerignore.');
}

function cannotRead(entry: ContextEntry, error: unknown): ModelshipError {
  const why = (error as NodeJS.ErrnoException).code ?? String(error);
  return new ModelshipError('BUILD_CONTEXT', `Cannot read ${entry.path} for the build context (${why}).`, 'Build again once the file is back, or add it to .dockerignore.');
}

function header(entry: ContextEntry): TarHeader {
  const common = { mode: entry.mode, mtime: new Date(entry.mtimeMs), uid: 0, gid: 0, uname: '', gname: '' };
  switch (entry.type) {
    case 'directory':
      return { ...common, name: `${entry.path}/`, type: 'directory' };
    case 'symlink':
      return { ...common, name: entry.path, type: 'symlink', linkname: entry.linkTarget ?? '' };
    case 'file':
      return { ...common, name: entry.path, type: 'file', size: entry.size };
  }
}

/** Adds one entry with its whole body (none for directories and links); resolves once the pack has taken it. */
function addEntry(pack: tar.Pack, entry: ContextEntry, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (body) pack.entry(header(entry), body, done);
    else pack.entry(header(entry), done);
  });
}

/** Resolves when a tar entry takes more data, or is destroyed with the pack. */
function drained(sink: TarSink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}

const absolute = (root: string, entry: ContextEntry): string => path.join(root, ...entry.path.split('/'));
const isSmall = (entry: ContextEntry): boolean => entry.type === 'file' && entry.size <= SMALL_FILE;

// The callback fs API: its open/read/close cost half what FileHandle's do, per small file.
const openFd = promisify(fsCallback.open);
const readFd = promisify(fsCallback.read);
const closeFd = promisify(fsCallback.close);
const fstatFd = promisify(fsCallback.fstat);

/** Reads a small file whole, checking that it still has its planned size. */
async function readSmall(root: string, entry: ContextEntry, onRead: (bytes: number) => void): Promise<Buffer> {
  const fd = await openFd(absolute(root, entry), 'r').catch((error: unknown) => {
    throw cannotRead(entry, error);
  });
  try {
    // Asking for one byte more than planned tells a grown file apart in a single read; a short
    // read is only trusted as the end of the file once a further read returns nothing.
    const buf = Buffer.allocUnsafe(entry.size + 1);
    let got = (await readFd(fd, buf, 0, buf.length, 0)).bytesRead;
    for (let n = got; got < entry.size && n > 0; got += n) n = (await readFd(fd, buf, got, buf.length - got, got)).bytesRead;
    onRead(got);
    if (got !== entry.size) throw changed(entry, `${(await fstatFd(fd)).size} now`);
    return buf.subarray(0, got);
  } finally {
    await closeFd(fd);
  }
}

/** The small files after the writer's position, read ahead within a file and byte budget. */
class ReadAhead {
  private readonly reads = new Map<number, Promise<Buffer>>();
  private next = 0;
  private bytesAhead = 0;

  constructor(
    private readonly plan: ContextPlan,
    private readonly onRead: (bytes: number) => void,
    private readonly stopped: () => boolean,
  ) {}

  /** The body of the small file at `index`, then more reads started behind it. */
  take(index: number): Promise<Buffer> {
    this.fill(index);
    const read = this.reads.get(index) ?? this.start(index);
    this.reads.delete(index);
    this.bytesAhead -= this.plan.entries[index]!.size;
    this.fill(index + 1);
    return read;
  }

  private start(index: number): Promise<Buffer> {
    const read = readSmall(this.plan.root, this.plan.entries[index]!, this.onRead);
    // Taken later, or never when the stream stops first; either way not an unhandled rejection.
    read.catch(() => undefined);
    this.reads.set(index, read);
    this.bytesAhead += this.plan.entries[index]!.size;
    return read;
  }

  private fill(from: number): void {
    this.next = Math.max(this.next, from);
    const entries = this.plan.entries;
    while (this.next < entries.length && this.reads.size < AHEAD_FILES && this.bytesAhead < AHEAD_BYTES && !this.stopped()) {
      if (isSmall(entries[this.next]!)) this.start(this.next);
      this.next++;
    }
  }
}

interface Reading {
  pack: tar.Pack;
  stopped: () => boolean;
  onRead: (bytes: number) => void;
  setCurrent: (stream: (NodeJS.ReadableStream & { destroy(): void }) | undefined) => void;
}

/** Streams one large file into the pack, checking its size against the plan before and while reading. */
async function streamFile(r: Reading, root: string, entry: ContextEntry): Promise<void> {
  const abs = absolute(root, entry);
  const fd = await openFd(abs, 'r').catch((error: unknown) => {
    throw cannotRead(entry, error);
  });
  // The stream owns the descriptor from here on, and closes it however reading ends.
  const stream = createReadStream(abs, { fd, highWaterMark: READ_CHUNK });
  r.setCurrent(stream);
  try {
    const size = (await fstatFd(fd)).size;
    if (size !== entry.size) throw changed(entry, `${size} now`);
    let sink!: TarSink;
    const taken = new Promise<void>((resolve, reject) => {
      sink = r.pack.entry(header(entry), (error) => (error ? reject(error) : resolve()));
    });
    // Awaited below; a pack destroyed first must not leave the rejection unhandled.
    taken.catch(() => undefined);
    let read = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (r.stopped()) return;
      read += chunk.length;
      r.onRead(chunk.length);
      if (read > entry.size) throw changed(entry, 'more now');
      if (!sink.write(chunk)) await drained(sink);
    }
    if (read !== entry.size) throw changed(entry, `${read} read`);
    sink.end(undefined);
    await taken;
  } finally {
    r.setCurrent(undefined);
    stream.destroy();
  }
}

/**
 * A tar stream (tar-stream pack) of the plan: large files streamed with fs.createReadStream one at
 * a time (backpressure respected), small ones read whole a few ahead; uid/gid 0, mode and mtime
 * kept, symlinks as symlinks, directories included. `bytesRead` counts every byte read from disk.
 * A file whose size changed since planning fails the stream with a ModelshipError naming it (tar
 * headers carry the size). Destroying the returned stream stops reading.
 */
export function packBuildContext(plan: ContextPlan): { stream: NodeJS.ReadableStream & { destroy(err?: Error): void }; bytesRead(): number } {
  const pack = tar.pack({ highWaterMark: READ_CHUNK });
  let bytesRead = 0;
  let stopped = false;
  let current: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
  const stop = () => {
    stopped = true;
    current?.destroy();
  };
  pack.on('close', stop);
  const onRead = (n: number) => (bytesRead += n);
  const reading: Reading = { pack, stopped: () => stopped, onRead, setCurrent: (s) => (current = s) };
  const ahead = new ReadAhead(plan, onRead, () => stopped);
  void (async () => {
    try {
      for (const [i, entry] of plan.entries.entries()) {
        if (stopped) return;
        if (isSmall(entry)) await addEntry(pack, entry, await ahead.take(i));
        else if (entry.type === 'file') await streamFile(reading, plan.root, entry);
        else await addEntry(pack, entry);
      }
      pack.finalize();
    } catch (error) {
      if (!stopped) pack.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  // A Node stream over the pack, so that pipe, pipeline and destroy behave as callers expect.
  const stream = Readable.from(pack, { objectMode: false, highWaterMark: READ_CHUNK });
  stream.on('close', stop);
  return { stream, bytesRead: () => bytesRead };
}

/** Sizes of what a plan sends, summed per top-level name (`data/`, `model.pkl`), largest first. */
function sentGroups(plan: ContextPlan): { path: string; bytes: number }[] {
  const groups = new Map<string, number>();
  for (const e of plan.entries) {
    if (e.type !== 'file') continue;
    const slash = e.path.indexOf('/');
    const key = slash < 0 ? e.path : `${e.path.slice(0, slash)}/`;
    groups.set(key, (groups.get(key) ?? 0) + e.size);
  }
  return [...groups].map(([p, bytes]) => ({ path: p, bytes })).sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
}

/**
 * The warning for a context over `thresholdBytes` (200 MiB by default), naming what makes it
 * large, e.g. "Build context is 1.2 GiB (3,412 files); largest: data/ 1.1 GiB. Add it to
 * .dockerignore if the image does not need it." Undefined when the context is small enough.
 */
export function contextSizeWarning(plan: ContextPlan, thresholdBytes = DEFAULT_WARN_BYTES): string | undefined {
  if (plan.totalBytes <= thresholdBytes) return undefined;
  const files = plan.entries.filter((e) => e.type === 'file').length;
  const largest = sentGroups(plan).slice(0, 3);
  const list = largest.map((g) => `${g.path} ${formatBytes(g.bytes)}`).join(', ');
  const them = largest.length === 1 ? 'it' : 'them';
  return `Build context is ${formatBytes(plan.totalBytes)} (${files.toLocaleString('en-US')} files); largest: ${list}. Add ${them} to .dockerignore if the image does not need ${them}.`;
}

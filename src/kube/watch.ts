/**
 * A watch that survives drops. client-node's Watch makes one request and calls `done` when it
 * ends, for any reason; this loop reconnects after every end that the caller did not ask for
 * (a reset, a proxy that went away, the server's own timeout, a silent stall caught by a
 * watchdog), resuming from the last resourceVersion seen (bookmarks included), with exponential
 * backoff while the API cannot be reached. A 410 Gone, as an HTTP status or as an ERROR event,
 * means that version is too old: it relists and carries on from the list's version.
 */
import { backoffDelay, sleep } from './errors';

/** The one method of client-node's Watch this loop uses (tests may pass their own). */
export interface WatchLike {
  watch(path: string, query: Record<string, string | number | boolean | undefined>, callback: (phase: string, object: unknown) => void, done: (err: unknown) => void): Promise<AbortController>;
}

export interface ResumableWatchOptions {
  watch: WatchLike;
  /** The collection path, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  query?: Record<string, string>;
  /** Lists the collection and returns its resourceVersion (called first and after 410 Gone). */
  list: () => Promise<string>;
  /** Every ADDED/MODIFIED/DELETED object; `relisted` after a (re)list, `resumed` after a reconnect. */
  onChange: (what: { type: string; object?: unknown }) => void;
  /** A failure that retrying cannot fix (401/403 on the first list) ends the loop with this error. */
  fatal?: (err: unknown) => boolean;
  signal: AbortSignal;
  /** Reconnect when nothing (not even a bookmark) arrives for this long; default 90 s. */
  idleMs?: number;
  /** Server-side timeout asked for per request; default 60 s. */
  timeoutSeconds?: number;
  /** Called on every drop, for logs and tests. */
  onDrop?: (err: unknown, attempt: number) => void;
}

interface EventObject {
  metadata?: { resourceVersion?: string };
  code?: number;
}

/** Runs until `signal` aborts; rejects only with a `fatal` error. */
export async function resumableWatch(options: ResumableWatchOptions): Promise<void> {
  const { signal } = options;
  let resourceVersion: string | undefined;
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        resourceVersion = await options.list();
        options.onChange({ type: 'relisted' });
      }
    } catch (err) {
      if (options.fatal?.(err)) throw err;
      options.onDrop?.(err, failures);
      await sleep(backoffDelay(failures++, 200, 5000), signal);
      continue;
    }
    const outcome = await watchOnce(options, resourceVersion, (rv) => {
      resourceVersion = rv;
      failures = 0;
    });
    if (signal.aborted) return;
    if (outcome.gone) {
      resourceVersion = undefined;
      continue;
    }
    options.onDrop?.(outcome.err, failures);
    if (outcome.err) await sleep(backoffDelay(failures++, 200, 5000), signal);
  }
}

function watchOnce(options: ResumableWatchOptions, from: string, advance: (rv: string) => void): Promise<{ gone: boolean; err?: unknown }> {
  return new Promise((resolve) => {
    let controller: AbortController | undefined;
    let gone = false;
    let finished = false;
    let receivedAny = false;
    const started = Date.now();
    const idleMs = options.idleMs ?? 90_000;
    let idle: NodeJS.Timeout | undefined;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      options.signal.removeEventListener('abort', onAbort);
      controller?.abort();
      // A stream that ended at once with nothing in it counts as a failure, so a flapping server is backed off.
      const flapped = !receivedAny && Date.now() - started < 1000 && !options.signal.aborted;
      resolve({ gone, err: err ?? (flapped ? new Error('watch ended at once') : undefined) });
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(new Error(`watch idle for ${idleMs} ms`)), idleMs);
    };
    const onAbort = () => finish();
    options.signal.addEventListener('abort', onAbort, { once: true });
    arm();
    const query = { ...options.query, resourceVersion: from, allowWatchBookmarks: true, timeoutSeconds: options.timeoutSeconds ?? 60 };
    options.watch
      .watch(
        options.path,
        query,
        (type, object) => {
          receivedAny = true;
          arm();
          const obj = object as EventObject | undefined;
          if (type === 'ERROR') {
            if (obj?.code === 410) gone = true;
            finish(gone ? undefined : new Error(`watch error event: ${JSON.stringify(object)}`));
            return;
          }
          const rv = obj?.metadata?.resourceVersion;
          if (rv) advance(rv);
          if (type !== 'BOOKMARK') options.onChange({ type, object });
        },
        (err: unknown) => {
          if ((err as { statusCode?: number } | null)?.statusCode === 410) gone = true;
          finish(gone ? undefined : err ?? undefined);
        },
      )
      .then(
        (c) => {
          controller = c;
          if (finished) c.abort();
        },
        (err: unknown) => finish(err),
      );
  });
}

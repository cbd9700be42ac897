/**
 * One run of a panel's feed at a time (a status watch, a log stream). Starting again aborts the
 * run before, whose callbacks then do nothing (`live()` turns false), so a slow old run cannot
 * overwrite what a newer one showed. The feed is created once and reused, except after a failure:
 * then the next start (Retry) creates it again.
 */
export class FeedRunner<F> {
  private feed: Promise<F> | undefined;
  private abort: AbortController | undefined;
  private closed = false;

  constructor(private readonly create: () => Promise<F>) {}

  /**
   * Aborts the current run and starts `run` with the feed and the new run's signal. `done` runs when
   * it ends by itself, `fail` with the error's message when the feed or the run fails (both only
   * while the run is still the current one). Returns `live`: whether this run is the current one.
   */
  start(run: (feed: F, signal: AbortSignal) => Promise<void>, on: { done?: () => void; fail: (message: string) => void }): () => boolean {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const live = () => !this.closed && this.abort === abort;
    if (this.closed) return live;
    const feed = (this.feed ??= Promise.resolve().then(this.create));
    feed.then((f) => run(f, abort.signal)).then(
      () => {
        if (live()) on.done?.();
      },
      (err: unknown) => {
        if (this.feed === feed) this.feed = undefined;
        if (live()) on.fail(err instanceof Error ? err.message : String(err));
      },
    );
    return live;
  }

  /** Aborts the current run, if any; a later start runs again. */
  stop(): void {
    this.abort?.abort();
    this.abort = undefined;
  }

  /** Aborts the current run for good. */
  dispose(): void {
    this.closed = true;
    this.abort?.abort();
  }
}

/**
 * The logs panel's host-side state, without vscode: the ring buffer, the filtered view, one feed
 * stream at a time, and the answers to the webview's requests (rows, filter, query, search).
 *
 * Invariants:
 * - Lines are posted as counts, never pushed as rows: the webview asks for the rows it shows.
 * - Updates are batched: at most one `logsInfo` per `flushMs` however fast lines arrive, and none
 *   when nothing changed.
 * - A new query aborts the stream, clears the buffer and bumps `version`; a new filter bumps
 *   `version`. Lines from an aborted stream are ignored.
 */
import { parseDuration, type LogLine } from '../../core/deploy/logLines';
import { FeedRunner } from './feedRunner';
import { DEFAULT_CAPACITY, LogBuffer } from './logBuffer';
import { LogView, rowText } from './logFilter';
import type { LogFeed, LogQueryOptions } from './panelTypes';
import type { LogFilter, LogQuery, LogsHostMessage, PanelTarget, WebviewMessage } from './protocol';

/** How often, at most, the webview hears of new lines. */
export const FLUSH_MS = 75;

export interface LogSessionOptions {
  target: PanelTarget;
  query: LogQuery;
  filter?: LogFilter;
  /** Returns the feed; called again on Retry when it failed. */
  feed: () => Promise<LogFeed>;
  post: (message: LogsHostMessage) => void;
  log: (message: string) => void;
  capacity?: number;
  flushMs?: number;
}

/** The feed's query from the panel's: `since` as seconds; an invalid `since` throws a sentence. */
export function toQueryOptions(query: LogQuery): LogQueryOptions {
  const options: LogQueryOptions = { previous: query.previous };
  if (query.since) {
    try {
      options.sinceSeconds = parseDuration(query.since);
    } catch {
      throw new Error(`Since "${query.since}" is not a duration: type one such as 30s, 5m, 1h or 1h30m.`);
    }
  }
  if (query.tail !== undefined) options.tailLines = query.tail;
  return options;
}

export class LogSession {
  private readonly buffer: LogBuffer;
  private view: LogView;
  private query: LogQuery;
  private version = 1;
  private streaming = false;
  private error: string | undefined;
  private readonly runner: FeedRunner<LogFeed>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastInfo = '';
  private disposed = false;

  constructor(private readonly options: LogSessionOptions) {
    this.buffer = new LogBuffer(options.capacity ?? DEFAULT_CAPACITY);
    this.query = options.query;
    this.view = new LogView(this.buffer, options.filter ?? {});
    this.runner = new FeedRunner(options.feed);
  }

  bufferedLines(): number {
    return this.buffer.size;
  }

  /** Rows as shown, from the `start`-th row in view. */
  visibleText(start: number, count: number): string[] {
    this.view.sync();
    return this.view.rows(this.view.first + start, count).map(rowText);
  }

  currentQuery(): LogQuery {
    return this.query;
  }

  /** Starts (or restarts) the stream: the buffer starts empty. */
  start(): void {
    if (this.disposed) return;
    this.buffer.clear();
    this.view = new LogView(this.buffer, this.view.filter);
    this.version++;
    this.error = undefined;
    let options: LogQueryOptions;
    try {
      options = toQueryOptions(this.query);
    } catch (err) {
      this.runner.stop();
      this.fail(err instanceof Error ? err.message : String(err));
      return;
    }
    this.streaming = true;
    this.flushNow();
    const onLines = (lines: LogLine[]) => {
      if (!live()) return;
      this.buffer.append(lines);
      this.schedule();
    };
    const onNotice = (text: string) => {
      if (!live()) return;
      this.buffer.appendNotice(text);
      this.schedule();
    };
    const live = this.runner.start((feed, signal) => feed.stream(options, onLines, onNotice, signal), {
      done: () => {
        this.streaming = false;
        this.buffer.appendNotice('The log stream ended.');
        this.schedule();
      },
      fail: (message) => this.fail(message),
    });
  }

  /** Handles the logs panel's messages; others are not for it. */
  handle(message: WebviewMessage): void {
    if (this.disposed) return;
    switch (message.type) {
      case 'ready':
        this.options.post({ type: 'logsHello', target: this.options.target, query: this.query, filter: this.view.filter });
        this.flushNow(true);
        if (this.error !== undefined) this.options.post({ type: 'feedError', message: this.error });
        return;
      case 'retry':
        this.start();
        return;
      case 'rows':
        if (message.version !== this.version) return;
        this.view.sync();
        this.options.post({ type: 'rows', version: this.version, start: message.start, rows: this.view.rows(message.start, message.count) });
        return;
      case 'filter':
        this.view = new LogView(this.buffer, message.filter);
        this.version++;
        this.flushNow();
        return;
      case 'query':
        this.setQuery(message.query);
        return;
      case 'search': {
        if (message.text === '') return;
        this.view.sync();
        const found = this.view.find(message.text, message.from, message.backwards);
        this.options.post({ type: 'searchResult', version: this.version, text: message.text, ...found });
        return;
      }
      default:
        return;
    }
  }

  /** Restarts the stream with another query (Previous, Since, Tail). */
  setQuery(query: LogQuery): void {
    this.query = query;
    // The toolbar shows the query in effect, also when the change came from the host.
    this.options.post({ type: 'logsHello', target: this.options.target, query, filter: this.view.filter });
    this.start();
  }

  dispose(): void {
    this.disposed = true;
    this.runner.dispose();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fail(message: string): void {
    this.streaming = false;
    this.error = message;
    this.options.log(`logs of ${this.options.target.deployment} (${this.options.target.environment}): ${this.error}`);
    this.flushNow();
    this.options.post({ type: 'feedError', message: this.error });
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, this.options.flushMs ?? FLUSH_MS);
  }

  /** Posts the view's counts, unless they are what the webview last heard (or `force`). */
  private flushNow(force = false): void {
    if (this.disposed) return;
    this.view.sync();
    const info: LogsHostMessage = {
      type: 'logsInfo',
      version: this.version,
      first: this.view.first,
      total: this.view.total,
      dropped: this.buffer.dropped,
      pods: this.buffer.podNames(),
      containers: this.buffer.containerNames(),
      streaming: this.streaming,
    };
    const key = JSON.stringify(info);
    if (!force && key === this.lastInfo) return;
    this.lastInfo = key;
    this.options.post(info);
  }
}

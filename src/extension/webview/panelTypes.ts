/**
 * The contract between the Deployment panels and their caller: the feeds that supply a panel's
 * data (the caller implements them over the Kubernetes adapter), the actions its buttons run,
 * and the handles the caller and the tests get back. api.ts re-exports all of it.
 */
import type * as vscode from 'vscode';
import type { LogLine } from '../../core/deploy/logLines';
import type { StatusModel } from '../../core/deploy/statusModel';
import type { PanelTarget } from './protocol';

export interface StatusFeed {
  /**
   * Calls onModel with a fresh model now and on every change until signal aborts; resolves when it
   * stops. Errors go to onError (shown in the panel, with a Retry button), not thrown.
   */
  watch(onModel: (model: StatusModel) => void, onError: (message: string) => void, signal: AbortSignal): Promise<void>;
}

export interface LogQueryOptions {
  /** The previous (crashed) containers' logs, as `kubectl logs --previous`. */
  previous: boolean;
  /** Only lines newer than this many seconds. */
  sinceSeconds?: number;
  /** Lines per container at the start; the feed's default is 500. */
  tailLines?: number;
}

export interface LogFeed {
  /**
   * Streams the whole Deployment's logs (every pod and container; new pods join) until signal
   * aborts. `onNotice` takes lines of the feed's own (a pod joined, a stream was cut). A rejected
   * promise is shown in the panel with a Retry button.
   */
  stream(query: LogQueryOptions, onLines: (lines: LogLine[]) => void, onNotice: (text: string) => void, signal: AbortSignal): Promise<void>;
}

/** Where the panels get their data; called once per panel (again on Retry after a failure). */
export interface PanelFeeds {
  status(target: PanelTarget): Promise<StatusFeed>;
  logs(target: PanelTarget): Promise<LogFeed>;
}

export interface PanelActions {
  /** Runs for the status panel's Show Logs and Show previous logs buttons. */
  showLogs(target: PanelTarget, options?: { previous?: boolean }): void;
  /** Runs for a Roll back button; without it the panel shows none. `revision` is the one chosen (absent: the previous one). */
  rollback?(target: PanelTarget, options?: { revision?: number }): void;
}

export interface StatusPanelHandle {
  readonly panel: vscode.WebviewPanel;
  /** The model shown last, if any arrived. */
  lastModel(): StatusModel | undefined;
  dispose(): void;
}

export interface LogsPanelHandle {
  readonly panel: vscode.WebviewPanel;
  /** How many lines the host-side buffer holds now. */
  bufferedLines(): number;
  /** Rows as the panel shows them (filtered, `pod/container text`), for tests; `start` counts from the oldest row in view. */
  visibleText(start: number, count: number): string[];
  dispose(): void;
}

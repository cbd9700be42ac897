/**
 * The messages between the extension host and the two Deployment webviews (status and logs), as
 * discriminated unions on `type`, plus the state each webview saves with `setState`.
 *
 * Invariants:
 * - Everything here is plain JSON (STYLE pattern 2): no vscode types, no class instances.
 * - The host checks every message from a webview with `parseWebviewMessage` before acting on it;
 *   the webview checks the host's messages too (media/hostMessages.ts), since a stale webview
 *   may outlive a host update.
 * - media/ imports this file for its types only; the validator runs in the host.
 * - Log rows are addressed by their absolute index in the filtered view: index `first` is the
 *   oldest row still buffered, so an index keeps naming the same row while old ones are dropped.
 *   `version` changes whenever the view is rebuilt (new filter, new query); answers carrying an
 *   older version are stale and are dropped by the webview.
 */
import type { StatusModel } from '../../core/deploy/statusModel';

// The status model's types, for the browser code, which may import this file and nothing else of src/.
export type { StatusContainer, StatusFailure, StatusModel, StatusPod } from '../../core/deploy/statusModel';

/** Which Deployment a panel shows; what the serializer restores a panel from. */
export interface PanelTarget {
  /** The project's folder, a file-system path. */
  projectDir: string;
  /** The environment name in deploy/environments.yaml. */
  environment: string;
  deployment: string;
}

/** Levels a log line can have, most severe first. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Which buffered lines the logs panel shows; an absent field does not filter. */
export interface LogFilter {
  pod?: string;
  container?: string;
  /** Lines at this level or more severe; lines with no level are hidden while this is set. */
  minLevel?: LogLevel;
  /** A case-insensitive substring. */
  text?: string;
}

/** What the logs panel asks the cluster for, as the user typed it. */
export interface LogQuery {
  /** The previous (crashed) containers' logs instead of the running ones. */
  previous: boolean;
  /** A duration such as `5m` or `1h`. */
  since?: string;
  /** Lines per container at the start. */
  tail?: number;
}

/** One row of the logs panel: a log line, or a notice of the panel's own (a pod joined, the stream ended). */
export interface LogRow {
  /** The absolute index in the filtered view. */
  index: number;
  /** Where the line came from; both empty for a notice about the whole stream. */
  pod: string;
  container: string;
  /** The line without escape codes, cut at MAX_ROW_CHARS; shown as text, never as markup. */
  text: string;
  /** The level the line names (or, for a continuation line, the line before it). */
  level?: LogLevel;
  /** The ANSI colour code (31-36, 91-96) of the pod, the same in every session. */
  colour: number;
  notice?: boolean;
}

/** The most rows one request may ask for. */
export const MAX_PAGE = 1000;
/** The longest filter or search text accepted. */
export const MAX_TEXT = 1000;

export type StatusHostMessage =
  | { type: 'statusHello'; target: PanelTarget; canRollback: boolean }
  | { type: 'model'; model: StatusModel }
  | { type: 'feedError'; message: string };

export type LogsHostMessage =
  | { type: 'logsHello'; target: PanelTarget; query: LogQuery; filter: LogFilter }
  | {
      type: 'logsInfo';
      version: number;
      /** The absolute index of the oldest row in view. */
      first: number;
      /** Rows in view. */
      total: number;
      /** Lines dropped from the buffer since the stream started (oldest first). */
      dropped: number;
      /** Pods and containers seen, for the filter choices. */
      pods: string[];
      containers: string[];
      streaming: boolean;
    }
  | { type: 'rows'; version: number; start: number; rows: LogRow[] }
  | { type: 'searchResult'; version: number; text: string; index: number; count: number }
  | { type: 'feedError'; message: string };

/** Every message the host posts to a webview. */
export type HostMessage = StatusHostMessage | LogsHostMessage;

/** Every message a webview posts to the host. */
export type WebviewMessage =
  /** The page loaded (again, after being hidden): send the state. */
  | { type: 'ready' }
  | { type: 'retry' }
  /** An error thrown in the webview, for the host's log. */
  | { type: 'clientError'; message: string }
  | { type: 'showLogs'; previous: boolean }
  | { type: 'rollback'; revision?: number }
  | { type: 'rows'; version: number; start: number; count: number }
  | { type: 'filter'; filter: LogFilter }
  | { type: 'query'; query: LogQuery }
  | { type: 'search'; text: string; from: number; backwards: boolean };

/** What the status webview saves with setState. */
export interface StatusState {
  /** What the serializer restores the panel for. */
  target: PanelTarget;
}

/** What the logs webview saves with setState. */
export interface LogsState {
  /** What the serializer restores the panel for, with the filter and query it showed. */
  target: PanelTarget;
  filter: LogFilter;
  query: LogQuery;
  /** Whether the list kept the newest line in view. */
  follow: boolean;
  /** The absolute index of the top row shown. */
  top: number;
  /** The text in the Find box. */
  search: string;
}

type Fields = Record<string, unknown>;

const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x);
const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isText = (x: unknown, max = MAX_TEXT): x is string => typeof x === 'string' && x.length <= max;
const optional = (x: unknown, check: (v: unknown) => boolean) => x === undefined || check(x);

/** A PanelTarget from saved state or a message, or undefined when it is not one. */
export function parsePanelTarget(x: unknown): PanelTarget | undefined {
  if (!isObject(x) || !isText(x.projectDir, 4096) || !isText(x.environment) || !isText(x.deployment)) return undefined;
  if (!x.projectDir || !x.environment || !x.deployment) return undefined;
  return { projectDir: x.projectDir, environment: x.environment, deployment: x.deployment };
}

export function parseLogFilter(x: unknown): LogFilter | undefined {
  if (!isObject(x)) return undefined;
  const { pod, container, minLevel, text } = x;
  if (!optional(pod, isText) || !optional(container, isText) || !optional(text, isText)) return undefined;
  if (!optional(minLevel, (v) => LOG_LEVELS.includes(v as LogLevel))) return undefined;
  const filter: LogFilter = {};
  if (pod) filter.pod = pod as string;
  if (container) filter.container = container as string;
  if (minLevel) filter.minLevel = minLevel as LogLevel;
  if (text) filter.text = text as string;
  return filter;
}

export function parseLogQuery(x: unknown): LogQuery | undefined {
  if (!isObject(x) || typeof x.previous !== 'boolean') return undefined;
  if (!optional(x.since, (v) => isText(v, 32)) || !optional(x.tail, isIndex)) return undefined;
  const query: LogQuery = { previous: x.previous };
  if (x.since) query.since = x.since as string;
  if (x.tail !== undefined) query.tail = x.tail as number;
  return query;
}

/** Checks one message from a webview; undefined for anything unknown or malformed. */
export function parseWebviewMessage(x: unknown): WebviewMessage | undefined {
  if (!isObject(x) || typeof x.type !== 'string') return undefined;
  switch (x.type) {
    case 'ready':
    case 'retry':
      return { type: x.type };
    case 'clientError':
      return isText(x.message, 10_000) ? { type: 'clientError', message: x.message } : undefined;
    case 'showLogs':
      return typeof x.previous === 'boolean' ? { type: 'showLogs', previous: x.previous } : undefined;
    case 'rollback':
      if (!optional(x.revision, isIndex)) return undefined;
      return x.revision === undefined ? { type: 'rollback' } : { type: 'rollback', revision: x.revision as number };
    case 'rows':
      if (!isIndex(x.version) || !isIndex(x.start) || !isIndex(x.count) || x.count > MAX_PAGE) return undefined;
      return { type: 'rows', version: x.version, start: x.start, count: x.count };
    case 'filter': {
      const filter = parseLogFilter(x.filter);
      return filter ? { type: 'filter', filter } : undefined;
    }
    case 'query': {
      const query = parseLogQuery(x.query);
      return query ? { type: 'query', query } : undefined;
    }
    case 'search':
      if (!isText(x.text) || !isIndex(x.from) || typeof x.backwards !== 'boolean') return undefined;
      return { type: 'search', text: x.text, from: x.from, backwards: x.backwards };
    default:
      return undefined;
  }
}

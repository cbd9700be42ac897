/**
 * Log lines of a whole Deployment, as stern shows them (pure: strings in, strings out).
 *
 * - The kubelet is always asked for `timestamps=true`; each raw line is `RFC3339Nano SP text`.
 *   `splitTimestamp` separates the two; the timestamp is printed only with --timestamps (or --json).
 * - A stream that is cut resumes with `sinceTime` = the last timestamp it printed. The server
 *   answers from that second on (sinceTime has second precision), so the first lines again are
 *   ones already printed: `beginReplay` + `admitLine` drop every line older than the last one
 *   printed and, at exactly that timestamp, each text already printed there (a bounded window of
 *   `DEDUP_WINDOW` texts). Outside a replay every line passes.
 * - `splitLines` keeps at most `maxChars` of an unfinished line: memory per stream is bounded even
 *   when a container writes without newlines.
 * - Prefixes are `pod/container`, coloured by a stable hash of that text when colour is on.
 */
import { ModelshipError } from '../errors';

/** One line of one container's log: what `--json` prints, one object per line. */
export interface LogLine {
  pod: string;
  container: string;
  /** The kubelet's RFC 3339 timestamp (nanoseconds, UTC), when the line had one. */
  ts?: string;
  line: string;
}

/** Texts remembered at the last timestamp printed, per stream. */
export const DEDUP_WINDOW = 1024;
/** The longest unfinished line kept per stream before it is printed as it is. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** `5s`, `2m`, `1h`, `1h30m`, `500ms` (Go durations, as kubectl takes them) to whole seconds, at least 1. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (!trimmed || matched !== trimmed.length) {
    throw new ModelshipError('BAD_ARGUMENT', `--since ${text}: give a duration such as 5s, 2m or 1h`);
  }
  return Math.max(1, Math.ceil(total));
}

/** Whether `s` starts like `2024-05-01T12:00:00` (cheap: no Date parsing per line). */
function looksLikeTimestamp(s: string, end: number): boolean {
  return end >= 20 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58;
}

/** `2024-05-01T12:00:00.123Z text` → `{ ts, text }`; a line without a timestamp keeps all of it as text. */
export function splitTimestamp(raw: string): { ts?: string; text: string } {
  const space = raw.indexOf(' ');
  const end = space < 0 ? raw.length : space;
  if (!looksLikeTimestamp(raw, end)) return { text: raw };
  return { ts: raw.slice(0, end), text: space < 0 ? '' : raw.slice(space + 1) };
}

/**
 * A key that orders kubelet timestamps as strings: the fraction padded to nine digits
 * (`…:00.1Z` and `…:00.100000000Z` are the same instant). Non-UTC stamps compare by Date.parse.
 */
export function timestampKey(ts: string): string {
  if (!ts.endsWith('Z')) {
    const ms = Date.parse(ts);
    return Number.isNaN(ms) ? ts : timestampKey(new Date(ms).toISOString());
  }
  const dot = ts.indexOf('.', 19);
  const frac = dot < 0 ? '' : ts.slice(dot + 1, -1);
  return `${ts.slice(0, 19)}.${frac.padEnd(9, '0').slice(0, 9)}Z`;
}

/** Per-stream memory of what was printed last, enough to resume without duplicates. Plain data. */
export interface DedupState {
  /** The timestamp of the last line printed, as the kubelet wrote it. */
  lastTs?: string;
  /** Texts printed at exactly `lastTs` (at most DEDUP_WINDOW). */
  atLast: string[];
  /** Set by `beginReplay`: lines still to be matched against what was printed before the cut. */
  replay?: { key: string; pending: string[] };
}

export const newDedupState = (): DedupState => ({ atLast: [] });

/** After a cut, before reading the resumed stream: the next lines may repeat what was printed. */
export function beginReplay(state: DedupState): void {
  if (state.lastTs !== undefined) state.replay = { key: timestampKey(state.lastTs), pending: [...state.atLast] };
}

/** Whether to print this line (and remember it when printed). */
export function admitLine(state: DedupState, ts: string | undefined, text: string): boolean {
  if (ts === undefined) return true;
  const replay = state.replay;
  if (replay) {
    const key = timestampKey(ts);
    if (key < replay.key) return false;
    if (key === replay.key) {
      const at = replay.pending.indexOf(text);
      if (at >= 0) {
        replay.pending.splice(at, 1);
        return false;
      }
    } else {
      state.replay = undefined;
    }
  }
  if (ts === state.lastTs) {
    if (state.atLast.length < DEDUP_WINDOW) state.atLast.push(text);
  } else {
    state.lastTs = ts;
    state.atLast.length = 0;
    state.atLast.push(text);
  }
  return true;
}

/**
 * Splits a decoded chunk into whole lines; `carry` is the unfinished line from the chunk before.
 * An unfinished line longer than `maxChars` is returned as a line of its own.
 */
export function splitLines(carry: string, chunk: string, maxChars = MAX_LINE_CHARS): { lines: string[]; carry: string } {
  const text = carry ? carry + chunk : chunk;
  const lines: string[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines.push(text.slice(start, end));
    start = nl + 1;
  }
  let rest = text.slice(start);
  while (rest.length > maxChars) {
    lines.push(rest.slice(0, maxChars));
    rest = rest.slice(maxChars);
  }
  return { lines, carry: rest };
}

const PALETTE = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

/** FNV-1a of the text: the same pod/container gets the same colour in every run. */
export function colourFor(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return PALETTE[h % PALETTE.length];
}

/** `pod/container ` (coloured when `colour`), ready to put before each text line. */
export function linePrefix(pod: string, container: string, colour: boolean): string {
  const name = `${pod}/${container}`;
  return colour ? `\u001b[${colourFor(name)}m${name}\u001b[0m ` : `${name} `;
}

export interface FormatOptions {
  json: boolean;
  timestamps: boolean;
  colour: boolean;
}

/** A batch of one stream's lines as the text to write: one line each, newline-terminated. */
export function formatLines(lines: readonly LogLine[], options: FormatOptions, prefix?: string): string {
  let out = '';
  if (options.json) {
    for (const l of lines) out += `${JSON.stringify({ pod: l.pod, container: l.container, ts: l.ts ?? null, line: l.line })}\n`;
    return out;
  }
  for (const l of lines) {
    const p = prefix ?? linePrefix(l.pod, l.container, options.colour);
    out += options.timestamps && l.ts ? `${p}${l.ts} ${l.line}\n` : `${p}${l.line}\n`;
  }
  return out;
}

/** Whether to colour: a terminal, and neither NO_COLOR nor TERM=dumb set. */
export function useColour(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  return Boolean(isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

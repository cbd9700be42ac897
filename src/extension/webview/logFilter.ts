/**
 * The rows the logs panel shows: the buffer's lines that pass a LogFilter, addressed by absolute
 * view index (see protocol.ts), paged out on request and searched for the panel's next/previous.
 *
 * Invariants:
 * - Without a filter, view index = buffer sequence number: nothing is copied.
 * - With a filter, the view keeps the matching sequence numbers in order; `sync` adds the new
 *   lines' matches and forgets those the buffer dropped (raising `first`), so each line is
 *   tested once, on arrival, and a filter over 200,000 lines costs one scan when it is set.
 * - Notices pass every filter: they say what happened to the stream.
 */
import { colourFor } from '../../core/deploy/logLines';
import type { BufferedLine, LogBuffer } from './logBuffer';
import { LOG_LEVELS, type LogFilter, type LogRow } from './protocol';

/** Whether a line passes the filter; `needle` is the filter's text, lower-cased. */
export function passesFilter(line: BufferedLine, filter: LogFilter, needle = filter.text?.toLowerCase()): boolean {
  if (line.notice) return true;
  if (filter.pod !== undefined && line.pod !== filter.pod) return false;
  if (filter.container !== undefined && line.container !== filter.container) return false;
  if (filter.minLevel !== undefined && (line.level === undefined || LOG_LEVELS.indexOf(line.level) > LOG_LEVELS.indexOf(filter.minLevel))) return false;
  return !needle || line.text.toLowerCase().includes(needle) || `${line.pod}/${line.container}`.toLowerCase().includes(needle);
}

/** Whether a filter lets everything through. */
export function isEmptyFilter(filter: LogFilter): boolean {
  return filter.pod === undefined && filter.container === undefined && filter.minLevel === undefined && !filter.text;
}

/** The longest text a row carries: one row of a megabyte would stall the webview's layout. */
export const MAX_ROW_CHARS = 10_000;

/** A row as the webview receives it. */
export function toRow(line: BufferedLine, index: number): LogRow {
  const text = line.text.length > MAX_ROW_CHARS ? `${line.text.slice(0, MAX_ROW_CHARS)} \u2026 [${line.text.length - MAX_ROW_CHARS} more characters]` : line.text;
  const row: LogRow = { index, pod: line.pod, container: line.container, text, colour: colourFor(line.pod) };
  if (line.level) row.level = line.level;
  if (line.notice) row.notice = true;
  return row;
}

/** A row as plain text, as the panel shows it: `pod/container text`, a notice as itself. */
export function rowText(row: LogRow): string {
  return row.notice || (!row.pod && !row.container) ? row.text : `${row.pod}/${row.container} ${row.text}`;
}

export class LogView {
  private readonly needle: string | undefined;
  private readonly identity: boolean;
  /** Matching sequence numbers; those before `head` are dropped ones not yet compacted away. */
  private seqs: number[] = [];
  private head = 0;
  /** Absolute view index of seqs[head]. */
  private firstIndex = 0;
  /** The buffer sequence number up to which lines have been tested. */
  private scanned: number;

  constructor(private readonly buffer: LogBuffer, readonly filter: LogFilter) {
    this.identity = isEmptyFilter(filter);
    this.needle = filter.text?.toLowerCase();
    this.scanned = buffer.first;
    this.sync();
  }

  /** The absolute index of the oldest row in view. */
  get first(): number {
    return this.identity ? this.buffer.first : this.firstIndex;
  }

  /** How many rows are in view. */
  get total(): number {
    return this.identity ? this.buffer.size : this.seqs.length - this.head;
  }

  /** Catches up with the buffer: tests lines that arrived, forgets those it dropped. */
  sync(): void {
    if (this.identity) return;
    for (let seq = Math.max(this.scanned, this.buffer.first); seq < this.buffer.end; seq++) {
      const line = this.buffer.get(seq);
      if (line && passesFilter(line, this.filter, this.needle)) this.seqs.push(seq);
    }
    this.scanned = this.buffer.end;
    while (this.head < this.seqs.length && this.seqs[this.head]! < this.buffer.first) {
      this.head++;
      this.firstIndex++;
    }
    // Compact once the dropped prefix is half the array, so dropping stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head);
      this.head = 0;
    }
  }

  /** The line at an absolute view index, or undefined outside the view. */
  lineAt(index: number): BufferedLine | undefined {
    const offset = index - this.first;
    if (offset < 0 || offset >= this.total) return undefined;
    return this.buffer.get(this.identity ? index : this.seqs[this.head + offset]!);
  }

  /** Up to `count` rows from absolute index `start`, clipped to the view. */
  rows(start: number, count: number): LogRow[] {
    const from = Math.max(start, this.first);
    const to = Math.min(start + count, this.first + this.total);
    const rows: LogRow[] = [];
    for (let i = from; i < to; i++) {
      const line = this.lineAt(i);
      if (line) rows.push(toRow(line, i));
    }
    return rows;
  }

  /**
   * The next row (from `from` on, or before it when `backwards`) whose text contains `text`,
   * case-insensitively, wrapping around; -1 when none does. `count` is how many rows match.
   */
  find(text: string, from: number, backwards: boolean): { index: number; count: number } {
    const needle = text.toLowerCase();
    const first = this.first;
    const total = this.total;
    if (!needle || total === 0) return { index: -1, count: 0 };
    let count = 0;
    let after = -1;
    let before = -1;
    for (let i = first; i < first + total; i++) {
      if (!this.lineAt(i)!.text.toLowerCase().includes(needle)) continue;
      count++;
      if (backwards) {
        if (i < from) before = i;
        after = i;
      } else {
        if (after < 0 && i >= from) after = i;
        if (before < 0) before = i;
      }
    }
    // Forwards: the first match at or after `from`, else the first of all. Backwards: the last
    // match before `from`, else the last of all.
    const index = backwards ? (before >= 0 ? before : after) : after >= 0 ? after : before;
    return { index, count };
  }
}

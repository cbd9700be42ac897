/**
 * The few pages of log rows the webview keeps: the host holds every line, the page holds at most
 * `maxPages × pageSize` rows (least recently used pages go first), so its memory stays the same
 * for 1,000 lines or 200,000.
 *
 * A page is identified by its number (absolute row index / pageSize). A page can be partial: the
 * tail page while lines still arrive, or the first one after old lines were dropped; `missing`
 * asks for it again once the view holds more of it than the cache does.
 */
import type { LogRow } from '../src/extension/webview/protocol';

interface Page {
  /** The absolute index of rows[0]. */
  from: number;
  rows: LogRow[];
}

export class PageCache {
  private readonly pages = new Map<number, Page>();
  private readonly pending = new Set<number>();

  constructor(readonly pageSize: number, readonly maxPages: number) {}

  get(index: number): LogRow | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.rows[index - page.from];
  }

  /**
   * Page numbers to request so that rows [start, end) of the view [first, first + total) are
   * cached, marked pending so that each is asked for once until its answer arrives.
   */
  missing(start: number, end: number, first: number, total: number): number[] {
    const wanted: number[] = [];
    const last = first + total;
    for (let p = Math.floor(Math.max(start, first) / this.pageSize); p * this.pageSize < Math.min(end, last); p++) {
      if (this.pending.has(p)) continue;
      const page = this.pages.get(p);
      const needFrom = Math.max(p * this.pageSize, first);
      const needTo = Math.min((p + 1) * this.pageSize, last);
      if (page && page.from <= needFrom && page.from + page.rows.length >= needTo) {
        // Touch: the map's order is the recency order.
        this.pages.delete(p);
        this.pages.set(p, page);
        continue;
      }
      this.pending.add(p);
      wanted.push(p);
    }
    return wanted;
  }

  /** Stores the host's answer for the page holding `start`. */
  put(start: number, rows: LogRow[]): void {
    const p = Math.floor(start / this.pageSize);
    this.pending.delete(p);
    if (rows.length === 0) return;
    this.pages.delete(p);
    this.pages.set(p, { from: rows[0]!.index, rows });
    while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value!);
  }

  /** Forgets everything (a new filter or query: row indexes now mean other rows). */
  clear(): void {
    this.pages.clear();
    this.pending.clear();
  }

  /** Rows held now (for the bench's memory check). */
  size(): number {
    let n = 0;
    for (const page of this.pages.values()) n += page.rows.length;
    return n;
  }
}

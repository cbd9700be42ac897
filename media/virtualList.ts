/**
 * The logs panel's virtual list: a scroll area as tall as all the rows in view, and one screenful
 * of row elements, reused, placed where the scroll position is and filled from the page cache.
 * The page knows only how many rows there are; it asks the host for the pages it shows.
 *
 * Following keeps the scroll at the end as rows arrive; scrolling up (wheel, keys, scrollbar)
 * pauses it, and scrolling back down to the end resumes it. The list is a grid for assistive
 * technology (aria-rowcount, aria-rowindex) with one active row moved by the arrow keys.
 */
import type { LogRow } from '../src/extension/webview/protocol';
import { PageCache } from './pageCache';
import { fillRow, newRowView, type RowView } from './rowView';

/** Rows per request; the cache keeps MAX_PAGES of them. */
export const PAGE_SIZE = 200;
export const MAX_PAGES = 8;

export interface VirtualListHost {
  requestPage(start: number, count: number): void;
  followChanged(follow: boolean): void;
  /** The top row changed (for the saved state). */
  scrolled(top: number): void;
}

export class VirtualList {
  readonly cache = new PageCache(PAGE_SIZE, MAX_PAGES);
  private readonly spacer: HTMLElement;
  private readonly rowsBox: HTMLElement;
  private readonly pool: RowView[] = [];
  private first = 0;
  private total = 0;
  /** Bumped when the cache is cleared, so that reused row elements are filled again. */
  private generation = 0;
  private rowHeight = 18;
  private following = true;
  /** The scrollTop this list set last while following; a scroll above it is the user's. */
  private expectedTop = 0;
  private lastTop = 0;
  /** The way the user scrolled last (1 down, -1 up): pages are fetched ahead that way. */
  private direction = 1;
  private needle = '';
  private active = -1;
  private frame = 0;

  constructor(private readonly viewport: HTMLElement, private readonly host: VirtualListHost) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.spacer.setAttribute('role', 'presentation');
    this.rowsBox = document.createElement('div');
    this.rowsBox.className = 'rows';
    this.rowsBox.setAttribute('role', 'rowgroup');
    this.spacer.append(this.rowsBox);
    viewport.append(this.spacer);
    viewport.setAttribute('aria-rowcount', '0');
    viewport.addEventListener('scroll', () => this.onScroll(), { passive: true });
    viewport.addEventListener('keydown', (event) => this.onKey(event));
    new ResizeObserver(() => {
      if (this.following) this.scrollToEnd();
      this.schedule();
    }).observe(viewport);
    // A hidden row of one line, watched: its height is the row height, also after the editor's
    // font size changes, and it is only known once the page is laid out.
    const probe = newRowView();
    probe.el.classList.add('probe');
    probe.el.setAttribute('aria-hidden', 'true');
    probe.el.removeAttribute('role');
    probe.text.textContent = 'X';
    this.spacer.append(probe.el);
    new ResizeObserver(() => this.measured(probe.el.getBoundingClientRect().height)).observe(probe.el);
  }

  get follow(): boolean {
    return this.following;
  }

  /** The absolute index of the top row shown. */
  topIndex(): number {
    return this.first + Math.floor(this.viewport.scrollTop / this.rowHeight);
  }

  /** New counts from the host; `reset` when the rows were renumbered (new filter or query). */
  update(first: number, total: number, reset: boolean): void {
    if (reset) {
      this.cache.clear();
      this.generation++;
      this.active = -1;
    }
    const shift = reset ? 0 : first - this.first;
    this.first = first;
    this.total = total;
    this.spacer.style.height = `${total * this.rowHeight}px`;
    this.viewport.setAttribute('aria-rowcount', String(total));
    if (this.following) this.scrollToEnd();
    // Old rows were dropped above: keep the rows the user reads where they are.
    else if (shift > 0) this.viewport.scrollTop = Math.max(0, this.viewport.scrollTop - shift * this.rowHeight);
    this.schedule();
  }

  setFollow(follow: boolean): void {
    if (follow === this.following) return;
    this.following = follow;
    if (follow) this.scrollToEnd();
    this.host.followChanged(follow);
    this.schedule();
  }

  /** Highlights this text in the rows shown (case-insensitive). */
  setNeedle(text: string): void {
    this.needle = text.toLowerCase();
    this.schedule();
  }

  /** Makes a row the active one and scrolls it into view (centred, for search results). */
  setActive(index: number, centre = false): void {
    if (this.total === 0) return;
    this.active = Math.max(this.first, Math.min(this.first + this.total - 1, index));
    const top = (this.active - this.first) * this.rowHeight;
    const height = this.viewport.clientHeight;
    const scrollTop = this.viewport.scrollTop;
    let target = scrollTop;
    if (centre) target = top - height / 2;
    else if (top < scrollTop) target = top;
    else if (top + this.rowHeight > scrollTop + height) target = top + this.rowHeight - height;
    if (target < scrollTop - 1 && this.following) this.setFollow(false);
    this.viewport.scrollTop = Math.max(0, target);
    this.schedule();
  }

  /** Scrolls so that this row is at the top (restoring a saved position). */
  scrollToIndex(index: number): void {
    this.viewport.scrollTop = Math.max(0, (index - this.first) * this.rowHeight);
    this.schedule();
  }

  /** Stores a page from the host and shows it. */
  put(start: number, rows: LogRow[]): void {
    this.cache.put(start, rows);
    this.schedule();
  }

  schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render());
  }

  /** The row height changed: resize the scroll area, keeping the same top row (or the end). */
  private measured(height: number): void {
    if (!(height > 0) || Math.abs(height - this.rowHeight) < 0.01) return;
    const top = this.topIndex();
    this.rowHeight = height;
    this.spacer.style.height = `${this.total * height}px`;
    if (this.following) this.scrollToEnd();
    else this.scrollToIndex(top);
    this.schedule();
  }

  private scrollToEnd(): void {
    this.viewport.scrollTop = this.viewport.scrollHeight;
    this.expectedTop = this.viewport.scrollTop;
  }

  private onScroll(): void {
    const top = this.viewport.scrollTop;
    const atEnd = top + this.viewport.clientHeight >= this.viewport.scrollHeight - this.rowHeight / 2;
    if (this.following && top < this.expectedTop - 2) this.setFollow(false);
    else if (!this.following && atEnd && top > this.lastTop) this.setFollow(true);
    if (top !== this.lastTop) this.direction = top > this.lastTop ? 1 : -1;
    this.lastTop = top;
    this.host.scrolled(this.topIndex());
    this.schedule();
  }

  private onKey(event: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / this.rowHeight) - 1);
    const from = this.active >= this.first ? this.active : this.topIndex();
    const moves: Record<string, () => void> = {
      ArrowDown: () => this.setActive(from + 1),
      ArrowUp: () => this.setActive(from - 1),
      PageDown: () => this.setActive(from + page),
      PageUp: () => this.setActive(from - page),
      Home: () => this.setActive(this.first),
      End: () => {
        this.setActive(this.first + this.total - 1);
        this.setFollow(true);
      },
    };
    const move = moves[event.key];
    if (!move || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    move();
  }

  private render(): void {
    this.frame = 0;
    const height = this.viewport.clientHeight;
    const offset = Math.max(0, Math.min(Math.max(0, this.total - 1), Math.floor(this.viewport.scrollTop / this.rowHeight)));
    const visible = Math.ceil(height / this.rowHeight) + 1;
    while (this.pool.length < visible) {
      const view = newRowView();
      this.pool.push(view);
      this.rowsBox.append(view.el);
    }
    const start = this.first + offset;
    const end = this.first + this.total;
    this.rowsBox.style.transform = `translateY(${offset * this.rowHeight}px)`;
    let activeShown = false;
    for (let i = 0; i < this.pool.length; i++) {
      const view = this.pool[i]!;
      const index = start + i;
      view.el.hidden = index >= end;
      if (index >= end) continue;
      const row = this.cache.get(index);
      const isActive = index === this.active;
      activeShown ||= isActive;
      fillRow(view, row, { key: `${this.generation}:${index}:${this.first}:${row ? 1 : 0}:${this.needle}:${isActive}`, rowIndex: index - this.first + 1, needle: this.needle, active: isActive });
    }
    if (activeShown) this.viewport.setAttribute('aria-activedescendant', 'active-row');
    else this.viewport.removeAttribute('aria-activedescendant');
    // The screen, half a page behind and three pages ahead in the way the user scrolls, so that
    // the next frames find their rows already here even when the scrollbar is dragged and the
    // host answers a few frames late.
    const [behind, ahead] = [PAGE_SIZE / 2, PAGE_SIZE * 3];
    const from = start - (this.direction > 0 ? behind : ahead);
    const to = start + visible + (this.direction > 0 ? ahead : behind);
    for (const p of this.cache.missing(from, to, this.first, this.total)) {
      this.host.requestPage(p * PAGE_SIZE, PAGE_SIZE);
    }
  }
}

/**
 * The logs panel's two toolbars: the stream (Follow, Previous, Since, Tail) and what is shown
 * (pod, container, level, text filter, search with next/previous). Real buttons, inputs and
 * selects with visible labels; Left and Right move between a toolbar's buttons.
 */
import type { LogFilter, LogLevel, LogQuery } from '../src/extension/webview/protocol';
import { button, el, roving } from './dom';

export interface ToolbarEvents {
  follow(): void;
  previous(): void;
  query(since: string, tail: string): void;
  filter(filter: LogFilter): void;
  search(text: string): void;
  find(backwards: boolean): void;
}

const LEVELS: [LogLevel | '', string][] = [['', 'All levels'], ['error', 'Errors'], ['warn', 'Warnings and errors'], ['info', 'Info and above'], ['debug', 'Debug and above']];
const SINCE = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

let ids = 0;

function labelled(label: string, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  control.id = `control-${++ids}`;
  return el('span', { class: 'field' }, [el('label', { text: label, attrs: { for: control.id } }), control]);
}

function choices(select: HTMLSelectElement, all: string, values: string[], current: string | undefined): void {
  const wanted = [['', all], ...values.map((v) => [v, v])];
  if (current && !values.includes(current)) wanted.push([current, current]);
  const same = select.options.length === wanted.length && wanted.every(([v], i) => select.options[i]!.value === v);
  if (!same) select.replaceChildren(...wanted.map(([v, t]) => el('option', { text: t, attrs: { value: v } })));
  select.value = current ?? '';
}

export class LogsToolbar {
  readonly element: HTMLElement;
  private readonly followButton: HTMLButtonElement;
  private readonly previousButton: HTMLButtonElement;
  private readonly since = el('input', { attrs: { type: 'text', placeholder: 'e.g. 5m', size: '6', spellcheck: 'false' } });
  private readonly tail = el('input', { attrs: { type: 'number', min: '0', placeholder: '500' } });
  private readonly pod = el('select');
  private readonly container = el('select');
  private readonly level = el('select');
  private readonly text = el('input', { attrs: { type: 'search', placeholder: 'Filter', size: '14', spellcheck: 'false' } });
  private readonly searchBox = el('input', { attrs: { type: 'search', placeholder: 'Find', size: '14', spellcheck: 'false' } });
  readonly matches = el('span', { class: 'matches', attrs: { 'aria-live': 'polite' } });
  private readonly timers = new Map<string, number>();

  constructor(private readonly events: ToolbarEvents) {
    this.followButton = button('Follow', () => events.follow(), { key: 'follow', pressed: true, title: 'Keep the newest line in view (End)' });
    this.previousButton = button('Previous containers', () => events.previous(), { key: 'previous', pressed: false, title: "Show the logs of each container's previous run (kubectl logs --previous)" });
    this.level.replaceChildren(...LEVELS.map(([v, t]) => el('option', { text: t, attrs: { value: v } })));
    const stream = el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Log stream' } }, [
      this.followButton, this.previousButton, labelled('Since', this.since), labelled('Tail', this.tail),
    ]);
    const show = el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Filter and find' } }, [
      labelled('Pod', this.pod), labelled('Container', this.container), labelled('Level', this.level), labelled('Filter', this.text),
      labelled('Find', this.searchBox),
      button('Previous match', () => events.find(true), { key: 'find-prev', class: 'secondary', title: 'Previous match (Shift+Enter)' }),
      button('Next match', () => events.find(false), { key: 'find-next', class: 'secondary', title: 'Next match (Enter)' }),
      this.matches,
    ]);
    roving(stream);
    roving(show);
    this.element = el('header', { class: 'toolbars' }, [stream, show]);
    const query = () => this.queryChanged();
    this.since.addEventListener('change', query);
    this.tail.addEventListener('change', query);
    for (const select of [this.pod, this.container, this.level]) select.addEventListener('change', () => events.filter(this.filter()));
    this.text.addEventListener('input', () => this.debounce('filter', () => events.filter(this.filter())));
    this.searchBox.addEventListener('input', () => this.debounce('search', () => events.search(this.searchBox.value)));
    this.searchBox.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      events.find(event.shiftKey);
    });
  }

  filter(): LogFilter {
    const filter: LogFilter = {};
    if (this.pod.value) filter.pod = this.pod.value;
    if (this.container.value) filter.container = this.container.value;
    if (this.level.value) filter.minLevel = this.level.value as LogLevel;
    if (this.text.value) filter.text = this.text.value;
    return filter;
  }

  searchText(): string {
    return this.searchBox.value;
  }

  focusSearch(): void {
    this.searchBox.focus();
    this.searchBox.select();
  }

  setFollow(follow: boolean): void {
    this.followButton.setAttribute('aria-pressed', String(follow));
  }

  setQuery(query: LogQuery): void {
    this.previousButton.setAttribute('aria-pressed', String(query.previous));
    this.since.value = query.since ?? '';
    this.tail.value = query.tail === undefined ? '' : String(query.tail);
    this.since.removeAttribute('aria-invalid');
  }

  setFilter(filter: LogFilter, search: string): void {
    choices(this.pod, 'All pods', [], filter.pod);
    choices(this.container, 'All containers', [], filter.container);
    this.level.value = filter.minLevel ?? '';
    this.text.value = filter.text ?? '';
    this.searchBox.value = search;
  }

  /** The pods and containers seen so far, as the selects' choices. */
  setChoices(pods: string[], containers: string[]): void {
    choices(this.pod, 'All pods', pods, this.pod.value || undefined);
    choices(this.container, 'All containers', containers, this.container.value || undefined);
  }

  private queryChanged(): void {
    const since = this.since.value.trim();
    const valid = since === '' || SINCE.test(since);
    if (valid) this.since.removeAttribute('aria-invalid');
    else this.since.setAttribute('aria-invalid', 'true');
    this.since.title = valid ? '' : 'A duration such as 30s, 5m, 1h or 1h30m';
    if (valid) this.events.query(since, this.tail.value.trim());
  }

  /** Typing waits for a pause: a filter over 200,000 lines is not run once per key. */
  private debounce(name: string, run: () => void): void {
    clearTimeout(this.timers.get(name));
    this.timers.set(name, window.setTimeout(run, 200));
  }
}

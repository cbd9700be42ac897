/**
 * The logs panel's page: toolbars, notes (dropped lines, stream state, errors with Retry) and the
 * virtual list. The host owns the lines and the filter; this page keeps what it shows and saves
 * target, filter, query, follow, scroll and search with setState, so a reload restores them.
 */
import type { LogFilter, LogQuery, LogsHostMessage, LogsState, PanelTarget } from '../src/extension/webview/protocol';
import { el, errorBanner } from './dom';
import { isLogsHostMessage } from './hostMessages';
import { LogsToolbar } from './logsToolbar';
import { VirtualList } from './virtualList';
import { post, savedState, saveState } from './vscodeApi';

const restored = savedState() as Partial<LogsState> | undefined;
let target: PanelTarget | undefined = restored?.target;
let query: LogQuery = restored?.query ?? { previous: false };
let filter: LogFilter = restored?.filter ?? {};
let search = restored?.search ?? '';
let version = 0;
/** The saved top row, applied once the first counts arrive (unless following). */
let pendingTop = restored?.follow === false ? restored.top : undefined;
let lastFound = -1;
let saveTimer = 0;

function save(): void {
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => {
    if (target) saveState({ target, filter, query, follow: list.follow, top: list.topIndex(), search } satisfies LogsState);
  }, 100);
}

const app = document.getElementById('app')!;
const dropped = el('p', { class: 'note', attrs: { hidden: '' } });
const streamNote = el('p', { class: 'note', attrs: { hidden: '' } });
const count = el('span', { class: 'count' });
const errorBox = errorBanner(() => post({ type: 'retry' }));
const viewport = el('div', { class: 'viewport', attrs: { role: 'grid', tabindex: '0', 'aria-label': 'Log lines', 'aria-readonly': 'true' } });

const toolbar = new LogsToolbar({
  follow: () => list.setFollow(!list.follow),
  previous: () => sendQuery({ ...query, previous: !query.previous }),
  query: (since, tail) => {
    const next: LogQuery = { previous: query.previous };
    if (since) next.since = since;
    if (tail !== '' && Number.isSafeInteger(Number(tail)) && Number(tail) >= 0) next.tail = Number(tail);
    sendQuery(next);
  },
  filter: (next) => {
    filter = next;
    post({ type: 'filter', filter });
    save();
  },
  search: (text) => {
    search = text;
    list.setNeedle(text);
    lastFound = -1;
    find(false);
    save();
  },
  find,
});

const list = new VirtualList(viewport, {
  requestPage: (start, pageSize) => {
    if (version > 0) post({ type: 'rows', version, start, count: pageSize });
  },
  followChanged: (follow) => {
    toolbar.setFollow(follow);
    save();
  },
  scrolled: () => save(),
});

function sendQuery(next: LogQuery): void {
  query = next;
  toolbar.setQuery(query);
  post({ type: 'query', query });
  save();
}

/** Asks the host for the next (or previous) row holding the search text. */
function find(backwards: boolean): void {
  if (!search) {
    toolbar.matches.textContent = '';
    return;
  }
  const from = lastFound >= 0 ? (backwards ? lastFound : lastFound + 1) : list.topIndex();
  post({ type: 'search', text: search, from, backwards });
}

function onMessage(message: LogsHostMessage): void {
  switch (message.type) {
    case 'logsHello':
      target = message.target;
      query = message.query;
      filter = message.filter;
      toolbar.setQuery(query);
      toolbar.setFilter(filter, search);
      save();
      return;
    case 'logsInfo': {
      const reset = message.version !== version;
      version = message.version;
      list.update(message.first, message.total, reset);
      toolbar.setChoices(message.pods, message.containers);
      count.textContent = `${message.total.toLocaleString()} line${message.total === 1 ? '' : 's'}`;
      dropped.hidden = message.dropped === 0;
      dropped.textContent = `${message.dropped.toLocaleString()} older line${message.dropped === 1 ? '' : 's'} dropped: the panel keeps the newest lines only.`;
      streamNote.hidden = message.streaming;
      streamNote.textContent = message.streaming ? '' : 'Not streaming. Change the query or use Retry to start again.';
      if (pendingTop !== undefined && message.total > 0) {
        list.scrollToIndex(pendingTop);
        pendingTop = undefined;
      }
      if (reset) lastFound = -1;
      return;
    }
    case 'rows':
      if (message.version === version) list.put(message.start, message.rows);
      return;
    case 'searchResult':
      if (message.version !== version || message.text !== search) return;
      lastFound = message.index;
      toolbar.matches.textContent = message.count === 0 ? 'No matches' : `${message.count.toLocaleString()} match${message.count === 1 ? '' : 'es'}`;
      if (message.index >= 0) list.setActive(message.index, true);
      return;
    case 'feedError':
      errorBox.show(message.message);
      return;
  }
}

toolbar.setQuery(query);
toolbar.setFilter(filter, search);
toolbar.setFollow(restored?.follow ?? true);
if (restored?.follow === false) list.setFollow(false);
list.setNeedle(search);
app.append(toolbar.element, el('div', { class: 'notes' }, [count, dropped, streamNote]), errorBox.element, viewport);
app.removeAttribute('aria-busy');

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isLogsHostMessage(event.data)) onMessage(event.data);
  else post({ type: 'clientError', message: `logs panel: dropped an unexpected message ${JSON.stringify(event.data)?.slice(0, 200)}` });
});
window.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f') {
    event.preventDefault();
    toolbar.focusSearch();
  }
});
post({ type: 'ready' });

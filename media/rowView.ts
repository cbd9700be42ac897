/**
 * One reusable row element of the logs list: the `pod/container` prefix in the pod's colour, and
 * the line's text with search matches in <mark>. Text only ever goes in as text nodes, so a line
 * holding `<script>` shows those characters and adds no element.
 */
import type { LogRow } from '../src/extension/webview/protocol';

export interface RowView {
  el: HTMLDivElement;
  prefix: HTMLSpanElement;
  text: HTMLSpanElement;
  /** What the row shows now; filling with the same key is skipped. */
  key: string;
}

export function newRowView(): RowView {
  const el = document.createElement('div');
  el.className = 'row';
  el.setAttribute('role', 'row');
  const cell = document.createElement('span');
  cell.className = 'cell';
  cell.setAttribute('role', 'gridcell');
  const prefix = document.createElement('span');
  const text = document.createElement('span');
  text.className = 'text';
  cell.append(prefix, text);
  el.append(cell);
  return { el, prefix, text, key: '' };
}

/** Puts `text` into `target` as text nodes, with each case-insensitive match of `needle` in a <mark>. */
export function highlight(target: HTMLElement, text: string, needle: string): void {
  const lower = needle ? text.toLowerCase() : '';
  // Lower-casing can change the length of some characters (İ); then indexes would not line up.
  if (!needle || lower.length !== text.length || !lower.includes(needle)) {
    target.textContent = text;
    return;
  }
  target.textContent = '';
  let at = 0;
  for (let hit = lower.indexOf(needle); hit >= 0; hit = lower.indexOf(needle, at)) {
    if (hit > at) target.append(text.slice(at, hit));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(hit, hit + needle.length);
    target.append(mark);
    at = hit + needle.length;
  }
  if (at < text.length) target.append(text.slice(at));
}

export interface RowFill {
  key: string;
  /** 1-based, within the rows in view. */
  rowIndex: number;
  needle: string;
  active: boolean;
}

/** Shows `row` (undefined: not here yet) in a row element. */
export function fillRow(view: RowView, row: LogRow | undefined, fill: RowFill): void {
  if (view.key === fill.key) return;
  view.key = fill.key;
  const { el } = view;
  el.setAttribute('aria-rowindex', String(fill.rowIndex));
  el.className = `row${row?.notice ? ' notice' : ''}${row?.level ? ` lvl-${row.level}` : ''}${row ? '' : ' loading'}${fill.active ? ' active' : ''}`;
  if (fill.active) el.id = 'active-row';
  else el.removeAttribute('id');
  const named = row !== undefined && !row.notice && (row.pod !== '' || row.container !== '');
  view.prefix.className = named ? `prefix ansi-${row.colour}` : 'prefix';
  view.prefix.textContent = named ? `${row.pod}/${row.container}` : '';
  if (row) highlight(view.text, row.text, fill.needle);
  else view.text.textContent = '';
}

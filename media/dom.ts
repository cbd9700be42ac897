/**
 * Builds DOM nodes from plain data. Text goes in through textContent (or text nodes) only, never
 * innerHTML, so a log line or an event message holding markup shows as the characters it is.
 * Styles come from classes in the stylesheets; the CSP allows no inline style attributes.
 */

type Child = Node | string | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  /** Attributes such as role, aria-*, data-*, type; `undefined` leaves one out. */
  attrs?: Record<string, string | undefined>;
  /** A click handler (buttons). */
  onClick?: () => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) if (value !== undefined) node.setAttribute(name, value);
  const onClick = props.onClick;
  if (onClick) node.addEventListener('click', () => onClick());
  for (const child of children) if (child !== undefined && child !== false) node.append(child);
  return node;
}

/** A real <button type="button">; `key` lets a re-render give focus back to the same button. */
export function button(label: string, onClick: () => void, options: { key?: string; class?: string; title?: string; pressed?: boolean } = {}): HTMLButtonElement {
  return el('button', {
    class: options.class ?? '',
    text: label,
    attrs: {
      type: 'button',
      'data-key': options.key,
      title: options.title,
      'aria-pressed': options.pressed === undefined ? undefined : String(options.pressed),
    },
    onClick: () => onClick(),
  });
}

/** Columns whose long text wraps; every other cell keeps to one line (statusPanel.css). */
const WRAPPING = new Set(['Message', 'Image']);

/** A table with column headers and text cells; a cell may be a node (a button). */
export function table(label: string, headers: string[], rows: (string | Node)[][]): HTMLTableElement {
  return el('table', { attrs: { 'aria-label': label } }, [
    el('thead', {}, [el('tr', {}, headers.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => el('td', WRAPPING.has(headers[i] ?? '') ? { class: 'wrap' } : {}, [c]))))),
  ]);
}

/** Runs `render` and gives focus back to the element with the same data-key, if it had focus. */
export function keepFocus(render: () => void): void {
  const key = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  render();
  if (key) document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

/** Left/Right move focus between a toolbar's buttons (inputs and selects keep their arrow keys). */
export function roving(toolbar: HTMLElement): void {
  toolbar.addEventListener('keydown', (event) => {
    if (!(event.target instanceof HTMLButtonElement) || (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight')) return;
    const buttons = [...toolbar.querySelectorAll('button')];
    const at = buttons.indexOf(event.target);
    buttons[(at + (event.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
    event.preventDefault();
  });
}

/** An error line with a Retry button (role alert), hidden until `show`; Retry hides it and calls `retry`. */
export function errorBanner(retry: () => void): { element: HTMLElement; show(message: string): void; hide(): void } {
  const text = el('span');
  const element = el('div', { class: 'banner error', attrs: { role: 'alert', hidden: '' } }, [text]);
  const hide = () => {
    element.hidden = true;
  };
  element.append(button('Retry', () => {
    hide();
    retry();
  }, { key: 'retry' }));
  return {
    element,
    show: (message) => {
      text.textContent = message;
      element.hidden = false;
    },
    hide,
  };
}

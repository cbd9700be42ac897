/**
 * Every question a command asks goes through a `Prompter`: quick picks, an input box and modal
 * confirmations. `windowPrompter` asks with `vscode.window`; the extension-host tests swap in a
 * scripted one through the API `activate` returns, so a whole flow runs without clicking.
 * Every method resolves `undefined` when the user dismisses the question (Escape, Cancel).
 */
import * as vscode from 'vscode';

/** One choice in a quick pick, carrying the value it stands for. */
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

/** Where a question sits in a multi-step flow, shown as "Containerize iris.pkl (2/3)". */
export interface PickOptions<T> {
  title: string;
  placeholder: string;
  step?: number;
  totalSteps?: number;
  /** The value highlighted at first, which Enter accepts (pickOne), or the values ticked at first (pickMany). */
  defaults?: readonly T[];
}

export interface InputOptions {
  title: string;
  prompt: string;
  placeholder?: string;
  value?: string;
  step?: number;
  totalSteps?: number;
  /** An error message for an invalid value (Enter is refused), undefined for a valid one. */
  validate(value: string): string | undefined;
}

export interface ConfirmOptions {
  /** The longer text under the message. */
  detail?: string;
  /** The buttons, in order; the dialog adds its own Cancel. */
  buttons: readonly string[];
}

export interface Prompter {
  pickOne<T>(items: readonly PickItem<T>[], options: PickOptions<T>): Promise<T | undefined>;
  /** Resolves the ticked values (possibly none), or undefined when dismissed. */
  pickMany<T>(items: readonly PickItem<T>[], options: PickOptions<T>): Promise<T[] | undefined>;
  input(options: InputOptions): Promise<string | undefined>;
  /** A modal warning; resolves the chosen button, or undefined for Cancel. */
  confirm(message: string, options: ConfirmOptions): Promise<string | undefined>;
}

type Item<T> = vscode.QuickPickItem & { value: T };

function showPick<T>(items: readonly PickItem<T>[], options: PickOptions<T>, many: boolean): Promise<Item<T>[] | undefined> {
  const qp = vscode.window.createQuickPick<Item<T>>();
  const defaults = options.defaults ?? [];
  const all = items.map((i): Item<T> => ({ label: i.label, description: i.description, detail: i.detail, value: i.value }));
  qp.title = options.title;
  qp.placeholder = options.placeholder;
  qp.step = options.step;
  qp.totalSteps = options.totalSteps;
  qp.canSelectMany = many;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = true;
  qp.items = all;
  const chosen = all.filter((i) => defaults.includes(i.value));
  if (many) qp.selectedItems = chosen;
  else if (chosen.length > 0) qp.activeItems = chosen.slice(0, 1);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: Item<T>[] | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      qp.dispose();
    };
    qp.onDidAccept(() => finish(many ? [...qp.selectedItems] : [...qp.activeItems].slice(0, 1)));
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

/** Asks through `vscode.window`. */
export const windowPrompter: Prompter = {
  async pickOne(items, options) {
    const picked = await showPick(items, options, false);
    return picked?.[0]?.value;
  },
  async pickMany(items, options) {
    const picked = await showPick(items, options, true);
    return picked?.map((i) => i.value);
  },
  async input(options) {
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.prompt = options.prompt;
    box.placeholder = options.placeholder;
    box.value = options.value ?? '';
    box.step = options.step;
    box.totalSteps = options.totalSteps;
    box.ignoreFocusOut = true;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: string | undefined): void => {
        if (settled) return;
        settled = true;
        resolve(value);
        box.dispose();
      };
      box.onDidChangeValue((v) => {
        box.validationMessage = v === '' ? undefined : options.validate(v.trim());
      });
      box.onDidAccept(() => {
        const value = box.value.trim();
        const error = options.validate(value);
        box.validationMessage = error;
        if (!error) finish(value);
      });
      box.onDidHide(() => finish(undefined));
      box.show();
    });
  },
  async confirm(message, options) {
    return vscode.window.showWarningMessage(message, { modal: true, detail: options.detail }, ...options.buttons);
  },
};

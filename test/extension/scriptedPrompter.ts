// A Prompter that answers from a script, for driving whole flows in the extension host: each
// question takes the next answer, and every question is recorded for assertions. Running out of
// answers fails loudly (the command would hang on a real dialog).
import * as assert from 'assert';
import type { ConfirmOptions, InputOptions, PickItem, PickOptions, Prompter } from '../../src/extension/prompter';

export type Question =
  | { kind: 'pickOne' | 'pickMany'; items: readonly PickItem<unknown>[]; options: PickOptions<unknown> }
  | { kind: 'input'; options: InputOptions }
  | { kind: 'confirm'; message: string; options: ConfirmOptions };

/** Returns the answer: a value, values, text, a button, or undefined for Escape/Cancel. */
export type Answer = (q: Question) => unknown;

/** Enter: the highlighted default (pickOne), the ticked defaults (pickMany), the prefilled text (input). */
export const accept: Answer = (q) => {
  switch (q.kind) {
    case 'pickOne': return q.options.defaults?.[0] ?? q.items[0]?.value;
    case 'pickMany': return [...(q.options.defaults ?? [])];
    case 'input': return q.options.value;
    case 'confirm': return assert.fail(`accept cannot answer the dialog "${q.message}": name a button`);
  }
};

/** Escape (or the dialog's Cancel). */
export const cancel: Answer = () => undefined;

function labelsToValues(q: Question, labels: string[]): unknown[] {
  if (q.kind !== 'pickOne' && q.kind !== 'pickMany') return assert.fail(`expected a quick pick, got ${q.kind}`);
  return labels.map((label) => {
    const item = q.items.find((i) => i.label === label);
    assert.ok(item, `no item "${label}" in ${JSON.stringify(q.items.map((i) => i.label))}`);
    return item.value;
  });
}

/** Picks the item(s) with these labels, or presses the button with this name. */
export function choose(...labels: string[]): Answer {
  return (q) => {
    if (q.kind === 'confirm') {
      assert.ok(labels.length === 1 && q.options.buttons.includes(labels[0] as string), `no button "${labels[0]}" in ${JSON.stringify(q.options.buttons)}`);
      return labels[0];
    }
    const values = labelsToValues(q, labels);
    return q.kind === 'pickMany' ? values : values[0];
  };
}

/** Types `text` into an input box; the real box refuses invalid text, so this asserts it is valid. */
export function type(text: string): Answer {
  return (q) => {
    assert.strictEqual(q.kind, 'input', `expected an input box, got ${q.kind}`);
    if (q.kind === 'input') assert.strictEqual(q.options.validate(text), undefined, `the input box refuses ${text}`);
    return text;
  };
}

export class ScriptedPrompter implements Prompter {
  readonly asked: Question[] = [];
  private readonly answers: Answer[];

  constructor(...answers: Answer[]) {
    this.answers = answers;
  }

  /** Answers not used yet (a test checks this is empty, so the script matched the flow). */
  get remaining(): number {
    return this.answers.length;
  }

  private async next(q: Question): Promise<unknown> {
    this.asked.push(q);
    const answer = this.answers.shift();
    if (!answer) throw new Error(`the script has no answer for question ${this.asked.length}: ${JSON.stringify(q)}`);
    return answer(q);
  }

  async pickOne<T>(items: readonly PickItem<T>[], options: PickOptions<T>): Promise<T | undefined> {
    return (await this.next({ kind: 'pickOne', items, options })) as T | undefined;
  }

  async pickMany<T>(items: readonly PickItem<T>[], options: PickOptions<T>): Promise<T[] | undefined> {
    return (await this.next({ kind: 'pickMany', items, options })) as T[] | undefined;
  }

  async input(options: InputOptions): Promise<string | undefined> {
    return (await this.next({ kind: 'input', options })) as string | undefined;
  }

  async confirm(message: string, options: ConfirmOptions): Promise<string | undefined> {
    return (await this.next({ kind: 'confirm', message, options })) as string | undefined;
  }
}

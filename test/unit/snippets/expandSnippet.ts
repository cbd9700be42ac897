// The text VS Code inserts for a snippet body when the user accepts every default: tab stops and
// placeholders (nested too) become their default, a choice its first option, a mirror (`$1` after
// `${1:x}`) its placeholder's default, and `\$`, `\}`, `\\` the character. Anything else that
// starts with `$` (a variable, a transform) throws, so that an unescaped `$PATH` in a Dockerfile
// snippet, which VS Code would treat as a variable, fails the test instead of shipping.

type Node = { kind: 'text'; text: string } | { kind: 'stop'; index: number; children?: Node[] } | { kind: 'choice'; index: number; options: string[] };

class Parser {
  private at = 0;

  constructor(private readonly src: string) {}

  /** Nodes up to the end, or up to an unescaped `}` when inside a placeholder. */
  parse(inside: boolean): Node[] {
    const nodes: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) nodes.push({ kind: 'text', text });
      text = '';
    };
    while (this.at < this.src.length) {
      const c = this.src[this.at]!;
      if (c === '\\' && '$}\\'.includes(this.src[this.at + 1] ?? '')) {
        text += this.src[this.at + 1];
        this.at += 2;
      } else if (c === '}' && inside) {
        flush();
        return nodes;
      } else if (c === '$') {
        flush();
        nodes.push(this.dollar());
      } else {
        text += c;
        this.at++;
      }
    }
    if (inside) throw new Error(`unclosed placeholder in ${JSON.stringify(this.src)}`);
    flush();
    return nodes;
  }

  private dollar(): Node {
    const rest = this.src.slice(this.at);
    const bare = /^\$(\d+)/.exec(rest);
    if (bare) {
      this.at += bare[0].length;
      return { kind: 'stop', index: Number(bare[1]) };
    }
    const braced = /^\$\{(\d+)(\}|:|\|)/.exec(rest);
    if (!braced) throw new Error(`unsupported or unescaped "$" at ${JSON.stringify(rest.slice(0, 30))} (escape a literal dollar as \\$)`);
    this.at += braced[0].length;
    const index = Number(braced[1]);
    if (braced[2] === '}') return { kind: 'stop', index };
    if (braced[2] === ':') {
      const children = this.parse(true);
      this.at++;
      return { kind: 'stop', index, children };
    }
    return { kind: 'choice', index, options: this.choices() };
  }

  /** The options of `${n|a,b|}`, after the first `|`; `\,`, `\|` and `\\` are escapes there. */
  private choices(): string[] {
    const options: string[] = [];
    let option = '';
    while (this.at < this.src.length) {
      const c = this.src[this.at]!;
      if (c === '\\' && ',|\\'.includes(this.src[this.at + 1] ?? '')) {
        option += this.src[this.at + 1];
        this.at += 2;
      } else if (c === ',') {
        options.push(option);
        option = '';
        this.at++;
      } else if (c === '|' && this.src[this.at + 1] === '}') {
        options.push(option);
        this.at += 2;
        return options;
      } else {
        option += c;
        this.at++;
      }
    }
    throw new Error(`unclosed choice in ${JSON.stringify(this.src)}`);
  }
}

/** What a snippet's tab stops are: their numbers, and which ones were given a default. */
export interface SnippetStops {
  /** Every tab stop number used, `$0` included. */
  indices: Set<number>;
  /** Tab stops given a default more than once (VS Code keeps one; the snippet should say it once). */
  redefined: number[];
}

function collect(nodes: Node[], defaults: Map<number, Node[] | string>, stops: SnippetStops): void {
  for (const n of nodes) {
    if (n.kind === 'text') continue;
    stops.indices.add(n.index);
    const value = n.kind === 'choice' ? n.options[0]! : n.children;
    if (value === undefined) continue;
    if (defaults.has(n.index)) stops.redefined.push(n.index);
    else defaults.set(n.index, value);
    if (n.kind === 'stop' && n.children) collect(n.children, defaults, stops);
  }
}

function render(nodes: Node[], defaults: Map<number, Node[] | string>): string {
  return nodes
    .map((n) => {
      if (n.kind === 'text') return n.text;
      const value = defaults.get(n.index) ?? '';
      return typeof value === 'string' ? value : render(value, defaults);
    })
    .join('');
}

/** The body (lines joined by `\n`, as VS Code joins them) with every default accepted. */
export function expandSnippet(body: string | string[]): { text: string; stops: SnippetStops } {
  const nodes = new Parser(Array.isArray(body) ? body.join('\n') : body).parse(false);
  const defaults = new Map<number, Node[] | string>();
  const stops: SnippetStops = { indices: new Set(), redefined: [] };
  collect(nodes, defaults, stops);
  return { text: render(nodes, defaults), stops };
}

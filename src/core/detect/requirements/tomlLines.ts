/**
 * Finds the 1-based lines of tables, keys and string values in TOML text. smol-toml returns values
 * without positions, so Problems get their lines by locating the text that produced a value.
 * Every lookup may miss (unusual quoting, dotted keys); callers then fall back to a coarser line.
 *
 * Invariants: lookups cost no more than the text's length in all (a file with 20,000 dependencies
 * must not rescan its table per key): the keys of a table and the quoted strings of the file are
 * indexed once, on first use, and a search for any other value looks a bounded number of lines ahead.
 */

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function keyPattern(key: string): string {
  const k = escapeRegExp(key);
  return `(?:${k}|"${k}"|'${k}')`;
}

const HEADER = /^\s*\[{1,2}\s*[A-Za-z0-9_"'-][^\]]*\]{1,2}\s*(?:#.*)?$/;
/** `key =`, `"key" =`, `'key' =` (a bare key may be dotted); the key is in group 1, 2 or 3. */
const KEY_LINE = /^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_.-]+))\s*=/;
/** How far past the last located value a search for a non-string value looks. */
const LITERAL_WINDOW = 64;

export class TomlLines {
  private readonly lines: string[];
  /** Key name -> first line, per table header line (0 for the top level). */
  private readonly keys = new Map<number, Map<string, number>>();
  /** String contents -> the lines that hold them, ascending. */
  private strings: Map<string, number[]> | undefined;

  constructor(text: string) {
    this.lines = text.split(/\r\n|\r|\n/);
  }

  /** The header line of a table such as `[tool.poetry.dependencies]`. */
  table(path: string[]): number | undefined {
    const pattern = new RegExp(`^\\s*\\[\\s*${path.map(keyPattern).join('\\s*\\.\\s*')}\\s*\\]\\s*(?:#.*)?$`);
    const index = this.lines.findIndex((l) => pattern.test(l));
    return index < 0 ? undefined : index + 1;
  }

  /** The line of `key =` in the table whose header is on line `from` (0 for the top level). */
  key(from: number, key: string): number | undefined {
    let table = this.keys.get(from);
    if (!table) {
      table = this.indexKeys(from);
      this.keys.set(from, table);
    }
    return table.get(key);
  }

  /** The first line at or after `from` that holds `value` as a quoted string. */
  string(from: number, value: string): number | undefined {
    const lines = (this.strings ??= this.indexStrings()).get(value);
    if (!lines) return undefined;
    // Binary search for the first line >= from.
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lines[lo];
  }

  /** A line shortly after `from` that holds `text` as written (a number, a table); for values that are not strings. */
  literal(from: number, text: string): number | undefined {
    const end = Math.min(this.lines.length, from + LITERAL_WINDOW);
    for (let i = from; i < end; i++) if (this.lines[i]!.includes(text)) return i + 1;
    return undefined;
  }

  private indexKeys(from: number): Map<string, number> {
    const table = new Map<string, number>();
    for (let i = from; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      if (HEADER.test(line)) break;
      const match = KEY_LINE.exec(line);
      const name = match?.[1] ?? match?.[2] ?? match?.[3];
      if (name !== undefined && !table.has(name)) table.set(name, i + 1);
    }
    return table;
  }

  private indexStrings(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    this.lines.forEach((line, i) => {
      for (const value of quotedStrings(line)) {
        const list = index.get(value);
        if (!list) index.set(value, [i + 1]);
        else if (list[list.length - 1] !== i + 1) list.push(i + 1);
      }
    });
    return index;
  }
}

/**
 * The contents of the basic (`"…"`) and literal (`'…'`) strings on one line, as written, in one
 * left-to-right pass; an unterminated string ends the line's strings.
 */
function quotedStrings(line: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < line.length) {
    const quote = line[i];
    if (quote !== '"' && quote !== "'") {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < line.length && line[j] !== quote) j += quote === '"' && line[j] === '\\' ? 2 : 1;
    if (j >= line.length) break;
    found.push(line.slice(i + 1, j));
    i = j + 1;
  }
  return found;
}

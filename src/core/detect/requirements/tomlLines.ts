/**
 * Finds the 1-based lines of tables, keys and string values in TOML text. smol-toml returns values
 * without positions, so Problems get their lines by locating the text that produced a value.
 * Every lookup may miss (unusual quoting, dotted keys); callers then fall back to a coarser line.
 */

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function keyPattern(key: string): string {
  const k = escapeRegExp(key);
  return `(?:${k}|"${k}"|'${k}')`;
}

const HEADER = /^\s*\[{1,2}\s*[A-Za-z0-9_"'-][^\]]*\]{1,2}\s*(?:#.*)?$/;

export class TomlLines {
  private readonly lines: string[];

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
    const pattern = new RegExp(`^\\s*${keyPattern(key)}\\s*=`);
    for (let i = from; i < this.lines.length; i++) {
      const line = this.lines[i] ?? '';
      if (HEADER.test(line)) return undefined;
      if (pattern.test(line)) return i + 1;
    }
    return undefined;
  }

  /** The first line at or after `from` that holds `value` as a quoted string. */
  string(from: number, value: string): number | undefined {
    return this.find(from, [`"${value}"`, `'${value}'`]);
  }

  /** The first line after `from` that holds `text` as written (a number, a table); for values that are not strings. */
  literal(from: number, text: string): number | undefined {
    return this.find(from + 1, [text]);
  }

  private find(from: number, needles: string[]): number | undefined {
    for (let i = Math.max(0, from - 1); i < this.lines.length; i++) {
      const line = this.lines[i] ?? '';
      if (needles.some((n) => line.includes(n))) return i + 1;
    }
    return undefined;
  }
}

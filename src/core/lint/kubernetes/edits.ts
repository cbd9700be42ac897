/**
 * Text edits for fixes, written the way a person would: block style, the indentation of the
 * surrounding entries, the file's line ending. Each function returns undefined when the change is
 * not mechanical there (a flow-style `{a: 1}` map, a path through a list item that does not exist),
 * and then the finding simply offers no fix.
 */
import type { Document, Node, Pair, YAMLSeq } from 'yaml';
import { loadYaml } from '../../lazyLibraries';
import type { TextEdit } from '../types';
import { locate, toRange, type LineIndex, type Located, type Path } from './locate';

type Value = unknown;

export class YamlEdits {
  private readonly eol: string;

  constructor(private readonly text: string, private readonly lc: LineIndex, private readonly doc: Document) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** Where `path` is, unless reaching it goes through an alias (then no edit is mechanical). */
  private find(path: Path): Located | undefined {
    const found = locate(this.doc, path);
    return found.throughAlias ? undefined : found;
  }

  private edit(start: number, end: number, newText: string): TextEdit {
    return { range: toRange(this.lc, start, end), newText };
  }

  private column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** YAML for `value`, one string per line, unindented. */
  private lines(value: Value): string[] {
    return loadYaml().stringify(value, { version: '1.1', lineWidth: 0, indent: 2 }).replace(/\n$/, '').split('\n');
  }

  private scalar(value: Value): string {
    return this.lines(value).join(' ');
  }

  /** Offset of the end of the line holding the last character of [start, end) that is not blank. */
  private endOfContent(start: number, end: number): number {
    let p = Math.min(end, this.text.length) - 1;
    while (p > start && /\s/.test(this.text[p]!)) p--;
    let lineEnd = this.text.indexOf('\n', p);
    if (lineEnd < 0) lineEnd = this.text.length;
    if (this.text[lineEnd - 1] === '\r') lineEnd--;
    return lineEnd;
  }

  private block(lines: string[], indent: number): string {
    const pad = ' '.repeat(indent);
    return lines.map((l) => this.eol + pad + l).join('');
  }

  /** Adds entries at the end of a block map (or replaces an empty `{}`/null value of `pair`). */
  private insertIntoMap(map: Node | null, pair: Pair<Node, Node | null> | undefined, entries: Record<string, Value>): TextEdit | undefined {
    const Y = loadYaml();
    const lines = this.lines(entries);
    if (Y.isMap(map) && !map.flow && map.items.length > 0 && map.range) {
      const first = (map.items[0] as Pair<Node, Node>).key.range;
      if (!first) return undefined;
      const at = this.endOfContent(map.range[0], map.range[1]);
      return this.edit(at, at, this.block(lines, this.column(first[0])));
    }
    return this.replaceEmptyValue(map, pair, lines);
  }

  /** `key:` with nothing, `key: {}` or `key: []`: the value becomes a block under the key. */
  private replaceEmptyValue(node: Node | null, pair: Pair<Node, Node | null> | undefined, lines: string[]): TextEdit | undefined {
    const Y = loadYaml();
    const keyRange = pair?.key?.range;
    if (!pair || !keyRange) return undefined;
    const empty = node === null || (Y.isScalar(node) && node.value === null) || (Y.isCollection(node) && node.flow && node.items.length === 0);
    if (!empty) return undefined;
    const indent = this.column(keyRange[0]) + 2;
    if (node?.range && node.range[1] > node.range[0]) {
      const start = this.text.lastIndexOf(':', node.range[0]) + 1;
      return this.edit(start, node.range[1], this.block(lines, indent));
    }
    const at = this.endOfContent(keyRange[0], keyRange[1] + 1);
    return this.edit(at, at, this.block(lines, indent));
  }

  /**
   * Makes `path` hold `value`: replaces a scalar, merges an object into an existing map (adding
   * missing keys, replacing differing scalars), or creates the missing part of the path under the
   * deepest map that exists.
   */
  set(path: Path, value: Value): TextEdit[] | undefined {
    const Y = loadYaml();
    const found = this.find(path);
    if (!found) return undefined;
    if (found.depth === path.length) {
      const node = found.node;
      if (isPlainObject(value) && Y.isMap(node) && !node.flow) {
        const edits: TextEdit[] = [];
        const missing: Record<string, Value> = {};
        for (const [key, child] of Object.entries(value)) {
          if (node.items.some((p) => keyText(p) === key)) {
            const sub = this.set([...path, key], child);
            if (!sub) return undefined;
            edits.push(...sub);
          } else missing[key] = child;
        }
        if (Object.keys(missing).length > 0) {
          const insert = this.insertIntoMap(node, found.pair, missing);
          if (!insert) return undefined;
          edits.push(insert);
        }
        return edits;
      }
      if (!isPlainObject(value) && !Array.isArray(value) && Y.isScalar(node) && node.range && node.range[1] > node.range[0]) {
        return node.value === value ? [] : [this.edit(node.range[0], node.range[1], this.scalar(value))];
      }
      const empty = this.replaceEmptyValue(node, found.pair, this.lines(value));
      if (empty) return [empty];
      if (Y.isScalar(node) && found.pair?.key?.range) {
        const keyEnd = found.pair.key.range[1];
        if (isPlainObject(value) || Array.isArray(value)) return undefined;
        return [this.edit(keyEnd, keyEnd, ` ${this.scalar(value)}`)];
      }
      return undefined;
    }
    const rest = path.slice(found.depth);
    if (typeof rest[0] !== 'string') return undefined;
    let nested: Value = value;
    for (let i = rest.length - 1; i >= 1; i--) {
      const step = rest[i]!;
      if (typeof step !== 'string') return undefined;
      nested = { [step]: nested };
    }
    const insert = this.insertIntoMap(found.node, found.pair, { [rest[0]]: nested });
    return insert ? [insert] : undefined;
  }

  /** Appends an item to the list at `path`, creating the list when it is missing. */
  append(path: Path, item: Value): TextEdit[] | undefined {
    const Y = loadYaml();
    const found = this.find(path);
    if (!found) return undefined;
    if (found.depth < path.length) return this.set(path, [item]);
    const seq = found.node;
    if (Y.isSeq(seq) && !seq.flow && seq.items.length > 0 && seq.range) {
      const first = (seq as YAMLSeq<Node>).items[0]?.range;
      if (!first) return undefined;
      const lineStart = this.text.lastIndexOf('\n', first[0] - 1) + 1;
      const dash = this.text.lastIndexOf('-', first[0]);
      if (dash < lineStart) return undefined;
      const indent = dash - lineStart;
      const [head, ...tail] = this.lines(item);
      const at = this.endOfContent(seq.range[0], seq.range[1]);
      const text = `${this.eol}${' '.repeat(indent)}- ${head}${this.block(tail, indent + 2)}`;
      return [this.edit(at, at, text)];
    }
    const empty = this.replaceEmptyValue(seq, found.pair, this.lines([item]));
    return empty ? [empty] : undefined;
  }

  /** Replaces the source of the scalar at `path`. */
  replaceScalar(path: Path, newText: string): TextEdit[] | undefined {
    const Y = loadYaml();
    const found = this.find(path);
    if (!found) return undefined;
    if (found.depth < path.length || !Y.isScalar(found.node) || !found.node.range) return undefined;
    return [this.edit(found.node.range[0], found.node.range[1], newText)];
  }

  /** Renames the key at the end of `path`. */
  renameKey(path: Path, newKey: string): TextEdit[] | undefined {
    const found = this.find(path);
    if (!found) return undefined;
    const range = found.pair?.key?.range;
    if (found.depth < path.length || !range) return undefined;
    return [this.edit(range[0], range[1], newKey)];
  }

  /** Replaces the pair at `path` (key and value) with `entries`, written at the key's indentation. */
  replacePair(path: Path, entries: Record<string, Value>): TextEdit[] | undefined {
    const found = this.find(path);
    if (!found) return undefined;
    const key = found.pair?.key?.range;
    const value = found.pair?.value?.range;
    if (found.depth < path.length || !key) return undefined;
    const end = value && value[1] > key[1] ? this.endOfContent(value[0], value[1]) : this.endOfContent(key[0], key[1]);
    const [head, ...tail] = this.lines(entries);
    return [this.edit(key[0], end, `${head}${this.block(tail, this.column(key[0]))}`)];
  }

  /** Deletes the pair at `path`, whole lines, when it is alone on its lines. */
  removePair(path: Path): TextEdit[] | undefined {
    const found = this.find(path);
    if (!found) return undefined;
    const key = found.pair?.key?.range;
    if (found.depth < path.length || !key) return undefined;
    const lineStart = this.text.lastIndexOf('\n', key[0] - 1) + 1;
    if (this.text.slice(lineStart, key[0]).trim() !== '') return undefined;
    const value = found.pair?.value?.range;
    const end = this.endOfContent(key[0], value && value[1] > key[1] ? value[1] : key[1]);
    const next = this.text.indexOf('\n', end);
    return [this.edit(lineStart, next < 0 ? end : next + 1, '')];
  }
}

function isPlainObject(value: Value): value is Record<string, Value> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function keyText(pair: Pair<unknown, unknown>): string | undefined {
  const key = pair.key as { value?: unknown } | null;
  return key && typeof key === 'object' && 'value' in key ? String(key.value) : undefined;
}


/**
 * From a path in an object (`['spec', 'template', 'spec', 'containers', 0, 'image']`) to the YAML
 * node that wrote it, and from offsets to zero-based ranges. A path that does not exist (a missing
 * field, a value that came from a merge key) resolves to its deepest ancestor that does.
 */
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { loadYaml } from '../../lazyLibraries';
import type { Position, Range } from '../types';

export type Path = readonly (string | number)[];

/** Where a path landed in a document's syntax tree. */
export interface Located {
  /** The value node at the deepest path element found. */
  node: Node | null;
  /** The pair whose value it is, when it is a map value. */
  pair?: Pair<Node, Node | null>;
  /** How many path elements were found (the path's length when all were). */
  depth: number;
  /** Whether the path went through an alias: an edit there would change every use of the anchor. */
  throughAlias: boolean;
}

/**
 * Offsets to zero-based positions. Built from the text on first use (clean files never pay for it):
 * the yaml package's LineCounter misses newlines that an error token swallowed.
 */
export class LineIndex {
  private starts?: number[];

  constructor(private readonly text: string) {}

  position(offset: number): Position {
    const starts = (this.starts ??= lineStarts(this.text));
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: at - starts[lo]! };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function toRange(lines: LineIndex, start: number, end: number): Range {
  return { start: lines.position(start), end: lines.position(Math.max(start, end)) };
}

function keyOf(pair: Pair<unknown, unknown>): string | undefined {
  const key = pair.key as { value?: unknown } | null;
  if (key && typeof key === 'object' && 'value' in key) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** Each map's first pair by key, built on first lookup: finding many paths in a wide map stays linear. */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair<Node, Node | null>>>();

function pairOf(map: YAMLMap<Node, Node | null>, key: string): Pair<Node, Node | null> | undefined {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = keyOf(p);
      if (k !== undefined && !index.has(k)) index.set(k, p);
    }
    pairIndexes.set(map, index);
  }
  return index.get(key);
}

export function locate(doc: Document, path: Path): Located {
  const Y = loadYaml();
  let node = doc.contents as Node | null;
  let pair: Pair<Node, Node | null> | undefined;
  let depth = 0;
  let throughAlias = false;
  for (const step of path) {
    if (Y.isAlias(node)) {
      node = (node.resolve(doc) as Node | undefined) ?? null;
      throughAlias = true;
    }
    if (Y.isMap(node)) {
      const found = pairOf(node as YAMLMap<Node, Node | null>, String(step));
      if (!found) break;
      pair = found;
      node = found.value;
    } else if (Y.isSeq(node) && typeof step === 'number' && step < node.items.length) {
      pair = undefined;
      node = (node as YAMLSeq<Node>).items[step] ?? null;
    } else break;
    depth++;
  }
  return { node, ...(pair ? { pair } : {}), depth, throughAlias };
}

/** The source range of a node: its content, without trailing comments or blank lines. */
export function nodeOffsets(node: Node | null | undefined): [number, number] | undefined {
  const range = node?.range;
  return range ? [range[0], range[1]] : undefined;
}

/** The first line of a node, for a collection whose whole extent would be too much to underline. */
function firstLine(text: string, start: number, end: number): [number, number] {
  const newline = text.indexOf('\n', start);
  return [start, newline >= 0 && newline < end ? newline : end];
}

/**
 * Offsets to underline for `path`. `value`: the scalar, or (for a collection) its key; `key`: the
 * key. A list item that is a map is shown by its `name` (containers, ports) or its first entry.
 */
export function pathOffsets(doc: Document, text: string, path: Path, part: 'key' | 'value' = 'value'): [number, number] {
  const Y = loadYaml();
  const found = locate(doc, path);
  const node = found.node;
  if (found.depth === 0) return nodeOffsets(locate(doc, ['kind']).node) ?? [0, 0];
  if (found.depth === path.length && part === 'value' && Y.isScalar(node)) {
    const own = nodeOffsets(node);
    if (own && own[1] > own[0]) return own;
  }
  return displayOffsets(text, node, found.pair?.key as Node | undefined) ?? nodeOffsets(locate(doc, ['kind']).node) ?? [0, 0];
}

/**
 * What to underline for a node that is not a plain value: its key, or for a list item that is a
 * map its `name` entry (containers, ports) or first entry, or else its first line.
 */
function displayOffsets(text: string, node: Node | null, key: Node | undefined): [number, number] | undefined {
  const Y = loadYaml();
  const keyRange = nodeOffsets(key);
  if (keyRange) return keyRange;
  if (Y.isMap(node)) {
    const named = pairOf(node as YAMLMap<Node, Node | null>, 'name') ?? (node as YAMLMap<Node, Node | null>).items[0];
    const value = named?.value && Y.isScalar(named.value) ? nodeOffsets(named.value) : undefined;
    const nameKey = nodeOffsets(named?.key as Node);
    if (nameKey) return value && value[1] > value[0] ? [nameKey[0], value[1]] : nameKey;
  }
  const own = nodeOffsets(node);
  return own ? firstLine(text, own[0], own[1]) : undefined;
}

/** `pathOffsets` as a range. */
export function pathRange(doc: Document, text: string, lc: LineIndex, path: Path, part: 'key' | 'value' = 'value'): Range {
  const [start, end] = pathOffsets(doc, text, path, part);
  return toRange(lc, start, end);
}

/** A JSON pointer (RFC 6901) for a path: `/metadata/labels/app.kubernetes.io~1name`. */
export function pointer(path: Path): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Ranges of every node of a document by JSON pointer (scalars: the value; collections: as
 * `pathOffsets` shows them), for `ParsedManifest.ranges`.
 */
export function pointerRanges(doc: Document, lc: LineIndex, text: string): Record<string, Range> {
  const Y = loadYaml();
  const out: Record<string, Range> = {};
  const kind = nodeOffsets(locate(doc, ['kind']).node);
  if (kind) out[''] = toRange(lc, kind[0], kind[1]);
  const walk = (node: Node | null, at: string, key: Node | undefined, depth: number): void => {
    if (depth > 64) return;
    const scalar = Y.isScalar(node) ? nodeOffsets(node) : undefined;
    const shown = scalar && scalar[1] > scalar[0] ? scalar : displayOffsets(text, node, key);
    if (shown && at) out[at] = toRange(lc, shown[0], shown[1]);
    if (Y.isMap(node)) {
      for (const p of (node as YAMLMap<Node, Node | null>).items) {
        const k = keyOf(p);
        if (k !== undefined) walk(p.value, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, p.key as Node, depth + 1);
      }
    } else if (Y.isSeq(node)) {
      (node as YAMLSeq<Node>).items.forEach((item, i) => walk(item, `${at}/${i}`, undefined, depth + 1));
    }
  };
  walk(doc.contents as Node | null, '', undefined, 0);
  return out;
}

/** The range of `path` in a parsed manifest of another file: the pointer, or its deepest ancestor present. */
export function manifestRange(ranges: Record<string, Range>, path: Path): Range {
  for (let n = path.length; n >= 0; n--) {
    const found = ranges[pointer(path.slice(0, n))];
    if (found) return found;
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

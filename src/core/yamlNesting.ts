/**
 * How deeply a YAML text nests, measured on the yaml package's lexer (a loop over tokens, linear
 * and never recursive), so that a text nested beyond what the recursive parser and composer
 * survive is reported before they run. Block collections count one level per indentation step and
 * per compact indicator (`- - x`, `? x`), flow collections one per bracket.
 *
 * Invariants: never throws; reads each character once. On valid YAML the count is exact or one
 * short (a sequence at its parent key's indentation); on broken YAML it is an estimate.
 */
import { loadYaml } from './lazyLibraries';

/** Nesting past this many levels is reported instead of parsed: real manifests and environments stay far below it. */
export const MAX_YAML_NESTING = 200;

export interface YamlNesting {
  /** The deepest nesting seen, up to where the scan stopped. */
  depth: number;
  /** Where the deepest node starts (the key of a map, the `-` of a list, the bracket of a flow); the first node past the limit when `exceeded`. */
  offset: number;
  /** Whether the text nests deeper than the limit (the scan stops there). */
  exceeded: boolean;
}

/** Zero-width markers the lexer emits: document mode, end of a broken flow collection, scalar start. */
const DOC_MODE = '\x02';
const FLOW_END = '\x18';
const SCALAR = '\x1f';

export function yamlNesting(text: string, limit = MAX_YAML_NESTING): YamlNesting {
  const Y = loadYaml();
  const block: number[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  let keyColumn = -1;
  let scalarNext = false;
  let deepest: YamlNesting = { depth: 0, offset: 0, exceeded: false };
  /** Records the depth now, reached by the node that starts at `at`. */
  const measure = (at: number): boolean => {
    const depth = block.length + flow;
    if (depth > deepest.depth) deepest = { depth, offset: at, exceeded: depth > limit };
    return deepest.exceeded;
  };
  /** A block collection at `column`: closes the deeper ones, opens it unless it is open. */
  const open = (column: number): boolean => {
    while (block.length > 0 && block[block.length - 1]! > column) block.pop();
    if (block[block.length - 1] !== column) block.push(column);
    keyColumn = -1;
    return measure(lineStart + column);
  };
  const content = () => {
    if (flow === 0 && keyColumn < 0) keyColumn = offset - lineStart;
  };
  for (const token of new Y.Lexer().lex(text)) {
    if (token === DOC_MODE || token === SCALAR || token === FLOW_END) {
      if (token === SCALAR) scalarNext = true;
      if (token === FLOW_END) flow = 0;
      continue;
    }
    let stop = false;
    if (scalarNext) {
      scalarNext = false;
      content();
    } else {
      switch (Y.CST.tokenType(token)) {
        case 'doc-start':
        case 'doc-end':
          block.length = 0;
          flow = 0;
          keyColumn = -1;
          break;
        case 'flow-map-start':
        case 'flow-seq-start':
          content();
          flow++;
          stop = measure(offset);
          break;
        case 'flow-map-end':
        case 'flow-seq-end':
          flow = Math.max(0, flow - 1);
          break;
        case 'seq-item-ind':
        case 'explicit-key-ind':
          if (flow === 0) stop = open(offset - lineStart);
          break;
        case 'map-value-ind':
          if (flow === 0) stop = open(keyColumn >= 0 ? keyColumn : offset - lineStart);
          break;
        case 'anchor':
        case 'tag':
        case 'alias':
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'block-scalar-header':
          content();
          break;
        default:
          break;
      }
    }
    if (stop) return deepest;
    const newline = token.lastIndexOf('\n');
    if (newline >= 0) {
      lineStart = offset + newline + 1;
      keyColumn = -1;
    }
    offset += token.length;
  }
  return deepest;
}

/**
 * Estimates how deeply a YAML text nests, in one pass and without parsing it, so that text too deep
 * for the `yaml` package is refused before it reaches it: that parser recurses once per level,
 * overflows the stack near a thousand levels (and reports it as a syntax error), and spends
 * seconds getting there; a few thousand levels made it abort the whole process.
 *
 * The estimate counts block levels (deeper indentation, and each `- ` or `key: ` that opens a node
 * on the same line) plus flow levels (`[` and `{` that open a collection). Quoted scalars and
 * comments are skipped. It may count a level the parser would not, never fewer than a few short of
 * the real depth, so it is only used against a limit far above what real files reach.
 *
 * Invariants: linear time, constant memory besides the indentation stack, never throws.
 */

/** Characters after which a `[` or `{` opens a flow collection rather than sitting inside a plain scalar. */
const OPENS_NODE = new Set(['', '-', ':', '?', ',', '[', '{']);

/** The nesting depth estimate of `text`; stops counting once it passes `limit`. */
export function yamlDepth(text: string, limit = Infinity): number {
  const indents: number[] = [];
  let flow = 0;
  let max = 0;
  let i = 0;
  while (i < text.length && max <= limit) {
    // Start of a line: indentation decides the block level (inside flow collections it does not).
    let indent = 0;
    while (text[i] === ' ') {
      indent++;
      i++;
    }
    let block = 0;
    if (flow === 0 && text[i] !== '\n' && text[i] !== '\r' && text[i] !== '#' && i < text.length) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    let previous = '';
    while (i < text.length && text[i] !== '\n' && text[i] !== '\r') {
      const ch = text[i]!;
      if (ch === '"' || ch === "'") {
        i = skipQuoted(text, i, ch);
        previous = 'x';
        continue;
      }
      if (ch === '#' && (previous === '' || text[i - 1] === ' ' || text[i - 1] === '\t')) {
        while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
        break;
      }
      if ((ch === '[' || ch === '{') && OPENS_NODE.has(previous)) flow++;
      else if ((ch === ']' || ch === '}') && flow > 0) flow--;
      else if ((ch === '-' || ch === ':' || ch === '?') && flow === 0 && (text[i + 1] === ' ' || text[i + 1] === undefined)) block++;
      max = Math.max(max, indents.length + block + flow);
      if (ch !== ' ' && ch !== '\t') previous = ch === '-' || ch === ':' || ch === '?' || ch === ',' || ch === '[' || ch === '{' ? ch : 'x';
      i++;
    }
    while (text[i] === '\n' || text[i] === '\r') i++;
  }
  return max;
}

/** The index just past a quoted scalar that starts at `start` (or the end of the text when it is not closed). */
function skipQuoted(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (quote === '"' && ch === '\\') i += 2;
    else if (ch === quote && quote === "'" && text[i + 1] === "'") i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  return i;
}

/**
 * The shell command of a shell-form RUN, CMD or ENTRYPOINT, as Docker hands it to `/bin/sh -c`:
 * continuation lines joined and comment lines inside them dropped, with a map from every character
 * back to its offset in the Dockerfile so findings and fixes land on the written text. A small
 * POSIX-sh lexer then splits it into simple commands and words. It never evaluates anything: a word
 * holding an expansion is marked `dynamic` and rules treat its value as unknown.
 */
import type { Range } from '../types';
import type { DockerfileModel, Ins } from './model';

export interface ShellWord {
  /** The word with quotes and escapes removed. */
  text: string;
  /** Offsets into the shell string. */
  start: number;
  end: number;
  /** Holds `$`, a backquote or a leading `~`: its value is only known at run time. */
  dynamic: boolean;
  /** Holds an unquoted `*`, `?` or `[`. */
  glob: boolean;
}

export interface ShellCommand {
  words: ShellWord[];
  start: number;
  end: number;
  /** The operator after it (`&&`, `||`, `|`, `|&`, `;`, `&`, `(`, `)`), or '' at the end. */
  op: string;
  /** Offsets of the operator. */
  opStart: number;
  opEnd: number;
  /** Has a redirection (`>`, `<`, `2>&1`...). */
  redirected: boolean;
}

export interface Shell {
  ins: Ins;
  /** The command string `/bin/sh -c` receives. */
  text: string;
  /** Runs of `text` copied from the Dockerfile: `text[at]` is the Dockerfile's `doc`, and so on. */
  segments: { at: number; doc: number }[];
  commands: ShellCommand[];
  /** A heredoc (`RUN <<EOF`): the lexer does not follow its body. */
  heredoc: boolean;
}

/** The shell command of a shell-form instruction, or undefined for the exec form and empty ones. */
export function shellOf(model: DockerfileModel, ins: Ins): Shell | undefined {
  if (ins.json) return undefined;
  const start = model.argsStart(ins);
  const end = model.index.offsetAt(ins.range.end);
  if (start >= end) return undefined;
  const { text, segments } = joinLines(model, start, end, model.index.positionAt(start).line, ins.range.end.line);
  const heredoc = /<<-?\s*["']?[A-Za-z_]/.test(text);
  return { ins, text, segments, commands: heredoc ? [] : lexShell(text), heredoc };
}

function joinLines(model: DockerfileModel, start: number, end: number, firstLine: number, lastLine: number): { text: string; segments: Shell['segments'] } {
  const esc = model.escape;
  let text = '';
  const segments: Shell['segments'] = [];
  for (let line = firstLine; line <= lastLine; line++) {
    const from = line === firstLine ? start : model.index.lineStart(line);
    const to = line === lastLine ? end : model.index.lineEnd(line);
    let content = model.text.slice(from, to);
    if (line !== firstLine) {
      const trimmed = content.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
    }
    if (line !== lastLine) {
      let cut = content.length;
      while (cut > 0 && (content[cut - 1] === ' ' || content[cut - 1] === '\t')) cut--;
      // The line break itself maps to the line's end, where `content` stops.
      content = content[cut - 1] === esc ? content.slice(0, cut - 1) : `${content}\n`;
    }
    segments.push({ at: text.length, doc: from });
    text += content;
  }
  segments.push({ at: text.length, doc: end });
  return { text, segments };
}

/** The Dockerfile offset of character `i` of the shell string. */
export function docOffset(shell: Shell, i: number): number {
  const segs = shell.segments;
  let low = 0;
  let high = segs.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (segs[mid]!.at <= i) low = mid;
    else high = mid - 1;
  }
  const seg = segs[low]!;
  return seg.doc + Math.max(0, i - seg.at);
}

/** The Dockerfile range of `[start, end)` in the shell string. */
export function shellRange(model: DockerfileModel, shell: Shell, start: number, end: number): Range {
  const a = docOffset(shell, start);
  return model.index.range(a, end > start ? docOffset(shell, end - 1) + 1 : a);
}

/** The Dockerfile offset just after shell offset `end - 1` (where text inserted after a word goes). */
export function shellOffsetAfter(shell: Shell, end: number): number {
  return docOffset(shell, Math.max(0, end - 1)) + 1;
}

const OPERATORS = ['&&', '||', '|&', ';;', '|', ';', '&', '(', ')'];

export function lexShell(s: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: ShellWord[] = [];
  let cmdStart = -1;
  let redirected = false;
  let dropNext = false;
  let word: ShellWord | undefined;
  const startWord = (at: number): ShellWord => (word ??= { text: '', start: at, end: at, dynamic: false, glob: false });
  const endWord = (at: number): void => {
    if (!word) return;
    word.end = at;
    if (dropNext) dropNext = false;
    else words.push(word);
    if (cmdStart < 0) cmdStart = word.start;
    word = undefined;
  };
  const endCommand = (op: string, opStart: number, opEnd: number): void => {
    endWord(opStart);
    if (words.length > 0 || op !== '') {
      commands.push({ words, start: cmdStart < 0 ? opStart : cmdStart, end: words[words.length - 1]?.end ?? opStart, op, opStart, opEnd, redirected });
    }
    words = [];
    cmdStart = -1;
    redirected = false;
    dropNext = false;
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      endWord(i);
      i++;
    } else if (c === '\n') {
      endCommand(';', i, i + 1);
      i++;
    } else if (c === '#' && !word) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl;
    } else if ((c === '>' || c === '<') || (c === '&' && s[i + 1] === '>')) {
      if (word && /^\d+$/.test(word.text) && !word.dynamic) word = undefined;
      endWord(i);
      let j = i + 1;
      while (j < s.length && '>&|'.includes(s[j]!) && j < i + 3) j++;
      if (c === '<' && s[i + 1] === '<') j = i + 2;
      redirected = true;
      dropNext = true;
      i = j;
    } else if ('&|;()'.includes(c)) {
      const op = OPERATORS.find((o) => s.startsWith(o, i)) ?? c;
      endCommand(op, i, i + op.length);
      i += op.length;
    } else {
      i = readWordPart(s, i, startWord(i));
    }
  }
  endCommand('', s.length, s.length);
  return commands;
}

/** Reads one quoted or unquoted piece of a word into `w`; returns the offset after it. */
function readWordPart(s: string, i: number, w: ShellWord): number {
  const c = s[i]!;
  if (c === "'") {
    const close = s.indexOf("'", i + 1);
    const end = close < 0 ? s.length : close;
    w.text += s.slice(i + 1, end);
    return end + 1;
  }
  if (c === '"') {
    let j = i + 1;
    while (j < s.length && s[j] !== '"') {
      if (s[j] === '\\' && j + 1 < s.length && '$`"\\\n'.includes(s[j + 1]!)) {
        w.text += s[j + 1];
        j += 2;
      } else if (s[j] === '$' || s[j] === '`') {
        w.dynamic = true;
        const end = skipExpansion(s, j);
        w.text += s.slice(j, end);
        j = end;
      } else {
        w.text += s[j];
        j++;
      }
    }
    return j + 1;
  }
  if (c === '\\') {
    if (i + 1 < s.length) w.text += s[i + 1];
    return i + 2;
  }
  if (c === '$' || c === '`') {
    w.dynamic = true;
    const end = skipExpansion(s, i);
    w.text += s.slice(i, end);
    return end;
  }
  if (c === '~' && w.text === '') w.dynamic = true;
  if (c === '*' || c === '?' || c === '[') w.glob = true;
  PLAIN.lastIndex = i + 1;
  const run = PLAIN.exec(s);
  const end = run ? PLAIN.lastIndex : i + 1;
  w.text += s.slice(i, end);
  return end;
}

/** Characters that continue an unquoted word with no special meaning. */
const PLAIN = /[^\s'"\\$`|&;()<>*?[~]+/y;

/** The offset after a `$NAME`, `${...}`, `$(...)` or backquoted expansion starting at `i`. */
function skipExpansion(s: string, i: number): number {
  if (s[i] === '`') {
    const close = s.indexOf('`', i + 1);
    return close < 0 ? s.length : close + 1;
  }
  const next = s[i + 1];
  if (next === '{' || next === '(') {
    const open = next;
    const close = open === '{' ? '}' : ')';
    let depth = 0;
    for (let j = i + 1; j < s.length; j++) {
      const ch = s[j];
      if (ch === '\\') j++;
      else if (ch === "'" && open === '(') {
        const q = s.indexOf("'", j + 1);
        j = q < 0 ? s.length : q;
      } else if (ch === open) depth++;
      else if (ch === close && --depth === 0) return j + 1;
    }
    return s.length;
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9@*#?$!-]/.exec(s.slice(i + 1, i + 64));
  return i + 1 + (m ? m[0].length : 0);
}

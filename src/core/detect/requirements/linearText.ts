/**
 * String helpers that replace regular expressions which backtrack on hostile input: a pattern
 * such as `(^|\s+)#.*$` or `[\\/]+$` is tried at every start position and rescans the same run of
 * blanks or slashes each time, so a 50 KB line cost seconds.
 *
 * Invariants: every function here is one pass over its input (linear time), pure and total.
 */

/** True for the characters JavaScript's `\s` matches in the ASCII range, plus the common Unicode blanks. */
export function isBlank(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/**
 * Cuts a requirements-file comment: `#` at the start of the line or after a blank begins one
 * (pip's `(^|\s+)#.*$`), so `#egg=` inside a URL survives. The result is trimmed.
 */
export function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || isBlank(line[i - 1]))) return line.slice(0, i).trim();
  }
  return line.trim();
}

/** Removes every trailing character that is in `chars` (`\\` for continuations, `/\\` for paths). */
export function trimTrailing(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/**
 * Splits `name[extras]` at its trailing bracket, as `^(.*?)\[([^\]]*)\]$` would: the text must end
 * in `]`, and the bracket opens at the first `[` after the previous `]`.
 */
export function bracketSuffix(text: string): { base: string; inner: string } | undefined {
  if (text.length < 2 || !text.endsWith(']')) return undefined;
  const previousClose = text.lastIndexOf(']', text.length - 2);
  const open = text.indexOf('[', previousClose + 1);
  if (open < 0 || open >= text.length - 1) return undefined;
  return { base: text.slice(0, open), inner: text.slice(open + 1, -1) };
}

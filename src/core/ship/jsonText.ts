/** Strict JSON with errors that name the file, line and column (JSON.parse's message differs between Node versions). */
import { parse as parseJson, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { ModelshipError } from '../errors';

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

/** The value of `text`, or a ModelshipError with `code` saying `file:line:column: not valid JSON (why)`. */
export function parseJsonStrict(text: string, file: string, code: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJson(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new ModelshipError(code, `${file}:${lineAndColumn(text, first.offset)}: not valid JSON (${printParseErrorCode(first.error)})`, 'Fix the file, or pass another one.');
  }
  return value;
}

/**
 * Parsing (dockerfile-ast) and MS-DF000 (dockerfile-utils' validator), with one parse per lint and
 * each instruction's arguments computed once (see parseDockerfile), plus workarounds for three
 * defects of the libraries: a backtracking stage-name check, a recursion that overflows the stack,
 * and diagnostic ranges past the end of the text (clamped).
 *
 * `validate(text)` parses the text again with dockerfile-ast's `DockerfileParser.parse`; parsing
 * is half its cost. For the duration of that one synchronous call we answer that parse with the
 * tree we already built (same text, same library instance) and restore the original in `finally`,
 * so nothing outside the call can observe the swap. If a dependency update ever stops going through
 * that function, validate simply parses again: slower, never wrong. `lastParseWasShared` tells the
 * test that would notice.
 *
 * validate is called with no settings: passing any object turns off every check it does not name.
 * Both libraries are required on first use, so importing this module costs nothing at start-up.
 */
import type { Dockerfile } from 'dockerfile-ast';
import type { Severity } from '../types';
import type { Analysis } from './analysis';
import type { Arg } from './model';
import { DF } from './rules';

type Ast = typeof import('dockerfile-ast');
type Utils = typeof import('dockerfile-utils');

let ast: Ast | undefined;
let utils: Utils | undefined;
const loadAst = (): Ast => (ast ??= require('dockerfile-ast') as Ast);
const loadUtils = (): Utils => (utils ??= require('dockerfile-utils') as Utils);

let sharedParse = false;

/** Whether the last `syntaxFindings` call let validate reuse our tree. */
export function lastParseWasShared(): boolean {
  return sharedParse;
}

/**
 * Parses `text`. dockerfile-ast recomputes an instruction's arguments (tokenising its text, with
 * position conversions) on every call, and validate and the rules ask many times; the tree is
 * private to this lint, so each instruction remembers its arguments. Callers may shift the array
 * they get (dockerfile-ast's own getArguments does), so each call gets a copy of the remembered one.
 */
export function parseDockerfile(text: string): Dockerfile {
  const tree = loadAst().DockerfileParser.parse(text);
  for (const node of tree.getInstructions()) {
    const raw = node as unknown as { getRawArguments(): unknown[] };
    const compute = raw.getRawArguments.bind(node);
    let memo: unknown[] | undefined;
    raw.getRawArguments = () => (memo ??= compute()).slice();
  }
  return tree;
}

/**
 * dockerfile-utils checks a stage name (`FROM image AS name`) with `/^[a-z]([a-z0-9_\-.]*)*$/`,
 * whose nested quantifier backtracks exponentially: a 30-character name ending in a symbol hangs
 * the caller. Such names are replaced, in the text validate sees, by as many `a`s, and reported
 * here with validate's own message; a name continued over lines skips validate altogether.
 */
const STAGE_NAME = /^[a-z][a-z0-9_\-.]*$/;

function withSafeStageNames(a: Analysis): { text: string; names: Arg[] } | undefined {
  const names = a.model.stages.map((s) => s.from.args).filter((args) => args.length === 3 && !STAGE_NAME.test(args[2]!.value.toLowerCase())).map((args) => args[2]!);
  if (names.length === 0) return { text: a.model.text, names };
  if (names.some((n) => n.range.start.line !== n.range.end.line)) return undefined;
  let text = a.model.text;
  for (const n of names) {
    const start = a.model.index.offsetAt(n.range.start);
    const end = a.model.index.offsetAt(n.range.end);
    text = text.slice(0, start) + 'a'.repeat(end - start) + text.slice(end);
  }
  return { text, names };
}

/** dockerfile-utils' diagnostics as our own findings (MS-DF000), in `a`. */
export function syntaxFindings(a: Analysis): void {
  const safe = withSafeStageNames(a);
  if (!safe) {
    a.report(DF.syntax, a.model.index.range(0, 0), 'The syntax check was skipped: a FROM continues its stage name over several lines. Write FROM <image> AS <name> on one line.', { severity: 'info' });
    return;
  }
  for (const n of safe.names) {
    a.report(DF.syntax, n.range, `invalid name for build stage: "${n.value.toLowerCase()}", name can't start with a number or contain symbols`, { severity: 'error' });
  }
  const { text } = safe;
  const tree = a.model.ast;
  const parser = loadAst().DockerfileParser;
  const validate = loadUtils().validate;
  const original = parser.parse;
  sharedParse = false;
  parser.parse = (content: string): Dockerfile => {
    if (content !== a.model.text || sharedParse) return original(content);
    sharedParse = true;
    return tree;
  };
  let diagnostics: ReturnType<Utils['validate']>;
  try {
    diagnostics = validate(text);
  } catch (error) {
    // dockerfile-ast recurses without end resolving a variable used before the first FROM.
    a.report(DF.syntax, a.model.index.range(0, 0), `The syntax check could not run on this file (dockerfile-utils: ${error instanceof Error ? error.message : String(error)}), so syntax problems are not reported; check the instructions before the first FROM.`, { severity: 'info' });
    return;
  } finally {
    parser.parse = original;
  }
  const relativeWorkdir = loadUtils().ValidationCode.WORKDIR_IS_NOT_ABSOLUTE;
  for (const d of diagnostics) {
    if (d.code === relativeWorkdir) continue; // MS-DF009 reports it, with a fix.
    a.report(DF.syntax, a.model.index.clamp(d.range), typeof d.message === 'string' ? d.message : d.message.value, { severity: severityOf(d.severity) });
  }
}

function severityOf(severity: number | undefined): Severity {
  return severity === 1 ? 'error' : severity === 2 ? 'warning' : 'info';
}

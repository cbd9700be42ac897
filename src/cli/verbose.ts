/**
 * `--verbose`, accepted before or after the command: debug lines and full stack traces on stderr.
 * The switch lives in the environment (MODELSHIP_VERBOSE=1) because each heavy command is a bundle
 * of its own with its own copy of this module; setting the variable by hand works too.
 */
const VERBOSE_ENV = 'MODELSHIP_VERBOSE';

/** Takes `--verbose` out of the arguments (up to a `--`), returning the rest and whether it was there. */
export function extractVerbose(argv: readonly string[]): { args: string[]; verbose: boolean } {
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  const tail = end === -1 ? [] : argv.slice(end);
  const args = head.filter((a) => a !== '--verbose');
  return { args: [...args, ...tail], verbose: args.length !== head.length };
}

export function setVerbose(on: boolean): void {
  if (on) process.env[VERBOSE_ENV] = '1';
  // The bundles are minified; their source maps turn stack traces back into src/ file names and lines.
  if (isVerbose()) process.setSourceMapsEnabled(true);
}

export function isVerbose(): boolean {
  const value = process.env[VERBOSE_ENV];
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** One `modelship: debug:` line on stderr, only with --verbose; `lazy` keeps quiet runs from formatting it. */
export function debug(message: string | (() => string)): void {
  if (!isVerbose()) return;
  process.stderr.write(`modelship: debug: ${typeof message === 'function' ? message() : message}\n`);
}

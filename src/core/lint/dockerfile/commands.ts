/**
 * Recognises the commands the rules care about in a lexed shell command: pip (and `python -m pip`,
 * `uv pip`) installs with their options and package specs, apt-get/apt calls, `rm` of the apt lists
 * and `set -o pipefail`. Recognition is by words, after leading `VAR=value`, `sudo`, `env` and the like.
 */
import type { ShellCommand, ShellWord } from './shell';

/** A simple command with its prefix (assignments, sudo...) stripped. */
export interface Invocation {
  /** Base name of the program (`/opt/venv/bin/pip` gives `pip`). */
  program: string;
  programWord: ShellWord;
  args: ShellWord[];
  command: ShellCommand;
}

const WRAPPERS = new Set(['sudo', 'env', 'exec', 'time', 'nice', 'command', 'nohup']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export function invocation(command: ShellCommand): Invocation | undefined {
  const words = command.words;
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (ASSIGNMENT.test(w.text)) i++;
    else if (WRAPPERS.has(w.text)) {
      i++;
      while (i < words.length && words[i]!.text.startsWith('-')) i += words[i]!.text === '-u' ? 2 : 1;
    } else break;
  }
  const programWord = words[i];
  if (!programWord || programWord.dynamic) return undefined;
  const program = programWord.text.slice(programWord.text.lastIndexOf('/') + 1);
  return { program, programWord, args: words.slice(i + 1), command };
}

/** Assignments written before the program (`DEBIAN_FRONTEND=noninteractive apt-get ...`). */
export function assignments(inv: Invocation): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of inv.command.words) {
    if (w === inv.programWord) break;
    const eq = w.text.indexOf('=');
    if (ASSIGNMENT.test(w.text)) out.set(w.text.slice(0, eq), w.text.slice(eq + 1));
  }
  return out;
}

export interface PipOption {
  name: string;
  word: ShellWord;
  value?: ShellWord | undefined;
  /** The value, whether written as `--opt value`, `--opt=value` or `-rvalue`. */
  text?: string | undefined;
}

export interface PipSpec {
  word: ShellWord;
  name: string;
  extras: string;
  specifier: string;
}

export interface PipInstallCommand {
  tool: 'pip' | 'uv';
  inv: Invocation;
  installWord: ShellWord;
  options: PipOption[];
  specs: PipSpec[];
}

/** pip options that take a value (general and `install` options). */
const PIP_VALUE_OPTIONS = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links',
  '-t', '--target', '--prefix', '--root', '--platform', '--python-version', '--implementation', '--abi', '--src', '--upgrade-strategy',
  '--progress-bar', '--trusted-host', '--cache-dir', '--log', '--proxy', '--retries', '--timeout', '--exists-action', '--cert',
  '--client-cert', '--global-option', '-C', '--config-settings', '--install-option', '--only-binary', '--no-binary', '--report',
  '--python', '--root-user-action', '--keyring-provider', '--use-feature', '--use-deprecated', '--index', '--default-index',
  '-p', '--extra-index', '--index-strategy', '--resolution', '--prerelease', '--python-platform', '--override', '--constraints',
]);
const SHORT_WITH_VALUE = /^-([rceif])(.+)$/;
const SPEC = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\[[^\]]*\])?\s*(.*)$/;

export function pipInstall(command: ShellCommand): PipInstallCommand | undefined {
  const inv = invocation(command);
  if (!inv) return undefined;
  let tool: 'pip' | 'uv' = 'pip';
  let rest: ShellWord[];
  if (/^pip(\d+(\.\d+)?)?$/.test(inv.program)) rest = inv.args;
  else if (/^python(\d+(\.\d+)?)?$/.test(inv.program) && inv.args[0]?.text === '-m' && inv.args[1]?.text === 'pip') rest = inv.args.slice(2);
  else if (inv.program === 'uv' && inv.args[0]?.text === 'pip') {
    tool = 'uv';
    rest = inv.args.slice(1);
  } else return undefined;
  const options: PipOption[] = [];
  let installAt = -1;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!.text;
    if (!t.startsWith('-')) {
      if (t !== 'install') return undefined;
      installAt = i;
      break;
    }
    i = readOption(rest, i, options);
  }
  const installWord = rest[installAt];
  if (!installWord) return undefined;
  const specs: PipSpec[] = [];
  for (let i = installAt + 1; i < rest.length; i++) {
    const w = rest[i]!;
    if (w.text.startsWith('-')) i = readOption(rest, i, options);
    else {
      const spec = packageSpec(w);
      if (spec) specs.push(spec);
    }
  }
  return { tool, inv, installWord, options, specs };
}

function readOption(words: ShellWord[], i: number, out: PipOption[]): number {
  const w = words[i]!;
  const eq = w.text.indexOf('=');
  if (w.text.startsWith('--') && eq > 0) {
    out.push({ name: w.text.slice(0, eq), word: w, text: w.text.slice(eq + 1) });
    return i;
  }
  const short = SHORT_WITH_VALUE.exec(w.text);
  if (short && !w.text.startsWith('--')) {
    out.push({ name: `-${short[1]}`, word: w, text: short[2] });
    return i;
  }
  if (PIP_VALUE_OPTIONS.has(w.text)) {
    const value = words[i + 1];
    out.push({ name: w.text, word: w, value, text: value?.text });
    return i + 1;
  }
  out.push({ name: w.text, word: w });
  return i;
}

/** A requirement spec given on the command line; paths, URLs, archives and expansions give undefined. */
function packageSpec(w: ShellWord): PipSpec | undefined {
  const t = w.text;
  if (w.dynamic || t.includes('/') || t.includes('@') || t.startsWith('.') || /\.(whl|zip|tar\.gz|tgz)$/i.test(t)) return undefined;
  const m = SPEC.exec(t);
  if (!m) return undefined;
  return { word: w, name: m[1]!, extras: m[2] ?? '', specifier: (m[3] ?? '').split(';')[0]!.trim() };
}

export interface AptCommand {
  inv: Invocation;
  /** `update`, `install`, `upgrade`... */
  sub: string;
  subWord: ShellWord;
  options: ShellWord[];
  /** Package arguments of install. */
  packages: ShellWord[];
}

const APT_VALUE_OPTIONS = new Set(['-o', '--option', '-t', '--target-release', '-c', '--config-file']);

export function aptCommand(command: ShellCommand): AptCommand | undefined {
  const inv = invocation(command);
  if (!inv || (inv.program !== 'apt-get' && inv.program !== 'apt')) return undefined;
  const options: ShellWord[] = [];
  const packages: ShellWord[] = [];
  let subWord: ShellWord | undefined;
  for (let i = 0; i < inv.args.length; i++) {
    const w = inv.args[i]!;
    if (w.text.startsWith('-')) {
      options.push(w);
      if (APT_VALUE_OPTIONS.has(w.text) && inv.args[i + 1]) options.push(inv.args[++i]!);
    } else if (!subWord) subWord = w;
    else packages.push(w);
  }
  if (!subWord) return undefined;
  return { inv, sub: subWord.text, subWord, options, packages };
}

/** `rm -rf /var/lib/apt/lists/*` and the like. */
export function removesAptLists(command: ShellCommand): boolean {
  const inv = invocation(command);
  return !!inv && inv.program === 'rm' && inv.args.some((a) => a.text.startsWith('/var/lib/apt/lists'));
}

/** `set -o pipefail`, `set -euxo pipefail`... */
export function setsPipefail(command: ShellCommand): boolean {
  const inv = invocation(command);
  if (!inv || inv.program !== 'set') return false;
  return inv.args.some((a, i) => a.text === 'pipefail' && i > 0 && /^-[A-Za-z]*o$/.test(inv.args[i - 1]!.text));
}

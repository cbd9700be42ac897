/**
 * The Dockerfile as the rules read it, built once from dockerfile-ast's tree: each instruction with
 * its arguments (exec-form strings already decoded) and flags, and the build stages with their
 * resolved base images and parent stages. Ranges are zero-based, straight from the parser.
 */
import { posix } from 'node:path';
import type { Dockerfile, Instruction } from 'dockerfile-ast';
import type { Range } from '../types';
import { TextIndex } from './textIndex';

/** One argument of an instruction: its value as Docker reads it, and where it is written. */
export interface Arg {
  value: string;
  range: Range;
}

export interface Flag {
  name: string;
  value: string | null;
  range: Range;
}

/** A name=value pair of ENV, ARG or LABEL. */
export interface Prop {
  name: string;
  value: string | null;
  nameRange: Range;
  /** From the name to the end of the value. */
  range: Range;
}

export interface Ins {
  readonly index: number;
  /** Upper case, as Docker matches it. */
  readonly keyword: string;
  readonly node: Instruction;
  readonly range: Range;
  /** Index of the stage it belongs to; -1 for ARGs before the first FROM. */
  stage: number;
  /** Arguments after the flags; for the exec (JSON) form, the decoded strings. */
  readonly args: Arg[];
  /** True for the exec (JSON array) form of RUN, CMD, ENTRYPOINT, COPY, ADD, SHELL, VOLUME. */
  readonly json: boolean;
  readonly flags: Flag[];
}

export interface Stage {
  index: number;
  from: Ins;
  /** The image as written, and with global ARGs substituted (undefined when one has no value). */
  image: string;
  resolved: string | undefined;
  imageRange: Range | undefined;
  /** `AS name`, lower-cased. */
  alias: string | undefined;
  /** The earlier stage this one starts FROM, when it names one. */
  parent: number | undefined;
  instructions: Ins[];
}

const JSON_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'SHELL', 'VOLUME']);
/** Instructions whose leading `--name=value` arguments are flags. */
const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

/** Duck-typed views of dockerfile-ast's classes: the library is required lazily, so no instanceof. */
interface JsonNode {
  getOpeningBracket(): unknown;
  getClosingBracket(): unknown;
  getJSONStrings(): { getJSONValue(): string; getRange(): Range }[];
}
interface PropNode {
  getProperties(): { getName(): string; getValue(): string | null; getNameRange(): Range; getRange(): Range }[];
}
interface RawNode {
  /** Every argument, flags included; dockerfile-ast recomputes it on each call, so it is read once. */
  getRawArguments(): { getValue(): string; getRange(): Range }[];
}

export class DockerfileModel {
  readonly index: TextIndex;
  readonly instructions: Ins[] = [];
  readonly stages: Stage[] = [];
  readonly escape: string;
  private readonly globalArgs = new Map<string, string | undefined>();

  constructor(readonly text: string, readonly ast: Dockerfile) {
    this.index = new TextIndex(text);
    this.escape = ast.getEscapeCharacter();
    for (const node of ast.getInstructions()) this.add(node);
  }

  private add(node: Instruction): void {
    const ins = new LazyIns(this.instructions.length, node.getKeyword().toUpperCase(), node, this.stages.length - 1, (r) => this.slice(r));
    this.instructions.push(ins);
    if (ins.keyword === 'FROM') this.addStage(ins);
    else if (ins.stage >= 0) this.stages[ins.stage]?.instructions.push(ins);
    else if (ins.keyword === 'ARG') for (const p of this.props(ins)) this.globalArgs.set(p.name, p.value ?? undefined);
  }

  private addStage(ins: Ins): void {
    const [image, as, name] = ins.args;
    const alias = as?.value.toUpperCase() === 'AS' && name ? name.value.toLowerCase() : undefined;
    const resolved = image ? this.substitute(image.value) : undefined;
    const parent = resolved === undefined ? -1 : this.stages.findIndex((s) => s.alias === resolved.toLowerCase());
    ins.stage = this.stages.length;
    this.stages.push({
      index: ins.stage, from: ins, image: image?.value ?? '', resolved, imageRange: image?.range, alias,
      parent: parent < 0 ? undefined : parent, instructions: [],
    });
  }

  /** `text` with `$NAME`, `${NAME}` and `${NAME:-default}` replaced by global ARG defaults. */
  substitute(text: string): string | undefined {
    if (!text.includes('$')) return text;
    let unresolved = false;
    const out = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const value = this.globalArgs.get((braced ?? bare) ?? '');
      if (op === '-') return value || (word ?? '');
      if (op === '+') return value ? (word ?? '') : '';
      if (value === undefined) unresolved = true;
      return value ?? '';
    });
    return unresolved || out.includes('$') ? undefined : out;
  }

  props(ins: Ins): Prop[] {
    if (!('getProperties' in ins.node)) return [];
    return (ins.node as unknown as PropNode).getProperties().map((p) => ({ name: p.getName(), value: p.getValue(), nameRange: p.getNameRange(), range: p.getRange() }));
  }

  get finalStage(): Stage | undefined {
    return this.stages[this.stages.length - 1];
  }

  /** `stage` and the stages it starts FROM, nearest first. */
  chain(stage: Stage | undefined): Stage[] {
    const out: Stage[] = [];
    for (let s = stage; s && !out.includes(s); s = s.parent === undefined ? undefined : this.stages[s.parent]) out.push(s);
    return out;
  }

  /** The instructions that build the final image: its stage's ancestors' first, in file order. */
  finalInstructions(): Ins[] {
    return this.chain(this.finalStage).reverse().flatMap((s) => s.instructions);
  }

  /** The external image a stage ends up on (following `FROM <stage>`), resolved, or undefined. */
  baseImage(stage: Stage | undefined): string | undefined {
    const chain = this.chain(stage);
    return chain[chain.length - 1]?.resolved;
  }

  /** The stage's WORKDIR just before `ins` (the base image's is taken as `/`); undefined when a variable hides it. */
  workdirBefore(ins: Ins): string | undefined {
    const stage = this.stages[ins.stage];
    if (!stage) return '/';
    let dir: string | undefined = '/';
    for (const s of this.chain(stage).reverse()) {
      for (const i of s.instructions) {
        if (i === ins || (s === stage && i.index > ins.index)) return dir;
        if (i.keyword !== 'WORKDIR') continue;
        const value = i.args.map((a) => a.value).join(' ');
        if (value.includes('$') || (dir === undefined && !value.startsWith('/'))) dir = undefined;
        else dir = posix.resolve(dir ?? '/', value);
      }
    }
    return dir;
  }

  /** The SHELL in effect at `ins` (set in its stage or the stages it starts FROM); undefined for Docker's default, /bin/sh -c. */
  shellAt(ins: Ins): Arg[] | undefined {
    const stage = this.stages[ins.stage];
    let shell: Arg[] | undefined;
    for (const s of this.chain(stage).reverse()) {
      for (const i of s.instructions) {
        if (s === stage && i.index >= ins.index) return shell;
        if (i.keyword === 'SHELL') shell = i.args;
      }
    }
    return shell;
  }

  /** ENV values in effect just before `ins` (set in its stage or the stages it starts FROM). */
  envBefore(ins: Ins): Map<string, string | null> {
    const env = new Map<string, string | null>();
    const stage = this.stages[ins.stage];
    for (const s of this.chain(stage).reverse()) {
      for (const i of s.instructions) {
        if (s === stage && i.index >= ins.index) return env;
        if (i.keyword === 'ENV') for (const p of this.props(i)) env.set(p.name, p.value);
      }
    }
    return env;
  }

  /**
   * The offset of the first argument after the flags, found in the text (the same place as
   * `args[0]`, without tokenising every argument as dockerfile-ast does); the instruction's end
   * offset when it has none.
   */
  argsStart(ins: Ins): number {
    const text = this.text;
    const end = this.index.offsetAt(ins.range.end);
    let i = this.index.offsetAt(ins.node.getInstructionRange().end);
    for (;;) {
      while (i < end) {
        const c = text[i];
        if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
        else if (c === this.escape && /^[ \t]*(\r\n|\r|\n)/.test(text.slice(i + 1, i + 40))) i++;
        else if (c === '#' && (text[i - 1] === '\n' || text[i - 1] === '\r' || /[\r\n][ \t]*$/.test(text.slice(Math.max(0, i - 40), i)))) {
          while (i < end && text[i] !== '\n' && text[i] !== '\r') i++;
        } else break;
      }
      if (!FLAGGED.has(ins.keyword) || !text.startsWith('--', i)) return Math.min(i, end);
      while (i < end && !/\s/.test(text[i]!)) i += text[i] === this.escape ? 2 : 1;
    }
  }

  /** The range from the first argument to the end of the instruction (everything after flags). */
  argsRange(ins: Ins): Range {
    return { start: ins.args[0]?.range.start ?? ins.range.end, end: ins.range.end };
  }

  /** Source text of a range. */
  slice(range: Range): string {
    return this.text.slice(this.index.offsetAt(range.start), this.index.offsetAt(range.end));
  }
}

/**
 * Property instructions are read through their properties; their arguments only when a rule asks.
 * Exec-form strings are decoded from the source with JSON.parse: dockerfile-ast 0.7.1's
 * getJSONValue drops the spaces inside them (`"my model.pt"` gives `mymodel.pt`).
 */
class LazyIns implements Ins {
  readonly range: Range;
  private loaded: { args: Arg[]; flags: Flag[] } | undefined;
  private isJson: boolean | undefined;

  constructor(readonly index: number, readonly keyword: string, readonly node: Instruction, public stage: number, private readonly source: (range: Range) => string) {
    this.range = node.getRange();
  }

  get args(): Arg[] {
    return this.load().args;
  }

  get flags(): Flag[] {
    return this.load().flags;
  }

  get json(): boolean {
    if (this.isJson === undefined) {
      const jsonNode = this.node as unknown as JsonNode;
      this.isJson = JSON_FORM.has(this.keyword) && 'getJSONStrings' in this.node && !!jsonNode.getOpeningBracket() && !!jsonNode.getClosingBracket();
    }
    return this.isJson;
  }

  private decode(s: { getJSONValue(): string; getRange(): Range }): string {
    try {
      const value: unknown = JSON.parse(this.source(s.getRange()));
      if (typeof value === 'string') return value;
    } catch {
      // A string continued over lines, or one JSON does not accept: the library's reading.
    }
    return s.getJSONValue();
  }

  private load(): { args: Arg[]; flags: Flag[] } {
    if (this.loaded) return this.loaded;
    const raw = (this.node as unknown as RawNode).getRawArguments().map((a) => ({ value: a.getValue(), range: a.getRange() }));
    const flags: Flag[] = [];
    if (FLAGGED.has(this.keyword)) {
      for (const a of raw) {
        if (!a.value.startsWith('--')) break;
        const eq = a.value.indexOf('=');
        flags.push({ name: a.value.slice(2, eq < 0 ? undefined : eq), value: eq < 0 ? null : a.value.slice(eq + 1), range: a.range });
      }
    }
    const jsonNode = this.node as unknown as JsonNode;
    const args = this.json ? jsonNode.getJSONStrings().map((s) => ({ value: this.decode(s), range: s.getRange() })) : raw.slice(flags.length);
    this.loaded = { args, flags };
    return this.loaded;
  }
}

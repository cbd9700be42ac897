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

/** Linux's limit on a path's length. */
const PATH_MAX = 4096;

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
  /** Stage index by alias (the first stage of a name), to resolve `FROM <stage>` without a scan. */
  private readonly aliases = new Map<string, number>();
  /** WORKDIR and SHELL before each instruction (by index) and at each stage's start, computed once. */
  private settings?: { workdir: Map<number, string | undefined>; shell: Map<number, Arg[] | undefined>; start: { workdir: string | undefined; shell: Arg[] | undefined }[] };
  /** Each stage's own ENV assignments, by name, in file order; and values at stages' ends, memoised. */
  private envs?: Map<number, Map<string, { index: number; value: string | null }[]>>;
  private readonly envAtEnd = new Map<string, string | null | undefined>();
  /** The external image each stage ends up on, by stage index. */
  private readonly bases = new Map<number, string | undefined>();

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
    const parent = resolved === undefined ? undefined : this.aliases.get(resolved.toLowerCase());
    ins.stage = this.stages.length;
    if (alias !== undefined && !this.aliases.has(alias)) this.aliases.set(alias, ins.stage);
    this.stages.push({
      index: ins.stage, from: ins, image: image?.value ?? '', resolved, imageRange: image?.range, alias,
      parent, instructions: [],
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

  /** `stage` and the stages it starts FROM, nearest first (a parent is always an earlier stage, so this ends). */
  chain(stage: Stage | undefined): Stage[] {
    const out: Stage[] = [];
    for (let s = stage; s; s = s.parent === undefined || s.parent >= s.index ? undefined : this.stages[s.parent]) out.push(s);
    return out;
  }

  /** The instructions that build the final image: its stage's ancestors' first, in file order. */
  finalInstructions(): Ins[] {
    return this.chain(this.finalStage).reverse().flatMap((s) => s.instructions);
  }

  /** The external image a stage ends up on (following `FROM <stage>`), resolved, or undefined. */
  baseImage(stage: Stage | undefined): string | undefined {
    const walked: number[] = [];
    let base: string | undefined;
    for (let s = stage; s; s = this.stages[s.parent!]) {
      if (this.bases.has(s.index)) {
        base = this.bases.get(s.index);
        break;
      }
      walked.push(s.index);
      if (s.parent === undefined || s.parent >= s.index) {
        base = s.resolved;
        break;
      }
    }
    for (const index of walked) this.bases.set(index, base);
    return base;
  }

  /** The stage's WORKDIR just before `ins` (the base image's is taken as `/`); undefined when a variable hides it. */
  workdirBefore(ins: Ins): string | undefined {
    const s = this.stageSettings();
    return s.workdir.has(ins.index) ? s.workdir.get(ins.index) : (s.start[ins.stage]?.workdir ?? (ins.stage < 0 ? '/' : undefined));
  }

  /** The SHELL in effect at `ins` (set in its stage or the stages it starts FROM); undefined for Docker's default, /bin/sh -c. */
  shellAt(ins: Ins): Arg[] | undefined {
    const s = this.stageSettings();
    return s.shell.has(ins.index) ? s.shell.get(ins.index) : s.start[ins.stage]?.shell;
  }

  /**
   * WORKDIR and SHELL before every instruction, in one pass in file order: a stage starts with what
   * its parent stage (always an earlier one) ends with.
   */
  private stageSettings(): NonNullable<DockerfileModel['settings']> {
    if (this.settings) return this.settings;
    const workdir = new Map<number, string | undefined>();
    const shell = new Map<number, Arg[] | undefined>();
    const start: { workdir: string | undefined; shell: Arg[] | undefined }[] = [];
    const end: { workdir: string | undefined; shell: Arg[] | undefined }[] = [];
    for (const stage of this.stages) {
      const from = stage.parent === undefined ? { workdir: '/', shell: undefined } : end[stage.parent]!;
      start[stage.index] = from;
      let dir = from.workdir;
      let sh = from.shell;
      for (const i of stage.instructions) {
        workdir.set(i.index, dir);
        shell.set(i.index, sh);
        if (i.keyword === 'SHELL') sh = i.args;
        if (i.keyword !== 'WORKDIR') continue;
        const value = i.args.map((a) => a.value).join(' ');
        if (value.includes('$') || (dir === undefined && !value.startsWith('/'))) dir = undefined;
        else dir = posix.resolve(dir ?? '/', value);
        // Past PATH_MAX the build fails anyway; an unknown WORKDIR keeps thousands of nested relative ones from costing quadratic time.
        if (dir !== undefined && dir.length > PATH_MAX) dir = undefined;
      }
      end[stage.index] = { workdir: dir, shell: sh };
    }
    return (this.settings = { workdir, shell, start });
  }

  /** The value of ENV `name` just before `ins` (set in its stage or the stages it starts FROM); undefined when unset. */
  envBefore(ins: Ins, name: string): string | null | undefined {
    const own = this.ownEnv(ins.stage, name);
    let lo = 0;
    let hi = own.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (own[mid]!.index < ins.index) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) return own[lo - 1]!.value;
    return this.envAtStageEnd(this.stages[ins.stage]?.parent, name);
  }

  private ownEnv(stage: number, name: string): { index: number; value: string | null }[] {
    if (!this.envs) {
      this.envs = new Map();
      for (const s of this.stages) {
        const byName = new Map<string, { index: number; value: string | null }[]>();
        this.envs.set(s.index, byName);
        for (const i of s.instructions) {
          if (i.keyword !== 'ENV') continue;
          for (const p of this.props(i)) {
            const list = byName.get(p.name);
            if (list) list.push({ index: i.index, value: p.value });
            else byName.set(p.name, [{ index: i.index, value: p.value }]);
          }
        }
      }
    }
    return this.envs.get(stage)?.get(name) ?? [];
  }

  /** ENV `name` at the end of `stage` and its ancestors, walked once per stage and name. */
  private envAtStageEnd(stage: number | undefined, name: string): string | null | undefined {
    const walked: string[] = [];
    let value: string | null | undefined;
    for (let s = stage; s !== undefined; s = this.stages[s]?.parent) {
      const key = `${s}\u0000${name}`;
      if (this.envAtEnd.has(key)) {
        value = this.envAtEnd.get(key);
        break;
      }
      walked.push(key);
      const own = this.ownEnv(s, name);
      if (own.length > 0) {
        value = own[own.length - 1]!.value;
        break;
      }
    }
    for (const key of walked) this.envAtEnd.set(key, value);
    return value;
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

/**
 * The symbolic half of the pickle walk: a stack and a memo of stand-in values, kept just precisely
 * enough to name the module and attribute behind every GLOBAL, INST and STACK_GLOBAL (including
 * strings fetched back from the memo) and to recognise joblib's inline arrays. It executes nothing.
 *
 * Invariants: memory is bounded whatever the input. Every value carries a weight (an
 * over-estimate of the memory it keeps alive, shared parts counted again); the stack and the memo
 * each have a weight budget and an entry cap, a single value heavier than VALUE_CAP becomes an
 * opaque stand-in, dicts track only joblib's array-wrapper keys and are never memoised, and
 * joblib's nested pickles nest at most MAX_NESTING deep. Hitting a limit degrades precision
 * (later values are opaque, so a global built from them counts as dynamic) and is reported in
 * `limits`; it never throws.
 */
import { joblibPayload } from './joblibArrays';
import { Memo } from './memo';
import type { Value } from './pickleValue';
import type { Opcode } from './opcodes';

export { dtypeItemSize } from './joblibArrays';
export type { Value } from './pickleValue';

/** A global the pickle would import, with the byte offset of the opcode that names it. */
export interface PickleGlobal {
  module: string;
  name: string;
  /** Offset of the opcode in the walked stream. */
  offset: number;
  /** The opcode that referenced it: GLOBAL, INST, STACK_GLOBAL; or EXT1/2/4 for the copyreg registry. */
  opcode: string;
  /** STACK_GLOBAL operands that were not plain strings (built at load time); `?` stands for the unknown part. */
  dynamic?: boolean;
  /** An operand is the result of a call (REDUCE/NEWOBJ): the pickle computes what it imports, as no pickler does. */
  computed?: boolean;
}

/** An opcode's argument; the walker may reuse one object per kind, so apply() must not keep it. */
export type Arg = { kind: 'none' } | { kind: 'int'; v: number | bigint } | { kind: 'str'; v: string } | { kind: 'pair'; a: string; b: string };

/** What the walker must do after an opcode, beyond carrying on. */
export type Directive =
  | { kind: 'continue' }
  /** STOP of an outermost pickle. */
  | { kind: 'stop' }
  | { kind: 'error'; message: string; limit?: boolean }
  /** joblib wrote `bytes` of raw array data next, preceded by a padding-length byte and that much padding when `padded`. */
  | { kind: 'skip'; bytes: number; padded: boolean };

export const MARK: Value = { t: 'mark', w: 0 };
export const OTHER: Value = { t: 'other', w: 0 };
const CONTINUE: Directive = { kind: 'continue' };
const STOP: Directive = { kind: 'stop' };

const MAX_STACK = 100_000;
const STACK_BUDGET = 32 * 1024 * 1024;
const MAX_MEMO = 1_000_000;
const MEMO_BUDGET = 64 * 1024 * 1024;
const VALUE_CAP = 64 * 1024;
const MAX_TRACKED_ITEMS = 64;
const MAX_NESTING = 32;
/** The limits' descriptions, built once: a flood hits a limit once per opcode. */
const STACK_ENTRIES = `the symbolic stack passed ${MAX_STACK} entries`;
const STACK_WEIGHT = `the symbolic stack passed its ${STACK_BUDGET >> 20} MiB budget`;
const MEMO_ENTRIES = `the memo passed ${MAX_MEMO} entries`;
const MEMO_WEIGHT = `the memo passed its ${MEMO_BUDGET >> 20} MiB budget`;
/** Per-object overhead counted in a weight. */
const OBJ = 48;
/** The state keys of joblib's NumpyArrayWrapper (joblib/numpy_pickle.py); other dict keys are not kept. */
const TRACKED_KEYS = new Set(['shape', 'dtype', 'order', 'allow_mmap', 'numpy_array_alignment_bytes', 'subclass']);
/** 0x1950a86a20f9469cfc6c: torch.serialization.MAGIC_NUMBER, the first thing a legacy torch.save writes. */
const TORCH_MAGIC = 0x1950a86a20f9469cfc6cn;

const weight = (v: Value): number => v.w;

interface Level {
  stack: Value[];
  memo: Memo;
  stackWeight: number;
  memoWeight: number;
}

export class PickleMachine {
  private stack: Value[] = [];
  private memo = new Memo();
  private stackWeight = 0;
  private memoWeight = 0;
  /** Outer pickles suspended while a joblib object array's nested pickle runs. */
  private readonly outer: Level[] = [];
  /** Stack and memo entries held by the suspended outer pickles, which count against the caps. */
  private suspendedStack = 0;
  private suspendedMemo = 0;
  private firstPush = true;
  /** The first value pushed was PyTorch's legacy-format magic number. */
  torchLegacyMagic = false;
  dynamicGlobals = 0;
  joblibArrays = 0;
  /** A value was dropped for good (stack entry cap): later stack contents are not what Python would have. */
  desynced = false;
  /** Which limits were hit, each once, with the offset where it first happened. */
  readonly limits: string[] = [];
  private readonly limitsHit = new Set<string>();

  /** Set by the BUILD that began joblib's first inline array or nested pickle. */
  joblibStarted = false;
  /** The last opcode began a joblib nested pickle. */
  private nestedJustBegan = false;

  constructor(
    private readonly onGlobal: (g: PickleGlobal) => void,
    private readonly strictNames = true,
    /** Step over joblib's inline arrays as joblib.load does; off, the bytes are read as opcodes, as pickle.load does. */
    private readonly joblib = true,
  ) {}

  /**
   * A copy of the symbolic state for a second reading of the rest of the stream (values are
   * shared: they are immutable but for the few dict keys joblib's wrapper state tracks).
   */
  clone(onGlobal: (g: PickleGlobal) => void, joblib: boolean): PickleMachine {
    const copy = new PickleMachine(onGlobal, this.strictNames, joblib);
    // Right after a nested pickle began, the reading to copy is the suspended outer one.
    const from: Level = this.nestedJustBegan
      ? this.outer[this.outer.length - 1]!
      : { stack: this.stack, memo: this.memo, stackWeight: this.stackWeight, memoWeight: this.memoWeight };
    copy.stack = [...from.stack];
    copy.memo = from.memo.copy();
    copy.stackWeight = from.stackWeight;
    copy.memoWeight = from.memoWeight;
    copy.firstPush = this.firstPush;
    copy.torchLegacyMagic = this.torchLegacyMagic;
    return copy;
  }

  /** Forgets everything but the counters: a concatenated pickle starts afresh. */
  reset(): void {
    this.stack = [];
    this.memo = new Memo();
    this.stackWeight = 0;
    this.memoWeight = 0;
    this.firstPush = false;
  }

  private limit(what: string, offset: number): void {
    if (this.limitsHit.has(what)) return;
    this.limitsHit.add(what);
    this.limits.push(`${what} (first at offset ${offset})`);
  }

  private pop(): Value {
    const v = this.stack.pop();
    if (!v) return OTHER;
    this.stackWeight -= weight(v);
    return v;
  }

  private popMark(): Value[] {
    const i = this.stack.lastIndexOf(MARK);
    const items = i < 0 ? this.stack : this.stack.slice(i + 1);
    if (i < 0) this.stack = [];
    else this.stack.length = i;
    for (const v of items) this.stackWeight -= weight(v);
    return items;
  }

  /** NONE, NEWTRUE, NEWFALSE, EMPTY_LIST, EMPTY_SET, BINFLOAT: a value nothing needs to look into. */
  pushOpaque(offset: number): void {
    this.push(OTHER, offset);
  }

  /** MARK. */
  mark(offset: number): void {
    if (this.stack.length + this.suspendedStack < MAX_STACK) this.stack.push(MARK);
    else {
      this.desynced = true;
      this.limit(STACK_ENTRIES, offset);
    }
  }

  /** POP, APPEND. */
  dropOne(): void {
    this.pop();
  }

  /** popMark() without building the list of items: APPENDS, ADDITEMS. */
  dropToMark(): void {
    const stack = this.stack;
    const i = stack.lastIndexOf(MARK);
    for (let k = stack.length - 1; k > i; k--) this.stackWeight -= stack[k]!.w;
    if (i < 0) this.stack = [];
    else stack.length = i;
  }

  private push(v: Value, offset: number): void {
    if (this.firstPush && v.t === 'int' && v.v === TORCH_MAGIC) this.torchLegacyMagic = true;
    if (v !== MARK) this.firstPush = false;
    if (this.stack.length + this.suspendedStack >= MAX_STACK) {
      // Dropping a value shifts every later pop: from here on, what STACK_GLOBAL pops cannot be trusted.
      this.desynced = true;
      return this.limit(STACK_ENTRIES, offset);
    }
    let w = weight(v);
    if (w > VALUE_CAP || this.stackWeight + w > STACK_BUDGET) {
      this.limit(STACK_WEIGHT, offset);
      v = OTHER;
      w = 0;
    }
    this.stack.push(v);
    this.stackWeight += w;
  }

  private top(): Value | undefined {
    return this.stack[this.stack.length - 1];
  }

  private memoize(key: number, offset: number): void {
    let v = this.top() ?? OTHER;
    // Dicts grow after they are stored, so they are never kept in the memo; nothing needs them back.
    if (v.t === 'dict') v = OTHER;
    const w = weight(v) + OBJ;
    const old = this.memo.get(key);
    if (old !== undefined) {
      // Forget the old value even if the new one cannot be kept: a GET must never see a stale one.
      this.memo.delete(key);
      this.memoWeight -= weight(old) + OBJ;
    }
    if (this.memo.size + this.suspendedMemo >= MAX_MEMO) return this.limit(MEMO_ENTRIES, offset);
    if (this.memoWeight + w > MEMO_BUDGET) return this.limit(MEMO_WEIGHT, offset);
    this.memo.set(key, v);
    this.memoWeight += w;
  }

  private addGlobal(module: string, name: string, offset: number, opcode: string, dynamic = false, computed = false): void {
    if (!dynamic) return this.onGlobal({ module, name, offset, opcode });
    this.dynamicGlobals++;
    this.onGlobal(computed ? { module, name, offset, opcode, dynamic, computed } : { module, name, offset, opcode, dynamic });
  }

  /** Applies one opcode (its argument already read) at `offset`. */
  apply(op: Opcode, arg: Arg, offset: number): Directive {
    this.nestedJustBegan = false;
    switch (op.effect) {
      case 'mark':
        this.mark(offset);
        return CONTINUE;
      case 'stop':
        return this.stop();
      case 'pop':
        this.pop();
        return CONTINUE;
      case 'popMark':
        this.popMark();
        return CONTINUE;
      case 'dup':
        this.push(this.top() ?? OTHER, offset);
        return CONTINUE;
      case 'pushOther':
        this.push(op.name === 'EMPTY_TUPLE' ? { t: 'tuple', items: [], w: OBJ } : op.name === 'EMPTY_DICT' ? { t: 'dict', entries: new Map(), w: OBJ } : OTHER, offset);
        return CONTINUE;
      case 'pushInt':
        this.push({ t: 'int', v: intOf(arg), w: 32 }, offset);
        return CONTINUE;
      case 'pushString':
        this.push(arg.kind === 'str' ? str(arg.v) : OTHER, offset);
        return CONTINUE;
      case 'pushQuotedString':
        this.push(arg.kind === 'str' ? str(unquote(arg.v)) : OTHER, offset);
        return CONTINUE;
      case 'pushBytes':
        this.push(OTHER, offset);
        return CONTINUE;
      case 'global':
      case 'inst':
        return this.global(op, arg, offset);
      case 'stackGlobal': {
        const name = this.pop();
        const module = this.pop();
        const m = module.t === 'str' ? module.v : '?';
        const n = name.t === 'str' ? name.v : '?';
        this.addGlobal(m, n, offset, op.name, module.t !== 'str' || name.t !== 'str', module.t === 'obj' || name.t === 'obj');
        this.push({ t: 'global', v: `${m}.${n}`, w: OBJ + m.length + n.length }, offset);
        return CONTINUE;
      }
      case 'get':
        this.push(this.memo.get(memoKey(arg)) ?? OTHER, offset);
        return CONTINUE;
      case 'put':
        this.memoize(memoKey(arg), offset);
        return CONTINUE;
      case 'memoize':
        this.memoize(this.memo.size, offset);
        return CONTINUE;
      case 'proto':
      case 'frame':
      case 'readonlyBuffer':
        return CONTINUE;
      case 'ext':
        this.addGlobal('copyreg', `extension#${arg.kind === 'int' ? arg.v : '?'}`, offset, op.name);
        this.push(OTHER, offset);
        return CONTINUE;
      case 'reduce':
      case 'newobj': {
        const args = this.pop();
        const callable = this.pop();
        this.push(callable.t === 'global' ? { t: 'obj', cls: callable.v, args, w: OBJ + weight(args) } : OTHER, offset);
        return CONTINUE;
      }
      case 'newobjEx':
        this.pop();
        this.pop();
        this.pop();
        this.push(OTHER, offset);
        return CONTINUE;
      case 'build':
        return this.build(offset);
      case 'append':
        this.pop();
        return CONTINUE;
      case 'setitem': {
        const value = this.pop();
        const key = this.pop();
        this.setItems([key, value]);
        return CONTINUE;
      }
      case 'obj':
        this.popMark();
        this.push(OTHER, offset);
        return CONTINUE;
      case 'persid':
        this.push(OTHER, offset);
        return CONTINUE;
      case 'binpersid':
        this.pop();
        this.push(OTHER, offset);
        return CONTINUE;
      case 'popMarkPush': {
        const items = this.popMark();
        if (op.name === 'TUPLE') this.push(tuple(items), offset);
        else if (op.name === 'DICT') {
          const dict: Value = { t: 'dict', entries: new Map(), w: OBJ };
          this.push(dict, offset);
          this.setItems(items);
        } else this.push(OTHER, offset);
        return CONTINUE;
      }
      case 'popMarkOnly':
        // APPENDS and ADDITEMS drop their items; SETITEMS keeps them only for a dict being tracked.
        if (op.name === 'SETITEMS' && this.stack[this.stack.lastIndexOf(MARK) - 1]?.t === 'dict') this.setItems(this.popMark());
        else this.dropToMark();
        return CONTINUE;
      case 'tuple1':
      case 'tuple2':
      case 'tuple3': {
        const n = op.effect === 'tuple1' ? 1 : op.effect === 'tuple2' ? 2 : 3;
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.unshift(this.pop());
        this.push(tuple(items), offset);
        return CONTINUE;
      }
    }
  }

  private stop(): Directive {
    const saved = this.outer.pop();
    if (saved) {
      ({ stack: this.stack, memo: this.memo, stackWeight: this.stackWeight, memoWeight: this.memoWeight } = saved);
      this.suspendedStack -= this.stack.length;
      this.suspendedMemo -= this.memo.size;
      return CONTINUE;
    }
    this.reset();
    return STOP;
  }

  private global(op: Opcode, arg: Arg, offset: number): Directive {
    if (arg.kind !== 'pair' || !isDottedName(arg.a) || !isDottedName(arg.b)) {
      // Python would try (and fail) to import it; a scan wants to see what was asked for.
      if (!this.strictNames && arg.kind === 'pair') this.addGlobal(arg.a, arg.b, offset, op.name);
      return { kind: 'error', message: `${op.name} at offset ${offset} does not name a module and attribute` };
    }
    this.addGlobal(arg.a, arg.b, offset, op.name);
    if (op.effect === 'inst') this.popMark();
    this.push({ t: 'global', v: `${arg.a}.${arg.b}`, w: OBJ + arg.a.length + arg.b.length }, offset);
    return CONTINUE;
  }

  /** Adds key/value pairs to the dict on top of the stack, keeping only joblib's wrapper keys. */
  private setItems(items: Value[]): void {
    const target = this.top();
    if (target?.t !== 'dict') return;
    for (let i = 0; i + 1 < items.length; i += 2) {
      const key = items[i]!;
      if (key.t !== 'str' || !TRACKED_KEYS.has(key.v)) continue;
      const value = items[i + 1]!;
      const w = Math.min(weight(value), VALUE_CAP);
      const old = target.entries.get(key.v);
      target.entries.set(key.v, w === weight(value) ? value : OTHER);
      const delta = w - (old ? Math.min(weight(old), VALUE_CAP) : 0);
      target.w += delta;
      this.stackWeight += delta;
    }
  }

  private build(offset: number): Directive {
    const state = this.pop();
    const target = this.top();
    if (!this.joblib || target?.t !== 'obj' || !target.cls.endsWith('NumpyArrayWrapper') || state.t !== 'dict') return CONTINUE;
    const payload = joblibPayload(state);
    if (payload === undefined) return CONTINUE;
    this.joblibStarted = true;
    if (payload === 'nested') {
      if (this.outer.length >= MAX_NESTING) return { kind: 'error', message: `joblib object arrays nested more than ${MAX_NESTING} deep at offset ${offset}`, limit: true };
      // The nested pickle shares the budgets: its weights start where the outer pickle's stand.
      this.outer.push({ stack: this.stack, memo: this.memo, stackWeight: this.stackWeight, memoWeight: this.memoWeight });
      this.suspendedStack += this.stack.length;
      this.suspendedMemo += this.memo.size;
      this.stack = [];
      this.memo = new Memo();
      this.nestedJustBegan = true;
      return CONTINUE;
    }
    this.joblibArrays++;
    return { kind: 'skip', bytes: payload.bytes, padded: payload.padded };
  }
}

function str(v: string): Value {
  return { t: 'str', v, w: OBJ + v.length };
}

function tuple(items: Value[]): Value {
  const kept = items.length > MAX_TRACKED_ITEMS ? items.slice(0, MAX_TRACKED_ITEMS) : items;
  let w = OBJ + 8 * kept.length;
  for (const v of kept) w += weight(v);
  return w > VALUE_CAP ? OTHER : { t: 'tuple', items: kept, w };
}

function intOf(arg: Arg): bigint {
  if (arg.kind === 'int') return typeof arg.v === 'bigint' ? arg.v : BigInt(arg.v);
  if (arg.kind !== 'str') return 0n;
  const text = arg.v.replace(/L$/, '');
  return /^-?\d{1,40}$/.test(text) ? BigInt(text) : 0n;
}

function memoKey(arg: Arg): number {
  return arg.kind === 'int' ? Number(arg.v) : arg.kind === 'str' ? Number.parseInt(arg.v, 10) : -1;
}

/** Strips the quotes a protocol-0 STRING argument carries (`'abc'` or `"abc"`). */
function unquote(text: string): string {
  const q = text[0];
  return (q === "'" || q === '"') && text.endsWith(q) && text.length >= 2 ? text.slice(1, -1) : text;
}

/** True for a protocol-0 GLOBAL/INST line pair made of identifier-like characters. */
function isDottedName(s: string): boolean {
  return s.length > 0 && s.length < 512 && /^[A-Za-z_][\w.]*$/.test(s);
}

/**
 * A static walk over pickle opcodes: it follows a symbolic stack and the memo closely enough to
 * resolve the module and name behind every GLOBAL, INST and STACK_GLOBAL (including strings
 * fetched back from the memo), and it executes nothing. Input may be a prefix of the file; the
 * walk then ends with `truncated` instead of failing.
 *
 * Invariants: never throws on any input; work is linear in the bytes given; the symbolic stack
 * and memo are capped, so hostile input cannot make it allocate without bound.
 */
import { OPCODES, HIGHEST_PROTOCOL, type ArgKind } from './opcodes';

/** A global the pickle would import, with the byte offset of the opcode that names it. */
export interface PickleGlobal {
  module: string;
  name: string;
  offset: number;
  /** The opcode that referenced it: GLOBAL, INST, STACK_GLOBAL; or EXT for the copyreg registry. */
  opcode: string;
}

export interface PickleWalk {
  /** The protocol declared by the first PROTO opcode, or 0-1 inferred from the opcodes used. */
  protocol: number;
  globals: PickleGlobal[];
  /** Number of complete pickles (STOP reached) in the stream. */
  pickles: number;
  /** Opcodes walked. */
  opcodes: number;
  /** The bytes ran out before the last pickle's STOP. */
  truncated: boolean;
  /** Set when the stream is not a pickle from `errorOffset` on (an unknown opcode, a bad argument). */
  error?: string;
  errorOffset?: number;
  /** Offset just after the last STOP, where trailing non-pickle data (if any) begins. */
  end: number;
  /** STACK_GLOBAL or INST operands that were not plain strings (built at load time: always suspicious). */
  dynamicGlobals: number;
  /** The first value pushed was an integer equal to PyTorch's legacy-format magic number. */
  torchLegacyMagic: boolean;
  /** Raw array payloads joblib wrote between opcodes, which the walk stepped over. */
  joblibArrays: number;
  /** Where the walk needs bytes from next when `truncated` (past a skipped payload, it can be beyond the input). */
  resumeOffset: number;
}

type Value =
  | { t: 'mark' }
  | { t: 'str'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'global'; v: string }
  | { t: 'tuple'; items: Value[] }
  | { t: 'dict'; entries: Map<string, Value> }
  /** An object built by REDUCE/NEWOBJ from a known global: enough to recognise joblib's array wrapper and numpy dtypes. */
  | { t: 'obj'; cls: string; args: Value }
  | { t: 'other' };

const MARK: Value = { t: 'mark' };
const OTHER: Value = { t: 'other' };
const MAX_STACK = 100_000;
const MAX_MEMO = 1_000_000;
const MAX_STRING = 4096;
const MAX_TRACKED_ITEMS = 64;
/** 0x1950a86a20f9469cfc6c: torch.serialization.MAGIC_NUMBER, the first thing a legacy torch.save writes. */
const TORCH_MAGIC = 0x1950a86a20f9469cfc6cn;

export interface WalkOptions {
  /** Keep walking past STOP into a following pickle (torch legacy files and joblib stack several). */
  concatenated?: boolean;
  /** Stop after this many globals (detection needs a few; the safety scan wants all). */
  maxGlobals?: number;
}

class Cursor {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  has(n: number): boolean {
    return this.pos + n <= this.bytes.length;
  }
  view(): DataView {
    return new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }
  /** Reads a newline-terminated line (without the newline), or undefined if none fits. */
  line(): string | undefined {
    const nl = this.bytes.indexOf(0x0a, this.pos);
    if (nl < 0) return undefined;
    const text = latin1(this.bytes.subarray(this.pos, Math.min(nl, this.pos + MAX_STRING)));
    this.pos = nl + 1;
    return text;
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, MAX_STRING));
}

/** Decodes a little-endian two's-complement integer (LONG1/LONG4 payloads). */
function decodeLong(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return n;
}

type Arg = { kind: 'none' } | { kind: 'int'; v: bigint } | { kind: 'str'; v: string } | { kind: 'pair'; a: string; b: string } | { kind: 'skip' };

/** Reads an opcode's argument; 'short' when the bytes end first, 'bad' when the argument is malformed. */
function readArg(c: Cursor, kind: ArgKind): Arg | 'short' | 'bad' {
  const dv = c.view();
  const sized = (lenBytes: number, decode: 'str' | 'latin1' | 'skip' | 'long'): Arg | 'short' | 'bad' => {
    if (!c.has(lenBytes)) return 'short';
    let len: number;
    if (lenBytes === 1) len = dv.getUint8(c.pos);
    else if (lenBytes === 4) len = kind === 'string4' || kind === 'long4' ? dv.getInt32(c.pos, true) : dv.getUint32(c.pos, true);
    else {
      const big = dv.getBigUint64(c.pos, true);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return 'bad';
      len = Number(big);
    }
    if (len < 0) return 'bad';
    if (!c.has(lenBytes + len)) {
      // The payload runs past what we were given: skip-only arguments are fine, the rest is a prefix.
      return 'short';
    }
    const start = c.pos + lenBytes;
    c.pos = start + len;
    const payload = c.bytes.subarray(start, start + len);
    if (decode === 'skip') return { kind: 'skip' };
    if (decode === 'long') return { kind: 'int', v: len <= 64 ? decodeLong(payload) : 0n };
    return { kind: 'str', v: decode === 'str' ? utf8(payload) : latin1(payload.subarray(0, MAX_STRING)) };
  };
  switch (kind) {
    case 'none':
      return { kind: 'none' };
    case 'uint1':
      if (!c.has(1)) return 'short';
      return { kind: 'int', v: BigInt(c.bytes[c.pos++]!) };
    case 'uint2': {
      if (!c.has(2)) return 'short';
      const v = dv.getUint16(c.pos, true);
      c.pos += 2;
      return { kind: 'int', v: BigInt(v) };
    }
    case 'int4': {
      if (!c.has(4)) return 'short';
      const v = dv.getInt32(c.pos, true);
      c.pos += 4;
      return { kind: 'int', v: BigInt(v) };
    }
    case 'uint4': {
      if (!c.has(4)) return 'short';
      const v = dv.getUint32(c.pos, true);
      c.pos += 4;
      return { kind: 'int', v: BigInt(v) };
    }
    case 'uint8': {
      if (!c.has(8)) return 'short';
      const v = dv.getBigUint64(c.pos, true);
      c.pos += 8;
      return { kind: 'int', v };
    }
    case 'float8':
      if (!c.has(8)) return 'short';
      c.pos += 8;
      return { kind: 'none' };
    case 'long1':
      return sized(1, 'long');
    case 'long4':
      return sized(4, 'long');
    case 'string1':
      return sized(1, 'latin1');
    case 'string4':
      return sized(4, 'latin1');
    case 'bytes1':
      return sized(1, 'skip');
    case 'bytes4':
      return sized(4, 'skip');
    case 'bytes8':
      return sized(8, 'skip');
    case 'unicode1':
      return sized(1, 'str');
    case 'unicode4':
      return sized(4, 'str');
    case 'unicode8':
      return sized(8, 'str');
    case 'line': {
      const line = c.line();
      return line === undefined ? 'short' : { kind: 'str', v: line };
    }
    case 'linePair': {
      const a = c.line();
      if (a === undefined) return 'short';
      const b = c.line();
      if (b === undefined) return 'short';
      return { kind: 'pair', a, b };
    }
  }
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

/** Walks the opcodes in `bytes` (a whole pickle, or a prefix of one). */
export function walkPickle(bytes: Uint8Array, options: WalkOptions = {}): PickleWalk {
  const c = new Cursor(bytes);
  const out: PickleWalk = {
    protocol: -1, globals: [], pickles: 0, opcodes: 0, truncated: false, end: 0, dynamicGlobals: 0, torchLegacyMagic: false,
    joblibArrays: 0, resumeOffset: 0,
  };
  // joblib writes an object-dtype array as a whole nested pickle inside the outer one.
  const outer: { stack: Value[]; memo: Map<number, Value> }[] = [];
  const maxGlobals = options.maxGlobals ?? Infinity;
  let stack: Value[] = [];
  let memo = new Map<number, Value>();
  let maxProtoSeen = 0;
  let firstPush = true;

  const pop = (): Value => stack.pop() ?? OTHER;
  const popMark = (): Value[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) {
      const all = stack;
      stack = [];
      return all;
    }
    const items = stack.slice(i + 1);
    stack.length = i;
    return items;
  };
  const push = (v: Value): void => {
    if (firstPush && v.t === 'int' && v.v === TORCH_MAGIC) out.torchLegacyMagic = true;
    if (v !== MARK) firstPush = false;
    if (stack.length < MAX_STACK) stack.push(v);
  };
  const addGlobal = (module: string, name: string, offset: number, opcode: string): void => {
    out.globals.push({ module, name, offset, opcode });
  };

  while (c.pos < bytes.length) {
    const offset = c.pos;
    const op = OPCODES[bytes[c.pos]!];
    if (!op) {
      out.error = `byte 0x${bytes[c.pos]!.toString(16).padStart(2, '0')} is not a pickle opcode`;
      out.errorOffset = offset;
      break;
    }
    c.pos++;
    const arg = readArg(c, op.arg);
    if (arg === 'short') {
      out.truncated = true;
      c.pos = offset;
      out.resumeOffset = offset;
      break;
    }
    if (arg === 'bad') {
      out.error = `${op.name} at offset ${offset} has a malformed argument`;
      out.errorOffset = offset;
      break;
    }
    out.opcodes++;
    maxProtoSeen = Math.max(maxProtoSeen, op.proto);
    switch (op.effect) {
      case 'mark':
        stack.push(MARK);
        break;
      case 'stop':
        if (outer.length > 0) {
          const saved = outer.pop()!;
          stack = saved.stack;
          memo = saved.memo;
          break;
        }
        out.pickles++;
        out.end = c.pos;
        if (out.protocol < 0) out.protocol = Math.min(maxProtoSeen, 1);
        stack = [];
        memo = new Map();
        firstPush = false;
        if (!options.concatenated) return out;
        // Another pickle follows only if the next byte starts one; anything else is trailing data.
        if (c.pos < bytes.length && !OPCODES[bytes[c.pos]!]) return out;
        break;
      case 'pop':
        pop();
        break;
      case 'popMark':
        popMark();
        break;
      case 'dup':
        push(stack[stack.length - 1] ?? OTHER);
        break;
      case 'pushOther':
        push(op.name === 'EMPTY_TUPLE' ? { t: 'tuple', items: [] } : op.name === 'EMPTY_DICT' ? { t: 'dict', entries: new Map() } : OTHER);
        break;
      case 'pushInt': {
        let v = 0n;
        if (arg.kind === 'int') v = arg.v;
        else if (arg.kind === 'str') {
          const text = arg.v.replace(/L$/, '');
          v = /^-?\d{1,40}$/.test(text) ? BigInt(text) : 0n;
        }
        push({ t: 'int', v });
        break;
      }
      case 'pushString':
        push(arg.kind === 'str' ? { t: 'str', v: arg.v } : OTHER);
        break;
      case 'pushQuotedString':
        push(arg.kind === 'str' ? { t: 'str', v: unquote(arg.v) } : OTHER);
        break;
      case 'pushBytes':
        push(OTHER);
        break;
      case 'global':
      case 'inst': {
        if (arg.kind !== 'pair' || !isDottedName(arg.a) || !isDottedName(arg.b)) {
          out.error = `${op.name} at offset ${offset} does not name a module and attribute`;
          out.errorOffset = offset;
          return finish(out, c, maxProtoSeen);
        }
        addGlobal(arg.a, arg.b, offset, op.name);
        if (op.effect === 'inst') popMark();
        push({ t: 'global', v: `${arg.a}.${arg.b}` });
        break;
      }
      case 'stackGlobal': {
        const name = pop();
        const module = pop();
        if (module.t === 'str' && name.t === 'str') addGlobal(module.v, name.v, offset, op.name);
        else {
          out.dynamicGlobals++;
          addGlobal(module.t === 'str' ? module.v : '?', name.t === 'str' ? name.v : '?', offset, op.name);
        }
        push({ t: 'global', v: `${module.t === 'str' ? module.v : '?'}.${name.t === 'str' ? name.v : '?'}` });
        break;
      }
      case 'get': {
        const key = arg.kind === 'int' ? Number(arg.v) : arg.kind === 'str' ? Number.parseInt(arg.v, 10) : -1;
        push(memo.get(key) ?? OTHER);
        break;
      }
      case 'put': {
        const key = arg.kind === 'int' ? Number(arg.v) : arg.kind === 'str' ? Number.parseInt(arg.v, 10) : -1;
        if (memo.size < MAX_MEMO) memo.set(key, stack[stack.length - 1] ?? OTHER);
        break;
      }
      case 'memoize':
        if (memo.size < MAX_MEMO) memo.set(memo.size, stack[stack.length - 1] ?? OTHER);
        break;
      case 'proto': {
        const v = arg.kind === 'int' ? Number(arg.v) : -1;
        if (v < 0 || v > HIGHEST_PROTOCOL) {
          out.error = `unsupported pickle protocol ${v}`;
          out.errorOffset = offset;
          return finish(out, c, maxProtoSeen);
        }
        if (out.protocol < 0) out.protocol = v;
        break;
      }
      case 'frame':
        break;
      case 'ext':
        addGlobal('copyreg', `extension#${arg.kind === 'int' ? arg.v : '?'}`, offset, op.name);
        push(OTHER);
        break;
      case 'reduce':
      case 'newobj': {
        const args = pop();
        const callable = pop();
        push(callable.t === 'global' ? { t: 'obj', cls: callable.v, args } : OTHER);
        break;
      }
      case 'newobjEx':
        pop();
        pop();
        pop();
        push(OTHER);
        break;
      case 'build': {
        const state = pop();
        const target = stack[stack.length - 1];
        if (target?.t === 'obj' && target.cls.endsWith('NumpyArrayWrapper') && state.t === 'dict') {
          const payload = joblibPayload(state, bytes, c.pos);
          if (payload === 'nested') {
            outer.push({ stack, memo });
            stack = [];
            memo = new Map();
          } else if (payload !== undefined) {
            out.joblibArrays++;
            c.pos = payload;
            if (c.pos > bytes.length) {
              out.truncated = true;
              out.resumeOffset = c.pos;
              return finish(out, c, maxProtoSeen);
            }
          }
        }
        break;
      }
      case 'append':
        pop();
        break;
      case 'setitem': {
        const value = pop();
        const key = pop();
        const target = stack[stack.length - 1];
        if (target?.t === 'dict' && key.t === 'str' && target.entries.size < MAX_TRACKED_ITEMS) target.entries.set(key.v, value);
        break;
      }
      case 'obj':
        popMark();
        push(OTHER);
        break;
      case 'persid':
        push(OTHER);
        break;
      case 'binpersid':
        pop();
        push(OTHER);
        break;
      case 'popMarkPush': {
        const items = popMark();
        if (op.name === 'TUPLE') push({ t: 'tuple', items: items.slice(0, MAX_TRACKED_ITEMS) });
        else if (op.name === 'DICT') push({ t: 'dict', entries: pairs(items) });
        else push(OTHER);
        break;
      }
      case 'popMarkOnly': {
        const items = popMark();
        const target = stack[stack.length - 1];
        if (op.name === 'SETITEMS' && target?.t === 'dict') for (const [k, v] of pairs(items)) if (target.entries.size < MAX_TRACKED_ITEMS) target.entries.set(k, v);
        break;
      }
      case 'tuple1':
      case 'tuple2':
      case 'tuple3': {
        const n = op.effect === 'tuple1' ? 1 : op.effect === 'tuple2' ? 2 : 3;
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        push({ t: 'tuple', items });
        break;
      }
      case 'readonlyBuffer':
        break;
    }
    if (out.globals.length >= maxGlobals) break;
  }
  // Running out of bytes inside a pickle (not between two) means we were given a prefix.
  if (!out.error && c.pos >= bytes.length && c.pos > out.end) {
    out.truncated = true;
    out.resumeOffset ||= c.pos;
  }
  return finish(out, c, maxProtoSeen);
}

function finish(out: PickleWalk, _c: Cursor, maxProtoSeen: number): PickleWalk {
  if (out.protocol < 0) out.protocol = Math.min(maxProtoSeen, 1);
  return out;
}

function pairs(items: Value[]): Map<string, Value> {
  const map = new Map<string, Value>();
  for (let i = 0; i + 1 < items.length && map.size < MAX_TRACKED_ITEMS; i += 2) {
    const key = items[i]!;
    if (key.t === 'str') map.set(key.v, items[i + 1]!);
  }
  return map;
}

/** Bytes per item of a numpy dtype string such as `f8`, `<i4`, `|b1`, `U10`, `c16`; undefined if unknown. */
export function dtypeItemSize(descr: string): number | undefined {
  const m = /^[<>|=]?([biufcmMOSUV])(\d*)$/.exec(descr);
  if (!m) return undefined;
  const [, kind, digits] = m;
  if (kind === 'O') return undefined;
  const n = digits ? Number(digits) : kind === 'b' ? 1 : NaN;
  if (!Number.isFinite(n)) return undefined;
  return kind === 'U' ? 4 * n : n;
}

/**
 * Where the raw bytes joblib wrote after a NumpyArrayWrapper end (joblib/numpy_pickle.py,
 * `write_array`: an optional padding-length byte and that much padding, then the array's bytes),
 * 'nested' for an object array (pickled whole, inline), or undefined when the state is unreadable.
 */
function joblibPayload(state: { entries: Map<string, Value> }, bytes: Uint8Array, pos: number): number | 'nested' | undefined {
  const shape = state.entries.get('shape');
  const dtype = state.entries.get('dtype');
  if (shape?.t !== 'tuple' || dtype?.t !== 'obj') return undefined;
  const descr = dtype.args.t === 'tuple' ? dtype.args.items[0] : undefined;
  if (descr?.t !== 'str') return undefined;
  if (/^[<>|=]?O\d*$/.test(descr.v)) return 'nested';
  const itemSize = dtypeItemSize(descr.v);
  if (itemSize === undefined) return undefined;
  let count = 1;
  for (const dim of shape.items) {
    if (dim.t !== 'int' || dim.v < 0n) return undefined;
    count *= Number(dim.v);
  }
  let start = pos;
  const alignment = state.entries.get('numpy_array_alignment_bytes');
  if (alignment?.t === 'int') {
    if (pos >= bytes.length) return pos + 1 + count * itemSize;
    start = pos + 1 + bytes[pos]!;
  }
  const end = start + count * itemSize;
  return Number.isSafeInteger(end) ? end : undefined;
}

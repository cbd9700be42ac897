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
}

type Value =
  | { t: 'mark' }
  | { t: 'str'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'global'; v: string }
  | { t: 'other' };

const MARK: Value = { t: 'mark' };
const OTHER: Value = { t: 'other' };
const MAX_STACK = 100_000;
const MAX_MEMO = 1_000_000;
const MAX_STRING = 4096;
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
  };
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
        push(OTHER);
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
      case 'newobj':
        pop();
        pop();
        push(OTHER);
        break;
      case 'newobjEx':
        pop();
        pop();
        pop();
        push(OTHER);
        break;
      case 'build':
      case 'append':
        pop();
        break;
      case 'setitem':
        pop();
        pop();
        break;
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
      case 'popMarkPush':
        popMark();
        push(OTHER);
        break;
      case 'popMarkOnly':
        popMark();
        break;
      case 'tuple1':
        pop();
        push(OTHER);
        break;
      case 'tuple2':
        pop();
        pop();
        push(OTHER);
        break;
      case 'tuple3':
        pop();
        pop();
        pop();
        push(OTHER);
        break;
      case 'readonlyBuffer':
        break;
    }
    if (out.globals.length >= maxGlobals) break;
  }
  // Running out of bytes inside a pickle (not between two) means we were given a prefix.
  if (!out.error && c.pos >= bytes.length && c.pos > out.end) out.truncated = true;
  return finish(out, c, maxProtoSeen);
}

function finish(out: PickleWalk, _c: Cursor, maxProtoSeen: number): PickleWalk {
  if (out.protocol < 0) out.protocol = Math.min(maxProtoSeen, 1);
  return out;
}

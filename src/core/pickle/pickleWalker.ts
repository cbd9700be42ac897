/**
 * A resumable, streaming pickle walk: feed it the stream in chunks of any size (`write`), then
 * `end()` it. Opcodes may straddle chunks. Large payloads (BINBYTES*, long strings, joblib's raw
 * arrays) are stepped over by length and never buffered; the walker says where it needs bytes from
 * next (`needOffset`), so a caller reading a file can seek past them.
 *
 * Invariants: never throws on any input; work is linear in the bytes given; memory is bounded
 * independently of the stream's length: the only buffered input is the current opcode's kept part
 * (at most CARRY_MAX bytes), and the symbolic state is capped (see pickleMachine.ts).
 */
import { ArgReader, BAD, CARRY_MAX, SHORT } from './argReader';
import { HIGHEST_PROTOCOL, OPCODES } from './opcodes';
import { PickleMachine, type PickleGlobal } from './pickleMachine';

export type { PickleGlobal } from './pickleMachine';

export interface PickleWalk {
  /** The protocol declared by the first PROTO opcode, or 0-1 inferred from the opcodes used. */
  protocol: number;
  /** The globals, unless `onGlobal` was given (then they went to it and this stays empty). */
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
  /** The error is one of the walker's own limits, not a fault Python's unpickler would also raise. */
  errorIsLimit?: boolean;
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
  /** Limits of the symbolic state that were hit (later globals built from lost values count as dynamic). */
  limits: string[];
  /** A limit dropped a value outright, so globals after it may be misread: the walk proves nothing from there on. */
  desynced: boolean;
  /** Bytes after the last pickle that were not walked (trailing data, a legacy torch file's raw storages). */
  trailingFrom?: number;
}

export interface WalkOptions {
  /** Keep walking past STOP into a following pickle (torch legacy files and joblib stack several). */
  concatenated?: boolean;
  /** Stop after this many globals (detection needs a few; the safety scan wants all). */
  maxGlobals?: number;
  /** Receives each global as it is found; `globals` then stays empty, so a long scan keeps no list. */
  onGlobal?: (g: PickleGlobal) => void;
  /** Treat a GLOBAL/INST line that is no dotted name as "not a pickle" without reporting it (detection's default). */
  strictNames?: boolean;
  /**
   * Offer a fork at joblib's first inline array (see `takeFork`): joblib.load steps over the
   * array's bytes, but plain pickle.load reads them as opcodes, so both readings need a look.
   */
  forkAtJoblib?: boolean;
}

/** A second walker that reads the stream from `offset` on as plain pickle.load would. */
export interface WalkFork {
  offset: number;
  walker: PickleWalker;
}

export { CARRY_MAX, MAX_STRING } from './argReader';
/** legacy torch.save writes five pickles (magic, protocol, sys_info, the object, storage keys), then raw storages. */
const TORCH_LEGACY_PICKLES = 5;

/** step(): the walk is over (error, STOP without `concatenated`, trailing data, enough globals). */
const DONE = -3;

/** Shortcut classes for run(): opcodes whose whole effect is a push of an opaque value, a MARK, or a drop. */
const PUSH = 1;
const FLOAT = 2;
const MARK_OP = 3;
const DROP_ONE = 4;
const DROP_TO_MARK = 5;
const PLAIN_SIZE = [0, 1, 9, 1, 1, 1];
const PLAIN = (() => {
  const table = new Uint8Array(256);
  for (const ch of 'N\x88\x89]\x8f') table[ch.charCodeAt(0)] = PUSH;
  table[0x47] = FLOAT; // BINFLOAT
  table[0x28] = MARK_OP;
  table[0x30] = DROP_ONE; // POP
  table[0x61] = DROP_ONE; // APPEND
  table[0x65] = DROP_TO_MARK; // APPENDS
  table[0x90] = DROP_TO_MARK; // ADDITEMS
  return table;
})();

export class PickleWalker {
  private readonly out: PickleWalk = {
    protocol: -1, globals: [], pickles: 0, opcodes: 0, truncated: false, end: 0, dynamicGlobals: 0, torchLegacyMagic: false,
    joblibArrays: 0, resumeOffset: 0, limits: [], desynced: false,
  };
  private readonly machine: PickleMachine;
  private readonly maxGlobals: number;
  private globalCount = 0;
  private maxProtoSeen = 0;
  /** Stream offset of the next byte to examine. */
  private pos = 0;
  /** Bytes to step over before the next opcode. */
  private skip = 0;
  /** joblib array bytes to skip once the padding-length byte (next) has been read. */
  private padPending: number | undefined;
  /** Stepping over the rest of an over-long protocol-0 line. */
  private lineSkip = false;
  /** The start of an opcode cut by the end of the last chunk. */
  private carry: Uint8Array | undefined;
  private carryStart = 0;
  /** A STOP just ended a pickle: the next byte decides whether another one follows. */
  private afterStop = false;
  private finished = false;
  /** Finished because `maxGlobals` were found: the stream was cut there, not ended. */
  private enoughGlobals = false;
  /** Stream offset just past the last byte written. */
  private written = 0;
  /** The most bytes held between two writes (the carried opcode start): the walk's only input buffer. */
  peakCarry = 0;

  private fork: WalkFork | undefined;
  private readonly args = new ArgReader();

  constructor(private readonly options: WalkOptions = {}, from?: { machine: PickleMachine; offset: number; protocol: number }) {
    this.maxGlobals = options.maxGlobals ?? Infinity;
    const onGlobal = this.counting(options);
    this.machine = from ? from.machine.clone(onGlobal, false) : new PickleMachine(onGlobal, options.strictNames ?? true);
    if (from) {
      this.pos = this.written = from.offset;
      this.out.protocol = from.protocol;
    }
  }

  private counting(options: WalkOptions): (g: PickleGlobal) => void {
    const onGlobal = options.onGlobal ?? ((g: PickleGlobal) => void this.out.globals.push(g));
    return (g) => {
      this.globalCount++;
      onGlobal(g);
    };
  }

  /** The plain-pickle.load reading offered at joblib's first inline array, once (see `forkAtJoblib`). */
  takeFork(): WalkFork | undefined {
    const fork = this.fork;
    this.fork = undefined;
    return fork;
  }

  /** True once the walk wants no more bytes (error, STOP without `concatenated`, trailing data, enough globals). */
  get done(): boolean {
    return this.finished;
  }

  /** The stream offset of the next byte the walk needs: past any payload it is stepping over. */
  get needOffset(): number {
    return this.pos + this.skip;
  }

  /** Moves to `offset` (at most `needOffset`) without being given the bytes in between: they were payload. */
  seek(offset: number): void {
    const by = Math.max(0, Math.min(offset, this.needOffset) - this.pos);
    this.skip -= by;
    this.pos += by;
  }

  /** Walks the next `chunk` of the stream (it follows the previous chunk, or the last `seek`). */
  write(chunk: Uint8Array): void {
    this.written = this.pos + chunk.length;
    let i = 0;
    const n = chunk.length;
    while (i < n && !this.finished) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - i);
        this.skip -= k;
        i += k;
        this.pos += k;
      } else if (this.padPending !== undefined) {
        this.skip = chunk[i]! + this.padPending;
        this.padPending = undefined;
        i++;
        this.pos++;
      } else if (this.lineSkip) {
        const nl = chunk.indexOf(0x0a, i);
        const to = nl < 0 ? n : nl + 1;
        this.lineSkip = nl < 0;
        this.pos += to - i;
        i = to;
      } else if (this.carry) {
        i = this.resumeCarry(chunk, i);
      } else {
        i = this.run(chunk, i);
      }
    }
  }

  /** Finishes the walk: what was seen, and whether the stream ended inside a pickle. */
  end(): PickleWalk {
    const out = this.out;
    // Stopping for enough globals right at the end of the input still means the input was a prefix.
    if ((!this.finished || (this.enoughGlobals && this.pos >= this.written)) && !out.error) {
      const inside = this.carry !== undefined || this.skip > 0 || this.padPending !== undefined || this.lineSkip || this.pos > out.end;
      if (inside && !(this.afterStop && this.pos === out.end)) {
        out.truncated = true;
        out.resumeOffset = this.carry ? this.carryStart : this.needOffset;
      }
    }
    if (out.protocol < 0) out.protocol = Math.min(this.maxProtoSeen, 1);
    out.dynamicGlobals = this.machine.dynamicGlobals;
    out.torchLegacyMagic = this.machine.torchLegacyMagic;
    out.joblibArrays = this.machine.joblibArrays;
    out.limits = [...this.machine.limits];
    out.desynced = this.machine.desynced;
    this.finished = true;
    return out;
  }

  /** Walks whole opcodes in chunk[i..]; carries a cut one over to the next write. */
  private run(chunk: Uint8Array, i: number): number {
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const base = this.pos - i;
    const machine = this.machine;
    while (i < chunk.length && this.skip === 0 && this.padPending === undefined && !this.lineSkip && !this.finished) {
      // The opcodes that dominate long lists of numbers take a shortcut: no argument to decode, no global, no directive.
      const plain = PLAIN[chunk[i]!]!;
      if (plain !== 0 && i + PLAIN_SIZE[plain]! <= chunk.length && !this.afterStop) {
        if (plain === PUSH || plain === FLOAT) machine.pushOpaque(base + i);
        else if (plain === MARK_OP) machine.mark(base + i);
        else if (plain === DROP_ONE) machine.dropOne();
        else machine.dropToMark();
        this.out.opcodes++;
        const proto = OPCODES[chunk[i]!]!.proto;
        if (proto > this.maxProtoSeen) this.maxProtoSeen = proto;
        i += PLAIN_SIZE[plain]!;
        this.pos = base + i;
        continue;
      }
      const next = this.step(chunk, dv, i, base);
      if (next === SHORT) {
        this.carry = chunk.slice(i);
        this.carryStart = base + i;
        this.peakCarry = Math.max(this.peakCarry, this.carry.length);
        this.pos = base + chunk.length;
        return chunk.length;
      }
      if (next === DONE) break;
      i = next;
      this.pos = base + i;
    }
    return i;
  }

  /** Completes the carried opcode with the head of `chunk`; returns where the chunk continues. */
  private resumeCarry(chunk: Uint8Array, i: number): number {
    const carry = this.carry!;
    const take = Math.min(chunk.length - i, CARRY_MAX - carry.length);
    const buf = new Uint8Array(carry.length + take);
    buf.set(carry, 0);
    buf.set(chunk.subarray(i, i + take), carry.length);
    const next = this.step(buf, new DataView(buf.buffer), 0, this.carryStart);
    if (next === SHORT) {
      this.carry = buf;
      this.peakCarry = Math.max(this.peakCarry, buf.length);
      this.pos += take;
      return i + take;
    }
    this.carry = undefined;
    if (next === DONE) return chunk.length;
    // The opcode ended `next - carry.length` bytes into this chunk (it began in the carry).
    const used = next - carry.length;
    this.pos = this.carryStart + next;
    return i + used;
  }

  private fail(message: string, offset: number, limit = false): number {
    this.out.error = message;
    this.out.errorOffset = offset;
    if (limit) this.out.errorIsLimit = true;
    this.finished = true;
    return DONE;
  }

  /**
   * Reads and applies one opcode at buf[at] (stream offset base + at). Returns the index just past
   * what it consumed (a payload being stepped over is left in `skip`), SHORT when buf ends first,
   * or DONE when the walk is over.
   */
  private step(buf: Uint8Array, dv: DataView, at: number, base: number): number {
    const offset = base + at;
    const byte = buf[at]!;
    if (this.afterStop) {
      this.afterStop = false;
      // Another pickle follows only if the next byte starts one; anything else is trailing data.
      if (!OPCODES[byte]) return this.trailing(offset);
    }
    const op = OPCODES[byte];
    if (!op) return this.fail(`byte 0x${byte.toString(16).padStart(2, '0')} is not a pickle opcode`, offset);
    const args = this.args;
    const arg = args.read(buf, dv, at + 1, op.arg, offset);
    if (arg === SHORT) return SHORT;
    if (arg === BAD) return this.fail(args.error, offset, args.errorIsLimit);
    if (typeof arg === 'number') return DONE;
    const next = args.end;
    const skipAfter = args.skip;
    if (args.lineCut) this.lineSkip = true;
    this.out.opcodes++;
    if (op.proto > this.maxProtoSeen) this.maxProtoSeen = op.proto;
    if (op.effect === 'proto') {
      const v = arg.kind === 'int' ? Number(arg.v) : -1;
      if (v < 0 || v > HIGHEST_PROTOCOL) return this.fail(`unsupported pickle protocol ${v}`, offset);
      if (this.out.protocol < 0) this.out.protocol = v;
    }
    const joblibBefore = this.machine.joblibStarted;
    const directive = this.machine.apply(op, arg, offset);
    this.skip += skipAfter;
    if (!joblibBefore && this.machine.joblibStarted && this.options.forkAtJoblib) {
      const options: WalkOptions = { onGlobal: this.options.onGlobal ?? (() => undefined), strictNames: this.options.strictNames ?? true };
      const protocol = this.out.protocol;
      this.fork = { offset: base + next, walker: new PickleWalker(options, { machine: this.machine, offset: base + next, protocol }) };
    }
    switch (directive.kind) {
      case 'continue':
        break;
      case 'error':
        return this.fail(directive.message, offset, directive.limit);
      case 'skip':
        if (directive.padded) this.padPending = directive.bytes;
        else this.skip += directive.bytes;
        break;
      case 'stop':
        return this.stopped(base + next, next);
    }
    if (this.globalCount >= this.maxGlobals) {
      this.finished = true;
      this.enoughGlobals = true;
      this.pos = base + next;
      return DONE;
    }
    return next;
  }

  /** A STOP ended an outermost pickle at stream offset `end` (buffer index `next`). */
  private stopped(end: number, next: number): number {
    const out = this.out;
    out.pickles++;
    out.end = end;
    if (out.protocol < 0) out.protocol = Math.min(this.maxProtoSeen, 1);
    const legacyDone = this.machine.torchLegacyMagic && out.pickles >= TORCH_LEGACY_PICKLES;
    if (!this.options.concatenated || legacyDone) {
      if (legacyDone) out.trailingFrom = end;
      this.pos = end;
      this.finished = true;
      return DONE;
    }
    this.afterStop = true;
    return next;
  }

  private trailing(offset: number): number {
    this.out.trailingFrom = offset;
    this.pos = offset;
    this.finished = true;
    return DONE;
  }
}

/**
 * Reads one pickle opcode's inline argument from a buffer that may end mid-opcode. Payloads that
 * are data (BINBYTES*, the part of a string past MAX_STRING, huge LONG4s) are not read: their
 * length is reported in `skip` for the walker to step over, so nothing large is ever buffered.
 *
 * Invariants: pure over its inputs; never throws; keeps nothing between calls but the reused
 * integer argument, which the caller consumes at once.
 */
import { OPCODES, type ArgKind } from './opcodes';
import type { Arg } from './pickleMachine';

/** The longest string argument (and protocol-0 line) kept; the rest of it is stepped over. */
export const MAX_STRING = 4096;
/** The most bytes one opcode needs in hand to be read (opcode, 8-byte length, kept string). */
export const CARRY_MAX = 1 + 8 + MAX_STRING + 1;
/** The buffer ends before the argument's kept part does. */
export const SHORT = -1;
/** The argument is malformed, or breaks one of the reader's limits: see `error`. */
export const BAD = -2;

const NONE: Arg = { kind: 'none' };
const latin1Decoder = new TextDecoder('latin1');
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

export class ArgReader {
  /** Buffer index just past the argument's kept part. */
  end = 0;
  /** Payload bytes after `end` that belong to the argument, to be stepped over. */
  skip = 0;
  /** A protocol-0 line longer than MAX_STRING: the rest of it, up to its newline, is to be stepped over. */
  lineCut = false;
  error = '';
  /** The error is the reader's own limit, not a fault Python's unpickler would also raise. */
  errorIsLimit = false;
  /** Reused for integer arguments: the machine reads them at once and never keeps them. */
  private readonly intArg: { kind: 'int'; v: number | bigint } = { kind: 'int', v: 0 };

  private none(end: number): Arg {
    this.end = end;
    this.skip = 0;
    return NONE;
  }

  private int(v: number | bigint, end: number): Arg {
    this.intArg.v = v;
    this.none(end);
    return this.intArg;
  }

  private str(v: string, end: number): Arg {
    this.none(end);
    return { kind: 'str', v };
  }

  private bad(message: string, limit = false): number {
    this.error = message;
    this.errorIsLimit = limit;
    return BAD;
  }

  /** Reads the argument of the opcode at buf[p - 1] (stream offset `offset`): the argument, SHORT or BAD. */
  read(buf: Uint8Array, dv: DataView, p: number, kind: ArgKind, offset: number): Arg | number {
    this.lineCut = false;
    const len = buf.length;
    switch (kind) {
      case 'none':
        return this.none(p);
      case 'uint1':
        return p + 1 > len ? SHORT : this.int(buf[p]!, p + 1);
      case 'uint2':
        return p + 2 > len ? SHORT : this.int(dv.getUint16(p, true), p + 2);
      case 'int4':
        return p + 4 > len ? SHORT : this.int(dv.getInt32(p, true), p + 4);
      case 'uint4':
        return p + 4 > len ? SHORT : this.int(dv.getUint32(p, true), p + 4);
      case 'uint8':
        return p + 8 > len ? SHORT : this.int(dv.getBigUint64(p, true), p + 8);
      case 'float8':
        return p + 8 > len ? SHORT : this.none(p + 8);
      case 'long1':
      case 'string1':
      case 'bytes1':
      case 'unicode1':
        return this.sized(buf, dv, p, 1, kind, offset);
      case 'long4':
      case 'string4':
      case 'bytes4':
      case 'unicode4':
        return this.sized(buf, dv, p, 4, kind, offset);
      case 'bytes8':
      case 'unicode8':
        return this.sized(buf, dv, p, 8, kind, offset);
      case 'line':
        return this.line(buf, p);
      case 'linePair':
        return this.linePair(buf, p, offset);
    }
  }

  private sized(buf: Uint8Array, dv: DataView, p: number, lenBytes: number, kind: ArgKind, offset: number): Arg | number {
    if (p + lenBytes > buf.length) return SHORT;
    const malformed = `${OPCODES[buf[p - 1]!]!.name} at offset ${offset} has a malformed argument`;
    let size: number;
    if (lenBytes === 1) size = buf[p]!;
    else if (lenBytes === 4) size = kind === 'string4' || kind === 'long4' ? dv.getInt32(p, true) : dv.getUint32(p, true);
    else {
      const big = dv.getBigUint64(p, true);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return this.bad(malformed);
      size = Number(big);
    }
    if (size < 0) return this.bad(malformed);
    const start = p + lenBytes;
    if (kind === 'bytes1' || kind === 'bytes4' || kind === 'bytes8') {
      this.none(start);
      this.skip = size;
      return NONE;
    }
    const keep = kind === 'long1' || kind === 'long4' ? (size <= 64 ? size : 0) : Math.min(size, MAX_STRING);
    if (start + keep > buf.length) return SHORT;
    const payload = buf.subarray(start, start + keep);
    this.none(start + keep);
    this.skip = size - keep;
    if (kind === 'long1' || kind === 'long4') return { kind: 'int', v: decodeLong(payload) };
    return { kind: 'str', v: kind === 'string1' || kind === 'string4' ? latin1Decoder.decode(payload) : utf8Decoder.decode(payload) };
  }

  /** A protocol-0 line; one longer than MAX_STRING is kept in part (`lineCut`). */
  private line(buf: Uint8Array, p: number): Arg | number {
    const nl = indexOfNewline(buf, p, p + MAX_STRING + 1);
    if (nl >= 0) return this.str(latin1Decoder.decode(buf.subarray(p, nl)), nl + 1);
    if (buf.length - p <= MAX_STRING) return SHORT;
    const arg = this.str(latin1Decoder.decode(buf.subarray(p, p + MAX_STRING)), p + MAX_STRING);
    this.lineCut = true;
    return arg;
  }

  /** GLOBAL/INST: two lines, module and name, both short. */
  private linePair(buf: Uint8Array, p: number, offset: number): Arg | number {
    const half = MAX_STRING >> 1;
    const name = OPCODES[buf[p - 1]!]!.name;
    const nl1 = indexOfNewline(buf, p, p + half);
    if (nl1 < 0) return buf.length - p >= half ? this.bad(`${name} at offset ${offset} names a module longer than ${half} bytes`, true) : SHORT;
    const nl2 = indexOfNewline(buf, nl1 + 1, nl1 + 1 + half);
    if (nl2 < 0) return buf.length - nl1 - 1 >= half ? this.bad(`${name} at offset ${offset} names an attribute longer than ${half} bytes`, true) : SHORT;
    this.none(nl2 + 1);
    return { kind: 'pair', a: latin1Decoder.decode(buf.subarray(p, nl1)), b: latin1Decoder.decode(buf.subarray(nl1 + 1, nl2)) };
  }
}

/** Index of the first newline in buf[from, to), or -1. */
function indexOfNewline(buf: Uint8Array, from: number, to: number): number {
  const end = Math.min(to, buf.length);
  for (let i = from; i < end; i++) if (buf[i] === 0x0a) return i;
  return -1;
}

/** Decodes a little-endian two's-complement integer (LONG1/LONG4 payloads). */
function decodeLong(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return n;
}



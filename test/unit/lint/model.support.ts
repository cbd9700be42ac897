// Helpers for the pickle-scanner tests: an in-memory WorkspaceReader that counts what is read,
// a zip writer (stored and deflated members, as torch.save and np.savez write them) and .npy headers.
import { crc32, deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DirEntry, FileStat, WorkspaceReader } from '../../../src/core/workspaceReader';

export const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class MemoryReader implements WorkspaceReader {
  bytesRead = 0;
  reads = 0;
  /** The largest single read, to show the scanner reads in bounded chunks. */
  largestRead = 0;
  constructor(readonly files: Map<string, Uint8Array> = new Map()) {}
  add(path: string, bytes: Uint8Array): this {
    this.files.set(path, bytes);
    return this;
  }
  async list(): Promise<DirEntry[]> {
    return [...this.files.keys()].map((name) => ({ name, kind: 'file' as const }));
  }
  async stat(path: string): Promise<FileStat> {
    const f = this.files.get(path);
    if (!f) throw new Error(`no such file ${path}`);
    return { kind: 'file', size: f.length };
  }
  async realpath(path: string): Promise<string> {
    return path;
  }
  async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    const f = this.files.get(path);
    if (!f) throw new Error(`no such file ${path}`);
    const out = f.subarray(offset, offset + length);
    this.bytesRead += out.length;
    this.reads++;
    this.largestRead = Math.max(this.largestRead, out.length);
    return out;
  }
}

/** Writes a zip with the given members (method 0 stored, 8 deflated), as Python's zipfile would. */
export function makeZip(members: { name: string; data: Uint8Array; method?: 0 | 8; align?: number }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const method = m.method ?? 0;
    const body = method === 8 ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const name = enc(m.name);
    const crc = crc32(m.data) >>> 0;
    // torch pads the local extra field so member data starts on a 64-byte boundary.
    const extraLength = m.align ? (m.align - ((offset + 30 + name.length + 4) % m.align)) % m.align + 4 : 0;
    const extra = new Uint8Array(extraLength);
    if (extraLength) {
      new DataView(extra.buffer).setUint16(0, 0x4346, true);
      new DataView(extra.buffer).setUint16(2, extraLength - 4, true);
    }
    const local = new Uint8Array(30 + name.length + extraLength);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, m.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, extraLength, true);
    local.set(name, 30);
    local.set(extra, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, m.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cd = concat(...centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, offset, true);
  return concat(...locals, cd, end);
}

/** A version-1 .npy header for `descr` (e.g. `|O` for an object array), padded as numpy pads it. */
export function npyHeader(descr: string, shape = '(1,)'): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(enc(header), 10);
  return out;
}

export const HOSTILE_DIR = join(__dirname, '../../fixtures/lint/pickles');
export const MODELS_DIR = join(__dirname, '../../fixtures/models');

export function hostile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(HOSTILE_DIR, name)));
}

/** Pickle opcodes as bytes, for hand-built streams. */
export const op = {
  proto: (n: number) => new Uint8Array([0x80, n]),
  sbu: (s: string) => concat(new Uint8Array([0x8c, Buffer.byteLength(s)]), new Uint8Array(Buffer.from(s))),
  stackGlobal: (m: string, n: string) => concat(op.sbu(m), op.sbu(n), new Uint8Array([0x93])),
  global: (m: string, n: string) => enc(`c${m}\n${n}\n`),
  binunicode: (s: string) => {
    const b = new Uint8Array(Buffer.from(s));
    const h = new Uint8Array(5);
    h[0] = 0x58;
    new DataView(h.buffer).setUint32(1, b.length, true);
    return concat(h, b);
  },
  binbytes8: (length: number) => {
    const h = new Uint8Array(9);
    h[0] = 0x8e;
    new DataView(h.buffer).setBigUint64(1, BigInt(length), true);
    return h;
  },
  call1: (arg: string) => concat(op.sbu(arg), new Uint8Array([0x85, 0x52])),
  stop: new Uint8Array([0x2e]),
  pop: new Uint8Array([0x30]),
};

/**
 * Streaming decoder for lz4 frames (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md),
 * as python-lz4's lz4.frame writes them for joblib: linked or independent blocks, optional
 * checksums (not verified) and content size, concatenated and skippable frames.
 *
 * Invariants: never throws (a corrupt or cut stream ends the output and sets `status.error`);
 * memory is one block of input and one of output plus a 64 KiB history, whatever the stream's size.
 */
import { ByteQueue } from './byteQueue';

export interface DecodeStatus {
  /** Why decoding stopped early (corrupt data, a cut stream); unset when the stream ended cleanly. */
  error?: string;
}

const FRAME_MAGIC = 0x184d2204;
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];
const HISTORY = 64 * 1024;

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Decodes lz4 frames from `source`, yielding the output block by block. */
export async function* lz4Frames(source: AsyncIterable<Uint8Array>, status: DecodeStatus): AsyncGenerator<Uint8Array> {
  const q = new ByteQueue(source);
  try {
    let frames = 0;
    while (await q.need(4)) {
      const magic = u32(q.buf, q.pos);
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        if (!(await q.need(8))) break;
        const size = u32(q.buf, q.pos + 4);
        q.pos += 8;
        if (!(await skipBytes(q, size))) break;
        continue;
      }
      if (magic !== FRAME_MAGIC) {
        if (frames === 0) status.error = 'not an lz4 frame';
        return; // trailing data after the last frame
      }
      frames++;
      const ok = yield* frame(q, status);
      if (!ok) return;
    }
    if (q.available > 0 && frames > 0) return;
    if (frames === 0 && !status.error) status.error = 'no lz4 frame';
  } finally {
    await q.close();
  }
}

async function skipBytes(q: ByteQueue, n: number): Promise<boolean> {
  while (n > 0) {
    if (q.available === 0 && !(await q.more())) return false;
    const k = Math.min(n, q.available);
    q.pos += k;
    n -= k;
  }
  return true;
}

/** One frame after its magic; false when decoding must stop. */
async function* frame(q: ByteQueue, status: DecodeStatus): AsyncGenerator<Uint8Array, boolean> {
  if (!(await q.need(7))) return cut(status);
  const flg = q.buf[q.pos + 4]!;
  const bd = q.buf[q.pos + 5]!;
  if (flg >> 6 !== 1 || (flg & 0x02) !== 0 || (bd & 0x8f) !== 0) return corrupt(status, 'unsupported lz4 frame header');
  if (flg & 0x01) return corrupt(status, 'lz4 frame needs a dictionary');
  const blockMax = BLOCK_MAX[(bd >> 4) & 7]!;
  if (blockMax === 0) return corrupt(status, 'bad lz4 block size');
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const headerLength = 4 + 2 + ((flg & 0x08) !== 0 ? 8 : 0) + 1;
  if (!(await q.need(headerLength))) return cut(status);
  q.pos += headerLength;
  let history: Uint8Array = new Uint8Array(0);
  for (;;) {
    if (!(await q.need(4))) return cut(status);
    const word = u32(q.buf, q.pos);
    q.pos += 4;
    if (word === 0) {
      if (contentChecksum && !(await q.need(4))) return cut(status);
      if (contentChecksum) q.pos += 4;
      return true;
    }
    const size = word & 0x7fffffff;
    if (size > blockMax) return corrupt(status, 'lz4 block larger than its frame allows');
    if (!(await q.need(size + (blockChecksum ? 4 : 0)))) return cut(status);
    const data = q.buf.subarray(q.pos, q.pos + size);
    q.pos += size + (blockChecksum ? 4 : 0);
    let block: Uint8Array;
    if (word >>> 31 === 1) block = data.slice();
    else {
      const decoded = decodeBlock(data, independent ? new Uint8Array(0) : history, blockMax);
      if (!decoded) return corrupt(status, 'corrupt lz4 block');
      block = decoded;
    }
    if (!independent) history = nextHistory(history, block);
    if (block.length > 0) yield block;
  }
}

function nextHistory(history: Uint8Array, block: Uint8Array): Uint8Array {
  if (block.length >= HISTORY) return block.slice(block.length - HISTORY);
  const keep = Math.min(history.length, HISTORY - block.length);
  const out = new Uint8Array(keep + block.length);
  out.set(history.subarray(history.length - keep), 0);
  out.set(block, keep);
  return out;
}

/** Decodes one compressed block; matches may reach into `history` (linked blocks). */
function decodeBlock(input: Uint8Array, history: Uint8Array, blockMax: number): Uint8Array | undefined {
  const out = new Uint8Array(history.length + blockMax);
  out.set(history, 0);
  let o = history.length;
  let i = 0;
  while (i < input.length) {
    const token = input[i++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (i >= input.length) return undefined;
        b = input[i++]!;
        literals += b;
      } while (b === 255);
    }
    if (i + literals > input.length || o + literals > out.length) return undefined;
    out.set(input.subarray(i, i + literals), o);
    o += literals;
    i += literals;
    if (i === input.length) break; // the last sequence has literals only
    if (i + 2 > input.length) return undefined;
    const offset = input[i]! | (input[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > o) return undefined;
    let length = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (i >= input.length) return undefined;
        b = input[i++]!;
        length += b;
      } while (b === 255);
    }
    if (o + length > out.length) return undefined;
    let from = o - offset;
    for (const end = o + length; o < end; ) out[o++] = out[from++]!;
  }
  return out.slice(history.length, o);
}

function cut(status: DecodeStatus): boolean {
  status.error = 'the lz4 stream is cut short';
  return false;
}

function corrupt(status: DecodeStatus, message: string): boolean {
  status.error = message;
  return false;
}

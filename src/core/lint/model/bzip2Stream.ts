/**
 * Streaming bzip2 decoding on unbzip2-stream's block decoder (micro-bunzip lineage). The decoder
 * pulls bits synchronously, so input is fed a block at a time: when a block runs past the bytes
 * held, the bit reader stops it, more input is pulled, and the block is decoded again from its
 * start (a block emits nothing until all of it has been read, so nothing is emitted twice).
 *
 * Invariants: never throws (corrupt or cut input sets `status.error`); memory is about one
 * compressed block plus one decoded block (bzip2 caps blocks at 900 kB before its run-length
 * stage), not the stream's size.
 */
import { ByteQueue } from './byteQueue';
import type { DecodeStatus } from './lz4Stream';

type BitReader = (n: number | null) => number;

interface Bzip2Decoder {
  header(bits: BitReader): number;
  decompress(bits: BitReader, stream: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number): number | null;
}

let decoder: Bzip2Decoder | undefined;
// Loaded on first use: most scans never meet a bzip2 file.
const bzip2 = (): Bzip2Decoder => (decoder ??= require('unbzip2-stream/lib/bzip2.js') as Bzip2Decoder);

/** Thrown by the bit reader when the block needs bytes not yet pulled. */
const NEED_MORE = new Error('bzip2 input exhausted');
/** What withInput returns when the input ends before the step could finish. */
const CUT = Symbol('cut');
/** A decoded block larger than this is treated as corrupt (the run-length stage expands at most ~50x). */
const MAX_BLOCK_OUTPUT = 64 * 1024 * 1024;

class Bits {
  bit = 0;
  constructor(readonly q: ByteQueue) {}
  read: BitReader = (n) => {
    const q = this.q;
    if (n === null) {
      if (this.bit !== 0) {
        this.bit = 0;
        q.pos++;
      }
      return 0;
    }
    let result = 0;
    while (n > 0) {
      if (q.pos >= q.buf.length) throw NEED_MORE;
      const left = 8 - this.bit;
      const byte = q.buf[q.pos]!;
      if (n >= left) {
        result = (result << left) | (byte & ((1 << left) - 1));
        this.bit = 0;
        q.pos++;
        n -= left;
      } else {
        result = (result << n) | ((byte >> (left - n)) & ((1 << n) - 1));
        this.bit += n;
        n = 0;
      }
    }
    return result;
  };
}

class GrowableBytes {
  buf = new Uint8Array(1 << 20);
  length = 0;
  push = (byte: number): void => {
    if (this.length === this.buf.length) {
      if (this.length >= MAX_BLOCK_OUTPUT) throw new Error('bzip2 block expands too far');
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = byte;
  };
}

/** Runs `step` from the saved bit position, pulling more input whenever it runs out. */
async function withInput<T>(bits: Bits, step: () => T): Promise<T | typeof CUT> {
  for (;;) {
    const pos = bits.q.pos;
    const bit = bits.bit;
    try {
      return step();
    } catch (error) {
      if (error !== NEED_MORE) throw error;
      bits.q.pos = pos;
      bits.bit = bit;
      if (!(await bits.q.more(pos))) return CUT;
    }
  }
}

/** Decodes concatenated bzip2 streams from `source`, yielding block by block. */
export async function* bzip2Blocks(source: AsyncIterable<Uint8Array>, status: DecodeStatus): AsyncGenerator<Uint8Array> {
  const q = new ByteQueue(source);
  const bits = new Bits(q);
  try {
    let streams = 0;
    while (await q.need(4)) {
      const b = q.buf;
      if (b[q.pos] !== 0x42 || b[q.pos + 1] !== 0x5a || b[q.pos + 2] !== 0x68) {
        if (streams === 0) status.error = 'not a bzip2 stream';
        return;
      }
      streams++;
      const level = await withInput(bits, () => bzip2().header(bits.read));
      if (level === CUT) return void (status.error = 'the bzip2 stream is cut short');
      const size = 100000 * level;
      const work = new Int32Array(size);
      let crc: number | null = 0;
      for (;;) {
        const out = new GrowableBytes();
        const before: number = crc;
        const next = await withInput(bits, () => {
          out.length = 0;
          return bzip2().decompress(bits.read, out.push, work, size, before);
        });
        if (next === CUT) return void (status.error = 'the bzip2 stream is cut short');
        if (next === null) break;
        crc = next;
        if (out.length > 0) yield out.buf.slice(0, out.length);
      }
    }
  } catch (error) {
    status.error = `corrupt bzip2 data (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await q.close();
  }
}

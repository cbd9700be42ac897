/**
 * Streaming bzip2 decoding on unbzip2-stream's block decoder (micro-bunzip lineage). The decoder
 * pulls bits synchronously, so input is fed a block at a time: when a block runs past the bytes
 * held, the bit reader stops it, more input (as much again as is held) is pulled, and the block is
 * decoded again from its start (a block emits nothing until all of it has been read, so nothing is
 * emitted twice). Output goes to the sink in pieces as the block is expanded, and stops as soon as
 * the sink is done: a 900 kB block of one repeated byte expands to 45 MB, and a few hundred bytes
 * of input must not cost that when the first bytes already show it is no pickle.
 *
 * Invariants: never throws (corrupt or cut input sets `status.error`); memory is about one
 * compressed block plus the decoder's 900 k-entry table plus one output piece, not the stream's
 * or a block's expanded size; work stops within one output piece of the sink being done.
 */
import { ByteQueue } from './byteQueue';
import type { ChunkSink } from './chunkSink';
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
/** Output is handed to the sink in pieces of this size. */
const OUTPUT_PIECE = 256 * 1024;
/** Thrown from the decoder's output callback when the sink wants no more. */
const SINK_DONE = new Error('sink done');

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

/** Collects a block's output in pieces, handing each full piece to the sink; throws SINK_DONE once the sink is done. */
class PieceWriter {
  private piece = new Uint8Array(OUTPUT_PIECE);
  private length = 0;
  constructor(private readonly sink: ChunkSink) {}
  push = (byte: number): void => {
    this.piece[this.length++] = byte;
    if (this.length === OUTPUT_PIECE) this.flush();
  };
  flush(): void {
    if (this.length === 0) return;
    this.sink.write(this.piece.subarray(0, this.length));
    this.piece = new Uint8Array(OUTPUT_PIECE);
    this.length = 0;
    if (this.sink.done) throw SINK_DONE;
  }
}

/** Runs `step` from the saved bit position, pulling more input (doubling what is held) whenever it runs out. */
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
      if (!(await bits.q.more(pos, Math.max(1, bits.q.buf.length - pos)))) return CUT;
    }
  }
}

/** Decodes concatenated bzip2 streams from `source` into `sink`, until the input ends or the sink is done. */
export async function bzip2Into(source: AsyncIterable<Uint8Array>, sink: ChunkSink, status: DecodeStatus): Promise<void> {
  const q = new ByteQueue(source);
  const bits = new Bits(q);
  const out = new PieceWriter(sink);
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
        const before: number = crc;
        const next = await withInput(bits, () => bzip2().decompress(bits.read, out.push, work, size, before));
        if (next === CUT) return void (status.error = 'the bzip2 stream is cut short');
        out.flush();
        if (next === null) break;
        crc = next;
      }
    }
  } catch (error) {
    if (error === SINK_DONE) return;
    status.error = `corrupt bzip2 data (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await q.close();
  }
}

/**
 * Prefix decompression for the joblib codecs that Node's zlib lacks: bz2, xz, lzma ("alone") and lz4
 * frames (joblib/compressor.py). The input is the head of a possibly huge file, so it usually stops
 * mid-stream: each decoder hands back the bytes that the input it was given fully determines, and
 * stops at `maxOutput`.
 *
 * Invariants: pure (bytes in, bytes out); never throws; memory and time are bounded by the input
 * length and `maxOutput` (each decoder stops when the input runs out, when it meets an error, or
 * when the output is full), not by sizes that the stream's own header claims.
 *
 * What each codec can give from a truncated stream:
 * - lz4: every complete sequence, including the partial last block (hand-written frame decoder).
 * - xz: everything xz-embedded (WebAssembly, in `xz-decompress`) could decode from the bytes given.
 * - lzma: every symbol decoded before the range decoder asked for a byte past the end (`js-lzma`).
 * - bz2: complete blocks only (a block is Burrows-Wheeler transformed as a whole); nothing when the
 *   first block is cut, or when it expands past 200 table entries per input byte (at least 64 k):
 *   the block's table costs time too, however little output is wanted (`unbzip2-stream`'s decoder).
 */
import type { XzReadableStream as XzReadableStreamType } from 'xz-decompress';

export type PrefixCodec = 'bz2' | 'xz' | 'lzma' | 'lz4';

/** Thrown by our input readers when a decoder asks for a byte past the end of the input. */
const INPUT_END = new Error('compressed input ended');
/** Thrown by the output sink when `maxOutput` bytes have been collected. */
const OUTPUT_FULL = new Error('output limit reached');

/** Collects decoded bytes up to a fixed limit, growing its buffer as needed. */
class ByteSink {
  private buf: Uint8Array;
  length = 0;

  constructor(readonly limit: number) {
    this.buf = new Uint8Array(Math.min(limit, 64 * 1024));
  }

  get full(): boolean {
    return this.length >= this.limit;
  }

  /** Appends one byte; throws OUTPUT_FULL when the sink is already full. */
  push(byte: number): void {
    if (this.length >= this.limit) throw OUTPUT_FULL;
    if (this.length === this.buf.length) this.grow(this.length + 1);
    this.buf[this.length++] = byte;
  }

  /** Appends as much of `bytes` as fits; false when not all of it did. */
  pushAll(bytes: Uint8Array): boolean {
    const n = Math.min(bytes.length, this.limit - this.length);
    if (n > 0) {
      this.grow(this.length + n);
      this.buf.set(n === bytes.length ? bytes : bytes.subarray(0, n), this.length);
      this.length += n;
    }
    return n === bytes.length;
  }

  /** LZ77 copy of `length` bytes from `distance` back (overlap allowed); false when it did not fit. */
  copyMatch(distance: number, length: number): boolean {
    const n = Math.min(length, this.limit - this.length);
    this.grow(this.length + n);
    const buf = this.buf;
    let from = this.length - distance;
    let to = this.length;
    for (const end = to + n; to < end; ) buf[to++] = buf[from++]!;
    this.length = to;
    return n === length;
  }

  /** Drops everything after `length` (used to discard a block that failed its check). */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }

  result(): Uint8Array | undefined {
    return this.length > 0 ? this.buf.slice(0, this.length) : undefined;
  }

  private grow(needed: number): void {
    if (needed <= this.buf.length) return;
    const next = new Uint8Array(Math.min(this.limit, Math.max(needed, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/** What the caller may want to know about why little or nothing came out. */
export interface PrefixNotes {
  /** A bz2 block expands further than its input may ask for (see decodeBzip2), so it was not decoded. */
  expansive?: boolean;
}

/**
 * Decompresses as much of a compressed stream's PREFIX as possible (the input is at most the first
 * 64 KiB of a possibly huge file, so it is usually truncated). Returns the decompressed bytes (at
 * most maxOutput), or undefined when nothing could be decoded. Never throws, never hangs, bounded
 * memory.
 */
export async function decompressPrefix(
  input: Uint8Array,
  codec: PrefixCodec,
  maxOutput = 256 * 1024,
  notes: PrefixNotes = {},
): Promise<Uint8Array | undefined> {
  const limit = Number.isFinite(maxOutput) ? Math.floor(maxOutput) : 256 * 1024;
  if (!(input instanceof Uint8Array) || input.length === 0 || limit <= 0) return undefined;
  const sink = new ByteSink(limit);
  try {
    if (codec === 'lz4') decodeLz4Frames(input, sink);
    else if (codec === 'bz2') decodeBzip2(input, sink, notes);
    else if (codec === 'lzma') decodeLzmaAlone(input, sink);
    else if (codec === 'xz') await decodeXz(input, sink);
    else return undefined;
  } catch {
    // INPUT_END, OUTPUT_FULL or a decoder's own error: what the sink holds so far is still good.
  }
  return sink.result();
}

// ---------------------------------------------------------------------------------------------
// lz4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md), as written by
// python-lz4's lz4.frame: linked or independent blocks, optional checksums and content size.
// ---------------------------------------------------------------------------------------------

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Decodes consecutive lz4 frames (and skips skippable frames) until the input or the sink runs out. */
function decodeLz4Frames(input: Uint8Array, sink: ByteSink): void {
  let p = 0;
  while (p + 4 <= input.length && !sink.full) {
    const magic = u32le(input, p);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (p + 8 > input.length) return;
      p += 8 + u32le(input, p + 4);
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC || p + 7 > input.length) return;
    const flg = input[p + 4]!;
    const bd = input[p + 5]!;
    // Version 01, reserved bits clear, and no dictionary (a dictionary we do not have).
    if (flg >> 6 !== 1 || (flg & 0x03) !== 0 || (bd & 0x8f) !== 0) return;
    const blockMax = LZ4_BLOCK_MAX[(bd >> 4) & 7]!;
    if (blockMax === 0) return;
    const independent = (flg & 0x20) !== 0;
    const blockChecksum = (flg & 0x10) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    p += 4 + 2 + ((flg & 0x08) !== 0 ? 8 : 0) + 1; // magic, FLG+BD, content size, header checksum
    const frameStart = sink.length;
    for (;;) {
      if (p + 4 > input.length) return;
      const word = u32le(input, p);
      p += 4;
      if (word === 0) {
        p += contentChecksum ? 4 : 0; // EndMark: the next frame, if any, follows the checksum.
        break;
      }
      const size = word & 0x7fffffff;
      if (size > blockMax) return;
      const end = Math.min(p + size, input.length);
      if (word >>> 31 === 1) {
        if (!sink.pushAll(input.subarray(p, end))) return;
      } else if (!decodeLz4Block(input, p, end, sink, independent ? sink.length : frameStart)) {
        return;
      }
      if (end < p + size || sink.full) return;
      p = end + (blockChecksum ? 4 : 0);
    }
  }
}

/**
 * Decodes the lz4 sequences in input[start, end) into the sink; a sequence cut by `end` yields the
 * literals it has. False when the block is corrupt or the sink is full. Matches may reach back to
 * `windowStart` (the block start for independent blocks, the frame start for linked ones).
 */
function decodeLz4Block(input: Uint8Array, start: number, end: number, sink: ByteSink, windowStart: number): boolean {
  let i = start;
  while (i < end) {
    const token = input[i++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (i >= end) return true;
        b = input[i++]!;
        literals += b;
      } while (b === 255);
    }
    const literalEnd = Math.min(i + literals, end);
    if (!sink.pushAll(input.subarray(i, literalEnd))) return false;
    i += literals;
    if (i + 2 > end) return true; // the block's last sequence (literals only), or cut short
    const offset = input[i]! | (input[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > sink.length - windowStart) return false;
    let matchLength = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (i >= end) return true;
        b = input[i++]!;
        matchLength += b;
      } while (b === 255);
    }
    if (!sink.copyMatch(offset, matchLength)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// bzip2: unbzip2-stream's block decoder (micro-bunzip lineage), fed by a bit reader that throws at
// the end of the input. A block is emitted only after all of it has been read; a block whose CRC
// does not match is taken back out of the sink.
// ---------------------------------------------------------------------------------------------

type BitReader = (n: number | null) => number;

interface Bzip2Decoder {
  /** Reads `BZh1`..`BZh9`; returns the block size in units of 100 kB. */
  header(bits: BitReader): number;
  /** Decodes one block into `stream`; returns the running stream CRC, or null at the end of stream. */
  decompress(bits: BitReader, stream: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number): number | null;
}

// The package's main export is a Node stream wrapper; its block decoder is the pure part we need.
let bzip2Decoder: Bzip2Decoder | undefined;
// Loaded on first use: the CLI should not pay for decoders most runs never need.
const bzip2 = (): Bzip2Decoder => (bzip2Decoder ??= require('unbzip2-stream/lib/bzip2.js') as Bzip2Decoder);

function bitReader(input: Uint8Array): BitReader & { bytePos(): number } {
  let pos = 0;
  let bit = 0;
  const read = (n: number | null): number => {
    if (n === null) {
      // Align to the next byte boundary (between concatenated streams).
      if (bit !== 0) {
        bit = 0;
        pos++;
      }
      return 0;
    }
    let result = 0;
    while (n > 0) {
      if (pos >= input.length) throw INPUT_END;
      const left = 8 - bit;
      const byte = input[pos]!;
      if (n >= left) {
        result = (result << left) | (byte & ((1 << left) - 1));
        bit = 0;
        pos++;
        n -= left;
      } else {
        result = (result << n) | ((byte >> (left - n)) & ((1 << n) - 1));
        bit += n;
        n = 0;
      }
    }
    return result;
  };
  return Object.assign(read, { bytePos: () => pos });
}

/** The smallest block table decoded, and how many table entries each input byte may ask for. */
const BZIP2_MIN_TABLE = 64 * 1024;
export const BZIP2_TABLE_PER_INPUT_BYTE = 200;

function decodeBzip2(input: Uint8Array, sink: ByteSink, notes: PrefixNotes): void {
  const bits = bitReader(input);
  const push = (byte: number): void => sink.push(byte);
  // Concatenated streams (pbzip2 style) follow each other byte-aligned.
  while (bits.bytePos() + 4 <= input.length) {
    const level = bzip2().header(bits);
    // A block's table is sized by the header, up to 900 k entries, and a few bytes of runs fill it:
    // cap it by the input, so 50 bytes cannot cost a 900 k-entry decode. A block past the cap fails
    // here ("Boom."), and the caller falls back to the file's name.
    const size = Math.min(100000 * level, Math.max(BZIP2_MIN_TABLE, BZIP2_TABLE_PER_INPUT_BYTE * input.length));
    const buf = new Int32Array(size);
    let crc: number | null = 0;
    for (;;) {
      const mark = sink.length;
      try {
        crc = bzip2().decompress(bits, push, buf, size, crc);
      } catch (error) {
        if (error !== OUTPUT_FULL) sink.truncate(mark); // cut or corrupt: the block is not usable
        // With the table capped, the decoder's own errors mean the block needs more than the cap.
        if (error !== OUTPUT_FULL && error !== INPUT_END && size < 100000 * level) notes.expansive = true;
        return;
      }
      if (crc === null) break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LZMA "alone" (.lzma, lzma.FORMAT_ALONE): 13-byte header (properties, dictionary size, uncompressed
// size or -1), then one range-coded stream. js-lzma's decoder reads through duck-typed streams, so
// the input stream throws at its end and the decoder's window is flushed by hand afterwards.
// ---------------------------------------------------------------------------------------------

interface LzmaInStream {
  size: number;
  readByte(): number;
}
interface LzmaOutStream {
  writeByte(byte: number): void;
}
interface JsLzmaDecoder {
  setDecoderProperties(properties: LzmaInStream): boolean;
  decode(inStream: LzmaInStream, outStream: LzmaOutStream, outSize: number): boolean;
  _outWindow: { flush(): void };
}
interface JsLzma {
  Decoder: new () => JsLzmaDecoder;
}

let jsLzmaModule: JsLzma | undefined;
const jsLzma = (): JsLzma => (jsLzmaModule ??= require('js-lzma') as JsLzma);

function decodeLzmaAlone(input: Uint8Array, sink: ByteSink): void {
  if (input.length < 13 || input[0]! >= 9 * 5 * 5) return;
  let pos = 0;
  const stream: LzmaInStream = {
    size: input.length,
    readByte: () => {
      if (pos >= input.length) throw INPUT_END;
      return input[pos++]!;
    },
  };
  const decoder = new (jsLzma().Decoder)();
  if (!decoder.setDecoderProperties(stream)) return;
  // Uncompressed size: u64 little-endian, all ones when unknown (what Python writes).
  let declared = 0;
  let unknown = true;
  for (let i = 0; i < 8; i++) {
    const b = stream.readByte();
    if (b !== 0xff) unknown = false;
    declared += b * 2 ** (8 * i);
  }
  // js-lzma stops once it has produced outSize bytes, so the sink's limit bounds its work too.
  const outSize = unknown ? sink.limit : Math.min(declared, sink.limit);
  if (outSize <= 0) return;
  const out: LzmaOutStream = { writeByte: (byte) => sink.push(byte) };
  try {
    decoder.decode(stream, out, outSize);
  } catch (error) {
    if (error !== INPUT_END) throw error;
    // Everything in the window was decoded before the input ran out: hand it over.
    decoder._outWindow.flush();
  }
}

// ---------------------------------------------------------------------------------------------
// xz: xz-embedded compiled to WebAssembly (inline in the xz-decompress bundle), behind a web
// ReadableStream. The stream errors when the input runs out mid-block, after it has handed over
// everything it decoded.
// ---------------------------------------------------------------------------------------------

async function decodeXz(input: Uint8Array, sink: ByteSink): Promise<void> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(input);
      controller.close();
    },
  });
  const reader = new ((require('xz-decompress') as { XzReadableStream: typeof XzReadableStreamType }).XzReadableStream)(source).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || !sink.pushAll(value)) return;
    }
  } finally {
    // Cancelling frees the decoder's context and its lock for the next caller; on a stream that
    // already ended or failed it just rejects or resolves.
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Streams a compressed source through its decoder into a sink, stopping as soon as the sink has
 * seen enough. joblib's codecs (joblib/compressor.py) and zip's deflate:
 * - zlib, gzip, raw deflate: node:zlib, streaming (pure computation, no file access);
 * - xz: xz-embedded (WebAssembly, in `xz-decompress`), streaming;
 * - lz4 frames and bzip2: our streaming decoders (lz4Stream.ts, bzip2Stream.ts);
 * - lzma ("alone"): js-lzma, whose decoder pulls input synchronously, so the compressed input is
 *   held whole up to `maxHeldInput` (the rest is not decoded, and the scan says so).
 *
 * Invariants: never throws (failures land in `status`); memory is bounded by the decoders' own
 * windows and block sizes (and, for lzma only, by `maxHeldInput` and a 64 MiB dictionary cap).
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { XzReadableStream as XzReadableStreamType } from 'xz-decompress';
import { bzip2Into } from './bzip2Stream';
import type { ChunkSink } from './chunkSink';
import { lz4Frames, type DecodeStatus } from './lz4Stream';

export type Codec = 'zlib' | 'gzip' | 'deflate-raw' | 'xz' | 'lz4' | 'bz2' | 'lzma';

export type { ChunkSink } from './chunkSink';

export interface DecompressStatus extends DecodeStatus {
  /** Part of the input was never decoded (lzma input beyond `maxHeldInput`). */
  partialInput?: string;
}

export interface DecompressLimits {
  /** The most compressed bytes held at once for a decoder that cannot stream its input (lzma). */
  maxHeldInput: number;
}

const LZMA_MAX_DICTIONARY = 64 * 1024 * 1024;
const OUTPUT_CHUNK = 256 * 1024;
/** Thrown from a synchronous decoder's output callback when the sink is done. */
const SINK_DONE = new Error('sink done');

/** Decodes `source` with `codec` into `sink`. */
export async function decompressInto(codec: Codec, source: AsyncIterable<Uint8Array>, sink: ChunkSink, status: DecompressStatus, limits: DecompressLimits): Promise<void> {
  try {
    if (codec === 'zlib' || codec === 'gzip' || codec === 'deflate-raw') await nodeZlib(codec, source, sink, status);
    else if (codec === 'xz') await xz(source, sink, status);
    else if (codec === 'lz4') await drain(lz4Frames(source, status), sink);
    else if (codec === 'bz2') await bzip2Into(source, sink, status);
    else await lzmaAlone(source, sink, status, limits.maxHeldInput);
  } catch (error) {
    status.error ??= `${codec} decoding failed (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function drain(blocks: AsyncGenerator<Uint8Array>, sink: ChunkSink): Promise<void> {
  try {
    for await (const block of blocks) {
      sink.write(block);
      if (sink.done) break;
    }
  } finally {
    await blocks.return(undefined);
  }
}

async function nodeZlib(codec: 'zlib' | 'gzip' | 'deflate-raw', source: AsyncIterable<Uint8Array>, sink: ChunkSink, status: DecodeStatus): Promise<void> {
  const options = { chunkSize: OUTPUT_CHUNK };
  const z = codec === 'zlib' ? createInflate(options) : codec === 'gzip' ? createGunzip(options) : createInflateRaw(options);
  const input = Readable.from(source);
  // Errors surface through the iteration below; the callback only stops pipeline from re-throwing.
  pipeline(input, z, () => undefined);
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) {
      sink.write(chunk);
      if (sink.done) break;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    status.error = /unexpected end/i.test(message) ? `the ${codec} stream is cut short` : `corrupt ${codec} data (${message})`;
  } finally {
    z.destroy();
    input.destroy();
  }
}

async function xz(source: AsyncIterable<Uint8Array>, sink: ChunkSink, status: DecodeStatus): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  const compressed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
  const { XzReadableStream } = require('xz-decompress') as { XzReadableStream: typeof XzReadableStreamType };
  const reader = new XzReadableStream(compressed).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sink.write(value);
      if (sink.done) break;
    }
  } catch (error) {
    status.error = `corrupt or cut xz data (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    // Cancelling frees the WebAssembly decoder (and its lock) for the next caller.
    await reader.cancel().catch(() => undefined);
  }
}

interface JsLzmaDecoder {
  setDecoderProperties(properties: { readByte(): number }): boolean;
  decode(inStream: { readByte(): number }, outStream: { writeByte(byte: number): void }, outSize: number): boolean;
}

async function lzmaAlone(source: AsyncIterable<Uint8Array>, sink: ChunkSink, status: DecompressStatus, maxHeld: number): Promise<void> {
  const parts: Uint8Array[] = [];
  let held = 0;
  for await (const chunk of source) {
    const room = maxHeld - held;
    parts.push(chunk.length <= room ? chunk : chunk.subarray(0, room));
    held += Math.min(room, chunk.length);
    if (chunk.length > room) {
      status.partialInput = `only the first ${held} compressed bytes were decoded (lzma cannot be decoded in pieces)`;
      break;
    }
  }
  const input = new Uint8Array(held);
  let at = 0;
  for (const p of parts) {
    input.set(p, at);
    at += p.length;
  }
  if (input.length < 13 || input[0]! >= 9 * 5 * 5) return void (status.error = 'not an lzma stream');
  const dictionary = (input[1]! | (input[2]! << 8) | (input[3]! << 16) | (input[4]! << 24)) >>> 0;
  if (dictionary > LZMA_MAX_DICTIONARY) return void (status.error = `lzma dictionary of ${dictionary} bytes is larger than the ${LZMA_MAX_DICTIONARY} bytes decoded`);
  let pos = 0;
  const inStream = {
    readByte: (): number => {
      if (pos >= input.length) throw new Error('the lzma stream is cut short');
      return input[pos++]!;
    },
  };
  let out = new Uint8Array(OUTPUT_CHUNK);
  let n = 0;
  const flush = (): void => {
    if (n === 0) return;
    sink.write(out.subarray(0, n));
    out = new Uint8Array(OUTPUT_CHUNK);
    n = 0;
    if (sink.done) throw SINK_DONE;
  };
  const outStream = {
    writeByte: (byte: number): void => {
      out[n++] = byte;
      if (n === OUTPUT_CHUNK) flush();
    },
  };
  const { Decoder } = require('js-lzma') as { Decoder: new () => JsLzmaDecoder };
  const decoder = new Decoder();
  try {
    if (!decoder.setDecoderProperties(inStream)) return void (status.error = 'bad lzma properties');
    let declared = 0;
    let unknown = true;
    for (let i = 0; i < 8; i++) {
      const b = inStream.readByte();
      if (b !== 0xff) unknown = false;
      declared += b * 2 ** (8 * i);
    }
    if (!decoder.decode(inStream, outStream, unknown ? -1 : declared)) status.error = 'corrupt lzma data';
    flush();
  } catch (error) {
    if (error === SINK_DONE) return;
    try {
      // What the decoder produced before the input ran out is still worth walking.
      (decoder as unknown as { _outWindow?: { flush(): void } })._outWindow?.flush();
      flush();
    } catch {
      // The sink is done.
    }
    status.error = error instanceof Error ? error.message : String(error);
  }
}

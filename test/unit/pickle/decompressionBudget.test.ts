// Decompression runs under a budget in bytes and in ratio. A gzip or zlib joblib that inflates to
// hundreds of MiB from a few hundred KiB, or a zip of many deflated bombs, stops with a note that
// says what was not inspected, and the verdict is never "safe"; a tiny bz2 stream whose first block
// expands to 45 MB costs only the first piece once the walk has seen it is no pickle.
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { decompressInto, type ChunkSink, type DecompressStatus } from '../../../src/core/lint/model/decompressInto';
import { scanModelSafety } from '../../../src/core/lint/model/scanModelSafety';
import { MemoryReader } from '../../helpers/memoryReader';
import { makeZip } from '../lint/model.support';

const latin = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

/** Python's bz2.compress(b'A' * 45_000_000): one block that expands to 45 MB. */
export const BZ2_45MB_OF_A = hex('425a6839314159265359ff5952510158ab0420a00010000008200030cc0529a65248526c5492149e2ee48a70a121feb2a4a2');
/** Python's bz2.compress of a pickle head importing numpy.ndarray, then 45 MB of b'A' (no opcode). */
export const BZ2_PICKLE_THEN_45MB = hex(
  '425a6839314159265359c1dd35440562b5c5e08680200024035220400418000008200050a1a698000a5521a326c93d4c65a5248526be480480e738efaeb3be7df7e35fb58db65248527f177245385090c1dd3544',
);

/** numpy.ndarray imported, then a BINBYTES8 payload of `size` zeros and STOP: a pickle whose walk needs every byte inflated. */
function zerosPickle(size: number): Uint8Array {
  const head = latin('\x80\x04\x8c\x05numpy\x8c\x07ndarray\x93\x8e');
  const out = new Uint8Array(head.length + 8 + size + 1);
  out.set(head, 0);
  new DataView(out.buffer).setBigUint64(head.length, BigInt(size), true);
  out[out.length - 1] = 0x2e;
  return out;
}

test('a gzip joblib of 32 MiB of zeros: stopped as a compression bomb, with its sizes, and not safe', async () => {
  const bomb = new Uint8Array(gzipSync(zerosPickle(32 * 1024 * 1024)));
  const safety = await scanModelSafety(new MemoryReader({ 'model.joblib': bomb }), 'model.joblib', bomb.length, 'joblib');
  assert.ok(safety);
  assert.notEqual(safety.verdict, 'safe');
  assert.equal(safety.complete, false);
  assert.match(safety.notes.join('\n'), /compression bomb: 16 MiB from \d+(\.\d)? KiB, stopped/);
});

test('a ratio past the limit stops even above the floor; the floor lets small files compress well', async () => {
  const payload = zerosPickle(8 * 1024 * 1024);
  const zlib = new Uint8Array(deflateSync(payload));
  const reader = new MemoryReader({ 'm.joblib': zlib });
  const strict = await scanModelSafety(reader, 'm.joblib', zlib.length, 'joblib', { maxDecompressionRatio: 10, minDecompressionBudget: 1024 * 1024 });
  assert.match(strict!.notes.join('\n'), /compression bomb: 1\.0 MiB from .*, stopped \(past 10:1\)/);
  assert.equal(strict!.verdict, 'suspicious');
  const roomy = await scanModelSafety(reader, 'm.joblib', zlib.length, 'joblib');
  assert.equal(roomy!.verdict, 'safe', 'under the 16 MiB floor nothing stops');
  assert.equal(roomy!.complete, true);
});

test('many deflated bombs in one zip share the file\'s budget', async () => {
  const members = Array.from({ length: 20 }, (_, i) => ({ name: `archive/data${i}.pkl`, data: zerosPickle(4 * 1024 * 1024), method: 8 as const }));
  const zip = makeZip([...members, { name: 'archive/version', data: latin('3\n') }]);
  const safety = await scanModelSafety(new MemoryReader({ 'model.pt': zip }), 'model.pt', zip.length, 'pytorch');
  assert.notEqual(safety!.verdict, 'safe');
  assert.match(safety!.notes.join('\n'), /compression bomb: .* stopped \(the file's streams together passed 200 times its size\)/);
});

test('a bz2 block that expands to 45 MB is not decoded past the piece that shows it is no pickle', async () => {
  const bz2 = BZ2_45MB_OF_A;
  let written = 0;
  const sink: ChunkSink = {
    write(chunk) {
      written += chunk.length;
    },
    get done() {
      return written > 0;
    },
  };
  const status: DecompressStatus = {};
  async function* source(): AsyncGenerator<Uint8Array> {
    yield bz2;
  }
  await decompressInto('bz2', source(), sink, status, { maxHeldInput: 1 << 20 });
  assert.ok(written > 0 && written <= 512 * 1024, `${written} bytes decoded`);
});

test('a bz2 joblib whose pickle breaks after its head is scanned without decoding the whole block', async () => {
  const scan = () => scanModelSafety(new MemoryReader({ 'm.joblib': BZ2_PICKLE_THEN_45MB }), 'm.joblib', BZ2_PICKLE_THEN_45MB.length, 'joblib');
  const whole = () => decompressInto('bz2', (async function* () { yield BZ2_PICKLE_THEN_45MB; })(), { write() {}, done: false }, {}, { maxHeldInput: 1 << 20 });
  await scan();
  await whole();
  let started = performance.now();
  const safety = await scan();
  const ms = performance.now() - started;
  started = performance.now();
  await whole();
  const all = performance.now() - started;
  assert.match(safety!.notes.join('\n'), /malformed at offset 19/);
  // No absolute time: the block's 900 k-entry table costs a little, 45 MB of output far more.
  assert.ok(ms * 4 < all, `scan ${ms.toFixed(1)} ms vs whole decode ${all.toFixed(1)} ms`);
});

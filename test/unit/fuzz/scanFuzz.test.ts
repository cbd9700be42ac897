// Seeded fuzzing of the pickle walker and the safety scan, with their zip, gzip/zlib and bz2
// handling: mutated real model files, hand-built hostile zips and compression bombs never make the
// scan throw, never let it read or inflate more than its budgets allow, never leave a stopped scan
// "safe", and its time grows linearly with the file (ratios, see fuzzSupport.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import type { ModelFormat } from '../../../src/core/detect/types';
import { scanModelSafety, type SafetyScanOptions, type SafetyScanStats } from '../../../src/core/lint/model/scanModelSafety';
import { walkPickle } from '../../../src/core/pickle/walkPickle';
import { MemoryReader } from '../../helpers/memoryReader';
import { makeZip } from '../lint/model.support';
import { zipWithRepeatedEntries, zipWithSharedData } from '../zip/zipCraft';
import { assertLinear, concat, forEachCase, fuzzCases, MODELS_DIR, mutateBytes, readCorpus, type Rng } from './fuzzSupport';

const FORMAT_OF: [RegExp, ModelFormat][] = [
  [/\.joblib$/, 'joblib'], [/\.(pt|pth|bin|ckpt)$/, 'pytorch'], [/\.(npy|npz)$/, 'numpy'], [/\.pkl$/, 'pickle'],
];
const CORPUS = [...readCorpus(MODELS_DIR, (p) => FORMAT_OF.some(([re]) => re.test(p))).entries()].map(
  ([path, bytes]) => ({ path, bytes, format: FORMAT_OF.find(([re]) => re.test(path))![1] }),
);
const DONORS = CORPUS.map((c) => c.bytes);
const latin = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

async function scan(bytes: Uint8Array, format: ModelFormat, options: SafetyScanOptions = {}): Promise<{ stats: SafetyScanStats; safety: NonNullable<Awaited<ReturnType<typeof scanModelSafety>>> }> {
  const stats: SafetyScanStats = { bytesRead: 0, reads: 0, peakCarry: 0 };
  const safety = await scanModelSafety(new MemoryReader({ f: bytes }), 'f', bytes.length, format, { ...options, stats });
  assert.ok(safety, 'every pickle-family format gets a verdict');
  assert.ok(['safe', 'suspicious', 'unsafe'].includes(safety.verdict));
  assert.ok(safety.scannedBytes <= bytes.length);
  assert.deepEqual(JSON.parse(JSON.stringify(safety)), safety);
  // A scan its own budget stopped never says "safe".
  if (safety.notes.some((n) => /compression bomb|stopped after|not scanned past/.test(n))) assert.notEqual(safety.verdict, 'safe');
  return { stats, safety };
}

test('mutated real model files: the walker and the scan never throw, and stay within their budgets', async () => {
  await forEachCase(0x5ca11, fuzzCases(700), async (rng) => {
    const { bytes: original, format } = rng.pick(CORPUS);
    const bytes = mutateBytes(original, rng, DONORS);
    walkPickle(bytes, { concatenated: true });
    const chunkSize = rng.pick([257, 4096, 1 << 20]);
    const { stats } = await scan(bytes, rng.int(4) === 0 ? rng.pick(['pickle', 'joblib', 'pytorch', 'torchscript', 'numpy'] as const) : format, { chunkSize });
    assert.ok(stats.bytesRead <= 201 * bytes.length + 65536, `read ${stats.bytesRead} of ${bytes.length}`);
  });
});

/** A pickle that ends in an unsafe import after a payload of `size` bytes. */
function payloadPickle(size: number, fill = 0): Uint8Array {
  const head = latin('\x80\x02}q\x00\x8e');
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(size), true);
  return concat(head, length, new Uint8Array(size).fill(fill), latin('\x94cos\nsystem\n.'));
}

function randomZip(rng: Rng): Uint8Array {
  const pickle = rng.int(2) === 0 ? payloadPickle(rng.size(200_000)) : mutateBytes(rng.pick(DONORS), rng);
  switch (rng.int(3)) {
    case 0:
      return zipWithRepeatedEntries(pickle, 1 + rng.size(2000), rng.pick([0, 8] as const));
    case 1:
      return zipWithSharedData(pickle, 1 + rng.size(1000));
    default:
      return makeZip(Array.from({ length: 1 + rng.int(6) }, (_, i) => ({ name: `archive/m${i}.pkl`, data: rng.int(2) ? pickle : rng.pick(DONORS), method: rng.pick([0, 8] as const) })));
  }
}

test('hostile zips (repeated entries, padded headers sharing data, random members): each member is scanned once', async () => {
  await forEachCase(0x5ca12, fuzzCases(150), async (rng) => {
    let zip = randomZip(rng);
    const mutated = rng.int(3) === 0;
    if (mutated) zip = mutateBytes(zip, rng);
    const { stats } = await scan(zip, 'pytorch');
    // Intact, every member's bytes are read once; mutated, members may overlap, within the budget.
    const bound = mutated ? 201 * zip.length + 65536 : zip.length + 65536;
    assert.ok(stats.bytesRead <= bound, `read ${stats.bytesRead} of ${zip.length}`);
  });
});

/** A gzip, zlib or raw-deflate-in-zip stream of a pickle whose walk needs all of a zero payload inflated. */
function bomb(rng: Rng): { bytes: Uint8Array; format: ModelFormat; inflated: number } {
  const inner = payloadPickle(rng.size(40 * 1024 * 1024));
  switch (rng.int(3)) {
    case 0:
      return { bytes: new Uint8Array(gzipSync(inner)), format: 'joblib', inflated: inner.length };
    case 1:
      return { bytes: new Uint8Array(deflateSync(inner)), format: 'joblib', inflated: inner.length };
    default: {
      const bytes = makeZip([{ name: 'archive/data.pkl', data: inner, method: 8 }, { name: 'archive/version', data: latin('3\n') }]);
      return { bytes, format: 'pytorch', inflated: inner.length };
    }
  }
}

test('compression bombs of every size: stopped under the byte and ratio budget, never "safe"', async () => {
  const options = { maxDecompressionRatio: 50, minDecompressionBudget: 2 * 1024 * 1024 };
  await forEachCase(0x5ca13, fuzzCases(40), async (rng) => {
    const { bytes, format, inflated } = bomb(rng);
    const { safety } = await scan(bytes, format, options);
    const stopped = safety.notes.find((n) => /compression bomb/.test(n));
    const budget = Math.max(options.minDecompressionBudget, options.maxDecompressionRatio * bytes.length);
    if (inflated > budget) assert.ok(stopped, `${inflated} bytes inflated from ${bytes.length}, past the ${budget}-byte budget`);
    if (stopped) {
      assert.notEqual(safety.verdict, 'safe');
      assert.match(stopped, /compression bomb: [\d.]+ (B|KiB|MiB) from [\d.]+ (B|KiB|MiB), stopped/);
    } else {
      assert.equal(safety.verdict, 'unsafe', 'a bomb within the budget is scanned to its end (os.system)');
    }
  });
});

/** Concatenated copies of a real scikit-learn pickle: an ordinary stream of the same size. */
function realPickles(size: number): Uint8Array {
  const real = CORPUS.find((c) => c.path === 'sklearn_rf_p5.pkl')!.bytes;
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += real.length) out.set(real.subarray(0, size - at), at);
  return out;
}

test('the walker and the scan take time linear in the stream, whatever its opcodes', async () => {
  const flood = (prefix: Uint8Array, unit: Uint8Array) => (size: number): Uint8Array => {
    const out = new Uint8Array(size);
    out.set(prefix, 0);
    for (let at = prefix.length; at < size; at += unit.length) out.set(unit.subarray(0, size - at), at);
    return out;
  };
  const p4 = latin('\x80\x04');
  const families: [string, (n: number) => Uint8Array][] = [
    ['MARK flood', flood(p4, latin('('))],
    ['MEMOIZE flood', flood(latin('\x80\x04\x8c\x01x'), latin('\x94'))],
    ['DUP flood', flood(latin('\x80\x04\x8c\x01x'), latin('2'))],
    ['nested tuples', flood(latin('\x80\x04\x8c\x01x'), latin('\x85'))],
    ['BINGET of one memo slot', flood(latin('\x80\x04\x8c\x01x\x94'), latin('h\x00'))],
    ['STACK_GLOBAL of memoised strings', flood(latin('\x80\x04\x8c\x02os\x94\x8c\x06system\x94'), latin('h\x00h\x01\x93'))],
    ['protocol-0 GLOBAL lines', flood(latin('('), latin('cos\nsystem\n'))],
    ['concatenated empty pickles', flood(p4, latin('\x80\x04N.'))],
    ['FRAME headers', flood(p4, latin('\x95\x01\x00\x00\x00\x00\x00\x00\x00N'))],
  ];
  const runScan = (bytes: Uint8Array): Promise<unknown> => scanModelSafety(new MemoryReader({ f: bytes }), 'f', bytes.length, 'pickle');
  // A real pickle is mostly payload the walker steps over; a flood is all opcodes, each of which
  // builds a stand-in value, so a flood byte may cost some 20 times a benign one. Quadratic work
  // at 256 KiB would cost thousands of times, so the ratio is the guard here, not the growth.
  for (const [name, hostile] of families) {
    await assertLinear({ name: `walk: ${name}`, hostile, benign: realPickles, run: (b) => walkPickle(b, { concatenated: true }), size: 32 * 1024, maxRatio: 40, maxGrowth: 64, reps: 3 });
    await assertLinear({ name: `scan: ${name}`, hostile, benign: realPickles, run: runScan, size: 32 * 1024, maxRatio: 40, maxGrowth: 64, reps: 3 });
  }
});

test('zip directories that repeat one member take time linear in the file', async () => {
  const member = payloadPickle(256 * 1024, 7);
  // A directory entry costs about 64 bytes: the file grows with the entries, the member stays one.
  const hostile = (size: number): Uint8Array => zipWithRepeatedEntries(member, Math.max(1, Math.floor((size - 2048) / 64)));
  const benign = (size: number): Uint8Array => {
    const count = Math.max(1, Math.floor(size / 2048));
    return makeZip(Array.from({ length: count }, (_, i) => ({ name: `archive/m${i}.pkl`, data: realPickles(1900), method: 8 as const })));
  };
  const run = (bytes: Uint8Array): Promise<unknown> => scanModelSafety(new MemoryReader({ f: bytes }), 'f', bytes.length, 'pytorch');
  await assertLinear({ name: 'repeated directory entries', hostile, benign, run, size: 16 * 1024, maxRatio: 12, reps: 3 });
});

test('compressed streams take time linear in the file: a bomb is cut at its ratio', async () => {
  // Small budgets keep the test quick; the defaults (200:1 past 16 MiB) scale the same way.
  const options = { maxDecompressionRatio: 20, minDecompressionBudget: 256 * 1024 };
  const zeros = (size: number): Uint8Array => new Uint8Array(gzipSync(payloadPickle(size * 1000)));
  // The same compressed size of data that does not compress: inflating it is about a copy.
  const incompressible = (size: number): Uint8Array => {
    const inner = payloadPickle(size);
    let x = 12345;
    for (let i = 14; i < size + 14; i++) inner[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    return new Uint8Array(gzipSync(inner));
  };
  const hostileCache = new Map<number, Uint8Array>();
  const hostile = (size: number): Uint8Array => {
    // Find the zero payload whose gzip is about `size` bytes (gzip of zeros is about 1/1000).
    if (!hostileCache.has(size)) hostileCache.set(size, zeros(size));
    return hostileCache.get(size)!;
  };
  const run = (bytes: Uint8Array): Promise<unknown> => scanModelSafety(new MemoryReader({ f: bytes }), 'f', bytes.length, 'joblib', options);
  await assertLinear({ name: 'gzip of zeros', hostile, benign: incompressible, run, size: 8 * 1024, maxRatio: 30, reps: 3 });
});

// Fuzzing the scanner: random bytes, mutated real model files and hostile floods never make it
// throw or hold more than its caps, and a flood costs time in proportion to its size: measured as a
// ratio to an ordinary pickle of the same size, in the same run, never as an absolute time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import type { ModelFormat } from '../../../src/core/detect/types';
import { scanModelSafety } from '../../../src/core/lint/model/scanModelSafety';
import { safetyFindings } from '../../../src/core/lint/model/safetyFindings';
import { walkPickle } from '../../../src/core/pickle/walkPickle';
import { assertLinear } from '../fuzz/fuzzSupport';
import { MODELS_DIR, MemoryReader, concat, op } from './model.support';

const FORMATS: ModelFormat[] = ['pickle', 'joblib', 'pytorch', 'torchscript', 'numpy'];

async function scanQuickly(bytes: Uint8Array, format: ModelFormat, chunkSize: number): Promise<void> {
  const safety = await scanModelSafety(new MemoryReader().add('f', bytes), 'f', bytes.length, format, { chunkSize });
  assert.ok(safety);
  assert.ok(['safe', 'suspicious', 'unsafe'].includes(safety.verdict));
  assert.ok(safety.scannedBytes <= bytes.length);
  assert.ok(Array.isArray(safetyFindings('f', safety)));
  JSON.stringify(safety);
}

test('random bytes: no throw', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.constantFrom(...FORMATS), fc.integer({ min: 1, max: 5000 }), async (bytes, format, chunk) => {
      walkPickle(bytes, { concatenated: true });
      await scanQuickly(bytes, format, chunk);
    }),
    { numRuns: 400 },
  );
});

test('random bytes behind each container magic: no throw', async () => {
  const magics = [[0x80, 4], [0x50, 0x4b, 0x03, 0x04], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], [0x78, 0x9c], [0x1f, 0x8b], [0x42, 0x5a, 0x68, 0x39],
    [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x5d, 0x00, 0x00], [0x04, 0x22, 0x4d, 0x18]];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(...FORMATS), async (magic, rest, format) => {
      await scanQuickly(concat(new Uint8Array(magic), rest), format, 257);
    }),
    { numRuns: 300 },
  );
});

const REAL: [string, ModelFormat][] = [
  ['sklearn_logreg_p0.pkl', 'pickle'], ['sklearn_rf_p5.pkl', 'pickle'], ['sklearn_pipeline.joblib', 'joblib'], ['sklearn_pipeline_zlib.joblib', 'joblib'],
  ['sklearn_bz2.joblib', 'joblib'], ['sklearn_xz.joblib', 'joblib'], ['sklearn_lzma.joblib', 'joblib'], ['sklearn_lz4.joblib', 'joblib'],
  ['torch_full_model.bin', 'pytorch'], ['torch_legacy.pth', 'pytorch'], ['torchscript_model.pt', 'torchscript'], ['arrays_compressed.npz', 'numpy'],
  ['object_array.npy', 'numpy'], ['pandas_df.pkl', 'pickle'],
];

test('mutated real model files: no throw', async () => {
  const files = REAL.map(([name, format]) => [new Uint8Array(readFileSync(join(MODELS_DIR, name))), format] as const);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: files.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat()),
      fc.integer({ min: 1, max: 4096 }),
      async (which, flips, cut, chunk) => {
        const [original, format] = files[which]!;
        let bytes = original.slice();
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
        walkPickle(bytes, { concatenated: true });
        await scanQuickly(bytes, format, chunk);
      },
    ),
    { numRuns: 400 },
  );
});

const fill = (length: number, byte: number): Uint8Array => new Uint8Array(length).fill(byte);
const scan = (bytes: Uint8Array) => scanModelSafety(new MemoryReader().add('f', bytes), 'f', bytes.length, 'pickle');

/** An ordinary pickle of about `size` bytes: a list of small ints, a thousand per MARK ... APPENDS, as pickle writes one. */
function benignPickle(size: number): Uint8Array {
  const ints = new Uint8Array(2000);
  for (let i = 0; i < ints.length; i += 2) ints.set([0x4b, i & 0x7f], i);
  const chunk = concat(new Uint8Array([0x28]), ints, new Uint8Array([0x65]));
  return concat(op.proto(4), new Uint8Array([0x5d]), ...Array.from({ length: Math.max(1, Math.floor(size / chunk.length)) }, () => chunk), op.stop);
}

/** Floods of one opcode, by size: each must cost time in proportion to its size, like an ordinary pickle. */
const FLOODS: [string, (size: number) => Uint8Array][] = [
  ['MARK flood', (n) => concat(op.proto(4), fill(n, 0x28), op.stackGlobal('os', 'system'), op.stop)],
  ['MEMOIZE flood', (n) => concat(op.proto(4), op.sbu('x'), fill(n, 0x94), op.stop)],
  ['nested tuples', (n) => concat(op.proto(4), op.sbu('x'), fill(n, 0x85), op.stop)],
  ['long protocol-0 line', (n) => concat(new Uint8Array([0x53]), fill(n, 0x41), new Uint8Array([0x0a, 0x2e]))],
  ['DUP flood', (n) => concat(op.proto(4), op.sbu('y'.repeat(200)), fill(n, 0x32), op.stop)],
];

test('hostile floods stay within the caps: MARK, MEMOIZE, deep tuples, huge declared lengths', async () => {
  for (const [what, flood] of FLOODS) assert.ok(await scan(flood(300_000)), what);
  const huge = concat(op.proto(4), new Uint8Array([0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00]), op.stop);
  assert.ok(await scan(huge), 'huge BINUNICODE8');
  // Past the stack cap, pops no longer match Python's: the scan says it cannot vouch for the rest.
  const marks = await scan(FLOODS[0]![1](300_000));
  assert.notEqual(marks!.verdict, 'safe');
  assert.equal(marks!.complete, false);
});

test('hostile floods take time in proportion to their size (a ratio to an ordinary pickle of the same size)', async () => {
  for (const [name, flood] of FLOODS) {
    await assertLinear({ name, hostile: flood, benign: benignPickle, run: scan, size: 50_000, maxRatio: 30 });
  }
});

test('a zlib bomb is cut at the decompression limit and marked incomplete', async () => {
  const bomb = new Uint8Array(deflateSync(concat(op.proto(4), op.binbytes8(64 * 1024 * 1024), new Uint8Array(64 * 1024 * 1024), op.stop)));
  const safety = await scanModelSafety(new MemoryReader().add('b', bomb), 'b', bomb.length, 'joblib', { maxDecompressedBytes: 8 * 1024 * 1024 });
  assert.equal(safety!.complete, false);
  assert.match(safety!.notes.join(' '), /stopped after 8388608 decompressed bytes/);
});

// Fuzzing the scanner: random bytes, mutated real model files and hostile floods never make it
// throw, hang or hold more than its caps.
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
import { MODELS_DIR, MemoryReader, concat, op } from './model.support';

const FORMATS: ModelFormat[] = ['pickle', 'joblib', 'pytorch', 'torchscript', 'numpy'];

async function scanQuickly(bytes: Uint8Array, format: ModelFormat, chunkSize: number): Promise<void> {
  const started = Date.now();
  const safety = await scanModelSafety(new MemoryReader().add('f', bytes), 'f', bytes.length, format, { chunkSize });
  assert.ok(safety);
  assert.ok(['safe', 'suspicious', 'unsafe'].includes(safety.verdict));
  assert.ok(safety.scannedBytes <= bytes.length);
  assert.ok(Array.isArray(safetyFindings('f', safety)));
  JSON.stringify(safety);
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms on ${bytes.length} bytes`);
}

test('random bytes: no throw, bounded time', async () => {
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

test('mutated real model files: no throw, bounded time', async () => {
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

test('hostile floods stay within the caps: MARK, MEMOIZE, deep tuples, huge declared lengths', async () => {
  const floods: [string, Uint8Array][] = [
    ['MARK flood', concat(op.proto(4), new Uint8Array(300_000).fill(0x28), op.stackGlobal('os', 'system'), op.stop)],
    ['MEMOIZE flood', concat(op.proto(4), op.sbu('x'), new Uint8Array(2_000_000).fill(0x94), op.stop)],
    ['nested tuples', concat(op.proto(4), op.sbu('x'), new Uint8Array(500_000).fill(0x85), op.stop)],
    ['huge BINUNICODE8', concat(op.proto(4), new Uint8Array([0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00]), op.stop)],
    ['long protocol-0 line', concat(new Uint8Array([0x53]), new Uint8Array(100_000).fill(0x41), new Uint8Array([0x0a, 0x2e]))],
    ['DUP flood', concat(op.proto(4), op.sbu('y'.repeat(200)), new Uint8Array(400_000).fill(0x32), op.stop)],
  ];
  for (const [what, bytes] of floods) {
    const started = Date.now();
    const safety = await scanModelSafety(new MemoryReader().add('f', bytes), 'f', bytes.length, 'pickle');
    assert.ok(safety, what);
    assert.ok(Date.now() - started < 5000, `${what}: ${Date.now() - started} ms`);
  }
  // Past the stack cap, pops no longer match Python's: the scan says it cannot vouch for the rest.
  const marks = await scanModelSafety(new MemoryReader().add('f', floods[0]![1]), 'f', floods[0]![1].length, 'pickle');
  assert.notEqual(marks!.verdict, 'safe');
  assert.equal(marks!.complete, false);
});

test('a zlib bomb is cut at the decompression limit and marked incomplete', async () => {
  const bomb = new Uint8Array(deflateSync(concat(op.proto(4), op.binbytes8(64 * 1024 * 1024), new Uint8Array(64 * 1024 * 1024), op.stop)));
  const safety = await scanModelSafety(new MemoryReader().add('b', bomb), 'b', bomb.length, 'joblib', { maxDecompressedBytes: 8 * 1024 * 1024 });
  assert.equal(safety!.complete, false);
  assert.match(safety!.notes.join(' '), /stopped after 8388608 decompressed bytes/);
});

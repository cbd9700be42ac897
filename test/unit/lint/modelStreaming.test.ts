// The scanner streams: files much larger than its chunk are read chunk by chunk, payloads are
// stepped over by offset, and what it holds stays bounded however large the file is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { scanModelSafety } from '../../../src/core/lint/model/scanModelSafety';
import { CARRY_MAX } from '../../../src/core/pickle/pickleWalker';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';
import { MemoryReader, concat, op } from './model.support';

const MiB = 1024 * 1024;

test('a payload hidden after a 10 MB BINBYTES blob is found at its exact offset, reading the blob or seeking past it', async () => {
  const head = concat(op.proto(4), new Uint8Array([0x7d, 0x94]), op.sbu('blob'));
  const blob = new Uint8Array(10 * 1000 * 1000).fill(0x63); // 'c': opcode-looking filler that must not be walked
  const blobOp = concat(new Uint8Array([0x42]), new Uint8Array(new Uint32Array([blob.length]).buffer));
  const tail = concat(new Uint8Array([0x73]), op.stackGlobal('os', 'system'), op.call1('id'), op.stop);
  const bytes = concat(head, blobOp, blob, tail);
  const payloadOffset = head.length + blobOp.length + blob.length + 1 + 4 + 8; // after SETITEM, 'os', 'system'
  for (const seek of [true, false]) {
    const reader = new MemoryReader().add('big.pkl', bytes);
    const stats = { bytesRead: 0, reads: 0, peakCarry: 0 };
    const safety = await scanModelSafety(reader, 'big.pkl', bytes.length, 'pickle', { seek, stats });
    assert.ok(safety);
    assert.equal(safety.verdict, 'unsafe');
    const g = safety.globals.find((x) => x.module === 'os')!;
    assert.equal(g.offset, payloadOffset, `seek ${seek}`);
    assert.equal(bytes[g.offset], 0x93, 'the offset is the STACK_GLOBAL opcode');
    assert.equal(safety.scannedBytes, bytes.length);
    assert.equal(safety.complete, true);
    if (seek) assert.ok(reader.bytesRead < 2 * MiB, `seeking past the blob reads ${reader.bytesRead} bytes`);
    else assert.equal(reader.bytesRead, bytes.length, 'without seeking, every byte is read exactly once');
    assert.ok(reader.largestRead <= MiB);
    assert.equal(stats.bytesRead, reader.bytesRead);
  }
});

/** Writes a protocol-4 pickle of a list of `n` floats (opcode-dense: nothing to step over), then os.system. */
function writeDenseFile(path: string, targetBytes: number): { size: number; payloadOffset: number } {
  const fd = openSync(path, 'w');
  let size = 0;
  const write = (b: Uint8Array): void => {
    writeSync(fd, b);
    size += b.length;
  };
  write(concat(op.proto(4), new Uint8Array([0x5d, 0x94]))); // EMPTY_LIST, MEMOIZE
  const batch = new Uint8Array(2 + 1000 * 9);
  batch[0] = 0x28; // MARK
  for (let i = 0; i < 1000; i++) {
    batch[1 + i * 9] = 0x47; // BINFLOAT
    new DataView(batch.buffer).setFloat64(2 + i * 9, i * 1.5);
  }
  batch[batch.length - 1] = 0x65; // APPENDS
  const block = new Uint8Array(batch.length * 100);
  for (let i = 0; i < 100; i++) block.set(batch, i * batch.length);
  while (size < targetBytes) write(block);
  write(op.pop);
  const payloadOffset = size + op.sbu('posix').length + op.sbu('system').length;
  write(concat(op.stackGlobal('posix', 'system'), op.call1('id'), op.stop));
  closeSync(fd);
  return { size, payloadOffset };
}

test('a 64 MiB opcode-dense pickle streams through 1 MiB chunks with bounded memory and the payload at its offset', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-scan-'));
  try {
    const { payloadOffset } = writeDenseFile(join(dir, 'dense.pkl'), 64 * MiB);
    const size = statSync(join(dir, 'dense.pkl')).size;
    const reader = new NodeFsReader(dir);
    const stats = { bytesRead: 0, reads: 0, peakCarry: 0 };
    global.gc?.();
    const before = process.memoryUsage();
    const safety = await scanModelSafety(reader, 'dense.pkl', size, 'pickle', { chunkSize: MiB, stats });
    const after = process.memoryUsage();
    assert.ok(safety);
    assert.equal(safety.verdict, 'unsafe');
    assert.equal(safety.complete, true, safety.notes.join('; '));
    assert.deepEqual(safety.globals.map((g) => [g.module, g.name, g.offset]), [['posix', 'system', payloadOffset]]);
    assert.equal(reader.bytesRead, size, 'read once, start to end');
    assert.ok(stats.reads <= Math.ceil(size / MiB) + 1, `one read per chunk (and the head): ${stats.reads}`);
    assert.ok(stats.peakCarry <= CARRY_MAX, `carried ${stats.peakCarry} bytes between chunks`);
    // Loose: the heap must not grow with the file (64 MiB); chunks are garbage.
    const grown = after.heapUsed - before.heapUsed;
    assert.ok(grown < 48 * MiB, `heap grew by ${(grown / MiB).toFixed(1)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chunks of one byte give the same answer as one chunk', async () => {
  const bytes = concat(op.proto(4), op.binunicode('x'.repeat(5000)), op.pop, op.binbytes8(3), new Uint8Array([1, 2, 3]), op.pop,
    op.stackGlobal('builtins', 'eval'), op.call1('1'), op.stop);
  const one = await scanModelSafety(new MemoryReader().add('a', bytes), 'a', bytes.length, 'pickle', { chunkSize: 1 << 20 });
  const tiny = await scanModelSafety(new MemoryReader().add('a', bytes), 'a', bytes.length, 'pickle', { chunkSize: 1 });
  assert.deepEqual(tiny, one);
  assert.equal(one!.globals[0]!.offset, bytes.lastIndexOf(0x93));
});

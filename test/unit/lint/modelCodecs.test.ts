// The streaming decoders behind the scan of compressed joblib dumps, checked byte for byte against
// what Python's own decompressors produced (test/fixtures/compressed-large/expected.json), fed in
// chunks of many sizes, and stopped early by their sink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decompressInto, type ChunkSink, type Codec, type DecompressStatus } from '../../../src/core/lint/model/decompressInto';
import { scanModelSafety } from '../../../src/core/lint/model/scanModelSafety';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';

const DIR = join(__dirname, '../../fixtures/compressed-large');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

class HashSink implements ChunkSink {
  private readonly hash = createHash('sha256');
  length = 0;
  largest = 0;
  constructor(private readonly stopAt = Infinity) {}
  get done(): boolean {
    return this.length >= this.stopAt;
  }
  write(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.length += chunk.length;
    this.largest = Math.max(this.largest, chunk.length);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

async function decode(codec: Codec, bytes: Uint8Array, chunk: number, stopAt?: number): Promise<{ sink: HashSink; status: DecompressStatus }> {
  const sink = new HashSink(stopAt);
  const status: DecompressStatus = {};
  await decompressInto(codec, chunks(bytes, chunk), sink, status, { maxHeldInput: 256 * 1024 * 1024 });
  return { sink, status };
}

for (const codec of ['bz2', 'xz', 'lzma', 'lz4'] as const) {
  test(`${codec}: a joblib dump decodes whole and exactly, whatever the input chunk size`, async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, `rf.joblib.${codec}`)));
    for (const chunk of [1 << 20, 65536, 4099, 997]) {
      const { sink, status } = await decode(codec, bytes, chunk);
      assert.equal(status.error, undefined, `${codec}/${chunk}`);
      assert.equal(sink.length, expected.payload.length, `${codec}/${chunk}`);
      assert.equal(sink.digest(), expected.payload.sha256, `${codec}/${chunk}`);
    }
  });

  test(`${codec}: a cut stream yields what precedes the cut and says so`, async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, `rf.joblib.${codec}`)));
    const { sink, status } = await decode(codec, bytes.subarray(0, bytes.length >> 1), 8192);
    assert.ok(status.error, `${codec}: the cut is reported`);
    assert.ok(sink.length < expected.payload.length);
  });
}

test('lz4 frame variants (two frames, independent blocks with checksums, 1 MiB blocks, stored blocks) decode exactly', async () => {
  for (const [name, want] of Object.entries<{ length: number; sha256: string }>(expected.lz4Variants)) {
    const bytes = new Uint8Array(readFileSync(join(DIR, name)));
    for (const chunk of [1 << 20, 333]) {
      const { sink, status } = await decode('lz4', bytes, chunk);
      assert.equal(status.error, undefined, name);
      assert.equal(sink.length, want.length, name);
      assert.equal(sink.digest(), want.sha256, name);
    }
  }
});

test('decompression bombs stop as soon as the sink has enough', async () => {
  for (const [name, size] of Object.entries<number>(expected.bombs)) {
    const codec = name.split('.').pop() as Codec;
    const bytes = new Uint8Array(readFileSync(join(DIR, name)));
    const started = Date.now();
    const { sink } = await decode(codec, bytes, 4096, 1024 * 1024);
    assert.ok(sink.length >= 1024 * 1024 && sink.length < size, `${name}: ${sink.length}`);
    assert.ok(sink.largest <= 64 * 1024 * 1024, `${name}: no output chunk holds the whole bomb`);
    assert.ok(Date.now() - started < 10_000);
  }
});

test('the large compressed joblib dumps scan safe and complete', async () => {
  const reader = new NodeFsReader(DIR);
  for (const codec of ['bz2', 'xz', 'lzma', 'lz4']) {
    const name = `rf.joblib.${codec}`;
    const safety = await scanModelSafety(reader, name, statSync(join(DIR, name)).size, 'joblib', { chunkSize: 16384 });
    assert.equal(safety!.verdict, 'safe', `${name}: ${JSON.stringify(safety!.globals.filter((g) => g.verdict !== 'safe'))}`);
    assert.equal(safety!.complete, true, `${name}: ${safety!.notes.join('; ')}`);
    assert.ok(safety!.globals.some((g) => g.name === 'RandomForestClassifier'));
  }
});

// decompressPrefix on real joblib dumps (bz2, xz, lzma, lz4), on their first 64 KiB, on every
// truncation of small files, on bombs, and on random or damaged bytes behind a valid magic number.
// Fixtures: test/fixtures/models/sklearn_<codec>.joblib (joblib 1.2 + scikit-learn) and
// test/fixtures/compressed-large/ (see make.py there; expected.json holds Python's own results).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decompressPrefix, type PrefixCodec, type PrefixNotes } from '../../../src/core/detect/formats/decompressPrefix';

const MODELS = join(__dirname, '../../fixtures/models');
const LARGE = join(__dirname, '../../fixtures/compressed-large');
const CODECS: PrefixCodec[] = ['bz2', 'xz', 'lzma', 'lz4'];
const DEFAULT_MAX = 256 * 1024;
const PREFIX = 64 * 1024;
/** Loose bound per test so that a hang fails the run instead of stalling it. */
const SLOW = { timeout: 120_000 };

interface Expected {
  payload: { length: number; sha256: string };
  prefix: number;
  pythonPrefixLengths: Record<PrefixCodec, number>;
  lz4Variants: Record<string, { length: number; sha256: string }>;
  bombs: Record<string, number>;
}
const expected = JSON.parse(readFileSync(join(LARGE, 'expected.json'), 'utf8')) as Expected;

const small = (codec: PrefixCodec): Uint8Array => new Uint8Array(readFileSync(join(MODELS, `sklearn_${codec}.joblib`)));
const large = (codec: PrefixCodec): Uint8Array => new Uint8Array(readFileSync(join(LARGE, `rf.joblib.${codec}`)));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function assertPrefixOf(part: Uint8Array, whole: Uint8Array, what: string): void {
  assert.ok(part.length <= whole.length, `${what}: ${part.length} bytes, longer than the ${whole.length} of the whole`);
  const at = part.findIndex((b, i) => b !== whole[i]);
  assert.equal(at, -1, `${what}: differs from the full decompression at byte ${at}`);
}

/** Deterministic PRNG (mulberry32), so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Checks the contract on any input: resolves, and gives undefined or 1..maxOutput bytes. */
async function assertWellBehaved(input: Uint8Array, codec: PrefixCodec, maxOutput: number, what: string): Promise<Uint8Array | undefined> {
  const out = await decompressPrefix(input, codec, maxOutput);
  if (out !== undefined) {
    assert.ok(out instanceof Uint8Array, `${what}: not a Uint8Array`);
    assert.ok(out.length > 0 && out.length <= maxOutput, `${what}: ${out.length} bytes with maxOutput ${maxOutput}`);
  }
  return out;
}

const MAGIC: Record<PrefixCodec, number[]> = {
  bz2: [0x42, 0x5a, 0x68, 0x39], // BZh9
  xz: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  lzma: [0x5d, 0x00, 0x00],
  lz4: [0x04, 0x22, 0x4d, 0x18],
};

for (const codec of CODECS) {
  test(`${codec}: a real joblib dump of a scikit-learn pipeline decompresses to its pickle`, async () => {
    const out = await decompressPrefix(small(codec), codec);
    assert.ok(out);
    assert.deepEqual([...out.subarray(0, 2)], [0x80, 0x04]);
    assert.ok(Buffer.from(out).includes('sklearn.pipeline'), 'names sklearn.pipeline');
  });

  test(`${codec}: a whole large dump decompresses to the pickle Python wrote`, SLOW, async () => {
    const out = await decompressPrefix(large(codec), codec, 4 * 1024 * 1024);
    assert.ok(out);
    assert.equal(out.length, expected.payload.length);
    assert.equal(sha256(out), expected.payload.sha256);
  });

  test(`${codec}: the first 64 KiB of a large dump fill the default 256 KiB with the right bytes`, SLOW, async () => {
    const whole = await decompressPrefix(large(codec), codec, 4 * 1024 * 1024);
    assert.ok(whole);
    const input = large(codec).subarray(0, PREFIX);
    const out = await decompressPrefix(input, codec);
    assert.ok(out);
    assert.equal(out.length, DEFAULT_MAX);
    assertPrefixOf(out, whole, codec);
    assert.ok(Buffer.from(out).includes('sklearn.ensemble'), 'names sklearn.ensemble');
  });

  test(`${codec}: the first 64 KiB give about as much as Python's incremental decompressor`, SLOW, async () => {
    const whole = await decompressPrefix(large(codec), codec, 4 * 1024 * 1024);
    assert.ok(whole);
    const out = await decompressPrefix(large(codec).subarray(0, PREFIX), codec, 4 * 1024 * 1024);
    assert.ok(out);
    assertPrefixOf(out, whole, codec);
    assert.ok(out.length < whole.length, 'a truncated stream does not decode to the end');
    const python = expected.pythonPrefixLengths[codec];
    // bz2 and lzma decode exactly what Python does; xz-embedded keeps a few hundred bytes of
    // lookahead; lz4 also decodes the complete sequences of the cut block, which Python does not.
    assert.ok(out.length >= python - 4096, `${out.length} bytes, Python got ${python}`);
  });

  test(`${codec}: every truncation of a small dump resolves to undefined or a prefix of the whole`, SLOW, async () => {
    const input = small(codec);
    const whole = await decompressPrefix(input, codec);
    assert.ok(whole);
    let previous = 0;
    for (let n = 0; n <= input.length; n++) {
      const out = await assertWellBehaved(input.subarray(0, n), codec, DEFAULT_MAX, `${codec} cut at ${n}`);
      const length = out?.length ?? 0;
      if (out) assertPrefixOf(out, whole, `${codec} cut at ${n}`);
      assert.ok(length >= previous, `${codec} cut at ${n}: ${length} bytes, fewer than the ${previous} from a shorter cut`);
      previous = length;
    }
    assert.equal(previous, whole.length);
  });

  test(`${codec}: every 1009th truncation of a large dump is a prefix of the whole`, SLOW, async () => {
    const input = large(codec);
    const whole = await decompressPrefix(input, codec, 4 * 1024 * 1024);
    assert.ok(whole);
    for (let n = 0; n <= PREFIX; n += 1009) {
      const out = await assertWellBehaved(input.subarray(0, n), codec, 1024 * 1024, `${codec} cut at ${n}`);
      if (out) assertPrefixOf(out, whole, `${codec} cut at ${n}`);
    }
  });

  test(`${codec}: maxOutput caps the output exactly`, async () => {
    const whole = await decompressPrefix(small(codec), codec);
    assert.ok(whole);
    for (const max of [1, 2, 100, 1000, whole.length]) {
      const out = await decompressPrefix(small(codec), codec, max);
      assert.ok(out);
      assert.equal(out.length, Math.min(max, whole.length));
      assertPrefixOf(out, whole, `${codec} max ${max}`);
    }
    assert.equal(await decompressPrefix(small(codec), codec, 0), undefined);
    assert.equal(await decompressPrefix(small(codec), codec, -5), undefined);
  });

  test(`${codec}: empty input, the magic number alone and other codecs' data give undefined`, async () => {
    assert.equal(await decompressPrefix(new Uint8Array(0), codec), undefined);
    assert.equal(await decompressPrefix(new Uint8Array(MAGIC[codec]), codec), undefined);
    for (const other of CODECS.filter((c) => c !== codec)) {
      assert.equal(await decompressPrefix(small(other), codec), undefined, `${other} data read as ${codec}`);
    }
  });

  test(`${codec}: random bytes behind the magic number never throw`, SLOW, async () => {
    const next = rng(0x5eed + CODECS.indexOf(codec));
    for (let i = 0; i < 300; i++) {
      const body = randomBytes(next, 1 + Math.floor(next() * (i < 250 ? 512 : 64 * 1024)));
      await assertWellBehaved(concat(new Uint8Array(MAGIC[codec]), body), codec, DEFAULT_MAX, `${codec} random #${i}`);
    }
  });

  test(`${codec}: a valid header followed by random bytes never throws`, SLOW, async () => {
    const next = rng(0xbad + CODECS.indexOf(codec));
    const head = small(codec);
    for (let i = 0; i < 200; i++) {
      const keep = 1 + Math.floor(next() * 40);
      const body = randomBytes(next, Math.floor(next() * 4096));
      await assertWellBehaved(concat(head.subarray(0, keep), body), codec, DEFAULT_MAX, `${codec} header ${keep} + random #${i}`);
    }
  });

  test(`${codec}: a dump with damaged bytes never throws and stays within maxOutput`, SLOW, async () => {
    const next = rng(0xf11b + CODECS.indexOf(codec));
    const original = large(codec).subarray(0, PREFIX);
    for (let i = 0; i < 60; i++) {
      const damaged = original.slice();
      const flips = 1 + Math.floor(next() * 8);
      for (let f = 0; f < flips; f++) damaged[Math.floor(next() * damaged.length)] ^= 1 << Math.floor(next() * 8);
      await assertWellBehaved(damaged, codec, DEFAULT_MAX, `${codec} damaged #${i}`);
    }
  });
}

test('bz2: only complete blocks decode, so a cut first block gives undefined', async () => {
  const input = large('bz2');
  assert.equal(await decompressPrefix(input.subarray(0, 10_000), 'bz2'), undefined);
  // 64 KiB hold the first block (joblib's level 3: 300 kB blocks) but not the second one.
  const out = await decompressPrefix(input.subarray(0, PREFIX), 'bz2', 4 * 1024 * 1024);
  assert.equal(out?.length, expected.pythonPrefixLengths.bz2);
});

for (const [name, want] of Object.entries(expected.lz4Variants)) {
  test(`lz4: ${name} decodes whole and cut at every 997th byte`, SLOW, async () => {
    const input = new Uint8Array(readFileSync(join(LARGE, name)));
    const whole = await decompressPrefix(input, 'lz4', 4 * 1024 * 1024);
    assert.ok(whole);
    assert.equal(whole.length, want.length);
    assert.equal(sha256(whole), want.sha256);
    let previous = 0;
    for (let n = 0; n < input.length; n += 997) {
      const out = await assertWellBehaved(input.subarray(0, n), 'lz4', 4 * 1024 * 1024, `${name} cut at ${n}`);
      if (out) assertPrefixOf(out, whole, `${name} cut at ${n}`);
      assert.ok((out?.length ?? 0) >= previous);
      previous = out?.length ?? 0;
    }
  });
}

test('lz4: a cut block still yields its complete sequences (more than Python decodes)', async () => {
  const input = large('lz4');
  const out = await decompressPrefix(input.subarray(0, PREFIX), 'lz4', 4 * 1024 * 1024);
  assert.ok(out);
  assert.ok(out.length > expected.pythonPrefixLengths.lz4, `${out.length} bytes`);
});

test('lz4: a hand-made block with an endless match stops at maxOutput', async () => {
  // Frame header: magic, FLG (version 01, independent blocks), BD (64 KB), header checksum byte.
  const header = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];
  // One sequence: 1 literal 'A', then a match at offset 1 with length 15 + 4 + 255 * 200 + 0.
  const sequence = [0x1f, 0x41, 0x01, 0x00, ...new Array<number>(200).fill(255), 0x00];
  const size = [sequence.length & 0xff, sequence.length >> 8, 0, 0];
  const input = new Uint8Array([...header, ...size, ...sequence, 0, 0, 0, 0]);
  const whole = await decompressPrefix(input, 'lz4', 1024 * 1024);
  assert.equal(whole?.length, 1 + 15 + 4 + 255 * 200);
  assert.ok(whole?.every((b) => b === 0x41));
  const capped = await decompressPrefix(input, 'lz4', 1000);
  assert.equal(capped?.length, 1000);
  // A match that reaches back before the start of the output is corrupt: only the literal survives.
  const bad = input.slice();
  bad[header.length + 4 + 2] = 0x05;
  assert.deepEqual([...((await decompressPrefix(bad, 'lz4')) ?? [])], [0x41]);
});

for (const [name, length] of Object.entries(expected.bombs)) {
  const codec = name.split('.').pop() as PrefixCodec;
  test(`${codec}: a bomb of ${length} zeros stops at maxOutput`, SLOW, async () => {
    const input = new Uint8Array(readFileSync(join(LARGE, name)));
    if (codec === 'bz2') {
      // A 79-byte stream whose block fills a 900 k-entry table is refused before that work, and says so.
      const notes: PrefixNotes = {};
      assert.equal(await decompressPrefix(input, codec, DEFAULT_MAX, notes), undefined);
      assert.equal(notes.expansive, true);
      return;
    }
    for (const max of [DEFAULT_MAX, 3 * 1024 * 1024]) {
      const out = await decompressPrefix(input, codec, max);
      assert.equal(out?.length, max);
      assert.ok(out.every((b) => b === 0));
    }
  });
}

test('xz: many calls at once, most stopped early, all resolve and later calls still work', SLOW, async () => {
  const input = large('xz');
  const whole = await decompressPrefix(input, 'xz', 4 * 1024 * 1024);
  assert.ok(whole);
  const outs = await Promise.all(
    Array.from({ length: 24 }, (_, i) => decompressPrefix(input.subarray(0, 500 + i * 2500), 'xz', 1000 + i * 9000)),
  );
  outs.forEach((out, i) => {
    if (out) assertPrefixOf(out, whole, `parallel #${i}`);
  });
  assert.equal((await decompressPrefix(input, 'xz', 4 * 1024 * 1024))?.length, expected.payload.length);
});

test('an unknown codec gives undefined', async () => {
  assert.equal(await decompressPrefix(small('lz4'), 'zstd' as PrefixCodec), undefined);
});

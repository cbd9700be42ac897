// The one zip central-directory reader, in both of its modes: reading the directory where it lies
// (the safety scanner) and reading only a window at the end of the file (detection). Real zips come
// from test/fixtures/zip/ (see make.py there; expected.json is Python's zipfile's own reading).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCentralDirectory, type ReadAt, type ZipEntry } from '../../../src/core/zip/centralDirectory';
import { enc, makeZip } from '../lint/model.support';

const DIR = join(__dirname, '../../fixtures/zip');
type Expected = Record<string, { size: number; totalEntries: number; members: (ZipEntry & { dataOffset: number })[] }>;
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Expected;
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));

/** A byte reader over `bytes` that records every read. */
function source(bytes: Uint8Array): { read: ReadAt; reads: [number, number][] } {
  const reads: [number, number][] = [];
  const read: ReadAt = async (offset, length) => {
    reads.push([offset, length]);
    return bytes.subarray(offset, offset + length);
  };
  return { read, reads };
}

const fields = ({ name, method, flags, compressedSize, uncompressedSize, localHeaderOffset }: ZipEntry): ZipEntry => ({ name, method, flags, compressedSize, uncompressedSize, localHeaderOffset });

/** Offsets of the first central header and of the end record. */
function firstCentral(bytes: Uint8Array): number {
  return Buffer.from(bytes).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
}

function endRecordAt(bytes: Uint8Array): number {
  return Buffer.from(bytes).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
}

/** 2000 one-byte members: a directory of about 120 KiB, twice detection's window. */
function bigZip(): Uint8Array {
  return makeZip(Array.from({ length: 2000 }, (_, i) => ({ name: `archive/data/${i}`, data: enc('x') })));
}

test('a zip written by Python lists every member as zipfile reads it, read in place or in one window', async () => {
  const bytes = fixture('plain.zip');
  const want = expected['plain.zip']!;
  assert.equal(bytes.length, want.size);
  for (const options of [{}, { window: bytes.length }, { window: 64 * 1024 }]) {
    const dir = await readCentralDirectory(source(bytes).read, bytes.length, options);
    assert.ok(dir, JSON.stringify(options));
    assert.deepEqual(dir.entries, want.members.map(fields), JSON.stringify(options));
    assert.equal(dir.totalEntries, want.totalEntries);
    assert.equal(dir.complete, true);
    assert.deepEqual(dir.notes, []);
  }
});

test('zip64: the count, directory offset and size come from the zip64 end record, member sizes and offsets from the extra field', async () => {
  const bytes = fixture('zip64.zip');
  const want = expected['zip64.zip']!;
  const eocd = endRecordAt(bytes);
  const ev = new DataView(bytes.buffer, bytes.byteOffset + eocd);
  assert.deepEqual([ev.getUint16(10, true), ev.getUint32(12, true), ev.getUint32(16, true)], [0xffff, 0xffffffff, 0xffffffff], 'the classic end record holds only zip64 markers');
  const cv = new DataView(bytes.buffer, bytes.byteOffset + firstCentral(bytes));
  assert.equal(cv.getUint32(42, true), 0xffffffff, 'the first central header\'s offset is a zip64 marker too');
  for (const options of [{}, { window: bytes.length }]) {
    const dir = await readCentralDirectory(source(bytes).read, bytes.length, options);
    assert.ok(dir);
    assert.deepEqual(dir.entries, want.members.map(fields), JSON.stringify(options));
    assert.equal(dir.totalEntries, want.totalEntries);
    assert.equal(dir.complete, true);
  }
});

test('a window that holds the zip64 locator but not the zip64 end record lists nothing, and says it is not complete', async () => {
  const bytes = fixture('zip64.zip');
  const eocd = endRecordAt(bytes);
  const { read, reads } = source(bytes);
  const dir = await readCentralDirectory(read, bytes.length, { window: bytes.length - eocd + 20 });
  assert.ok(dir);
  assert.deepEqual(dir.entries, []);
  assert.equal(dir.complete, false);
  assert.equal(reads.length, 1, 'the window is the only read');
});

test('the 64 KiB window: a directory that starts before it is listed from its first whole entry inside it, and is not complete', async () => {
  const bytes = bigZip();
  const all = (await readCentralDirectory(source(bytes).read, bytes.length))!;
  assert.equal(all.entries.length, 2000);
  assert.equal(all.complete, true);
  const window = 60 * 1024;
  const { read, reads } = source(bytes);
  const dir = (await readCentralDirectory(read, bytes.length, { window }))!;
  assert.deepEqual(reads, [[bytes.length - window, window]], 'one read of the window, nothing else');
  assert.ok(dir.entries.length > 500 && dir.entries.length < 2000, `${dir.entries.length} entries in the window`);
  assert.deepEqual(dir.entries, all.entries.slice(-dir.entries.length), 'the last entries, each whole');
  assert.equal(dir.totalEntries, 2000);
  assert.equal(dir.complete, false);
  assert.match(dir.notes.join(), /starts before the last 61440 bytes/);
});

test('a window that holds only the end record lists nothing; one that holds the whole directory lists it all', async () => {
  const bytes = bigZip();
  const endOnly = (await readCentralDirectory(source(bytes).read, bytes.length, { window: 22 }))!;
  assert.deepEqual([endOnly.entries, endOnly.complete, endOnly.totalEntries], [[], false, 2000]);
  const whole = (await readCentralDirectory(source(bytes).read, bytes.length, { window: 200 * 1024 }))!;
  assert.deepEqual([whole.entries.length, whole.complete], [2000, true]);
});

test('the directory read in place is capped at maxDirectoryBytes, with a note', async () => {
  const bytes = bigZip();
  const { read, reads } = source(bytes);
  const dir = (await readCentralDirectory(read, bytes.length, { maxDirectoryBytes: 1000 }))!;
  assert.equal(reads.at(-1)![1], 1000, 'the directory read');
  assert.ok(dir.entries.length > 0 && dir.entries.length < 20);
  assert.equal(dir.complete, false);
  assert.match(dir.notes[0]!, /^only the first 1000 bytes of a \d+-byte zip directory were read$/);
});

test('no end record: undefined, in either mode', async () => {
  const garbage = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251);
  for (const bytes of [new Uint8Array(0), enc('PK'), garbage]) {
    assert.equal(await readCentralDirectory(source(bytes).read, bytes.length), undefined);
    assert.equal(await readCentralDirectory(source(bytes).read, bytes.length, { window: 4096 }), undefined);
  }
});

test('an end record that points outside the file gives no entries and the scanner its note', async () => {
  const bytes = fixture('plain.zip').slice();
  const eocd = endRecordAt(bytes);
  new DataView(bytes.buffer).setUint32(eocd + 16, bytes.length, true);
  const dir = (await readCentralDirectory(source(bytes).read, bytes.length))!;
  assert.deepEqual(dir, { entries: [], totalEntries: 5, complete: false, notes: ['the zip central directory points outside the file'] });
  const windowed = (await readCentralDirectory(source(bytes).read, bytes.length, { window: bytes.length }))!;
  assert.deepEqual([windowed.entries, windowed.complete], [[], false]);
});

test('a broken entry signature stops the listing there, with a note', async () => {
  const bytes = fixture('plain.zip').slice();
  const third = expected['plain.zip']!.members[2]!.name;
  const at = Buffer.from(bytes).lastIndexOf(Buffer.from(third)) - 46;
  bytes[at] = 0;
  for (const options of [{}, { window: bytes.length }]) {
    const dir = (await readCentralDirectory(source(bytes).read, bytes.length, options))!;
    assert.deepEqual(dir.entries.map((e) => e.name), expected['plain.zip']!.members.slice(0, 2).map((m) => m.name));
    assert.equal(dir.complete, false);
    assert.deepEqual(dir.notes, ['the zip directory is malformed at entry 2']);
  }
});

test('a truncated or garbled tail is never a crash: undefined, or a listing that is complete only when it holds every entry', async () => {
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (const name of ['plain.zip', 'zip64.zip']) {
    const original = fixture(name);
    const variants: Uint8Array[] = [];
    for (let cut = 0; cut <= original.length; cut++) variants.push(original.subarray(0, cut), original.subarray(cut));
    for (let i = 0; i < 400; i++) {
      const bytes = original.slice();
      for (let k = 0; k <= random(4); k++) bytes[bytes.length - 1 - random(Math.min(bytes.length, 300))] = random(256);
      variants.push(bytes);
    }
    for (const bytes of variants) {
      for (const options of [{}, { window: bytes.length }, { window: 1 + random(bytes.length + 1) }]) {
        const dir = await readCentralDirectory(source(bytes).read, bytes.length, options);
        if (!dir) continue;
        assert.ok(!dir.complete || dir.entries.length >= dir.totalEntries, `${name}: complete with ${dir.entries.length} of ${dir.totalEntries}`);
      }
    }
    const cut = original.subarray(0, endRecordAt(original) + 21);
    assert.equal(await readCentralDirectory(source(cut).read, cut.length), undefined, `${name}: the end record cut short`);
  }
});

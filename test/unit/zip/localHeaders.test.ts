// Local file headers: the zip magic, the members detection sees in a file's first bytes, and where
// a member's data begins (checked against Python's zipfile, test/fixtures/zip/expected.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCentralDirectory, type ReadAt } from '../../../src/core/zip/centralDirectory';
import { isZip, localMembers, memberDataOffset } from '../../../src/core/zip/localHeaders';
import { enc } from '../lint/model.support';

const DIR = join(__dirname, '../../fixtures/zip');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, { members: { name: string; localHeaderOffset: number; dataOffset: number }[] }>;
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));
const readerOf = (bytes: Uint8Array): ReadAt => async (offset, length) => bytes.subarray(offset, offset + length);

test('isZip needs the whole local header magic', () => {
  assert.equal(isZip(fixture('plain.zip')), true);
  for (const bytes of [new Uint8Array(0), enc('PK'), enc('PK\x05\x06'), enc('PK\x03')]) assert.equal(isZip(bytes), false);
});

test('the local headers in a head window list the members that start in it, at their offsets', () => {
  const bytes = fixture('plain.zip');
  const want = expected['plain.zip']!.members;
  assert.deepEqual(localMembers(bytes).map((m) => [m.name, m.localHeaderOffset]), want.map((m) => [m.name, m.localHeaderOffset]));
  const head = bytes.subarray(0, want[2]!.localHeaderOffset + 30 + 5);
  assert.deepEqual(localMembers(head).map((m) => m.name), want.slice(0, 2).map((m) => m.name), 'a name cut by the window is not listed');
  assert.equal(localMembers(bytes, 3).length, 3);
});

test('a data descriptor ends the walk: the next header cannot be found without the size', () => {
  const bytes = fixture('plain.zip').slice();
  const second = expected['plain.zip']!.members[1]!.localHeaderOffset;
  bytes[second + 6]! |= 0x08;
  assert.deepEqual(localMembers(bytes).map((m) => m.name), expected['plain.zip']!.members.slice(0, 2).map((m) => m.name));
});

test('each member\'s data begins where zipfile finds it, zip64 offsets included; no local header there is undefined', async () => {
  for (const name of ['plain.zip', 'zip64.zip']) {
    const bytes = fixture(name);
    const dir = (await readCentralDirectory(readerOf(bytes), bytes.length))!;
    const offsets = await Promise.all(dir.entries.map((e) => memberDataOffset(readerOf(bytes), e)));
    assert.deepEqual(offsets, expected[name]!.members.map((m) => m.dataOffset), name);
    assert.equal(await memberDataOffset(readerOf(bytes), { ...dir.entries[1]!, localHeaderOffset: 1 }), undefined);
    assert.equal(await memberDataOffset(readerOf(bytes), { ...dir.entries[1]!, localHeaderOffset: bytes.length - 10 }), undefined);
  }
});

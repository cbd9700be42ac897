import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffFile } from '../../../src/core/detect/sniffFile';
import type { DirEntry, FileStat, WorkspaceReader } from '../../../src/core/workspaceReader';
import { MemoryReader } from '../../helpers/memoryReader';
import { makeZip } from '../lint/model.support';

/** A reader over one virtual file of any size whose bytes come from a function: no memory is used. */
class HugeFileReader implements WorkspaceReader {
  bytesRead = 0;
  constructor(private readonly size: number, private readonly byteAt: (offset: number) => number) {}
  async list(): Promise<DirEntry[]> {
    return [{ name: 'big', kind: 'file' }];
  }
  async realpath(path: string): Promise<string> {
    return path;
  }
  async stat(): Promise<FileStat> {
    return { kind: 'file', size: this.size };
  }
  async read(_path: string, offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    this.bytesRead += n;
    return Uint8Array.from({ length: n }, (_, i) => this.byteAt(offset + i));
  }
}

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

test('a multi-GB file costs at most 64 KiB of reads, whatever it holds', async () => {
  const size = 8 * 1024 ** 3;
  const patterns: [string, (o: number) => number][] = [
    ['zeros', () => 0],
    ['zip header then zeros', (o) => [0x50, 0x4b, 0x03, 0x04][o] ?? 0],
    ['pickle proto 4 then junk', (o) => (o === 0 ? 0x80 : o === 1 ? 4 : 0x28)],
    ['safetensors-like header', (o) => (o === 0 ? 0x00 : o === 2 ? 0x01 : o === 8 ? 0x7b : 0x20)],
    ['onnx-like start', (o) => (o === 0 ? 0x08 : o === 1 ? 0x07 : o === 2 ? 0x3a : 0xff)],
    ['hdf5', (o) => '\x89HDF\r\n\x1a\n'.charCodeAt(o) || 0],
  ];
  for (const [label, byteAt] of patterns) {
    const reader = new HugeFileReader(size, byteAt);
    await sniffFile(reader, 'big.bin', size);
    assert.ok(reader.bytesRead <= 64 * 1024, `${label}: read ${reader.bytesRead}`);
  }
});

test('a .pkl that holds text is not a model', async () => {
  const reader = new MemoryReader({ 'notes.pkl': 'These are my notes about the model.\n' });
  assert.equal(await sniffFile(reader, 'notes.pkl', 36), undefined);
});

test('safetensors needs its JSON header, not just a plausible length', async () => {
  const header = '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"format":"pt"}}';
  const bytes = new Uint8Array(8 + header.length + 4);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(enc(header), 8);
  const reader = new MemoryReader({ 'x.bin': bytes });
  const model = await sniffFile(reader, 'x.bin', bytes.length);
  assert.equal(model?.format, 'safetensors');
  assert.match(model?.evidence ?? '', /1 tensors, format pt/);
  const fake = bytes.slice();
  fake[8] = 0x41;
  assert.equal(await sniffFile(new MemoryReader({ 'y.bin': fake }), 'y.bin', fake.length), undefined);
});

test('an LFS pointer is recognised with its size', async () => {
  const text = 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 123456789\n';
  const model = await sniffFile(new MemoryReader({ 'm.pt': text }), 'm.pt', text.length);
  assert.equal(model?.format, 'lfs-pointer');
  assert.equal(model?.details?.lfsSize, 123456789);
});

test('an empty file is reported, not sniffed', async () => {
  await assert.rejects(sniffFile(new MemoryReader({ 'e.pt': '' }), 'e.pt', 0), /empty/);
});

/** The local header of a stored member whose sizes follow its data (flag bit 3), as torch.save streams them. */
function streamedLocalHeader(name: string): Uint8Array {
  const header = new Uint8Array(30 + name.length);
  const v = new DataView(header.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(6, 0x08, true);
  v.setUint16(26, name.length, true);
  header.set(enc(name), 30);
  return header;
}

/** A zip64 end: the zip64 end record, its locator and the classic end record with only zip64 markers. */
function zip64End(size: number, cdOffset: number, cdSize: number, entries: number): Uint8Array {
  const end = new Uint8Array(56 + 20 + 22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06064b50, true);
  v.setBigUint64(4, 44n, true);
  v.setBigUint64(24, BigInt(entries), true);
  v.setBigUint64(32, BigInt(entries), true);
  v.setBigUint64(40, BigInt(cdSize), true);
  v.setBigUint64(48, BigInt(cdOffset), true);
  v.setUint32(56, 0x07064b50, true);
  v.setBigUint64(64, BigInt(size - end.length), true);
  v.setUint32(76, 0x06054b50, true);
  v.setUint16(84, 0xffff, true);
  v.setUint16(86, 0xffff, true);
  v.setUint32(88, 0xffffffff, true);
  v.setUint32(92, 0xffffffff, true);
  return end;
}

test('a multi-GB torch zip whose directory starts before the 64 KiB tail window is known by its first member', async () => {
  const size = 8 * 1024 ** 3;
  const head = streamedLocalHeader('archive/data.pkl');
  const cdSize = 256 * 1024;
  const end = zip64End(size, size - 98 - cdSize, cdSize, 3000);
  const reader = new HugeFileReader(size, (o) => (o < head.length ? head[o]! : o >= size - end.length ? end[o - (size - end.length)]! : 0));
  const model = await sniffFile(reader, 'big.pt', size);
  assert.equal(model?.format, 'pytorch');
  assert.equal(model?.evidence, 'torch.save zip (first member archive/data.pkl)');
  assert.ok(reader.bytesRead <= 64 * 1024, `read ${reader.bytesRead}`);
});

test('a torch zip with a directory larger than the window is known by the member names the window holds', async () => {
  const zip = makeZip([
    { name: 'archive/data.pkl', data: enc('\x80\x02}q\x00.') },
    ...Array.from({ length: 2000 }, (_, i) => ({ name: `archive/data/${i}`, data: new Uint8Array(8) })),
    { name: 'archive/version', data: enc('3\n') },
  ]);
  const reader = new MemoryReader({ 'm.pt': zip });
  const model = await sniffFile(reader, 'm.pt', zip.length);
  assert.equal(model?.format, 'pytorch');
  const seen = /^torch\.save zip: archive\/data\.pkl, archive\/data\/0, .* \((\d+) seen\)$/.exec(model?.evidence ?? '');
  assert.ok(seen && Number(seen[1]) > 64, `more names than the head's 64 local headers give: ${model?.evidence}`);
  assert.ok(reader.bytesRead.get('m.pt')! <= 64 * 1024);
});

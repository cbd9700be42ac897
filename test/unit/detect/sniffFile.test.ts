import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffFile } from '../../../src/core/detect/sniffFile';
import type { DirEntry, FileStat, WorkspaceReader } from '../../../src/core/workspaceReader';
import { MemoryReader } from '../../helpers/memoryReader';

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

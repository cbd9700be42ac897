// The safety scan reads each zip member once, however many directory entries or local headers
// lead to its data: a 63 KB model.pt whose 1,000 entries all named one deflated 1 MiB pickle took
// 25 s (each entry inflated and walked again).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanModelSafety, type SafetyScanStats } from '../../../src/core/lint/model/scanModelSafety';
import { MemoryReader } from '../../helpers/memoryReader';
import { zipWithRepeatedEntries, zipWithSharedData } from './zipCraft';

/** A protocol-2 pickle of a dict holding one 1 MiB bytes payload, then an os.system call (unsafe). */
function bigPickle(): Uint8Array {
  const head = Uint8Array.from('\x80\x02}q\x00\x8e', (c) => c.charCodeAt(0));
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(1024 * 1024), true);
  const tail = Uint8Array.from('\x94cos\nsystem\n.', (c) => c.charCodeAt(0));
  const out = new Uint8Array(head.length + 8 + 1024 * 1024 + tail.length);
  out.set(head, 0);
  out.set(length, head.length);
  out.set(tail, head.length + 8 + 1024 * 1024);
  return out;
}

async function scan(zip: Uint8Array): Promise<{ stats: SafetyScanStats; safety: NonNullable<Awaited<ReturnType<typeof scanModelSafety>>> }> {
  const stats: SafetyScanStats = { bytesRead: 0, reads: 0, peakCarry: 0 };
  const safety = await scanModelSafety(new MemoryReader({ 'model.pt': zip }), 'model.pt', zip.length, 'pytorch', { stats });
  assert.ok(safety);
  return { stats, safety };
}

test('1,000 directory entries naming one deflated member: the member is inflated and walked once', async () => {
  const zip = zipWithRepeatedEntries(bigPickle(), 1000);
  const { stats, safety } = await scan(zip);
  assert.ok(stats.bytesRead <= zip.length + 8192, `read ${stats.bytesRead} bytes of a ${zip.length}-byte file`);
  assert.equal(safety.verdict, 'unsafe', 'the one copy of the member is still fully scanned');
  assert.deepEqual(safety.globals.map((g) => `${g.module}.${g.name}`), ['os.system']);
  assert.match(safety.notes.join('\n'), /999 zip directory entries point at member data already scanned/);
});

test('local headers padded by their extra fields to share one member\'s data: scanned once', async () => {
  const zip = zipWithSharedData(bigPickle(), 1000);
  const { stats, safety } = await scan(zip);
  assert.ok(stats.bytesRead <= zip.length + 8192, `read ${stats.bytesRead} bytes of a ${zip.length}-byte file`);
  assert.equal(safety.verdict, 'unsafe');
  assert.match(safety.notes.join('\n'), /999 zip directory entries point at member data already scanned/);
});

test('stored members named by many entries: read once too', async () => {
  const zip = zipWithRepeatedEntries(bigPickle(), 50, 0);
  const { stats, safety } = await scan(zip);
  assert.ok(stats.bytesRead <= zip.length + 8192, `read ${stats.bytesRead} bytes of a ${zip.length}-byte file`);
  assert.equal(safety.verdict, 'unsafe');
});

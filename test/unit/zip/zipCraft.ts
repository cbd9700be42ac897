// Hand-built hostile zips for the scanner and fuzz tests: many directory entries or local headers
// that lead to the same member data, as no zip writer makes them but a crafted file can.
import { crc32, deflateRawSync } from 'node:zlib';
import { concat } from '../lint/model.support';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Entry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

function centralDirectory(entries: Entry[], cdOffset: number): Uint8Array {
  const parts = entries.map((e) => {
    const name = enc(e.name);
    const c = new Uint8Array(46 + name.length);
    const v = new DataView(c.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, 20, true);
    v.setUint16(10, e.method, true);
    v.setUint32(16, e.crc, true);
    v.setUint32(20, e.compressedSize, true);
    v.setUint32(24, e.size, true);
    v.setUint16(28, name.length, true);
    v.setUint32(42, e.localHeaderOffset, true);
    c.set(name, 46);
    return c;
  });
  const size = parts.reduce((n, p) => n + p.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, Math.min(entries.length, 0xffff), true);
  ev.setUint16(10, Math.min(entries.length, 0xffff), true);
  ev.setUint32(12, size, true);
  ev.setUint32(16, cdOffset, true);
  return concat(...parts, end);
}


function localHeader(name: Uint8Array, method: number, crc: number, compressedSize: number, size: number, extraLength: number): Uint8Array {
  const h = new Uint8Array(30 + name.length + extraLength);
  const v = new DataView(h.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(8, method, true);
  v.setUint32(14, crc, true);
  v.setUint32(18, compressedSize, true);
  v.setUint32(22, size, true);
  v.setUint16(26, name.length, true);
  v.setUint16(28, extraLength, true);
  h.set(name, 30);
  return h;
}

/** A torch-like zip whose `data.pkl` is named by `entries` central-directory entries, all at one local header. */
export function zipWithRepeatedEntries(pickle: Uint8Array, entries: number, method: 0 | 8 = 8): Uint8Array {
  const body = method === 8 ? new Uint8Array(deflateRawSync(pickle)) : pickle;
  const crc = crc32(pickle) >>> 0;
  const name = enc('archive/data.pkl');
  const version = enc('3\n');
  const local = localHeader(name, method, crc, body.length, pickle.length, 0);
  const versionName = enc('archive/version');
  const versionLocal = localHeader(versionName, 0, crc32(version) >>> 0, version.length, version.length, 0);
  const versionOffset = local.length + body.length;
  const cdOffset = versionOffset + versionLocal.length + version.length;
  const list: Entry[] = [{ name: 'archive/version', method: 0, crc: crc32(version) >>> 0, compressedSize: version.length, size: version.length, localHeaderOffset: versionOffset }];
  for (let i = 0; i < entries; i++) {
    list.push({ name: i === 0 ? 'archive/data.pkl' : `archive/data/${i}.pkl`, method, crc, compressedSize: body.length, size: pickle.length, localHeaderOffset: 0 });
  }
  return concat(local, body, versionLocal, version, centralDirectory(list, cdOffset));
}

/**
 * A zip of `headers` local headers at distinct offsets whose extra fields pad each one so that all
 * their data starts at the same offset: deduplicating by local header offset alone misses them.
 */
export function zipWithSharedData(pickle: Uint8Array, headers: number): Uint8Array {
  const body = new Uint8Array(deflateRawSync(pickle));
  const crc = crc32(pickle) >>> 0;
  const names = Array.from({ length: headers }, (_, i) => enc(`a/d${String(i).padStart(5, '0')}.pkl`));
  const headerSize = 30 + names[0]!.length;
  const dataOffset = headers * headerSize;
  if (dataOffset - headerSize > 0xffff) throw new Error('too many headers for 16-bit extra fields');
  // Header i sits at i * headerSize; its extra field runs over the headers after it up to the data.
  const image = new Uint8Array(dataOffset + body.length);
  const list: Entry[] = [];
  for (let i = headers - 1; i >= 0; i--) {
    const at = i * headerSize;
    const h = localHeader(names[i]!, 8, crc, body.length, pickle.length, dataOffset - at - headerSize);
    image.set(h.subarray(0, headerSize), at);
    list.push({ name: `a/d${String(i).padStart(5, '0')}.pkl`, method: 8, crc, compressedSize: body.length, size: pickle.length, localHeaderOffset: at });
  }
  image.set(body, dataOffset);
  return concat(image, centralDirectory(list.reverse(), image.length));
}

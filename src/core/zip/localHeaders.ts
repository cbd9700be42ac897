/**
 * Zip local file headers: the magic that starts a zip, the members a file's first bytes list (a
 * multi-GB checkpoint is never read in full, so detection also looks here), and where a listed
 * member's data begins.
 *
 * Invariants: reads nothing but 30-byte local headers; never throws on malformed bytes.
 */
import type { ReadAt, ZipEntry } from './centralDirectory';

const LOCAL_SIG = 0x04034b50;

const decoder = new TextDecoder('utf-8');
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** Walks consecutive local headers from offset 0 for as long as `head` holds them. */
export function localMembers(head: Uint8Array, maxMembers = 64): ZipEntry[] {
  const v = view(head);
  const members: ZipEntry[] = [];
  let pos = 0;
  while (pos + 30 <= head.length && members.length < maxMembers) {
    if (v.getUint32(pos, true) !== LOCAL_SIG) break;
    const flags = v.getUint16(pos + 6, true);
    const compressedSize = v.getUint32(pos + 18, true);
    const nameLength = v.getUint16(pos + 26, true);
    const extraLength = v.getUint16(pos + 28, true);
    if (pos + 30 + nameLength > head.length) break;
    members.push({
      name: decoder.decode(head.subarray(pos + 30, pos + 30 + nameLength)),
      method: v.getUint16(pos + 8, true),
      flags,
      compressedSize,
      uncompressedSize: v.getUint32(pos + 22, true),
      localHeaderOffset: pos,
    });
    // With a data descriptor (flag bit 3) the size is unknown here, so the next header cannot be found.
    if (flags & 0x08 || compressedSize === 0xffffffff) break;
    pos += 30 + nameLength + extraLength + compressedSize;
  }
  return members;
}

/** The file offset where a member's data begins (after its local header), or undefined when the header is not there. */
export async function memberDataOffset(read: ReadAt, entry: ZipEntry): Promise<number | undefined> {
  const header = await read(entry.localHeaderOffset, 30);
  if (header.length < 30 || view(header).getUint32(0, true) !== LOCAL_SIG) return undefined;
  const hv = view(header);
  return entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
}

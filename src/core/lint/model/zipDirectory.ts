/**
 * Reads a zip's whole central directory (the listing loaders such as torch.load and numpy.load
 * trust) through a WorkspaceReader: the end record from the tail, then the directory itself, with
 * zip64 sizes and offsets. Member data is located through each member's local header.
 *
 * Invariants: reads only the tail, the directory (at most MAX_DIRECTORY bytes) and 30-byte local
 * headers; never throws on malformed archives (undefined, or fewer members and a note).
 */
import type { WorkspaceReader } from '../../workspaceReader';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; anything else is not decoded. */
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  notes: string[];
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_DIRECTORY = 64 * 1024 * 1024;
const MAX_ENTRIES = 1_000_000;
const TAIL = 22 + 0xffff + 20;

const decoder = new TextDecoder('utf-8');
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Lists a zip's members from its central directory; undefined when no end record is found. */
export async function readZipDirectory(reader: WorkspaceReader, path: string, size: number): Promise<ZipDirectory | undefined> {
  const tailLength = Math.min(size, TAIL);
  const tail = await reader.read(path, size - tailLength, tailLength);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let total = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  const notes: string[] = [];
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === EOCD64_LOCATOR_SIG) {
    const at = Number(tv.getBigUint64(eocd - 20 + 8, true));
    const record = at >= 0 && at + 56 <= size ? await reader.read(path, at, 56) : new Uint8Array(0);
    if (record.length === 56 && view(record).getUint32(0, true) === EOCD64_SIG) {
      const rv = view(record);
      total = Number(rv.getBigUint64(32, true));
      cdSize = Number(rv.getBigUint64(40, true));
      cdOffset = Number(rv.getBigUint64(48, true));
    }
  }
  if (cdOffset + cdSize > size || !Number.isSafeInteger(cdOffset + cdSize)) return { entries: [], notes: ['the zip central directory points outside the file'] };
  if (cdSize > MAX_DIRECTORY) notes.push(`only the first ${MAX_DIRECTORY} bytes of a ${cdSize}-byte zip directory were read`);
  const cd = await reader.read(path, cdOffset, Math.min(cdSize, MAX_DIRECTORY));
  const entries = parseDirectory(cd, notes);
  if (entries.length < Math.min(total, MAX_ENTRIES) && notes.length === 0) notes.push(`the zip directory lists ${entries.length} of ${total} members`);
  return { entries, notes };
}

function parseDirectory(cd: Uint8Array, notes: string[]): ZipEntry[] {
  const v = view(cd);
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos + 46 <= cd.length && entries.length < MAX_ENTRIES) {
    if (v.getUint32(pos, true) !== CENTRAL_SIG) {
      notes.push(`the zip directory is malformed at entry ${entries.length}`);
      break;
    }
    const nameLength = v.getUint16(pos + 28, true);
    const extraLength = v.getUint16(pos + 30, true);
    const commentLength = v.getUint16(pos + 32, true);
    if (pos + 46 + nameLength + extraLength > cd.length) break;
    const entry: ZipEntry = {
      name: decoder.decode(cd.subarray(pos + 46, pos + 46 + nameLength)),
      flags: v.getUint16(pos + 8, true),
      method: v.getUint16(pos + 10, true),
      compressedSize: v.getUint32(pos + 20, true),
      uncompressedSize: v.getUint32(pos + 24, true),
      localHeaderOffset: v.getUint32(pos + 42, true),
    };
    applyZip64(entry, cd.subarray(pos + 46 + nameLength, pos + 46 + nameLength + extraLength));
    entries.push(entry);
    pos += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Fills the sizes and offset that the 32-bit fields mark as 0xffffffff from the zip64 extra field. */
function applyZip64(entry: ZipEntry, extra: Uint8Array): void {
  const v = view(extra);
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = v.getUint16(p, true);
    const length = v.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const end = Math.min(p + 4 + length, extra.length);
      const next = (): number | undefined => {
        if (q + 8 > end) return undefined;
        const n = Number(v.getBigUint64(q, true));
        q += 8;
        return n;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next() ?? entry.uncompressedSize;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize;
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next() ?? entry.localHeaderOffset;
      return;
    }
    p += 4 + length;
  }
}

/** The file offset where a member's data begins (after its local header), or undefined when the header is not there. */
export async function memberDataOffset(reader: WorkspaceReader, path: string, entry: ZipEntry): Promise<number | undefined> {
  const header = await reader.read(path, entry.localHeaderOffset, 30);
  if (header.length < 30 || view(header).getUint32(0, true) !== LOCAL_SIG) return undefined;
  const hv = view(header);
  return entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
}

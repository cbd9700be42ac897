/**
 * Reads a zip's central directory (the listing loaders such as torch.load and numpy.load trust)
 * through a byte reader: the end record from the tail, zip64 counts, sizes and offsets, then the
 * directory. Two ways to bound the reads: by default the zip64 end record and the directory are
 * read where they lie (at most `maxDirectoryBytes` of the directory); with `window`, only the
 * file's last `window` bytes are read, in one read, so that detection keeps to its budget.
 *
 * Invariants: reads only the tail, then in the default mode the 56-byte zip64 end record and the
 * directory; never throws on malformed archives (undefined when no end record is found, otherwise
 * fewer entries, `complete` false and, where the scanner reports it, a note).
 */

/** Reads up to `length` bytes at `offset` of one file; resolves to fewer at its end. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** One member as a zip header lists it; zip64 values replace 32-bit fields that hold 0xffffffff. */
export interface ZipEntry {
  /** The stored name, decoded as UTF-8. */
  name: string;
  /** 0 stored, 8 deflated; anything else is not decoded. */
  method: number;
  /** General-purpose flags: bit 0 encrypted, bit 3 sizes in a data descriptor after the data. */
  flags: number;
  /** Bytes of member data in the file. */
  compressedSize: number;
  uncompressedSize: number;
  /** Where the member's local header starts in the file. */
  localHeaderOffset: number;
}

export interface CentralDirectory {
  /** The members in directory order. */
  entries: ZipEntry[];
  /** The member count the end record gives. */
  totalEntries: number;
  /** True when the whole directory was read and held as many entries as the end record counts. */
  complete: boolean;
  /** Why entries may be missing, as sentences for a report; empty when nothing was noticed. */
  notes: string[];
}

export interface CentralDirectoryOptions {
  /**
   * Read only the last `window` bytes of the file and list the entries they hold. A directory that
   * starts before them is listed from its first entry inside them, and is not complete.
   */
  window?: number;
  /** Without `window`: the most directory bytes read (default 64 MiB). */
  maxDirectoryBytes?: number;
}

interface EndRecord {
  total: number;
  cdSize: number;
  cdOffset: number;
}

interface Listing {
  entries: ZipEntry[];
  /** The index of the first entry without the central header signature. */
  malformedAt?: number;
  /** An entry's name or extra field ran past the directory bytes. */
  cut: boolean;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const MAX_DIRECTORY = 64 * 1024 * 1024;
const MAX_ENTRIES = 1_000_000;
/** Enough for the end record, the longest comment after it and the zip64 locator before it. */
const TAIL = 22 + 0xffff + 20;

const decoder = new TextDecoder('utf-8');
const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Lists a zip's members from its central directory; undefined when no end record is found. */
export async function readCentralDirectory(read: ReadAt, size: number, options: CentralDirectoryOptions = {}): Promise<CentralDirectory | undefined> {
  const tailStart = size - Math.min(size, options.window ?? TAIL);
  const tail = await read(tailStart, size - tailStart);
  const eocd = findEndRecord(tail);
  if (eocd < 0) return undefined;
  if (options.window !== undefined) return windowDirectory(tail, tailStart, eocd, await endRecord(tail, tailStart, eocd));
  const end = await endRecord(tail, tailStart, eocd, { read, size });
  return seekDirectory(read, size, end, options.maxDirectoryBytes ?? MAX_DIRECTORY);
}

/** The last end-record signature in the tail, the one Python's zipfile takes too. */
function findEndRecord(tail: Uint8Array): number {
  const v = view(tail);
  for (let i = tail.length - 22; i >= 0 && i >= tail.length - TAIL; i--) {
    if (v.getUint32(i, true) === EOCD_SIG) return i;
  }
  return -1;
}

/** The end record's counts, replaced by the zip64 end record's when its locator is present and the record is readable. */
async function endRecord(tail: Uint8Array, tailStart: number, eocd: number, file?: { read: ReadAt; size: number }): Promise<EndRecord> {
  const v = view(tail);
  const end = { total: v.getUint16(eocd + 10, true), cdSize: v.getUint32(eocd + 12, true), cdOffset: v.getUint32(eocd + 16, true) };
  if (eocd < 20 || v.getUint32(eocd - 20, true) !== EOCD64_LOCATOR_SIG) return end;
  const at = Number(v.getBigUint64(eocd - 12, true));
  let record: Uint8Array = new Uint8Array(0);
  if (at >= tailStart && at + 56 <= tailStart + tail.length) record = tail.subarray(at - tailStart, at - tailStart + 56);
  else if (file && at + 56 <= file.size) record = await file.read(at, 56);
  if (record.length < 56 || view(record).getUint32(0, true) !== EOCD64_SIG) return end;
  const rv = view(record);
  return { total: Number(rv.getBigUint64(32, true)), cdSize: Number(rv.getBigUint64(40, true)), cdOffset: Number(rv.getBigUint64(48, true)) };
}

/** Reads the directory where the end record puts it. */
async function seekDirectory(read: ReadAt, size: number, end: EndRecord, maxBytes: number): Promise<CentralDirectory> {
  const { total, cdSize, cdOffset } = end;
  if (cdOffset + cdSize > size || !Number.isSafeInteger(cdOffset + cdSize)) {
    return { entries: [], totalEntries: total, complete: false, notes: ['the zip central directory points outside the file'] };
  }
  const notes: string[] = [];
  if (cdSize > maxBytes) notes.push(`only the first ${maxBytes} bytes of a ${cdSize}-byte zip directory were read`);
  const listing = parseEntries(await read(cdOffset, Math.min(cdSize, maxBytes)));
  return finish(listing, total, notes, cdSize <= maxBytes);
}

/** Lists the directory entries that lie in the tail, up to the end record. */
function windowDirectory(tail: Uint8Array, tailStart: number, eocd: number, end: EndRecord): CentralDirectory {
  const whole = end.cdOffset >= tailStart;
  let from = end.cdOffset - tailStart;
  if (!whole) {
    // The directory starts before the window: resynchronise on the first entry signature inside it.
    const v = view(tail);
    from = 0;
    while (from + 4 <= eocd && v.getUint32(from, true) !== CENTRAL_SIG) from++;
  }
  const to = Math.min(eocd, end.cdOffset + end.cdSize - tailStart);
  const notes = whole ? [] : [`the zip directory starts before the last ${tail.length} bytes that were read`];
  return finish(parseEntries(tail.subarray(from), to - from, false), end.total, notes, whole);
}

/** Adds the notes the scanner reports and decides whether the listing is complete. */
function finish(listing: Listing, total: number, notes: string[], whole: boolean): CentralDirectory {
  const { entries, malformedAt, cut } = listing;
  if (malformedAt !== undefined) notes.push(`the zip directory is malformed at entry ${malformedAt}`);
  if (entries.length < Math.min(total, MAX_ENTRIES) && notes.length === 0) notes.push(`the zip directory lists ${entries.length} of ${total} members`);
  const complete = whole && malformedAt === undefined && !cut && entries.length >= total;
  return { entries, totalEntries: total, complete, notes };
}

/**
 * Parses the entries that start in the first `length` bytes of `cd`. A strict parse (the scanner's)
 * needs each entry's extra field, which may hold its zip64 sizes, inside `cd`; a lenient one
 * (detection's, which wants names) only its name.
 */
function parseEntries(cd: Uint8Array, length = cd.length, strict = true): Listing {
  const v = view(cd);
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos + 46 <= length && entries.length < MAX_ENTRIES) {
    if (v.getUint32(pos, true) !== CENTRAL_SIG) return { entries, malformedAt: entries.length, cut: false };
    const nameLength = v.getUint16(pos + 28, true);
    const extraLength = v.getUint16(pos + 30, true);
    const commentLength = v.getUint16(pos + 32, true);
    if (pos + 46 + nameLength + (strict ? extraLength : 0) > cd.length) return { entries, cut: true };
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
  return { entries, cut: false };
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

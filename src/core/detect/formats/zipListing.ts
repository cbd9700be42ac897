/**
 * Lists zip member names from two small windows of a file: its head (local file headers) and its
 * tail (the end-of-central-directory record and as much of the central directory as fits).
 * A multi-GB checkpoint is never read in full; names beyond the windows are simply not seen.
 */

export interface ZipMember {
  name: string;
  /** Offset of the member's local header, when known. */
  localHeaderOffset?: number;
  compressedSize?: number;
  /** 0 = stored, 8 = deflate. */
  method?: number;
}

export interface ZipListing {
  members: ZipMember[];
  /** Total member count from the end record, when the tail held it. */
  totalEntries?: number;
  /** True when every central-directory entry was read. */
  complete: boolean;
}

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

function dv(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const decoder = new TextDecoder('utf-8');

/** Walks consecutive local headers from offset 0 for as long as the head window holds them. */
export function localMembers(head: Uint8Array, maxMembers = 64): ZipMember[] {
  const view = dv(head);
  const members: ZipMember[] = [];
  let pos = 0;
  while (pos + 30 <= head.length && members.length < maxMembers) {
    if (view.getUint32(pos, true) !== LOCAL_SIG) break;
    const flags = view.getUint16(pos + 6, true);
    const method = view.getUint16(pos + 8, true);
    const compressedSize = view.getUint32(pos + 18, true);
    const nameLength = view.getUint16(pos + 26, true);
    const extraLength = view.getUint16(pos + 28, true);
    if (pos + 30 + nameLength > head.length) break;
    const name = decoder.decode(head.subarray(pos + 30, pos + 30 + nameLength));
    members.push({ name, localHeaderOffset: pos, compressedSize, method });
    // With a data descriptor (flag bit 3) the size is unknown here, so the next header cannot be found.
    if (flags & 0x08 || compressedSize === 0xffffffff) break;
    pos += 30 + nameLength + extraLength + compressedSize;
  }
  return members;
}

/**
 * Parses the central directory found in `tail`, the last `tail.length` bytes of a file of
 * `fileSize` bytes. Returns undefined when no end record is in the window.
 */
export function centralMembers(tail: Uint8Array, fileSize: number, maxMembers = 4096): ZipListing | undefined {
  const view = dv(tail);
  const tailStart = fileSize - tail.length;
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0 && i >= tail.length - 22 - 0xffff; i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let totalEntries = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  const locator = eocd - 20;
  if (locator >= 0 && view.getUint32(locator, true) === EOCD64_LOCATOR_SIG) {
    const eocd64Abs = Number(view.getBigUint64(locator + 8, true));
    const eocd64 = eocd64Abs - tailStart;
    if (eocd64 >= 0 && eocd64 + 56 <= tail.length && view.getUint32(eocd64, true) === EOCD64_SIG) {
      totalEntries = Number(view.getBigUint64(eocd64 + 32, true));
      cdSize = Number(view.getBigUint64(eocd64 + 40, true));
      cdOffset = Number(view.getBigUint64(eocd64 + 48, true));
    }
  }
  const members: ZipMember[] = [];
  let pos = cdOffset - tailStart;
  // The directory may start before the window: then resynchronise on the first entry inside it.
  if (pos < 0) {
    pos = 0;
    while (pos + 4 <= eocd && view.getUint32(pos, true) !== CENTRAL_SIG) pos++;
  }
  const cdEnd = Math.min(eocd, cdOffset + cdSize - tailStart);
  let complete = cdOffset >= tailStart;
  while (pos + 46 <= cdEnd && members.length < maxMembers) {
    if (view.getUint32(pos, true) !== CENTRAL_SIG) {
      complete = false;
      break;
    }
    const method = view.getUint16(pos + 10, true);
    const compressedSize = view.getUint32(pos + 20, true);
    const nameLength = view.getUint16(pos + 28, true);
    const extraLength = view.getUint16(pos + 30, true);
    const commentLength = view.getUint16(pos + 32, true);
    const localHeaderOffset = view.getUint32(pos + 42, true);
    if (pos + 46 + nameLength > tail.length) {
      complete = false;
      break;
    }
    const name = decoder.decode(tail.subarray(pos + 46, pos + 46 + nameLength));
    members.push({ name, method, compressedSize, localHeaderOffset });
    pos += 46 + nameLength + extraLength + commentLength;
  }
  if (members.length < totalEntries) complete = false;
  return { members, totalEntries, complete };
}

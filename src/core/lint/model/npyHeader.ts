/**
 * The header of a NumPy `.npy` file (numpy/lib/format.py): magic, version, header length, then a
 * Python dict literal. An array whose dtype holds objects is stored as a pickle right after it,
 * which numpy.load(allow_pickle=True) unpickles.
 */

export interface NpyHeader {
  /** Offset just past the header, where the array data (or the pickle) begins. */
  dataOffset: number;
  /** The dtype holds Python objects: the data is a pickle. */
  hasObject: boolean;
  descr: string;
}

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function isNpy(bytes: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

/** Bytes needed to read the header (10 or 12 until the length is known), or the header. */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader | { need: number } | undefined {
  if (bytes.length < 10) return { need: 12 };
  if (!isNpy(bytes)) return undefined;
  const major = bytes[6]!;
  if (major < 1 || major > 3) return undefined;
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) return { need: 8 + lengthBytes };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset) return { need: dataOffset };
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataOffset));
  const descr = /['"]descr['"]\s*:\s*(\[.*\]|'[^']*'|"[^"]*")/s.exec(text)?.[1] ?? '';
  // A plain or structured dtype with an object field ('O', '|O', '<O8'...).
  const hasObject = descr === '' || /['"][<>|=]?O\d*['"]/.test(descr);
  return { dataOffset, hasObject, descr };
}

/**
 * The pickle scanner: finds every pickle a loader would unpickle in a model file and walks its
 * opcodes statically, rating each global it imports (picklePolicy.ts). Handles plain and
 * concatenated pickles (protocols 0-5), joblib dumps (inline arrays, nested object-array pickles,
 * zlib/gzip/bz2/xz/lzma/lz4 compression), legacy torch.save files, zip-based torch and
 * TorchScript archives (`*.pkl` members, stored or deflated) and NumPy `.npy`/`.npz` object arrays.
 *
 * Invariants: reads only through the WorkspaceReader, in chunks of `chunkSize`, each file byte at
 * most once (payloads such as tensors and joblib arrays are stepped over by offset and, in plain
 * files, not read at all); memory is bounded by the chunk size, the walkers' caps and the
 * decoders' windows, never by the file's size; never unpickles, imports or executes anything;
 * never throws (a failure becomes a note and `complete: false`).
 *
 * Work is linear in the file's size: each zip member (by where its data starts) is scanned once
 * however many directory entries or local headers lead to it, and decompression runs under a
 * budget in bytes and in ratio (limitedSink.ts): a stream stops past max(16 MiB, 200 × its
 * compressed size), and all streams and zip members of one file together past max(16 MiB, 200 ×
 * the file's size), never past `maxDecompressedBytes`. A scan stopped by a budget says what it did
 * not inspect and why, and its verdict is at least `suspicious`, never `safe`.
 */
import type { ModelFormat } from '../../detect/types';
import { formatBytes } from '../../formatBytes';
import type { WorkspaceReader } from '../../workspaceReader';
import { readCentralDirectory, type ReadAt, type ZipEntry } from '../../zip/centralDirectory';
import { isZip, memberDataOffset } from '../../zip/localHeaders';
import { LimitedSink, type FileBudget } from './limitedSink';
import { decompressInto, type ChunkSink, type Codec, type DecompressStatus } from './decompressInto';
import { SafetyCollector, type ModelSafety, type StreamLabel } from './modelSafety';
import { isNpy, parseNpyHeader } from './npyHeader';
import { WalkFeeder } from './walkFeeder';

export type { ModelSafety, SafetyGlobal } from './modelSafety';

export interface SafetyScanOptions {
  /** Bytes per read (default 1 MiB). */
  chunkSize?: number;
  /** Step over payloads without reading them (default true); off, every byte of each pickle stream is read. */
  seek?: boolean;
  /** Stop decompressing a stream after this many output bytes (default 8 GiB): a zip bomb is not worth the time. */
  maxDecompressedBytes?: number;
  /** Stop a stream, and the file's streams together, past this ratio of output to input bytes (default 200). */
  maxDecompressionRatio?: number;
  /** Below this many output bytes (default 16 MiB) the ratio is not checked: small files may compress well. */
  minDecompressionBudget?: number;
  /** The most compressed bytes held for lzma, which cannot be decoded in pieces (default 256 MiB). */
  maxHeldInput?: number;
  /** Filled in with what the scan read, for `--verbose` and the benchmark. */
  stats?: SafetyScanStats;
}

export interface SafetyScanStats {
  bytesRead: number;
  reads: number;
  /** The most input bytes the walkers held between chunks (cut opcodes); the chunk itself is extra. */
  peakCarry: number;
}

/** Formats that can hold pickles; the others (ONNX, safetensors, GGUF...) get no scan. */
const PICKLE_FORMATS = new Set<ModelFormat>(['pickle', 'joblib', 'pytorch', 'torchscript', 'numpy']);
const PICKLE_MEMBER = /\.(pkl|pickle|debug_pkl)$/;
const MAX_NPZ_MEMBERS = 10_000;

/** Scans a model file; undefined for formats that cannot hold pickles. */
export async function scanModelSafety(reader: WorkspaceReader, path: string, size: number, format: ModelFormat, options: SafetyScanOptions = {}): Promise<ModelSafety | undefined> {
  if (!PICKLE_FORMATS.has(format)) return undefined;
  const scan = new Scan(reader, path, size, format, options);
  try {
    await scan.run();
  } catch (error) {
    scan.collector.incomplete(`the scan stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
  return scan.collector.result(Math.min(size, scan.covered));
}

/** Compression magic numbers joblib's compressors write (joblib/compressor.py). */
function codecOf(head: Uint8Array): Codec | undefined {
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]!) % 31 === 0) return 'zlib';
  const starts = (...magic: number[]): boolean => magic.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x42, 0x5a, 0x68)) return 'bz2';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (starts(0x5d, 0x00, 0x00)) return 'lzma';
  if (starts(0x04, 0x22, 0x4d, 0x18)) return 'lz4';
  return undefined;
}

const HEAD_BYTES = 4096;
const DEFAULT_MAX_DECOMPRESSED = 8 * 1024 ** 3;
const DEFAULT_RATIO = 200;
const DEFAULT_MIN_BUDGET = 16 * 1024 * 1024;
/** The first read after stepping over a payload. */
const AFTER_SEEK = 64 * 1024;

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

class Scan {
  readonly collector: SafetyCollector;
  /** File bytes the walks covered. */
  covered = 0;
  private readonly chunkSize: number;
  private readonly stats: SafetyScanStats;
  /** Bytes that decompression and zip-member walks may still produce for this file. */
  private readonly budget: FileBudget;
  /** Zip member data offsets already scanned, with how they were read (`offset:kind`). */
  private readonly scannedMembers = new Set<string>();
  private duplicateEntries = 0;

  constructor(
    private readonly reader: WorkspaceReader,
    private readonly path: string,
    private readonly size: number,
    private readonly format: ModelFormat,
    private readonly options: SafetyScanOptions,
  ) {
    this.collector = new SafetyCollector({ format });
    this.chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 1024 * 1024));
    this.stats = options.stats ?? { bytesRead: 0, reads: 0, peakCarry: 0 };
    const ratio = options.maxDecompressionRatio ?? DEFAULT_RATIO;
    const floor = options.minDecompressionBudget ?? DEFAULT_MIN_BUDGET;
    this.budget = { ratio, floor, left: Math.min(options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED, Math.max(floor, ratio * size)) };
  }

  /** Zip structure (end records, directory, local headers) is read straight from the reader, outside the stats. */
  private readonly readUncounted: ReadAt = (offset, length) => this.reader.read(this.path, offset, length);

  private async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.reader.read(this.path, offset, length);
    this.stats.bytesRead += bytes.length;
    this.stats.reads++;
    return bytes;
  }

  async run(): Promise<void> {
    if (this.size === 0) return this.collector.incomplete('the file is empty');
    // The head is the first chunk of whatever is walked next, so no byte is read twice.
    const head = await this.read(0, Math.min(this.size, HEAD_BYTES, this.chunkSize));
    if (isZip(head)) return this.scanZip();
    if (isNpy(head)) return this.scanNpyAt(0, this.size, {}, head);
    const codec = codecOf(head);
    if (codec) return this.scanCompressed(codec, 0, this.size, { base: 0, decompressed: true }, `${codec}-compressed pickle`, false, head);
    return this.scanRaw(0, this.size, { base: 0 }, head);
  }

  /**
   * Walks the pickle stream in file bytes [start, end), reading chunk by chunk and seeking past
   * payloads; `first`, when given, holds the bytes at `start` already read.
   */
  private async scanRaw(start: number, end: number, label: StreamLabel, first?: Uint8Array): Promise<void> {
    const feeder = new WalkFeeder(this.collector.sink(label));
    const seek = this.options.seek ?? true;
    let pos = start;
    if (first && first.length > 0) {
      const part = first.subarray(0, end - start);
      feeder.write(part);
      pos += part.length;
    }
    // After a seek the next payload is often near (tensor after tensor): read a little first, more if the opcodes go on.
    let readSize = this.chunkSize;
    let stopped = false;
    while (pos < end && !feeder.done) {
      const need = start + feeder.needOffset;
      if (seek && need > pos) {
        if (need >= end) {
          pos = need;
          break;
        }
        feeder.seek(need - start);
        pos = need;
        readSize = Math.min(this.chunkSize, AFTER_SEEK);
      } else {
        readSize = Math.min(this.chunkSize, readSize * 2);
      }
      let want = Math.min(readSize, end - pos);
      if (label.member !== undefined) {
        // Zip members may overlap: their walks share the file's budget, like decompressed bytes.
        want = Math.min(want, this.budget.left);
        if (want === 0) {
          this.collector.limitHit(`${label.member}: not scanned past offset ${pos}: the zip's members overlap and together ask for more than ${this.budget.ratio} times the file's size`);
          stopped = true;
          break;
        }
      }
      const chunk = await this.read(pos, want);
      if (chunk.length === 0) break;
      if (label.member !== undefined) this.budget.left -= chunk.length;
      feeder.write(chunk);
      pos += chunk.length;
    }
    this.covered += Math.min(end, pos) - start;
    this.stats.peakCarry = Math.max(this.stats.peakCarry, feeder.peakCarry);
    this.finishWalk(feeder, label, end - start, stopped);
  }

  /** Decompresses file bytes [start, end) with `codec` and walks the pickle stream inside. */
  private async scanCompressed(codec: Codec, start: number, end: number, label: StreamLabel, what: string, npy = false, first?: Uint8Array): Promise<void> {
    const feeder = new WalkFeeder(this.collector.sink(label));
    const status: DecompressStatus = {};
    const max = this.options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED;
    let consumed = 0;
    const source = async function* (this: Scan): AsyncGenerator<Uint8Array> {
      let pos = start;
      if (first && first.length > 0) {
        pos += first.length;
        consumed = first.length;
        yield first;
      }
      while (pos < end) {
        const chunk = await this.read(pos, Math.min(this.chunkSize, end - pos));
        if (chunk.length === 0) return;
        pos += chunk.length;
        consumed = pos - start;
        yield chunk;
      }
    }.call(this);
    const limited = new LimitedSink(npy ? new NpyPickleSink(feeder, label, this.collector) : feeder, max, this.budget, () => consumed);
    await decompressInto(codec, source, limited, status, { maxHeldInput: this.options.maxHeldInput ?? 256 * 1024 * 1024 });
    this.covered += consumed;
    this.stats.peakCarry = Math.max(this.stats.peakCarry, feeder.peakCarry);
    const where = label.member ? `${label.member}: ` : '';
    if (limited.cut === 'max') this.collector.limitHit(`${where}stopped after ${max} decompressed bytes of the ${what}`);
    else if (limited.cut) {
      const why = limited.cut === 'file' ? `the file's streams together passed ${this.budget.ratio} times its size` : `past ${this.budget.ratio}:1`;
      this.collector.limitHit(`${where}compression bomb: ${formatBytes(limited.total)} from ${formatBytes(consumed)}, stopped (${why}); the rest of the ${what} was not inspected`);
    }
    if (status.partialInput) this.collector.incomplete(`${where}${status.partialInput}`);
    // Decoding errors matter only while the walk still wanted bytes (a cut stream after the last STOP is harmless).
    if (status.error && !feeder.done) this.collector.incomplete(`${where}${what}: ${status.error}`);
    if (npy && !(limited.inner as NpyPickleSink).pickle) return;
    this.finishWalk(feeder, label, undefined, limited.cut !== undefined);
  }

  /** Turns how a walk ended into notes; a walk its own budget stopped is not reported as a cut file. */
  private finishWalk(feeder: WalkFeeder, label: StreamLabel, length: number | undefined, stopped = false): void {
    const walk = feeder.end();
    const where = label.member ? `${label.member}: ` : '';
    const at = (offset: number): number => label.base + offset;
    if (walk.desynced) this.collector.limitHit(`${where}the scanner's symbolic stack overflowed, so globals after that point cannot be checked reliably`);
    for (const limit of walk.limits) this.collector.note(`${where}${limit}`);
    if (walk.error) {
      if (walk.errorIsLimit) this.collector.limitHit(`${where}${walk.error}`);
      else if (walk.pickles === 0 && walk.opcodes <= 1) this.collector.incomplete(`${where}not a pickle: ${walk.error}`);
      else this.collector.incomplete(`${where}malformed at offset ${at(walk.errorOffset ?? 0)}: ${walk.error}`);
    } else if (walk.truncated && !stopped) {
      this.collector.incomplete(`${where}the pickle is cut short: it needs bytes up to offset ${at(walk.resumeOffset)}${length !== undefined ? ` of ${at(length)}` : ''}`);
    }
    if (walk.trailingFrom !== undefined && (length === undefined || walk.trailingFrom < length)) {
      this.collector.note(walk.torchLegacyMagic
        ? `${where}legacy torch.save file: raw tensor data from offset ${at(walk.trailingFrom)} on is not a pickle`
        : `${where}data after the last pickle, from offset ${at(walk.trailingFrom)}, is not a pickle (pickle.load ignores it)`);
    }
  }

  /** A `.npy` at file offset `start`: the pickle after its header when the dtype holds objects. */
  private async scanNpyAt(start: number, end: number, where: { member?: string }, first?: Uint8Array): Promise<void> {
    let head = first ?? (await this.read(start, Math.min(end - start, HEAD_BYTES)));
    let header = parseNpyHeader(head);
    // At most two more reads: the length field, then the header it announces.
    for (let i = 0; i < 2 && header && 'need' in header && header.need <= Math.min(end - start, 1024 * 1024); i++) {
      const more = await this.read(start + head.length, header.need - head.length);
      head = concatBytes(head, more);
      header = parseNpyHeader(head);
    }
    const prefix = where.member ? `${where.member}: ` : '';
    if (!header || 'need' in header) return this.collector.incomplete(`${prefix}unreadable .npy header`);
    this.covered += header.dataOffset;
    if (!header.hasObject) return this.collector.note(`${prefix}a plain ${header.descr} array: no pickle`);
    return this.scanRaw(start + header.dataOffset, end, { base: start + header.dataOffset, ...where }, head.subarray(header.dataOffset));
  }

  private async scanZip(): Promise<void> {
    const dir = await readCentralDirectory(this.readUncounted, this.size);
    if (!dir) return this.collector.incomplete('a zip file without a readable central directory');
    for (const note of dir.notes) this.collector.incomplete(note);
    const npz = this.format === 'numpy';
    let npyChecks = 0;
    for (const entry of dir.entries) {
      if (entry.name.endsWith('/')) continue;
      const pickle = PICKLE_MEMBER.test(entry.name);
      // numpy.load reads any npz member that starts with the NPY magic as an array; torch never reads .npy.
      const npy = npz ? npyChecks++ < MAX_NPZ_MEMBERS : entry.name.endsWith('.npy');
      if (!pickle && !npy) continue;
      await this.scanMember(entry, pickle ? 'pickle' : 'npy');
    }
    if (npz && npyChecks > MAX_NPZ_MEMBERS) this.collector.incomplete(`only the first ${MAX_NPZ_MEMBERS} members were checked for object arrays`);
    if (this.duplicateEntries > 0) {
      this.collector.note(`${this.duplicateEntries} zip directory entries point at member data already scanned (no zip writer does this); each member was scanned once`);
    }
  }

  private async scanMember(entry: ZipEntry, kind: 'pickle' | 'npy'): Promise<void> {
    const member = entry.name;
    if (entry.flags & 0x01) return this.collector.incomplete(`${member}: encrypted, not scanned`);
    const data = await memberDataOffset(this.readUncounted, entry);
    if (data === undefined || data + entry.compressedSize > this.size) return this.collector.incomplete(`${member}: its local header or data lies outside the file`);
    // Directory entries (or local headers padded by their extra fields) that share a member's data
    // hold the same bytes: they are scanned once.
    const key = `${data}:${kind}`;
    if (this.scannedMembers.has(key)) {
      this.duplicateEntries++;
      return;
    }
    this.scannedMembers.add(key);
    const end = data + entry.compressedSize;
    if (entry.method === 0) {
      if (kind === 'pickle') return this.scanRaw(data, end, { base: data, member });
      const head = await this.read(data, Math.min(HEAD_BYTES, this.chunkSize, entry.compressedSize));
      return isNpy(head) ? this.scanNpyAt(data, end, { member }, head) : undefined;
    }
    if (entry.method === 8) return this.scanCompressed('deflate-raw', data, end, { base: data, member, decompressed: true }, 'deflated member', kind === 'npy');
    return this.collector.incomplete(`${member}: zip compression method ${entry.method} is not decoded`);
  }
}

/** A decompressed `.npy` member: reads its header, then hands the pickle (if any) to the walker. */
class NpyPickleSink implements ChunkSink {
  private head: Uint8Array = new Uint8Array(0);
  /** The member holds a pickle, which the feeder is walking. */
  pickle = false;
  private finished = false;
  constructor(private readonly feeder: WalkFeeder, private readonly label: StreamLabel, private readonly collector: SafetyCollector) {}
  get done(): boolean {
    return this.finished || (this.pickle && this.feeder.done);
  }
  write(chunk: Uint8Array): void {
    if (this.pickle) return this.feeder.write(chunk);
    const merged = new Uint8Array(this.head.length + chunk.length);
    merged.set(this.head, 0);
    merged.set(chunk, this.head.length);
    this.head = merged;
    const header = parseNpyHeader(merged);
    if (header && 'need' in header) {
      if (header.need > 1024 * 1024) this.stop(`${this.label.member}: unreadable .npy header`);
      return;
    }
    if (!header) return this.stop(undefined);
    if (!header.hasObject) {
      this.collector.note(`${this.label.member}: a plain ${header.descr} array: no pickle`);
      return this.stop(undefined);
    }
    this.pickle = true;
    // The feeder's offsets count from the header's end; the collector reads `base` when a global arrives.
    this.label.base += header.dataOffset;
    this.feeder.write(merged.subarray(header.dataOffset));
    this.head = new Uint8Array(0);
  }
  private stop(note: string | undefined): void {
    if (note) this.collector.incomplete(note);
    this.finished = true;
  }
}

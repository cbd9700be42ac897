/**
 * Pickle-family files: plain pickles (protocols 0-5), joblib dumps (plain or compressed), and
 * PyTorch's legacy (pre-1.6) serialization, which is a run of pickles behind a magic number.
 * The framework comes from the modules the opcodes import; nothing is unpickled.
 */
import { inflateSync, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { walkPickle, type PickleWalk } from '../../pickle/walkPickle';
import { frameworkFromModules } from '../frameworks';
import { isModelFileName } from '../candidates';
import { READ_BUDGET, readWindow, type SniffContext, type SniffHit, type SniffProblem } from './sniffContext';
import { BZIP2_TABLE_PER_INPUT_BYTE, decompressPrefix, type PrefixCodec, type PrefixNotes } from './decompressPrefix';

/** The most decompressed bytes a sniffer looks at. */
const MAX_INFLATED = 4 * READ_BUDGET;

/** Compression magic numbers joblib's compressors write (joblib/compressor.py). */
const COMPRESSIONS: { name: string; magic: number[] }[] = [
  { name: 'gzip', magic: [0x1f, 0x8b] },
  { name: 'bz2', magic: [0x42, 0x5a, 0x68] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'lzma', magic: [0x5d, 0x00, 0x00] },
  { name: 'lz4', magic: [0x04, 0x22, 0x4d, 0x18] },
];

function compressionOf(head: Uint8Array): string | undefined {
  // zlib: CMF 0x78 and a header checksum divisible by 31 (RFC 1950).
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]!) % 31 === 0) return 'zlib';
  for (const { name, magic } of COMPRESSIONS) if (magic.every((b, i) => head[i] === b)) return name;
  return undefined;
}

/** True when the bytes plausibly start a pickle: protocol 2+ header, or a protocol 0/1 opening. */
function looksLikePickleStart(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  if (bytes[0] === 0x80) return bytes[1]! >= 2 && bytes[1]! <= 5;
  // Protocol 0/1 pickles of objects open with MARK, GLOBAL, an empty container or a tuple.
  return [0x28, 0x63, 0x7d, 0x5d, 0x29, 0x69].includes(bytes[0]!);
}

/** A protocol 0/1 stream counts only if it reached STOP or imported something without errors. */
function isConvincing(walk: PickleWalk): boolean {
  if (walk.error && walk.pickles === 0 && walk.globals.length === 0) return false;
  if (walk.pickles > 0) return walk.opcodes >= 2;
  return walk.globals.length > 0 && walk.opcodes >= 3;
}

function summarize(walk: PickleWalk): { modules: string[]; globals: string[] } {
  const globals = [...new Set(walk.globals.map((g) => `${g.module}.${g.name}`))];
  const modules = [...new Set(walk.globals.map((g) => g.module))];
  return { modules, globals };
}

function hitFromWalk(ctx: SniffContext, walk: PickleWalk, compression: string | undefined): SniffHit {
  const { modules, globals } = summarize(walk);
  const isJoblib = modules.some((m) => m.startsWith('joblib.') || m === 'joblib' || m.startsWith('sklearn.externals.joblib'));
  const byName = /\.(joblib|jbl)(\.(z|gz|bz2|xz|lzma|lz4))?$/.test(ctx.name);
  const format = isJoblib || byName ? 'joblib' : 'pickle';
  const framework = frameworkFromModules(modules);
  // Name the framework's own classes first: they say what the model is; numpy helpers do not.
  const plumbing = /^(joblib|copyreg|copy_reg|builtins|__builtin__|_codecs|collections)\./;
  const own = (g: string): number => (frameworkFromModules([g]) === framework ? 0 : 1);
  const shown = globals.filter((g) => !plumbing.test(g)).sort((a, b) => own(a) - own(b)).slice(0, 3);
  const parts = [
    compression ? `${compression}-compressed pickle` : `pickle protocol ${walk.protocol}`,
    isJoblib ? 'joblib NumpyArrayWrapper' : undefined,
    shown.length > 0 ? `imports ${shown.join(', ')}` : globals.length === 0 ? 'no imports' : undefined,
  ].filter(Boolean);
  return {
    format,
    framework,
    evidence: parts.join('; '),
    details: { pickleProtocol: walk.protocol, globals: globals.slice(0, 64), ...(compression ? { compression } : {}) },
  };
}

/**
 * Decompresses a prefix of a zlib or gzip stream; other codecs are not built into Node. Node's
 * one-shot inflate refuses output past `maxOutputLength` outright, so when the whole input would
 * inflate past the cap, a shorter prefix of the input is tried (halving, a few times): a head that
 * inflates to megabytes (a bomb, or an array of zeros) still shows its first bytes.
 */
function inflatePrefix(bytes: Uint8Array, compression: string): { bytes: Uint8Array; shortened: boolean } | undefined {
  const options = { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATED };
  for (let length = bytes.length; length >= 16; length = Math.floor(length / 4)) {
    try {
      const input = bytes.subarray(0, length);
      if (compression === 'zlib') return { bytes: inflateSync(input, options), shortened: length < bytes.length };
      if (compression === 'gzip') return { bytes: gunzipSync(input, options), shortened: length < bytes.length };
      return undefined;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') return undefined;
    }
  }
  return undefined;
}

/** The walk saw the whole stream and still wanted bytes: the stream ends inside a pickle. */
function endsInsidePickle(walk: PickleWalk, whole: boolean): boolean {
  return whole && walk.truncated && !walk.error;
}

/**
 * A pickle cut short is still recognisable when it imported a global, finished an earlier pickle,
 * or opened with a protocol header and carries a model's name; then it is listed, with the error.
 */
function isRecognisableCut(walk: PickleWalk, bytes: Uint8Array, name: string): boolean {
  if (walk.globals.length > 0 || walk.pickles > 0) return true;
  return bytes[0] === 0x80 && walk.opcodes >= 2 && isModelFileName(name);
}

function truncatedProblem(walk: PickleWalk, end: number, compression: string | undefined): SniffProblem {
  const stream = compression ? `its ${compression}-compressed pickle stream ends at byte ${end} of the decompressed data` : `its pickle stream ends at byte ${end}`;
  const needs = walk.resumeOffset > end ? ` (the last opcode needs bytes up to ${walk.resumeOffset})` : '';
  return {
    code: 'truncated',
    severity: 'error',
    message: `This model file is cut short: ${stream}, before the pickle's STOP opcode${needs}, so loading it fails (EOFError or UnpicklingError)`,
    fix: 'Save or copy the model again: the file was not written to its end (an interrupted download, copy or dump).',
  };
}

/** The hit for a walk, with the truncation error when the stream ends inside the pickle. */
function hitOrCut(ctx: SniffContext, walk: PickleWalk, bytes: Uint8Array, whole: boolean, compression: string | undefined): SniffHit | undefined {
  const cut = endsInsidePickle(walk, whole);
  if (!isConvincing(walk) && !(cut && isRecognisableCut(walk, bytes, ctx.name))) return undefined;
  const hit = walk.torchLegacyMagic && !compression
    ? {
        format: 'pytorch' as const,
        framework: 'pytorch' as const,
        evidence: 'legacy torch.save format (pickle magic number 0x1950a86a20f9469cfc6c)',
        details: { pickleProtocol: walk.protocol, globals: summarize(walk).globals.slice(0, 64) },
      }
    : hitFromWalk(ctx, walk, compression);
  if (!cut) return hit;
  return { ...hit, evidence: `${hit.evidence}; cut short at byte ${bytes.length}`, problem: truncatedProblem(walk, bytes.length, compression) };
}

async function sniffCompressed(ctx: SniffContext, compression: string): Promise<SniffHit | undefined> {
  const window = await readWindow(ctx, READ_BUDGET);
  const zlib = compression === 'zlib' || compression === 'gzip' ? inflatePrefix(window, compression) : undefined;
  const notes: PrefixNotes = {};
  const inflated = zlib ? zlib.bytes : await decompressPrefix(window, compression as PrefixCodec, MAX_INFLATED, notes);
  if (inflated && looksLikePickleStart(inflated)) {
    // The whole file was read and decoded to less than the cap: the decompressed stream is all there is.
    const whole = window.length === ctx.size && !zlib?.shortened && inflated.length < MAX_INFLATED;
    const hit = hitOrCut(ctx, walkPickle(inflated, { concatenated: true }), inflated, whole, compression);
    if (hit) return hit;
  }
  if (inflated || compression === 'zlib' || compression === 'gzip') return undefined;
  // A first bz2 block larger than the read budget cannot be decoded: trust a joblib-style name.
  if (!/\.(joblib|jbl|pkl|pickle)(\.\w+)?$|\.(z|bz2|xz|lzma|lz4)$/.test(ctx.name)) return undefined;
  if (notes.expansive) {
    return {
      format: 'joblib',
      framework: 'unknown',
      evidence: `${compression}-compressed stream named like a joblib dump; its first block expands over ${BZIP2_TABLE_PER_INPUT_BYTE} times its input, so it was not decoded to look inside`,
      details: { compression },
    };
  }
  if (window.length === ctx.size) {
    return {
      format: 'joblib',
      framework: 'unknown',
      evidence: `${compression}-compressed stream named like a joblib dump that does not decode`,
      details: { compression },
      problem: {
        code: 'truncated',
        severity: 'error',
        message: `This model file is cut short or corrupt: its ${compression} stream ends at byte ${ctx.size} without one whole block, so loading it fails`,
        fix: 'Save or copy the model again: the file was not written to its end (an interrupted download, copy or dump).',
      },
    };
  }
  return {
    format: 'joblib',
    framework: 'unknown',
    evidence: `${compression}-compressed stream named like a joblib dump; its first block is larger than the 64 KiB read, so the framework is not known`,
    details: { compression },
  };
}

export async function sniffPickleFamily(ctx: SniffContext): Promise<SniffHit | undefined> {
  const compression = compressionOf(ctx.head);
  if (compression) return sniffCompressed(ctx, compression);
  if (!looksLikePickleStart(ctx.head)) return undefined;
  let bytes = ctx.head;
  let walk = walkPickle(bytes, { concatenated: true });
  // Read further while the head is a genuine pickle that has not named its framework yet, or when
  // the whole file fits in the budget (then a cut pickle is known for one).
  const unnamed = frameworkFromModules(walk.globals.map((g) => g.module)) === 'unknown';
  if (walk.truncated && !walk.error && bytes.length < ctx.size && (unnamed || ctx.size <= READ_BUDGET)) {
    bytes = await readWindow(ctx, READ_BUDGET);
    walk = walkPickle(bytes, { concatenated: true });
  }
  return hitOrCut(ctx, walk, bytes, bytes.length === ctx.size, undefined);
}

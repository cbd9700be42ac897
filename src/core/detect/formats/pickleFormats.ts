/**
 * Pickle-family files: plain pickles (protocols 0-5), joblib dumps (plain or compressed), and
 * PyTorch's legacy (pre-1.6) serialization, which is a run of pickles behind a magic number.
 * The framework comes from the modules the opcodes import; nothing is unpickled.
 */
import { inflateSync, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { walkPickle, type PickleWalk } from '../../pickle/walkPickle';
import { frameworkFromModules } from '../frameworks';
import { READ_BUDGET, readWindow, type SniffContext, type SniffHit } from './sniffContext';
import { decompressPrefix, type PrefixCodec } from './decompressPrefix';

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

/** Decompresses a prefix of a zlib or gzip stream; other codecs are not built into Node. */
function inflatePrefix(bytes: Uint8Array, compression: string): Uint8Array | undefined {
  const options = { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 4 * READ_BUDGET };
  try {
    if (compression === 'zlib') return inflateSync(bytes, options);
    if (compression === 'gzip') return gunzipSync(bytes, options);
  } catch {
    return undefined;
  }
  return undefined;
}

async function sniffCompressed(ctx: SniffContext, compression: string): Promise<SniffHit | undefined> {
  const window = await readWindow(ctx, READ_BUDGET);
  const inflated = compression === 'zlib' || compression === 'gzip'
    ? inflatePrefix(window, compression)
    : await decompressPrefix(window, compression as PrefixCodec, 4 * READ_BUDGET);
  if (inflated && looksLikePickleStart(inflated)) {
    const walk = walkPickle(inflated, { concatenated: true });
    if (isConvincing(walk)) return hitFromWalk(ctx, walk, compression);
  }
  if (inflated || compression === 'zlib' || compression === 'gzip') return undefined;
  // A first bz2 block larger than the read budget cannot be decoded: trust a joblib-style name.
  if (!/\.(joblib|jbl|pkl|pickle)(\.\w+)?$|\.(z|bz2|xz|lzma|lz4)$/.test(ctx.name)) return undefined;
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
  let walk = walkPickle(ctx.head, { concatenated: true });
  // Read further only while the head is a genuine pickle that has not named its framework yet.
  if (walk.truncated && !walk.error && frameworkFromModules(walk.globals.map((g) => g.module)) === 'unknown') {
    walk = walkPickle(await readWindow(ctx, READ_BUDGET), { concatenated: true });
  }
  if (!isConvincing(walk)) return undefined;
  if (walk.torchLegacyMagic) {
    return {
      format: 'pytorch',
      framework: 'pytorch',
      evidence: 'legacy torch.save format (pickle magic number 0x1950a86a20f9469cfc6c)',
      details: { pickleProtocol: walk.protocol, globals: summarize(walk).globals.slice(0, 64) },
    };
  }
  return hitFromWalk(ctx, walk, undefined);
}

/**
 * What a format sniffer gets: the file's name and size, its first bytes, and a way to read a
 * little more that counts against a hard per-file budget (64 KiB in all), so that no sniffer can
 * read a whole multi-GB file.
 */
import type { Framework, ModelDetails, ModelFormat } from '../types';

export const HEAD_BYTES = 4096;
export const READ_BUDGET = 64 * 1024;

export interface SniffContext {
  /** Project-relative path. */
  path: string;
  /** Lower-cased base name. */
  name: string;
  size: number;
  /** The first min(size, HEAD_BYTES) bytes. */
  head: Uint8Array;
  /** Reads more of the file; resolves to fewer bytes (possibly none) once the budget is spent. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface SniffHit {
  format: ModelFormat;
  framework: Framework;
  evidence: string;
  details?: ModelDetails;
  /** What is wrong with the file, when the sniffer can tell (a pickle cut short). */
  problem?: SniffProblem;
}

/** A problem a sniffer found in the bytes; the detector adds the path. */
export interface SniffProblem {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  fix?: string;
}

/** A format sniffer: a hit, or undefined when the bytes are not its format. */
export type Sniffer = (ctx: SniffContext) => SniffHit | undefined | Promise<SniffHit | undefined>;

export function startsWith(bytes: Uint8Array, prefix: string, at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

export function asciiPreview(bytes: Uint8Array, max = 16): string {
  let s = '';
  for (let i = 0; i < Math.min(bytes.length, max); i++) {
    const b = bytes[i]!;
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return s;
}

export function hexPreview(bytes: Uint8Array, max = 8): string {
  return Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const latin = new TextDecoder('latin1');

/** Decodes bytes one char per byte, for substring searches over binary headers. */
export function latin1Text(bytes: Uint8Array): string {
  return latin.decode(bytes);
}

/** Reads up to `length` bytes at `offset` and then whatever remains of the head, merged. */
export async function readWindow(ctx: SniffContext, length: number): Promise<Uint8Array> {
  const want = Math.min(ctx.size, length);
  if (want <= ctx.head.length) return ctx.head.subarray(0, want);
  const rest = await ctx.read(ctx.head.length, want - ctx.head.length);
  const merged = new Uint8Array(ctx.head.length + rest.length);
  merged.set(ctx.head, 0);
  merged.set(rest, ctx.head.length);
  return merged;
}

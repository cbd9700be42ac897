/**
 * Shared pieces of the seeded fuzz tests: a small deterministic PRNG, byte and text mutators that
 * start from real fixtures, the case count, and a timing check that needs no absolute numbers.
 *
 * Determinism: every test seeds its own PRNG with a fixed number, so a failure names its seed and
 * case index and reproduces exactly. `MODELSHIP_FUZZ_CASES=N` runs N cases per fuzz test instead of
 * each test's small default (`MODELSHIP_FUZZ_SEED=S` shifts every seed, to explore further).
 *
 * Timing: `assertLinear` compares the time of a hostile input of size 8n with the time of a benign
 * input of the same size, and with the hostile input of size n. Both are ratios measured in the same
 * process moments apart (the best of several runs each), so a slow or busy machine slows both sides.
 * `MODELSHIP_FUZZ_VERBOSE=1` prints every measured ratio.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { concat } from '../lint/model.support';

export { concat };

export const MODELS_DIR = join(__dirname, '../../fixtures/models');
export const FUZZ_DIR = join(__dirname, '../../fixtures/fuzz');
export const EXAMPLE_DIR = join(__dirname, '../../../examples/iris-sklearn');

/** How many cases a fuzz test runs: its default, or MODELSHIP_FUZZ_CASES when set. */
export function fuzzCases(defaultCases: number): number {
  const env = Number(process.env.MODELSHIP_FUZZ_CASES);
  return Number.isInteger(env) && env > 0 ? env : defaultCases;
}

/** A test's seed, shifted by MODELSHIP_FUZZ_SEED when set. */
export function fuzzSeed(seed: number): number {
  const shift = Number(process.env.MODELSHIP_FUZZ_SEED);
  return (seed + (Number.isInteger(shift) ? shift : 0)) >>> 0;
}

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; the same seed gives the same sequence everywhere. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** Small numbers more often than large ones (sizes, counts, run lengths). */
  size(max: number): number {
    return Math.min(max, Math.floor(Math.exp(this.next() * Math.log(max + 1))));
  }
}


/** Byte values parsers treat specially: opcodes, magic numbers, delimiters, length bytes. */
const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x0a, 0x0d, 0x20, 0x22, 0x27, 0x28, 0x2e, 0x5b, 0x5d, 0x7b, 0x7d, 0x23, 0x94, 0x95, 0x63, 0x50, 0x4b];

/** One to four random edits of `input`: flips, inserted or deleted bytes, repeated slices, cuts, splices. */
export function mutateBytes(input: Uint8Array, rng: Rng, donors: readonly Uint8Array[] = []): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(8)) {
      case 0: // Flip a few bytes.
        for (let k = 0; k < 1 + rng.int(8) && bytes.length > 0; k++) bytes[rng.int(bytes.length)] = rng.int(256);
        break;
      case 1: // Set an interesting byte.
        if (bytes.length > 0) bytes[rng.int(bytes.length)] = rng.pick(INTERESTING_BYTES);
        break;
      case 2: // Insert random bytes.
        bytes = concat(bytes.subarray(0, at), rng.bytes(rng.size(64)), bytes.subarray(at));
        break;
      case 3: // Delete a slice.
        bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + rng.size(256))));
        break;
      case 4: { // Repeat a slice many times (floods of one opcode or one line).
        const slice = bytes.subarray(at, Math.min(bytes.length, at + 1 + rng.int(16)));
        const times = rng.size(2000);
        const run = new Uint8Array(slice.length * times);
        for (let k = 0; k < times; k++) run.set(slice, k * slice.length);
        bytes = concat(bytes.subarray(0, at), run, bytes.subarray(at));
        break;
      }
      case 5: // Cut the file short.
        bytes = bytes.subarray(0, at);
        break;
      case 6: { // Splice in part of another real file.
        if (donors.length === 0) break;
        const donor = rng.pick(donors);
        const from = rng.int(donor.length + 1);
        bytes = concat(bytes.subarray(0, at), donor.subarray(from, from + rng.size(1024)), bytes.subarray(at));
        break;
      }
      default: { // Overwrite a 4- or 8-byte field with an extreme value (lengths, offsets, counts).
        const width = rng.pick([4, 8]);
        const value = rng.pick([0, 0xff, 0x7f]);
        for (let k = 0; k < width && at + k < bytes.length; k++) bytes[at + k] = value;
      }
    }
  }
  return bytes;
}

/** Tokens that requirement, TOML and YAML parsers give meaning to. */
const INTERESTING_TEXT = [
  ' ', '\t', '\\', '#', '[', ']', '{', '}', '"', "'", '=', '==', '>=', '~=', '@', ';', ',', '-', '-r ', '-c ', '-e ', '--hash=sha256:',
  'git+https://', 'file:', '#egg=', '[tool.poetry.dependencies]', '[project]', 'dependencies = [', '- pip:', '  - ', ': ', '\n', '\r\n',
  '${VAR}', 'python_version < "3.10"', '.whl', '.tar.gz', '"""', '\u00e9', '\u0000',
];

/** One to four random edits of a text: lines duplicated or dropped, tokens inserted, runs repeated, cuts. */
export function mutateText(input: string, rng: Rng, donors: readonly string[] = []): string {
  let text = input;
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(text.length + 1);
    switch (rng.int(7)) {
      case 0:
        text = text.slice(0, at) + rng.pick(INTERESTING_TEXT) + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + rng.size(64));
        break;
      case 2: { // Repeat a short piece many times.
        const piece = text.slice(at, at + 1 + rng.int(12)) || rng.pick(INTERESTING_TEXT);
        text = text.slice(0, at) + piece.repeat(rng.size(2000)) + text.slice(at);
        break;
      }
      case 3: { // Duplicate or drop a line.
        const lines = text.split('\n');
        const i = rng.int(lines.length);
        if (rng.int(2) === 0) lines.splice(i, 0, lines[i] ?? '');
        else lines.splice(i, 1);
        text = lines.join('\n');
        break;
      }
      case 4:
        text = text.slice(0, at);
        break;
      case 5: {
        if (donors.length === 0) break;
        const donor = rng.pick(donors);
        const from = rng.int(donor.length + 1);
        text = text.slice(0, at) + donor.slice(from, from + rng.size(400)) + text.slice(at);
        break;
      }
      default:
        text = text.slice(0, at) + String.fromCharCode(rng.int(0x3000)) + text.slice(at);
    }
  }
  return text;
}

/** The files of a fixture folder (recursively), as bytes, keyed by relative path. */
export function readCorpus(dir: string, filter: (path: string) => boolean = () => true): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (sub: string): void => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else if (filter(rel)) out.set(rel, new Uint8Array(readFileSync(join(dir, rel))));
    }
  };
  walk('');
  return out;
}

/** Runs `body` for each case with its own PRNG; a failure names the seed and case so it can be replayed. */
export async function forEachCase(seed: number, cases: number, body: (rng: Rng, index: number) => void | Promise<void>): Promise<void> {
  const base = fuzzSeed(seed);
  for (let i = 0; i < cases; i++) {
    const rng = new Rng((Math.imul(base, 0x9e3779b1) + i) >>> 0);
    try {
      await body(rng, i);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`fuzz case ${i} of seed ${base} failed: ${message}`, { cause: error });
    }
  }
}

/** The best (smallest) wall time of `reps` runs, in ms; the first run warms the code up and is not counted. */
export async function bestTime(run: () => unknown, reps = 5): Promise<number> {
  await run();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

export interface LinearCase<T> {
  /** What is being timed, for the failure message. */
  name: string;
  /** A hostile input of about `size` bytes. */
  hostile: (size: number) => T;
  /** An ordinary input of the same size. */
  benign: (size: number) => T;
  run: (input: T) => unknown;
  /** n: the small size; the big one is 8n. */
  size: number;
  /** The largest allowed time(hostile 8n) / time(benign 8n). */
  maxRatio: number;
  /**
   * The largest allowed time(hostile 8n) / time(hostile n) (default 48): linear work gives about 8,
   * 16 where the heap it builds makes the garbage collector work harder, quadratic 64 and more.
   */
  maxGrowth?: number;
  reps?: number;
}

/** Times below these are treated as these, so sub-millisecond noise cannot make a ratio explode. */
const TIME_FLOOR_MS = 0.5;
const GROWTH_FLOOR_MS = 5;

/** Asserts that work on the hostile input grows linearly: two ratios, never an absolute time. */
export async function assertLinear<T>(c: LinearCase<T>): Promise<{ ratio: number; growth: number }> {
  const reps = c.reps ?? 3;
  const big = c.hostile(8 * c.size);
  const small = c.hostile(c.size);
  const benign = c.benign(8 * c.size);
  const maxGrowth = c.maxGrowth ?? 48;
  const measure = async () => {
    const tBig = await bestTime(() => c.run(big), reps);
    const tBenign = await bestTime(() => c.run(benign), reps);
    const tSmall = await bestTime(() => c.run(small), reps);
    return { tBig, tBenign, tSmall, ratio: tBig / Math.max(tBenign, TIME_FLOOR_MS), growth: tBig / Math.max(tSmall, GROWTH_FLOOR_MS) };
  };
  let m = await measure();
  // A loaded machine (CI's two cores, other suites beside this one) can stall one timing; a real
  // quadratic stays over the bound when measured again, a stall does not.
  if (m.ratio > c.maxRatio || m.growth > maxGrowth) {
    const again = await measure();
    if (again.ratio + again.growth / 8 < m.ratio + m.growth / 8) m = again;
  }
  const detail = `${c.name}: hostile 8n ${m.tBig.toFixed(1)} ms, benign 8n ${m.tBenign.toFixed(1)} ms, hostile n ${m.tSmall.toFixed(1)} ms`;
  if (process.env.MODELSHIP_FUZZ_VERBOSE) process.stderr.write(`${detail}: ratio ${m.ratio.toFixed(1)}, growth ${m.growth.toFixed(1)}\n`);
  assert.ok(m.ratio <= c.maxRatio, `${detail}: ratio ${m.ratio.toFixed(1)} > ${c.maxRatio}`);
  assert.ok(m.growth <= maxGrowth, `${detail}: growth ${m.growth.toFixed(1)} > ${maxGrowth}`);
  return { ratio: m.ratio, growth: m.growth };
}

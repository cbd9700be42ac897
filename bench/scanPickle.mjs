// The pickle safety scan on large generated files (1 GB by default, BENCH_PICKLE_MB to change):
// a protocol-4 dict of 8 MiB BINBYTES8 tensors, a joblib dump with inline float64 arrays, an
// opcode-dense list of floats, and a zlib-compressed joblib dump; each ends with a payload the
// scan must find at its exact offset. Each file is scanned in a fresh process (run under tsx, so
// the scanner is the TypeScript source), after the same process has read the file once with fs:
// the baseline. Reported: time and MiB/s against the baseline, bytes read against the file size
// (the scan seeks past payloads; with seek off it reads every byte once), and the peak RSS delta.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { commit, median } from './common.mjs';

const MiB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const here = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Generating the files: raw opcodes, as the pickler writes them (no Python needed).
// ---------------------------------------------------------------------------------------------

const u8 = (...bytes) => Uint8Array.from(bytes);
const cat = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const sbu = (s) => cat(u8(0x8c, Buffer.byteLength(s)), Buffer.from(s));
const stackGlobal = (m, n) => cat(sbu(m), sbu(n), u8(0x93));
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
/** POP the object built so far, then posix.system('id'): the payload the scan must find. */
function payload(at) {
  const head = cat(u8(0x30), sbu('posix'), sbu('system'));
  return { bytes: cat(head, u8(0x93), sbu('id'), u8(0x85, 0x52, 0x2e)), offset: at + head.length };
}

class Writer {
  constructor(path) { this.fd = openSync(path, 'w'); this.size = 0; }
  write(b) { writeSync(this.fd, b); this.size += b.length; }
  close() { closeSync(this.fd); }
}

function filler(size) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

/** {'w0': bytes(8 MiB), 'w1': ...} as BINBYTES8, then the payload. */
function writeTensors(path, target) {
  const w = new Writer(path);
  const blob = filler(8 * MiB);
  w.write(cat(u8(0x80, 4), u8(0x7d, 0x94, 0x28)));
  for (let i = 0; w.size < target - 9 * MiB; i++) w.write(cat(sbu(`w${i}`), u8(0x8e), u64(blob.length), blob));
  w.write(u8(0x75));
  const p = payload(w.size);
  w.write(p.bytes);
  w.close();
  return p.offset;
}

/** A joblib NumpyArrayWrapper for n float64s, its padding byte and padding, then the array bytes. */
function joblibArray(n) {
  return cat(
    stackGlobal('joblib.numpy_pickle', 'NumpyArrayWrapper'), u8(0x29, 0x81, 0x7d, 0x28),
    sbu('subclass'), stackGlobal('numpy', 'ndarray'),
    sbu('shape'), u8(0x4a), Buffer.from(new Int32Array([n]).buffer), u8(0x85),
    sbu('order'), sbu('C'),
    sbu('dtype'), stackGlobal('numpy', 'dtype'), sbu('f8'), u8(0x89, 0x88, 0x87, 0x52),
    u8(0x28, 0x4b, 3), sbu('<'), u8(0x4e, 0x4e, 0x4e, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0, 0x74, 0x62),
    sbu('allow_mmap'), u8(0x88), sbu('numpy_array_alignment_bytes'), u8(0x4b, 16), u8(0x75, 0x62),
  );
}

/** A joblib dump of a list of 8 MiB float64 arrays, then the payload. */
function writeJoblib(path, target) {
  const w = new Writer(path);
  const n = MiB; // 8 MiB of float64
  const data = filler(n * 8);
  w.write(cat(u8(0x80, 4), u8(0x5d, 0x94, 0x28)));
  while (w.size < target - 9 * MiB) {
    w.write(joblibArray(n));
    const pad = (16 - ((w.size + 1) % 16)) % 16;
    w.write(cat(u8(pad), Buffer.alloc(pad, 0xff)));
    w.write(data);
  }
  w.write(u8(0x65));
  const p = payload(w.size);
  w.write(p.bytes);
  w.close();
  return p.offset;
}

/** A list of floats: MARK, 1000 BINFLOATs, APPENDS, over and over (nothing to step over). */
function writeDense(path, target) {
  const w = new Writer(path);
  const batch = Buffer.alloc(2 + 1000 * 9);
  batch[0] = 0x28;
  for (let i = 0; i < 1000; i++) { batch[1 + i * 9] = 0x47; batch.writeDoubleBE(i * 0.5, 2 + i * 9); }
  batch[batch.length - 1] = 0x65;
  const block = Buffer.concat(Array(100).fill(batch));
  w.write(u8(0x80, 4, 0x5d, 0x94));
  while (w.size < target - block.length) w.write(block);
  const p = payload(w.size);
  w.write(p.bytes);
  w.close();
  return p.offset;
}

/** writeJoblib's layout, zlib-compressed as joblib's compress=1 does (offsets count decompressed bytes). */
function writeZlibJoblib(path, target) {
  // Held whole to compress it in one call: generation only, never part of a measurement.
  const raw = join(tmpdir(), `modelship-bench-raw-${process.pid}.joblib`);
  const offset = writeJoblib(raw, target);
  const size = statSync(raw).size;
  const w = new Writer(path);
  const fd = openSync(raw, 'r');
  const buf = Buffer.alloc(size);
  readSync(fd, buf, 0, size, 0);
  closeSync(fd);
  w.write(deflateSync(buf, { level: 1 }));
  w.close();
  rmSync(raw, { force: true });
  return offset;
}

function generate(dir, mb) {
  mkdirSync(dir, { recursive: true });
  const big = mb * MiB;
  const specs = [
    { name: 'tensors.pkl', format: 'pickle', write: writeTensors, target: big, what: 'protocol-4 dict of 8 MiB BINBYTES8 tensors' },
    { name: 'arrays.joblib', format: 'joblib', write: writeJoblib, target: big, what: 'joblib dump, inline float64 arrays' },
    { name: 'dense.pkl', format: 'pickle', write: writeDense, target: Math.max(16, mb / 4) * MiB, what: 'list of floats (opcode-dense)' },
    { name: 'arrays-zlib.joblib', format: 'joblib', write: writeZlibJoblib, target: Math.max(16, mb / 4) * MiB, what: 'zlib joblib dump (level 1)' },
  ];
  return specs.map((s) => {
    const path = join(dir, s.name);
    // Reuse a file generated before for the same size: the marker holds its payload offset and size.
    const marker = `${path}.json`;
    const cached = existsSync(path) && existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : undefined;
    let offset;
    if (cached && cached.target === s.target && cached.size === statSync(path).size) offset = cached.offset;
    else {
      offset = s.write(path, s.target);
      writeFileSync(marker, JSON.stringify({ target: s.target, size: statSync(path).size, offset }));
    }
    return { ...s, path, size: statSync(path).size, payloadOffset: offset };
  });
}

// ---------------------------------------------------------------------------------------------
// The worker: one fresh process per measurement, under tsx.
// ---------------------------------------------------------------------------------------------

/** Peak RSS since the last reset, from /proc (Linux); maxRSS elsewhere (which a fork inherits from its parent). */
function peakRss() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Resets the peak-RSS mark to the current RSS (Linux >= 4.0: "5" to clear_refs); false when it cannot. */
function resetPeakRss() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const cpuMs = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

async function worker(path, format, seek) {
  const { scanModelSafety } = await import('../src/core/lint/model/scanModelSafety.ts');
  const { NodeFsReader } = await import('../src/platform/nodeFsReader.ts');
  const { dirname, basename } = await import('node:path');
  globalThis.gc?.();
  // Baseline: read the whole file once, 1 MiB at a time, with fs.
  const exact = resetPeakRss();
  let rss0 = process.memoryUsage().rss;
  const buf = Buffer.alloc(MiB);
  const fd = openSync(path, 'r');
  let t = process.hrtime.bigint();
  let c = process.cpuUsage();
  let read = 0;
  for (let n; (n = readSync(fd, buf, 0, MiB, read)) > 0; ) read += n;
  const baselineMs = Number(process.hrtime.bigint() - t) / 1e6;
  const baselineCpuMs = cpuMs(c);
  closeSync(fd);
  const baselinePeakRssDelta = peakRss() - rss0;
  globalThis.gc?.();
  resetPeakRss();
  rss0 = process.memoryUsage().rss;
  const reader = new NodeFsReader(dirname(path));
  const stats = { bytesRead: 0, reads: 0, peakCarry: 0 };
  t = process.hrtime.bigint();
  c = process.cpuUsage();
  const safety = await scanModelSafety(reader, basename(path), statSync(path).size, format, { seek, stats });
  const scanMs = Number(process.hrtime.bigint() - t) / 1e6;
  const scanCpuMs = cpuMs(c);
  process.stdout.write(JSON.stringify({
    baselineMs, baselineCpuMs, baselineBytes: read, scanMs, scanCpuMs, bytesRead: reader.bytesRead, reads: stats.reads, peakCarry: stats.peakCarry,
    rssBefore: rss0, peakRssDelta: peakRss() - rss0, baselinePeakRssDelta, rssExact: exact,
    verdict: safety?.verdict, complete: safety?.complete, notes: safety?.notes, globals: safety?.globals.map((g) => `${g.module}.${g.name}@${g.offset}`),
  }));
}

function measure(file, seek) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', here, '--worker', file.path, file.format, String(seek)], { encoding: 'utf8', cwd: resolve(here, '../..') });
    if (r.status !== 0) throw new Error(`scan worker failed on ${file.name}: ${r.stderr}`);
    samples.push(JSON.parse(r.stdout));
  }
  const pick = (k) => median(samples.map((s) => s[k]));
  const last = samples[samples.length - 1];
  const found = last.globals.includes(`posix.system@${file.payloadOffset}`);
  return {
    file: file.name, what: file.what, seek, sizeBytes: file.size, runs: RUNS,
    scanMs: pick('scanMs'), baselineMs: pick('baselineMs'), scanCpuMs: pick('scanCpuMs'), baselineCpuMs: pick('baselineCpuMs'),
    scanMBps: file.size / MiB / (pick('scanMs') / 1000), baselineMBps: file.size / MiB / (pick('baselineMs') / 1000),
    ratioScanToBaseline: pick('scanMs') / pick('baselineMs'),
    ratioScanToBaselineCpu: pick('scanCpuMs') / pick('baselineCpuMs'),
    bytesRead: last.bytesRead, readsOnce: last.bytesRead <= file.size, reads: last.reads, peakCarryBytes: last.peakCarry,
    peakRssDeltaMB: pick('peakRssDelta') / MiB, baselinePeakRssDeltaMB: pick('baselinePeakRssDelta') / MiB, peakRssMeasuredExactly: last.rssExact,
    verdict: last.verdict, complete: last.complete, payloadFoundAtOffset: found, notes: last.notes,
  };
}

export function benchScanPickle() {
  const mb = Number(process.env.BENCH_PICKLE_MB ?? 1024);
  const dir = join(process.env.BENCH_DIR ?? tmpdir(), 'modelship-bench-pickle');
  const files = generate(dir, mb);
  const results = [];
  for (const file of files) {
    // Warm the page cache so neither the baseline nor the scan pays for the first cold read.
    spawnSync('cat', [file.path], { stdio: 'ignore' });
    results.push(measure(file, true));
    if (file.format === 'pickle' && file.name === 'tensors.pkl') results.push(measure(file, false));
  }
  return { machine: `${cpus().length}x ${cpus()[0]?.model ?? '?'}`, node: process.version, commit: commit(), sizeMB: mb, results };
}

export function printScanPickle(r) {
  console.log(`pickle safety scan over generated files (${r.sizeMB} MB), median of ${r.results[0]?.runs ?? 0} fresh processes each`);
  for (const x of r.results) {
    const mb = (x.sizeBytes / MiB).toFixed(0);
    console.log(`  ${x.file} (${mb} MiB, ${x.what}${x.seek ? '' : ', seek off'}): scan ${x.scanMs.toFixed(0)} ms = ${x.scanMBps.toFixed(0)} MiB/s ` +
      `(CPU ${x.scanCpuMs.toFixed(0)} ms); fs read once ${x.baselineMs.toFixed(0)} ms = ${x.baselineMBps.toFixed(0)} MiB/s (CPU ${x.baselineCpuMs.toFixed(0)} ms); ` +
      `ratio ${x.ratioScanToBaseline.toFixed(2)}x wall, ${x.ratioScanToBaselineCpu.toFixed(2)}x CPU`);
    console.log(`    bytes read ${x.bytesRead} of ${x.sizeBytes} (${x.readsOnce ? 'each byte at most once' : 'MORE THAN ONCE'}) in ${x.reads} reads; ` +
      `peak RSS delta ${x.peakRssDeltaMB.toFixed(1)} MB (baseline read ${x.baselinePeakRssDeltaMB.toFixed(1)} MB${x.peakRssMeasuredExactly ? '' : ', approximate'}); carried ${x.peakCarryBytes} B; ` +
      `verdict ${x.verdict}${x.complete ? '' : ' (incomplete)'}; payload at its offset: ${x.payloadFoundAtOffset ? 'yes' : 'NO'}`);
  }
  console.log(`  machine: ${r.machine}, node ${r.node}, commit ${r.commit}`);
}

if (process.argv[2] === '--worker') {
  await worker(process.argv[3], process.argv[4], process.argv[5] !== 'false');
} else if (process.argv[1] === here) {
  const r = benchScanPickle();
  printScanPickle(r);
}

// Log fan-out of `modelship logs --env/--context` (the whole-Deployment logs): a local HTTP server
// plays the kubelet's log endpoint (`RFC3339Nano text\n`, chunked, as `timestamps=true` returns it)
// for BENCH_LOG_STREAMS containers at once, BENCH_LOG_LINES lines in all. Measured, in a fresh
// process running the TypeScript source under tsx: our pipeline (read with backpressure, split,
// parse the timestamp, dedup, prefix `pod/container`, write to /dev/null) against two baselines
// in the same session: the same HTTP streams piped raw to /dev/null, and `cat` of the same bytes
// from a file. Reported: lines/s, the ratios, and the RSS growth during our run (sampled peak).
// The issue asks for >= 100k lines/s with RSS growth < 50 MB.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { commit, median } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const LINES = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);
const STREAMS = Number(process.env.BENCH_LOG_STREAMS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** The kubelet's format, one body per container: `2024-05-01T12:00:00.123456789Z GET /predict 200 n=…`. */
function bodies() {
  const per = Math.ceil(LINES / STREAMS);
  const out = [];
  for (let s = 0; s < STREAMS; s++) {
    const parts = [];
    const base = Date.UTC(2024, 4, 1, 12);
    for (let i = 0; i < per; i++) {
      const ms = base + Math.floor(i / 10);
      const ts = new Date(ms).toISOString().replace('Z', `${String(i % 10).padStart(6, '0')}Z`);
      parts.push(`${ts} INFO 10.0.0.${s} "POST /predict HTTP/1.1" 200 request ${i} took ${(i % 97) / 10} ms\n`);
    }
    out.push(Buffer.from(parts.join('')));
  }
  return out;
}

/** Serves /s/N as chunked 64 KiB writes, honouring backpressure (as the API server relays the kubelet). */
async function serve(data) {
  const server = http.createServer(async (req, res) => {
    const body = data[Number(req.url.split('/').pop())];
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    for (let at = 0; at < body.length; at += 65536) {
      if (!res.write(body.subarray(at, at + 65536))) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: server.address().port };
}

const get = (port, s) => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, path: `/s/${s}`, agent: false }, resolve).on('error', reject));

async function worker() {
  const { pumpLogStream, newStreamState } = await import('../src/kube/deploymentLogs.ts');
  const { formatLines, linePrefix } = await import('../src/core/deploy/logLines.ts');
  const { backpressuredWriter } = await import('../src/cli/commands/clusterLogs.ts');
  const data = bodies();
  const bytes = data.reduce((n, b) => n + b.length, 0);
  const lines = Math.ceil(LINES / STREAMS) * STREAMS;
  const { server, port } = await serve(data);
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-logs-'));
  const file = join(dir, 'all.log');
  writeFileSync(file, Buffer.concat(data));

  const raw = async () => {
    const sink = createWriteStream('/dev/null');
    const t0 = performance.now();
    await Promise.all(data.map(async (_, s) => {
      const res = await get(port, s);
      for await (const chunk of res) if (!sink.write(chunk)) await new Promise((r) => sink.once('drain', r));
    }));
    await new Promise((r) => sink.end(r));
    return performance.now() - t0;
  };
  const cat = () => {
    const t0 = performance.now();
    const r = spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('cat failed');
    return performance.now() - t0;
  };
  const ours = async () => {
    const sink = createWriteStream('/dev/null');
    const write = backpressuredWriter(sink);
    const format = { json: false, timestamps: false, colour: false };
    let printed = 0;
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    await Promise.all(data.map(async (_, s) => {
      const res = await get(port, s);
      res.setEncoding('utf8');
      const who = { pod: `model-7d9f-${s}`, container: 'server' };
      const prefix = linePrefix(who.pod, who.container, false);
      const n = await pumpLogStream(res, newStreamState(), who, (batch) => write(formatLines(batch, format, prefix)));
      printed += n;
    }));
    await new Promise((r) => sink.end(r));
    const ms = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (printed !== lines) throw new Error(`printed ${printed} of ${lines} lines`);
    return { ms, rssGrowthMB: (peak - rss0) / 1024 / 1024 };
  };

  await ours(); // warm-up (JIT, sockets)
  const rawMs = [], catMs = [], oursMs = [], growth = [];
  for (let i = 0; i < RUNS; i++) {
    rawMs.push(await raw());
    catMs.push(cat());
    const r = await ours();
    oursMs.push(r.ms);
    growth.push(r.rssGrowthMB);
  }
  server.close();
  rmSync(dir, { recursive: true, force: true });
  const m = median(oursMs);
  process.stdout.write(JSON.stringify({
    lines, streams: STREAMS, bytes, runs: RUNS,
    oursMs: m, rawHttpMs: median(rawMs), catMs: median(catMs),
    linesPerSecond: Math.round(lines / (m / 1000)),
    rawHttpLinesPerSecond: Math.round(lines / (median(rawMs) / 1000)),
    ratioVsRawHttp: m / median(rawMs), ratioVsCat: m / median(catMs),
    rssGrowthMB: Math.max(...growth),
  }));
}

export async function benchKubeLogs() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', here, '--worker'], { encoding: 'utf8', maxBuffer: 1 << 20, env: process.env });
  if (r.status !== 0) throw new Error(`kubeLogs worker failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout);
  return { machine: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}`, commit: commit(), ...result, pass: result.linesPerSecond >= 100_000 && result.rssGrowthMB < 50 };
}

export function printKubeLogs(r) {
  console.log(`kube logs fan-out: ${r.lines} lines from ${r.streams} streams (${(r.bytes / 1024 / 1024).toFixed(1)} MiB), median of ${r.runs}, ${r.machine} @ ${r.commit}`);
  console.log(`  ours      ${r.oursMs.toFixed(0)} ms  ${r.linesPerSecond.toLocaleString('en')} lines/s  (goal >= 100,000)`);
  console.log(`  raw HTTP  ${r.rawHttpMs.toFixed(0)} ms  ${r.rawHttpLinesPerSecond.toLocaleString('en')} lines/s  -> ours ${r.ratioVsRawHttp.toFixed(2)}x`);
  console.log(`  cat       ${r.catMs.toFixed(0)} ms  -> ours ${r.ratioVsCat.toFixed(2)}x`);
  console.log(`  RSS growth ${r.rssGrowthMB.toFixed(1)} MB (goal < 50)  ${r.pass ? 'PASS' : 'FAIL'}`);
}

if (process.argv.includes('--worker')) await worker();

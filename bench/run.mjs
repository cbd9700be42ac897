// `npm run bench`: measures the paths users wait on and prints ratios against a baseline run in
// the same session, with the machine and commit. Timings are medians of several runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateTree } from './detectTree.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const cli = resolve('dist/cli.js');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeCommand(cmd, args) {
  const samples = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    last = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (last.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${last.stderr}`);
  }
  return { ms: median(samples), last };
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const tree = generateTree(join(process.env.BENCH_DIR ?? tmpdir(), 'modelship-bench-50k'), { fixtures: resolve('test/fixtures/models') });
// Warm the page cache once for every contender so that none pays for the first cold read.
spawnSync('find', [tree], { stdio: 'ignore' });
spawnSync(process.execPath, [cli, 'detect', tree, '--json'], { stdio: 'ignore' });

const find = timeCommand('find', [tree]);
const bare = timeCommand(process.execPath, ['-e', '0']);
const detect = timeCommand(process.execPath, [cli, 'detect', tree, '--json', '--verbose']);
const stats = /listed (\d+) files, opened (\d+), read (\d+) bytes \(at most (\d+) from one file\)/.exec(detect.last.stderr);
const models = JSON.parse(detect.last.stdout).models.length;
const cliWork = detect.ms - bare.ms;
const results = {
  machine: `${cpus().length}x ${cpus()[0]?.model ?? '?'}`,
  node: process.version,
  commit: commit(),
  tree: { files: Number(find.last.stdout.split('\n').length - 1), listedByDetect: Number(stats?.[1]), modelsFound: models },
  findMs: find.ms,
  nodeBareMs: bare.ms,
  detectMs: detect.ms,
  detectWorkMs: cliWork,
  ratioDetectWorkToFind: cliWork / find.ms,
  candidatesOpened: Number(stats?.[2]),
  bytesRead: Number(stats?.[3]),
  maxBytesPerCandidate: Number(stats?.[4]),
  meanBytesPerCandidate: Number(stats?.[3]) / Number(stats?.[2]),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/detect.json', JSON.stringify(results, null, 2));
console.log(`detect over ${results.tree.files} paths (${results.tree.listedByDetect} outside excluded folders), ${models} models found`);
console.log(`  find: ${find.ms.toFixed(1)} ms; node -e 0: ${bare.ms.toFixed(1)} ms; modelship detect: ${detect.ms.toFixed(1)} ms`);
console.log(`  ratio (detect - bare node) / find: ${results.ratioDetectWorkToFind.toFixed(2)}x  (target <= 2x)`);
console.log(`  candidates opened: ${results.candidatesOpened}; bytes read: max ${results.maxBytesPerCandidate} per file (target <= 65536), mean ${results.meanBytesPerCandidate.toFixed(0)}`);
console.log(`  machine: ${results.machine}, node ${results.node}, commit ${results.commit}`);

// Detection over a generated 50k-file tree against `find` over the same tree (and a pruned find),
// plus the bytes read per opened file. Timings are round-robin medians.
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateTree } from './detectTree.mjs';
import { commit, median } from './common.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const cli = resolve('dist/cli.js');

/** Times several commands round-robin (so drift in machine load hits all alike); medians per command. */
function timeRoundRobin(commands) {
  const samples = commands.map(() => []);
  const last = [];
  for (let i = 0; i < RUNS; i++) {
    commands.forEach(([cmd, args], k) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      samples[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
      last[k] = r;
    });
  }
  return samples.map((s, k) => ({ ms: median(s), last: last[k] }));
}

export function benchDetect() {
  const tree = generateTree(join(process.env.BENCH_DIR ?? tmpdir(), 'modelship-bench-50k'), { fixtures: resolve('test/fixtures/models') });
  // Warm the page cache once for every contender so that none pays for the first cold read.
  spawnSync('find', [tree], { stdio: 'ignore' });
  spawnSync(process.execPath, [cli, 'detect', tree, '--json'], { stdio: 'ignore' });

  // The stricter baseline is find pruning the same default-excluded folders that detect skips.
  // Detection proper (--no-safety), and with the safety scan of the pickle-family models it finds.
  const [find, prunedFind, bare, detect, detectWithSafety] = timeRoundRobin([
    ['find', [tree]],
    ['find', [tree, '(', '-name', '.git', '-o', '-name', 'node_modules', '-o', '-name', '.venv', ')', '-prune', '-o', '-print']],
    [process.execPath, ['-e', '0']],
    [process.execPath, [cli, 'detect', tree, '--json', '--verbose', '--no-safety']],
    [process.execPath, [cli, 'detect', tree, '--json']],
  ]);
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
    detectWithSafetyMs: detectWithSafety.ms,
    ratioDetectWithSafetyWorkToFind: (detectWithSafety.ms - bare.ms) / find.ms,
    prunedFindMs: prunedFind.ms,
    ratioDetectWorkToPrunedFind: cliWork / prunedFind.ms,
    candidatesOpened: Number(stats?.[2]),
    bytesRead: Number(stats?.[3]),
    maxBytesPerCandidate: Number(stats?.[4]),
    meanBytesPerCandidate: Number(stats?.[3]) / Number(stats?.[2]),
  };
  return results;
}

export function printDetect(results) {
  console.log(`detect over ${results.tree.files} paths (${results.tree.listedByDetect} outside excluded folders), ${results.tree.modelsFound} models found`);
  console.log(`  find: ${results.findMs.toFixed(1)} ms; node -e 0: ${results.nodeBareMs.toFixed(1)} ms; modelship detect: ${results.detectMs.toFixed(1)} ms`);
  console.log(`  ratio (detect - bare node) / find: ${results.ratioDetectWorkToFind.toFixed(2)}x  (target <= 2x)`);
  console.log(`  against find pruning the same excluded folders (${results.prunedFindMs.toFixed(1)} ms): ${results.ratioDetectWorkToPrunedFind.toFixed(2)}x`);
  console.log(`  with the safety scan of the pickle-family models found: ${results.detectWithSafetyMs.toFixed(1)} ms, ${results.ratioDetectWithSafetyWorkToFind.toFixed(2)}x find`);
  console.log(`  candidates opened: ${results.candidatesOpened}; bytes read: max ${results.maxBytesPerCandidate} per file (target <= 65536), mean ${results.meanBytesPerCandidate.toFixed(0)}`);
  console.log(`  machine: ${results.machine}, node ${results.node}, commit ${results.commit}`);
}

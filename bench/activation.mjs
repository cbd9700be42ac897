// Activation: our own work when VS Code activates the extension (loading dist/extension.js and
// running activate(), under a stand-in vscode module), and the bundle's size, against the same
// built from a baseline commit (BASELINE_REF, default HEAD) in the same session. Each sample is a
// fresh Node process, as activation is; round-robin medians.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commit, median } from './common.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const probe = resolve('bench/activationProbe.cjs');
/** Bundles next to extension.js that load on first use, and the panels' browser code. */
const LAZY = ['detection.js', 'lint.js', 'containerize.js', 'engine.js', 'deploy.js', 'media/statusPanel.js', 'media/logsPanel.js'];

/** Builds the baseline ref's bundles in a throwaway worktree (its own build script, our node_modules). */
function buildBaseline(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-activation-'));
  execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, ref], { stdio: 'ignore' });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

function sample(bundle) {
  const r = spawnSync(process.execPath, [probe, bundle], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`activation probe failed on ${bundle}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function benchActivation() {
  if (!existsSync('dist/extension.js')) throw new Error('dist/extension.js is missing: run npm run build first');
  const ref = process.env.BASELINE_REF ?? 'HEAD';
  const baseDir = buildBaseline(ref);
  try {
    const contenders = { current: resolve('dist/extension.js'), baseline: join(baseDir, 'dist/extension.js') };
    const runs = { current: [], baseline: [] };
    for (const bundle of Object.values(contenders)) sample(bundle); // warm the page cache
    // Round-robin, each round in the other order, so drift in the machine's load hits both alike.
    for (let i = 0; i < RUNS; i++) {
      const order = Object.entries(contenders);
      if (i % 2 === 1) order.reverse();
      for (const [name, bundle] of order) runs[name].push(sample(bundle));
    }
    const summary = (name) => ({
      bytes: statSync(contenders[name]).size,
      requireMs: median(runs[name].map((r) => r.requireMs)),
      activateMs: median(runs[name].map((r) => r.activateMs)),
      totalMs: median(runs[name].map((r) => r.requireMs + r.activateMs)),
      subscriptions: runs[name][0].subscriptions,
      // What loads later, on first use (never at activation): sizes only.
      lazy: Object.fromEntries(LAZY.map((f) => [f, existsSync(join(contenders[name], '..', f)) ? statSync(join(contenders[name], '..', f)).size : undefined])),
    });
    return { commit: commit(), baselineRef: ref, runs: RUNS, current: summary('current'), baseline: summary('baseline') };
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', baseDir], { stdio: 'ignore' });
    rmSync(baseDir, { recursive: true, force: true });
  }
}

export function printActivation(r) {
  const ratio = (a, b) => (a / b).toFixed(2);
  console.log(`activation: dist/extension.js loaded and activated in a fresh Node (medians of ${r.runs}; commit ${r.commit} vs ${r.baselineRef})`);
  for (const name of ['current', 'baseline']) {
    const s = r[name];
    console.log(`  ${name.padEnd(8)} ${s.bytes} bytes  require ${s.requireMs.toFixed(1)} ms  activate ${s.activateMs.toFixed(1)} ms  total ${s.totalMs.toFixed(1)} ms  (${s.subscriptions} disposables)`);
  }
  const kb = (n) => (n === undefined ? '—' : `${(n / 1024).toFixed(1)} KB`);
  for (const name of ['current', 'baseline']) console.log(`  ${name.padEnd(8)} on first use: ${Object.entries(r[name].lazy).map(([f, n]) => `${f} ${kb(n)}`).join(', ')}`);
  console.log(`  ratio current/baseline: size ${ratio(r.current.bytes, r.baseline.bytes)}x, activation ${ratio(r.current.totalMs, r.baseline.totalMs)}x`);
}

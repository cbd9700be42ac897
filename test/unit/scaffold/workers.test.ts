// WORKERS=auto in the generated app (serving/__main__.py): the uvicorn process count from the
// container's CPU quota, read from fake cgroup v1 and v2 trees by Debian's python3 (stdlib only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const PY = process.env.MODELSHIP_TEST_PYTHON ?? '/usr/bin/python3';
const MAIN_PY = resolve(__dirname, '../../../src/core/scaffold/templates/serving/__main__.py');
const HAVE_PYTHON = spawnSync(PY, ['--version']).status === 0;

/** A cgroup tree holding `files` (path under the root -> contents). */
function cgroupTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ms-cgroup-'));
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${contents}\n`);
  }
  return root;
}

/** worker_count(raw, root, cpus) as the generated app computes it; an error's message when it exits. */
function workers(raw: string | null, files: Record<string, string>, cpus: number): number | string {
  const root = cgroupTree(files);
  try {
    const code = [
      'import importlib.util, json, sys',
      'spec = importlib.util.spec_from_file_location("serving_main", sys.argv[1])',
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      'raw = json.loads(sys.argv[2])',
      'try:',
      '    print(m.worker_count(raw, sys.argv[3], int(sys.argv[4])))',
      'except SystemExit as e:',
      '    print("exit: " + str(e))',
    ].join('\n');
    const run = spawnSync(PY, ['-c', code, MAIN_PY, JSON.stringify(raw), root, String(cpus)], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = run.stdout.trim();
    return /^\d+$/.test(out) ? Number(out) : out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const skip = HAVE_PYTHON ? false : `${PY} is missing (apt-get install python3)`;

test('cgroup v2 cpu.max: the quota in whole CPUs', { skip }, () => {
  assert.equal(workers(null, { 'cpu.max': '200000 100000' }, 8), 2);
  assert.equal(workers('auto', { 'cpu.max': '400000 100000' }, 8), 4);
});

test('cgroup v2 without a quota ("max") uses every CPU this process may run on', { skip }, () => {
  assert.equal(workers(null, { 'cpu.max': 'max 100000' }, 6), 6);
});

test('cgroup v1 cfs quota and period, under cpu/ or cpu,cpuacct/', { skip }, () => {
  assert.equal(workers(null, { 'cpu/cpu.cfs_quota_us': '300000', 'cpu/cpu.cfs_period_us': '100000' }, 8), 3);
  assert.equal(workers(null, { 'cpu,cpuacct/cpu.cfs_quota_us': '200000', 'cpu,cpuacct/cpu.cfs_period_us': '100000' }, 8), 2);
});

test('cgroup v1 quota -1 (none) and no cgroup files at all: the CPU count', { skip }, () => {
  assert.equal(workers(null, { 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' }, 2), 2);
  assert.equal(workers('', {}, 3), 3);
});

test('a fractional quota rounds down but never below one worker', { skip }, () => {
  assert.equal(workers(null, { 'cpu.max': '150000 100000' }, 8), 1);
  assert.equal(workers(null, { 'cpu.max': '25000 100000' }, 8), 1);
  assert.equal(workers(null, { 'cpu/cpu.cfs_quota_us': '250000', 'cpu/cpu.cfs_period_us': '100000' }, 8), 2);
});

test('the quota is capped by the CPUs available', { skip }, () => {
  assert.equal(workers(null, { 'cpu.max': '800000 100000' }, 2), 2);
  assert.equal(workers(null, { 'cpu/cpu.cfs_quota_us': '1600000', 'cpu/cpu.cfs_period_us': '100000' }, 4), 4);
});

test('a number is taken as is; zero and words say what WORKERS takes', { skip }, () => {
  assert.equal(workers('3', { 'cpu.max': '100000 100000' }, 1), 3);
  assert.match(String(workers('0', {}, 2)), /^exit: WORKERS=0 must be at least 1/);
  assert.match(String(workers('many', {}, 2)), /^exit: WORKERS='many' is neither a whole number nor 'auto'/);
});

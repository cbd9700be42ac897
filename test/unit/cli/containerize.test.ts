// `modelship containerize` as users run it: plan, write only what is new, never overwrite without consent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, copyFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const EXAMPLE = resolve(__dirname, '../../../examples/iris-sklearn');
const FIXTURES = resolve(__dirname, '../../fixtures/models');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

function project(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ms-containerize-')), 'iris-sklearn');
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

test('--dry-run prints the plan and writes nothing', () => {
  const dir = project();
  const before = listFiles(dir).sort();
  const r = run('containerize', dir, '--dry-run');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Serving model\.joblib \(joblib, sklearn\) as iris-sklearn:0\.1\.0-[0-9a-f]{8} on port 8080/);
  assert.deepEqual(listFiles(dir).sort(), before);
});

test('the first run writes every planned file; the second changes nothing', () => {
  const dir = project();
  const first = run('containerize', dir, '--json');
  assert.equal(first.status, 0, first.stderr);
  const plan = JSON.parse(first.stdout) as { changes: { path: string; kind: string; written: boolean }[] };
  for (const c of plan.changes) {
    assert.equal(c.kind, 'new', c.path);
    assert.equal(c.written, true, c.path);
    assert.ok(existsSync(join(dir, c.path)), c.path);
  }
  const mtimes = plan.changes.map((c) => statSync(join(dir, c.path)).mtimeMs);
  const second = JSON.parse(run('containerize', dir, '--json').stdout) as typeof plan;
  assert.deepEqual(second.changes.map((c) => c.kind), plan.changes.map(() => 'unchanged'));
  assert.deepEqual(plan.changes.map((c) => statSync(join(dir, c.path)).mtimeMs), mtimes, 'nothing rewritten');
});

test("a user's edited file is kept (exit 1, naming it) unless --force", () => {
  const dir = project();
  const first = JSON.parse(run('containerize', dir, '--json').stdout) as { changes: { path: string }[] };
  const victim = first.changes[0]?.path;
  if (!victim) return assert.fail('containerize planned no files');
  writeFileSync(join(dir, victim), '# my own version\n');
  const kept = run('containerize', dir);
  assert.equal(kept.status, 1);
  assert.match(kept.stderr, new RegExp(`kept your version of .*${victim.replace(/[.]/g, '\\.')}`));
  assert.equal(readFileSync(join(dir, victim), 'utf8'), '# my own version\n');
  const dry = run('containerize', dir, '--dry-run');
  assert.match(dry.stdout, new RegExp(`~ ${victim.replace(/[.]/g, '\\.')}`));
  assert.match(dry.stdout, /-# my own version/);
  const forced = run('containerize', dir, '--force');
  assert.equal(forced.status, 0, forced.stderr);
  assert.notEqual(readFileSync(join(dir, victim), 'utf8'), '# my own version\n');
  assert.deepEqual(listFiles(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left behind');
});

test('a folder with several models asks which one, naming them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-two-'));
  copyFileSync(join(FIXTURES, 'sklearn_logreg_p2.pkl'), join(dir, 'a.pkl'));
  copyFileSync(join(FIXTURES, 'torch_state_dict.pt'), join(dir, 'b.pt'));
  const r = run('containerize', dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /holds 2 models \(a\.pkl, b\.pt\)/);
});

test('an LFS pointer cannot be containerized, and the fix is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-lfs-'));
  copyFileSync(join(FIXTURES, 'lfs_model.pkl'), join(dir, 'model.pkl'));
  const r = run('containerize', join(dir, 'model.pkl'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Git LFS pointer/);
  assert.match(r.stderr, /git lfs pull --include "model\.pkl"/);
});

test('bad flags are usage errors', () => {
  assert.equal(run('containerize', EXAMPLE, '--mode', 'sideways').status, 2);
  assert.equal(run('containerize', EXAMPLE, '--only', 'dockerfile,helicopter').status, 2);
  assert.equal(run('containerize').status, 2);
});

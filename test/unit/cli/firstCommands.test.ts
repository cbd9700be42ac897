// The first commands a user types (issue 12): --version, --verbose anywhere, and a re-run of
// containerize with new options that updates the files nobody edited and asks only about the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.js');
const EXAMPLE = join(ROOT, 'examples/iris-sklearn');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MODELSHIP_VERBOSE: '', ...env } });

function project(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ms-first-')), 'iris-sklearn');
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

test('--version prints the version package.json declares', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const r = run([flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('--verbose works before and after the command, and prints debug lines on stderr', () => {
  for (const args of [['--verbose', 'lint', EXAMPLE], ['lint', '--verbose', EXAMPLE], ['lint', EXAMPLE, '--verbose']]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^modelship: debug: /m, args.join(' '));
  }
  const quiet = run(['lint', EXAMPLE]);
  assert.doesNotMatch(quiet.stderr, /debug:/);
});

test('--verbose adds the stack trace to an error', () => {
  const plain = run(['lint', '/no/such/place']);
  const verbose = run(['--verbose', 'lint', '/no/such/place']);
  assert.equal(plain.status, 2);
  assert.equal(verbose.status, 2);
  assert.doesNotMatch(plain.stderr, /\n\s+at /);
  assert.match(verbose.stderr, /ModelshipError: .*no such file or folder\n\s+at /);
});

test('an unknown option names the command and closes its quotes', () => {
  const r = run(['lint', '--bogus']);
  assert.equal(r.status, 2);
  const line = r.stderr.split('\n')[0] ?? '';
  assert.match(line, /Unknown option '--bogus' for lint/);
  assert.equal((line.match(/'/g) ?? []).length % 2, 0, `balanced quotes: ${line}`);
  assert.equal((line.match(/"/g) ?? []).length % 2, 0, `balanced quotes: ${line}`);
});

test('containerize points to modelship build and deploy, not docker build', () => {
  const dir = project();
  const r = run(['containerize', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Next: modelship build .*modelship deploy/);
  assert.doesNotMatch(r.stdout, /docker build/);
});

test('re-running containerize with a new option updates the files nobody edited, without asking', () => {
  const dir = project();
  assert.equal(run(['containerize', dir]).status, 0);
  assert.ok(existsSync(join(dir, '.modelship/generated.json')), 'the record is written');
  const before = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  const again = run(['containerize', dir, '--base-provides', 'numpy']);
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /kept your version/);
  assert.notEqual(readFileSync(join(dir, 'Dockerfile'), 'utf8'), before, 'the Dockerfile follows the new option');
  // And the record follows: going back needs no question either.
  const back = run(['containerize', dir]);
  assert.equal(back.status, 0, back.stderr);
  assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), before);
});

test('only the file the user edited is kept and asked about; the others follow the new options', () => {
  const dir = project();
  assert.equal(run(['containerize', dir]).status, 0);
  const requirementsPath = join(dir, 'serving/requirements.txt');
  const requirementsBefore = readFileSync(requirementsPath, 'utf8');
  const edited = readFileSync(join(dir, 'Dockerfile'), 'utf8') + '# my change\n';
  writeFileSync(join(dir, 'Dockerfile'), edited);
  const again = run(['containerize', dir, '--base-provides', 'numpy', '--json']);
  assert.equal(again.status, 1);
  const plan = JSON.parse(again.stdout) as { changes: { path: string; kind: string; written: boolean }[] };
  const dockerfile = plan.changes.find((c) => c.path === 'Dockerfile');
  assert.deepEqual([dockerfile?.kind, dockerfile?.written], ['changed', false]);
  assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), edited, "the user's Dockerfile is kept");
  assert.match(again.stderr, /kept your version of Dockerfile;/);
  const outdated = plan.changes.filter((c) => c.kind === 'outdated');
  assert.ok(outdated.every((c) => c.written), 'unedited files are updated');
  if (outdated.some((c) => c.path === 'serving/requirements.txt')) assert.notEqual(readFileSync(requirementsPath, 'utf8'), requirementsBefore);
});

test('files from before the record existed count as the user\'s (asked about, as before)', () => {
  const dir = project();
  assert.equal(run(['containerize', dir]).status, 0);
  writeFileSync(join(dir, '.modelship/generated.json'), '{}');
  const again = run(['containerize', dir, '--base-provides', 'numpy']);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /kept your version of .*Dockerfile/);
});

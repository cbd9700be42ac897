// `modelship lint` on the inputs of issue 12: a finding and exit code 1, never an internal error
// (exit 2 with a stack trace) and never a silent pass (exit 0). Runs the built CLI (npm test builds
// first; MODELSHIP_CLI points at another build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = process.env.MODELSHIP_CLI ?? resolve(__dirname, '../../../dist/cli.js');

/** Lints a fresh folder holding `files`; the exit status and what was printed. */
function lintFolder(files: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ms-lint-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = spawnSync(process.execPath, [CLI, 'lint', dir], { encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the CLI is built', () => assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`));

test('scalars where maps belong are schema findings (exit 1), not an internal error', () => {
  const r = lintFolder({
    'deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [nginx]\n',
    'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: p, image: "p:1", ports: [8080], env: [MODEL_PATH=/m]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: {http: 80}\n',
  });
  assert.equal(r.status, 1, r.out);
  assert.doesNotMatch(r.out, /internal error/);
  assert.match(r.out, /deploy\.yaml:10:\d+: error `spec\.template\.spec\.containers\[0\]` must be a map/);
  assert.match(r.out, /pod\.yaml:12:\d+: error `spec\.ports` must be a list/);
});

test('a manifest the parser cannot read is reported (exit 1), not passed', () => {
  const r = lintFolder({ 'deep.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  list:\n${'- '.repeat(4000)}x\ny: 1\n` });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /deep\.yaml:6:\d+: error Nested more than 200 levels deep here, too deep to check.*\[MS-K8S027\]/);
});

test('a manifest larger than lint reads is reported (exit 1), not skipped', () => {
  const entries = Array.from({ length: 250_000 }, (_, i) => `  k${i}: "value"`).join('\n');
  const r = lintFolder({ 'big.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n${entries}\n`, 'data.yaml': `rows:\n${'  - 1\n'.repeat(800_000)}` });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /big\.yaml:1:1: error This manifest is 4\.\d MiB, more than the 4\.0 MiB Modelship reads.*\[MS-K8S027\]/);
  assert.doesNotMatch(r.out, /data\.yaml/, 'a large YAML file that is no manifest is not one');
});

// `modelship lint` as CI runs it: exit codes, the documented JSON shape, SARIF for code scanning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { Log } from 'sarif';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const EXAMPLE = resolve(__dirname, '../../../examples/iris-sklearn');
const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });

function containerized(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'ms-lint-')), 'iris-sklearn');
  cpSync(EXAMPLE, dir, { recursive: true });
  const r = run(dir, 'containerize', '.');
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

test('what containerize generates is lint-clean: exit 0', () => {
  const dir = containerized();
  const r = run(dir, 'lint', '--format', 'json');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const findings = JSON.parse(r.stdout) as { severity: string; ruleId: string; file: string; message: string }[];
  assert.deepEqual(findings.filter((f) => f.severity !== 'info').map((f) => `${f.file} ${f.ruleId} ${f.message}`), []);
});

test('errors exit 1; --format json gives 1-based positions with the documented keys', () => {
  const dir = containerized();
  const file = join(dir, 'deploy/k8s/base/deployment.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('containerPort: 8080', 'containerPort: 8081'));
  const r = run(dir, 'lint', '--format', 'json');
  assert.equal(r.status, 1);
  const findings = JSON.parse(r.stdout) as Record<string, unknown>[];
  const port = findings.find((f) => f.ruleId === 'MS-X001');
  assert.ok(port, r.stdout);
  assert.deepEqual(Object.keys(port).sort(), ['column', 'endColumn', 'endLine', 'file', 'line', 'message', 'ruleId', 'severity']);
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('containerPort: 8081')) + 1;
  assert.equal(port.line, line);
  assert.equal(port.file, 'deploy/k8s/base/deployment.yaml');
});

test('SARIF 2.1.0: tool, rules, results with regions and levels GitHub accepts', () => {
  const dir = containerized();
  writeFileSync(join(dir, 'Dockerfile'), readFileSync(join(dir, 'Dockerfile'), 'utf8').replace('EXPOSE 8080', 'EXPOSE 9000'));
  const r = run(dir, 'lint', '--format', 'sarif');
  assert.equal(r.status, 1);
  const log = JSON.parse(r.stdout) as Log;
  assert.equal(log.version, '2.1.0');
  const runs = log.runs[0]!;
  assert.equal(runs.tool.driver.name, 'Modelship');
  const ruleIds = new Set((runs.tool.driver.rules ?? []).map((rule) => rule.id));
  assert.ok(ruleIds.has('MS-X001'));
  const result = runs.results!.find((res) => res.ruleId === 'MS-X001')!;
  assert.equal(result.level, 'error');
  assert.ok(result.message.text && result.message.text.length > 0);
  const region = result.locations![0]!.physicalLocation!.region!;
  assert.ok(region.startLine! >= 1 && region.startColumn! >= 1 && region.endColumn! > region.startColumn! - 1);
  assert.equal(result.locations![0]!.physicalLocation!.artifactLocation!.uri, 'Dockerfile');
  assert.equal(runs.tool.driver.rules![result.ruleIndex!]!.id, 'MS-X001');
});

test('a missing path exits 2 naming it; a bad format is a usage error', () => {
  assert.equal(run(EXAMPLE, 'lint', 'nope/nothing').status, 2);
  assert.match(run(EXAMPLE, 'lint', 'nope/nothing').stderr, /nope\/nothing: no such file or folder/);
  assert.equal(run(EXAMPLE, 'lint', '--format', 'xml').status, 2);
});

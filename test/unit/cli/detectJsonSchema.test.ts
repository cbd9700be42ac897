// `detect --json` against its published contract, docs/detect-json.schema.json (issue 12): real
// output from the example, the model fixtures and small projects that raise the newer problem
// codes is validated with ajv, and every problem code the detector can emit must be in the
// schema, so neither the output nor the codes can drift from what the README promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import Ajv from 'ajv';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.js');
const FIXTURES = join(ROOT, 'test/fixtures/models');
const schema = JSON.parse(readFileSync(join(ROOT, 'docs/detect-json.schema.json'), 'utf8')) as { properties: { problems: { items: { properties: { code: { enum: string[] } } } } } };
const validate = new Ajv({ allErrors: true }).compile(schema);

function detectJson(path: string): { models: unknown[]; problems: { code: string }[] } {
  const r = spawnSync(process.execPath, [CLI, 'detect', path, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { models: unknown[]; problems: { code: string }[] };
  assert.ok(validate(out), `${path}: ${JSON.stringify(validate.errors, null, 2)}`);
  return out;
}

/** A project with the newer problems: a truncated pickle, text named like a model, an LFS pointer, an include past the limit. */
function troubledProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ms-schema-'));
  const pickle = readFileSync(join(FIXTURES, 'sklearn_logreg_p2.pkl'));
  writeFileSync(join(dir, 'cut.pkl'), pickle.subarray(0, Math.floor(pickle.length / 2)));
  copyFileSync(join(FIXTURES, 'notes.pkl'), join(dir, 'notes.pkl'));
  copyFileSync(join(FIXTURES, 'lfs_model.pkl'), join(dir, 'lfs.pkl'));
  copyFileSync(join(FIXTURES, 'sklearn_logreg_p2.pkl'), join(dir, 'model.pkl'));
  writeFileSync(join(dir, 'requirements.txt'), 'scikit-learn\n-r https://example.invalid/reqs.txt\n-r missing.txt\n');
  return dir;
}

test('detect --json of the example, the fixtures and a troubled project matches the schema', () => {
  const example = detectJson(join(ROOT, 'examples/iris-sklearn'));
  assert.ok(example.models.length > 0);
  const fixtures = detectJson(FIXTURES);
  assert.ok(fixtures.models.length > 10);
  detectJson(join(FIXTURES, 'sklearn_logreg_p2.pkl'));
  const troubled = detectJson(troubledProject());
  const codes = new Set([...fixtures.problems, ...troubled.problems].map((p) => p.code));
  for (const code of ['truncated', 'not-a-model', 'lfs-pointer', 'unpinned', 'remote-include', 'missing-include']) assert.ok(codes.has(code), `the fixtures raise ${code}: ${[...codes].join(', ')}`);
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every problem code the detector can emit is in the schema', () => {
  const documented = new Set(schema.properties.problems.items.properties.code.enum);
  const found = new Set<string>();
  for (const file of sources(join(ROOT, 'src/core/detect'))) {
    for (const line of readFileSync(file, 'utf8').split('\n').filter((l) => /\bcode\b|problem\(/.test(l))) {
      for (const [, literal] of line.matchAll(/'([a-z]+(?:-[a-z]+)*)'/g)) if (!['error', 'warning', 'info', 'severity'].includes(literal!)) found.add(literal!);
    }
  }
  assert.ok(found.size >= 15, `found ${found.size} codes`);
  assert.deepEqual([...found].filter((c) => !documented.has(c)).sort(), [], 'codes missing from docs/detect-json.schema.json');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.deepEqual([...documented].filter((c) => !readme.includes(`\`${c}\``)), [], 'codes missing from the README');
});

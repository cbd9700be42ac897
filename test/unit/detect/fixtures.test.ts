// Every fixture made by a real library (see test/fixtures/models/README.md) is classified as
// test/fixtures/models/expected.json says, within the 64 KiB read budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectProject } from '../../../src/core/detect';
import { normalizeSettings } from '../../../src/core/settings';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';

const FIXTURES = join(__dirname, '../../fixtures/models');
/** A model's format and framework; null for a file that is no model; a string for a part of one (a shard, a SavedModel's files). */
type Expected = Record<string, { format: string; framework: string } | null | string>;
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;

test('every fixture is classified as expected', async () => {
  const reader = new NodeFsReader(FIXTURES);
  const desc = await detectProject(reader, normalizeSettings({}).detect, FIXTURES);
  const found = new Map(desc.models.map((m) => [m.path, m]));
  const mismatches: string[] = [];
  for (const [path, want] of Object.entries(expected)) {
    const got = found.get(path);
    if (want === null || typeof want === 'string') {
      if (got) mismatches.push(`${path}: expected no model, got ${got.format}/${got.framework} (${got.evidence})`);
      continue;
    }
    if (!got) mismatches.push(`${path}: expected ${want.format}/${want.framework}, not detected`);
    else if (got.format !== want.format || got.framework !== want.framework) {
      mismatches.push(`${path}: expected ${want.format}/${want.framework}, got ${got.format}/${got.framework} (${got.evidence})`);
    }
  }
  for (const path of found.keys()) if (!(path in expected)) mismatches.push(`${path}: detected but not in expected.json`);
  assert.deepEqual(mismatches, []);
  for (const [path, bytes] of reader.bytesReadByPath) assert.ok(bytes <= 64 * 1024, `${path}: read ${bytes} bytes`);
});

test('an LFS pointer is listed as a model and reported as an error with the fix', async () => {
  const desc = await detectProject(new NodeFsReader(FIXTURES), normalizeSettings({}).detect, FIXTURES);
  const problem = desc.problems.find((p) => p.path === 'lfs_model.pkl' && p.code === 'lfs-pointer');
  assert.ok(problem, 'lfs pointer problem');
  assert.equal(problem.severity, 'error');
  assert.match(problem.fix ?? '', /git lfs pull --include "lfs_model.pkl"/);
});

test('an empty model file is a problem, not a model', async () => {
  const desc = await detectProject(new NodeFsReader(FIXTURES), normalizeSettings({}).detect, FIXTURES);
  assert.ok(!desc.models.some((m) => m.path === 'empty.pt'));
  assert.ok(desc.problems.some((p) => p.path === 'empty.pt' && p.code === 'empty-file'));
});

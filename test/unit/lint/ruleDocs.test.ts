import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from '../../../src/core/lint/rules';
import { ruleDocsMarkdown } from '../../../src/core/lint/ruleDocsMarkdown';

test('rule ids are unique, well-formed and documented', () => {
  const ids = ALL_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of ALL_RULES) {
    assert.match(r.id, /^MS-(DF|K8S|PKL|X)\d{3}$/);
    assert.ok(r.summary.length > 10 && r.description.length > 20, r.id);
  }
});

test('docs/rules.md is up to date (run npm run docs:rules)', () => {
  assert.equal(readFileSync(join(__dirname, '../../../docs/rules.md'), 'utf8'), ruleDocsMarkdown());
});

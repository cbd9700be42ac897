// From a safety scan to findings: MS-PKL001/002/003, zero-based ranges at the file's start, and
// documentation entries for each rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_RULES, ruleDoc } from '../../../src/core/lint/rules';
import { configureFindings } from '../../../src/core/lint/configure';
import { DEFAULT_LINT_SETTINGS } from '../../../src/core/lint/types';
import { safetyFindings } from '../../../src/core/lint/model/safetyFindings';
import { scanModelSafety } from '../../../src/core/lint/model/scanModelSafety';
import type { ModelSafety } from '../../../src/core/lint/model/modelSafety';
import { MemoryReader, hostile } from './model.support';

async function scan(name: string): Promise<ModelSafety> {
  const bytes = hostile(name);
  return (await scanModelSafety(new MemoryReader().add(name, bytes), name, bytes.length, name.endsWith('.joblib') ? 'joblib' : 'pickle'))!;
}

test('an unsafe global is an MS-PKL001 error naming the global, its reason and its offset', async () => {
  const findings = safetyFindings('models/evil.pkl', await scan('os_system_global.pkl'));
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.ruleId, 'MS-PKL001');
  assert.equal(f.severity, 'error');
  assert.equal(f.file, 'models/evil.pkl');
  assert.deepEqual(f.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  assert.match(f.message, /os\.system/);
  assert.match(f.message, /byte 0\b/);
  assert.match(f.message, /operating-system commands/);
});

test('suspicious globals make one MS-PKL002 warning listing them', async () => {
  const findings = safetyFindings('m.pkl', await scan('main_class.pkl'));
  assert.deepEqual(findings.map((f) => [f.ruleId, f.severity]), [['MS-PKL002', 'warning']]);
  assert.match(findings[0]!.message, /__main__\.MyModel/);
});

test('a scan that could not see everything adds MS-PKL003', () => {
  const safety: ModelSafety = { verdict: 'safe', globals: [], scannedBytes: 10, complete: false, notes: ['malformed at offset 9: byte 0xff is not a pickle opcode'] };
  const findings = safetyFindings('m.pkl', safety);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.severity]), [['MS-PKL003', 'warning']]);
  assert.match(findings[0]!.message, /malformed at offset 9/);
  const partial: ModelSafety = { ...safety, notes: ['data.pkl: zip compression method 12 is not decoded'] };
  assert.equal(safetyFindings('m.pt', partial)[0]!.severity, 'info');
});

test('a safe, complete scan has no findings', () => {
  assert.deepEqual(safetyFindings('m.pkl', { verdict: 'safe', globals: [], scannedBytes: 1, complete: true, notes: [] }), []);
});

test('the three rules are documented and can be silenced or re-graded like any rule', async () => {
  for (const id of ['MS-PKL001', 'MS-PKL002', 'MS-PKL003']) {
    const doc = ruleDoc(id);
    assert.ok(doc, id);
    assert.equal(doc.category, 'model');
    assert.ok(doc.summary.endsWith('.') && doc.description.length > 50);
  }
  assert.equal(ALL_RULES.filter((r) => r.id.startsWith('MS-PKL')).length, 3);
  const findings = safetyFindings('m.pkl', await scan('functools_partial.pkl'));
  assert.deepEqual(configureFindings(findings, undefined, { ...DEFAULT_LINT_SETTINGS, rules: { 'MS-PKL002': 'off' } }).map((f) => f.ruleId), ['MS-PKL001']);
});

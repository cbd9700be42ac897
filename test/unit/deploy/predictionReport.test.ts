// Try a Prediction's report: each predicted row beside the expected one, compared as the smoke test does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictionReport } from '../../../src/extension/deploy/predictionReport';
import type { ClusterSmokeOutcome } from '../../../src/flows/clusterSmoke';

const outcome = (predictions: unknown[]): ClusterSmokeOutcome => ({
  url: 'http://127.0.0.1:40000', pod: 'iris-abc', service: 'iris', namespace: 'iris-staging', context: 'lab-staging', environment: 'staging',
  result: { url: 'http://127.0.0.1:40000', sampleSource: 'sample.json', rows: predictions.length, status: 200, ms: 12, answer: { predictions }, predictions },
});

test('matching rows are ticked, a differing one crossed, a missing one shown as a dash', () => {
  const report = predictionReport(outcome([0, 1, 2]), { source: 'sample.expected.json', predictions: [0, 1, 1, 2] });
  assert.equal(report.compared, 4);
  assert.equal(report.matches, 2);
  assert.match(report.markdown, /\| 0 \| 0 \| 0 \| ✓ \|/);
  assert.match(report.markdown, /\| 2 \| 2 \| 1 \| ✗ \|/);
  assert.match(report.markdown, /\| 3 \| — \| 2 \| ✗ \|/);
  assert.match(report.markdown, /port-forward to pod `iris-abc`, context `lab-staging`, namespace `iris-staging`/);
});

test('numbers within the smoke test tolerance match; table cells escape pipes', () => {
  const report = predictionReport(outcome([0.30000000000000004, 'a|b']), { source: 'e.json', predictions: [0.3, 'a|b'] });
  assert.equal(report.matches, 2);
  assert.ok(report.markdown.includes('"a\\|b"'));
});

test('without saved predictions it says how to add them', () => {
  const report = predictionReport(outcome([1]), undefined);
  assert.equal(report.compared, 0);
  assert.match(report.markdown, /save them as `<sample>\.expected\.json`/);
  assert.match(report.markdown, /\| row \| prediction \|\n/);
});

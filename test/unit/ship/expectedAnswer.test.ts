import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePredictions, expectedCandidates, parseExpected } from '../../../src/core/ship';

test('expected predictions are looked for beside the sample', () => {
  assert.deepEqual(expectedCandidates('sample.json'), ['sample.expected.json', 'expected_predictions.json']);
  assert.deepEqual(expectedCandidates('models/input_example.json'), ['models/input_example.expected.json', 'models/expected_predictions.json']);
});

test('the saved forms: {"predictions": [...]} or a bare list; anything else names the file', () => {
  assert.deepEqual(parseExpected('{"predictions": [0, 2]}', 'e.json').predictions, [0, 2]);
  assert.deepEqual(parseExpected('["a", "b"]', 'e.json').predictions, ['a', 'b']);
  assert.throws(() => parseExpected('{"labels": [0]}', 'e.json'), /^ModelshipError: e\.json: expected \{"predictions"/);
  assert.throws(() => parseExpected('{"predictions": [0,', 'e.json'), /^ModelshipError: e\.json:1:20: not valid JSON/);
});

test('comparison: classes exactly, floats to a relative 1e-6, nested outputs, lengths', () => {
  assert.deepEqual(comparePredictions([0, 2], [0, 2]), []);
  assert.deepEqual(comparePredictions([0, 1], [0, 2]), [{ row: 1, expected: 2, actual: 1 }]);
  assert.deepEqual(comparePredictions(['setosa'], ['setosa']), []);
  assert.deepEqual(comparePredictions([1.0000004], [1.0]), [], 'float32 round trip');
  assert.equal(comparePredictions([1.001], [1.0]).length, 1);
  assert.deepEqual(comparePredictions([[0.1, 0.9]], [[0.1, 0.9000000001]]), []);
  assert.equal(comparePredictions([[0.1, 0.9]], [[0.1]]).length, 1);
  assert.deepEqual(comparePredictions([{ label: 'a', score: 0.5 }], [{ label: 'a', score: 0.5 }]), []);
  assert.deepEqual(comparePredictions([0], [0, 2]), [{ row: 1, expected: 2, actual: undefined }]);
});

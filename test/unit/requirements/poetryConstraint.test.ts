import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poetryToPep440 } from '../../../src/core/detect/requirements/poetryConstraint';

// The caret and tilde rows are the examples of Poetry's "Dependency specification" documentation.
const translations: [string, string][] = [
  ['^1.2.3', '>=1.2.3,<2.0.0'],
  ['^1.2', '>=1.2,<2.0'],
  ['^1', '>=1,<2'],
  ['^0.2.3', '>=0.2.3,<0.3.0'],
  ['^0.0.3', '>=0.0.3,<0.0.4'],
  ['^0.0', '>=0.0,<0.1'],
  ['^0', '>=0,<1'],
  ['~1.2.3', '>=1.2.3,<1.3.0'],
  ['~1.2', '>=1.2,<1.3'],
  ['~1', '>=1,<2'],
  ['~=1.4.2', '~=1.4.2'],
  ['*', ''],
  ['', ''],
  ['1.2.3', '==1.2.3'],
  ['1.2.*', '==1.2.*'],
  ['==2.0.1', '==2.0.1'],
  ['>=1.2,<2.0', '>=1.2,<2.0'],
  ['>= 1.2 < 2.0', '>=1.2,<2.0'],
  ['^2.1.0b1', '>=2.1.0b1,<3.0.0'],
  ['^3.8 || ^3.10', '>=3.8,<4.0 || >=3.10,<4.0'],
];
for (const [poetry, pep440] of translations) {
  test(`Poetry "${poetry}" is PEP 440 "${pep440}"`, () => {
    const result = poetryToPep440(poetry);
    assert.ok(result.ok);
    assert.equal(result.value.specifier, pep440);
  });
}

test('alternatives are listed one by one', () => {
  const result = poetryToPep440('~3.9 | >=3.11,<3.13');
  assert.ok(result.ok);
  assert.deepEqual(result.value.alternatives, ['>=3.9,<3.10', '>=3.11,<3.13']);
});

for (const bad of ['^latest', 'banana', '>=1.0,<', '^']) {
  test(`"${bad}" is not a Poetry constraint`, () => {
    assert.equal(poetryToPep440(bad).ok, false);
  });
}

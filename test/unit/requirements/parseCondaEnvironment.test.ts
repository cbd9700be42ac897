import { test } from 'node:test';
import assert from 'node:assert/strict';
import { condaPinned, parseCondaEnvironment } from '../../../src/core/detect/requirements/parseCondaEnvironment';

const ENVIRONMENT = `name: vision
channels:
  - pytorch
  - nvidia
  - conda-forge
dependencies:
  - python=3.10
  - numpy>=1.24
  - pytorch::pytorch=2.1
  - pytorch-cuda=11.8
  - scikit-learn=1.3.0=py311hc009520_0
  - pandas==2.1.4
  - pip
  - pip:
      - transformers==4.36.2
      - accelerate>=0.25  # comment
      - -r requirements-extra.txt
      - --extra-index-url https://download.pytorch.org/whl/cu118
      - not a requirement
`;

test('conda specs as written, with their lines; pip entries parsed as requirement lines', () => {
  const result = parseCondaEnvironment(ENVIRONMENT, 'environment.yml');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.conda.map((c) => [c.name, c.specifier, c.line, c.pinned]),
    [
      ['python', '=3.10', 7, false],
      ['numpy', '>=1.24', 8, false],
      ['pytorch::pytorch', '=2.1', 9, false],
      ['pytorch-cuda', '=11.8', 10, false],
      ['scikit-learn', '=1.3.0=py311hc009520_0', 11, true],
      ['pandas', '==2.1.4', 12, true],
      ['pip', '', 13, false],
    ],
  );
  assert.deepEqual(result.pip.requirements.map((r) => [r.spec.name, r.spec.specifier, r.line]), [
    ['transformers', '==4.36.2', 15],
    ['accelerate', '>=0.25', 16],
  ]);
  assert.deepEqual(result.pip.includes, [{ kind: 'requirement', target: 'requirements-extra.txt', line: 17 }]);
  assert.deepEqual(result.pip.options, [{ option: '--extra-index-url', value: 'https://download.pytorch.org/whl/cu118', line: 18 }]);
  assert.deepEqual(result.pip.errors.map((e) => [e.line, e.text]), [[19, 'not a requirement']]);
  assert.deepEqual(result.python, { source: 'environment.yml', label: 'conda python', said: '3.10', version: '3.10', line: 7 });
});

const pins: [string, boolean][] = [
  ['=1.3', false],
  ['=1.3.0', true],
  ['==1.3', true],
  ['=1.3=py311_0', true],
  ['1.3.0', true],
  ['1.3.0 py311_0', true],
  ['1.3.*', false],
  ['>=1.3', false],
  ['=1.3|1.4', false],
  ['', false],
];
for (const [spec, pinned] of pins) {
  test(`conda spec "${spec}" pinned=${pinned}`, () => {
    assert.equal(condaPinned(spec), pinned);
  });
}

test('conda python ranges and exact versions', () => {
  const range = parseCondaEnvironment('dependencies:\n  - python>=3.9,<3.12\n', 'environment.yml');
  assert.deepEqual(range.python?.ranges, ['>=3.9,<3.12']);
  const exact = parseCondaEnvironment('dependencies:\n  - conda-forge::python==3.11.4=h955ad1f_0\n', 'environment.yml');
  assert.equal(exact.python?.version, '3.11');
  const bare = parseCondaEnvironment('dependencies:\n  - python\n', 'environment.yml');
  assert.equal(bare.python, undefined);
});

test('YAML syntax errors and odd entries become Problems with lines', () => {
  const broken = parseCondaEnvironment('name: x\ndependencies:\n\t- numpy\n', 'environment.yml');
  assert.deepEqual(broken.conda, []);
  assert.equal(broken.problems.length, 1);
  assert.equal(broken.problems[0]?.code, 'syntax-error');
  assert.equal(broken.problems[0]?.line, 3);
  assert.match(broken.problems[0]?.message ?? '', /Tabs are not allowed as indentation \(line 3\)/);
  const odd = parseCondaEnvironment('dependencies:\n  - numpy\n  - 3.10\n  - nump y!\n  - npm:\n      - left-pad\n', 'environment.yml');
  assert.deepEqual(odd.conda.map((c) => c.name), ['numpy']);
  assert.deepEqual(odd.problems.map((p) => [p.code, p.line]), [
    ['unparseable-requirement', 3],
    ['unparseable-requirement', 4],
    ['unparseable-requirement', 5],
  ]);
});

test('a file without dependencies gives nothing and no problem', () => {
  const result = parseCondaEnvironment('name: empty\nchannels: [conda-forge]\n', 'environment.yml');
  assert.deepEqual(result.conda, []);
  assert.deepEqual(result.problems, []);
});

test('deep nesting is "too deeply nested to read", not a stack overflow reported as YAML syntax', () => {
  const shapes = [
    `dependencies:\n  - ${'['.repeat(20000)}${']'.repeat(20000)}\n`,
    `dependencies:\n  - ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`,
    `dependencies:\n${'- '.repeat(5000)}x\n`,
    Array.from({ length: 1200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n',
  ];
  for (const text of shapes) {
    const result = parseCondaEnvironment(text, 'environment.yml');
    assert.deepEqual(result.problems.map((p) => p.code), ['syntax-error']);
    assert.match(result.problems[0]!.message, /too deeply nested to read/);
    assert.doesNotMatch(result.problems[0]!.message, /call stack/);
  }
});

test('ordinary nesting (pip lists, flow lists, extras in brackets) is read', () => {
  const text = 'name: x\nchannels: [conda-forge, {url: "x[y"}]\ndependencies:\n  - numpy=1.26\n  - pip:\n      - "uvicorn[standard]==0.29.0"\n      - fastapi[all]==0.110.0 # [note\n';
  const result = parseCondaEnvironment(text, 'environment.yml');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.pip.requirements.map((r) => r.spec.name), ['uvicorn', 'fastapi']);
});

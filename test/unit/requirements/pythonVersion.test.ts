import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  exactPython,
  minorSatisfies,
  pythonFromRuntimeTxt,
  pythonFromVersionFile,
  rangePython,
  resolvePython,
} from '../../../src/core/detect/requirements/pythonVersion';

const versionFiles: [string, string | undefined][] = [
  ['3.11.4\n', '3.11'],
  ['# pyenv local\n\n3.12\n', '3.12'],
  ['pypy3.10\n', '3.10'],
  ['pypy3.10-7.3.12\n', '3.10'],
  ['cpython-3.9.18\n', '3.9'],
  ['3.13-dev\n', '3.13'],
  ['system\n', undefined],
  ['my-virtualenv\n', undefined],
  ['miniconda3-4.7.12\n', undefined],
  ['', undefined],
];
for (const [text, version] of versionFiles) {
  test(`.python-version ${JSON.stringify(text)} gives ${String(version)}`, () => {
    assert.equal(pythonFromVersionFile(text, '.python-version')?.version, version);
  });
}

test('.python-version records the line it read', () => {
  assert.equal(pythonFromVersionFile('# pyenv local\n\n3.12\n', '.python-version')?.line, 3);
});

test('runtime.txt as Heroku writes it', () => {
  assert.equal(pythonFromRuntimeTxt('python-3.11.6\n', 'runtime.txt')?.version, '3.11');
  assert.equal(pythonFromRuntimeTxt('3.10\n', 'runtime.txt')?.version, '3.10');
  assert.equal(pythonFromRuntimeTxt('ruby-3.2\n', 'runtime.txt'), undefined);
});

const ranges: [string, string][] = [
  ['>=3.8', '3.12'],
  ['>=3.9,<3.12', '3.11'],
  ['>=3.13', '3.13'],
  ['>=3.14', '3.14'],
  ['<3.10', '3.9'],
  ['==3.10.*', '3.10'],
  ['~=3.10', '3.12'],
  ['~=3.10.2', '3.10'],
  ['>=3.11.4,<3.12', '3.11'],
  ['!=3.12.*,>=3.10', '3.11'],
  ['>3.8', '3.12'],
  ['<=3.9.2', '3.9'],
  ['==3.11', '3.11'],
];
for (const [constraint, version] of ranges) {
  test(`requires-python "${constraint}" picks ${version}`, () => {
    const { python, problems } = resolvePython([rangePython(constraint, [constraint], 'pyproject.toml', 'requires-python', 3)], '3.11');
    assert.deepEqual(python, { version, source: 'pyproject.toml', constraint });
    assert.deepEqual(problems, []);
  });
}

test('minorSatisfies checks whole minor releases', () => {
  assert.equal(minorSatisfies('3.12', '<3.12'), false);
  assert.equal(minorSatisfies('3.11', '>=3.11.4'), true);
  assert.equal(minorSatisfies('3.11', '>3.11.30'), false);
});

test('nothing names a version: the default, with an info Problem', () => {
  const { python, problems } = resolvePython([], '3.11');
  assert.deepEqual(python, { version: '3.11', source: 'default' });
  assert.deepEqual(problems, [
    {
      code: 'python-default',
      severity: 'info',
      path: '.',
      message: 'No file names a Python version; assuming 3.11. Add a .python-version file to choose.',
    },
  ]);
});

test('the first candidate wins and each one it breaks is a warning naming both files', () => {
  const { python, problems } = resolvePython(
    [
      exactPython('3.10', '.python-version', '.python-version', 1)!,
      rangePython('>=3.11', ['>=3.11'], 'pyproject.toml', 'requires-python', 4),
      exactPython('3.10', 'Pipfile', 'Pipfile python_version', 9)!,
      exactPython('3.12', 'environment.yml', 'conda python', 3)!,
    ],
    '3.11',
  );
  assert.deepEqual(python, { version: '3.10', source: '.python-version' });
  assert.deepEqual(problems.map((p) => [p.code, p.severity, p.path, p.line]), [
    ['python-mismatch', 'warning', 'pyproject.toml', 4],
    ['python-mismatch', 'warning', 'environment.yml', 3],
  ]);
  assert.match(problems[0]?.message ?? '', /pyproject\.toml asks for Python >=3\.11 .*\.python-version says 3\.10/);
});

test('a range that allows nothing is skipped with a warning, and the next candidate decides', () => {
  const { python, problems } = resolvePython(
    [rangePython('<3.0', ['<3.0'], 'pyproject.toml', 'requires-python', 2), exactPython('3.11.6', 'runtime.txt', 'runtime.txt', 1)!],
    '3.11',
  );
  assert.deepEqual(python, { version: '3.11', source: 'runtime.txt' });
  assert.deepEqual(problems.map((p) => p.code), ['python-unsatisfiable']);
});

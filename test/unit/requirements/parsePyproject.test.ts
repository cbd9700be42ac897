import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePyproject } from '../../../src/core/detect/requirements/parsePyproject';

const PEP621 = `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "iris-service"
version = "0.1.0"
requires-python = ">=3.9,<3.13"
dependencies = [
    "scikit-learn==1.4.2",
    "fastapi>=0.110",
    'uvicorn[standard]==0.29.0',
    "numpy<2; python_version < '3.10'",
    "mylib @ git+https://github.com/org/mylib.git@0123456789abcdef0123456789abcdef01234567",
]

[project.optional-dependencies]
dev = ["pytest==8.1.1"]
serve = ["gunicorn==21.2.0"]
`;

test('PEP 621: dependencies with their lines, requires-python, optional groups left out', () => {
  const result = parsePyproject(PEP621, 'pyproject.toml');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.requirements.map((r) => [r.name, r.specifier, r.pinned, r.line, r.extras, r.marker, r.url]),
    [
      ['scikit-learn', '==1.4.2', true, 10, [], undefined, undefined],
      ['fastapi', '>=0.110', false, 11, [], undefined, undefined],
      ['uvicorn', '==0.29.0', true, 12, ['standard'], undefined, undefined],
      ['numpy', '<2', false, 13, [], "python_version < '3.10'", undefined],
      ['mylib', '', true, 14, [], undefined, 'git+https://github.com/org/mylib.git@0123456789abcdef0123456789abcdef01234567'],
    ],
  );
  assert.deepEqual(result.requiresPython, {
    source: 'pyproject.toml',
    label: 'requires-python',
    said: '>=3.9,<3.13',
    ranges: ['>=3.9,<3.13'],
    line: 8,
  });
  assert.equal(result.poetryPython, undefined);
});

const POETRY = `[tool.poetry]
name = "churn-model"
version = "0.3.0"
description = ""
authors = ["Data Team <data@example.com>"]

[tool.poetry.dependencies]
python = "^3.10"
pandas = "^2.1.4"
xgboost = "~2.0"
numpy = "*"
requests = { version = "2.31.0", extras = ["socks"] }
torch = { version = "^2.1", markers = "sys_platform == 'linux'" }
internal-lib = { git = "https://github.com/org/internal-lib.git", tag = "v1.4.0" }
feature-utils = { git = "https://github.com/org/feature-utils.git", branch = "main" }
local-pkg = { path = "../local-pkg", develop = true }
shap = { version = "^0.44", optional = true }
"zope.interface" = "6.1"

[tool.poetry.group.dev.dependencies]
pytest = "^8.0"

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
`;

test('Poetry: carets and tildes become PEP 440 ranges, tables keep extras, markers and references', () => {
  const result = parsePyproject(POETRY, 'svc/pyproject.toml');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.requirements.map((r) => [r.name, r.specifier, r.pinned, r.line]),
    [
      ['pandas', '>=2.1.4,<3.0.0', false, 9],
      ['xgboost', '>=2.0,<2.1', false, 10],
      ['numpy', '', false, 11],
      ['requests', '==2.31.0', true, 12],
      ['torch', '>=2.1,<3.0', false, 13],
      ['internal-lib', '', true, 14],
      ['feature-utils', '', false, 15],
      ['local-pkg', '', true, 16],
      ['zope.interface', '==6.1', true, 18],
    ],
  );
  const byName = new Map(result.requirements.map((r) => [r.name, r]));
  assert.deepEqual(byName.get('requests')?.extras, ['socks']);
  assert.equal(byName.get('torch')?.marker, "sys_platform == 'linux'");
  assert.equal(byName.get('internal-lib')?.url, 'git+https://github.com/org/internal-lib.git@v1.4.0');
  assert.equal(byName.get('feature-utils')?.url, 'git+https://github.com/org/feature-utils.git@main');
  assert.equal(byName.get('local-pkg')?.url, '../local-pkg');
  assert.equal(byName.get('zope.interface')?.normalizedName, 'zope-interface');
  assert.equal(byName.has('pytest'), false);
  assert.deepEqual(result.poetryPython, {
    source: 'svc/pyproject.toml',
    label: 'Poetry python',
    said: '^3.10',
    ranges: ['>=3.10,<4.0'],
    line: 8,
  });
});

test('Poetry 2: [project] dependencies count once; tool.poetry only adds python', () => {
  const text = `[project]
name = "x"
requires-python = ">=3.11"
dependencies = ["onnxruntime==1.17.1"]

[tool.poetry.dependencies]
python = ">=3.11,<3.13"
onnxruntime = { source = "internal" }
`;
  const result = parsePyproject(text, 'pyproject.toml');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.requirements.map((r) => [r.name, r.specifier, r.line]), [['onnxruntime', '==1.17.1', 4]]);
  assert.deepEqual(result.poetryPython?.ranges, ['>=3.11,<3.13']);
  assert.deepEqual(result.requiresPython?.ranges, ['>=3.11']);
});

test('a TOML syntax error is one error Problem on the line smol-toml reports', () => {
  const text = '[project]\nname = "x"\ndependencies = [\n  "numpy==1.26.4",\n  "pandas\n]\n';
  const result = parsePyproject(text, 'pyproject.toml');
  assert.deepEqual(result.requirements, []);
  assert.equal(result.problems.length, 1);
  const problem = result.problems[0];
  assert.equal(problem?.code, 'syntax-error');
  assert.equal(problem?.severity, 'error');
  assert.equal(problem?.path, 'pyproject.toml');
  assert.equal(problem?.line, 5);
  assert.match(problem?.message ?? '', /line 5/);
});

test('bad dependency strings are warnings on their own lines', () => {
  const text = '[project]\nname = "x"\ndependencies = [\n  "numpy==1.26.4",\n  "pandas=>2",\n  42,\n]\n[tool.poetry.dependencies]\nfoo = "latest"\n';
  const result = parsePyproject(text, 'pyproject.toml');
  assert.deepEqual(result.requirements.map((r) => r.name), ['numpy']);
  assert.deepEqual(result.problems.map((p) => [p.code, p.line, p.severity]), [
    ['unparseable-requirement', 5, 'warning'],
    ['unparseable-requirement', 6, 'warning'],
  ]);
  assert.match(result.problems[0]?.message ?? '', /"pandas=>2"/);
});

test('Poetry entries that cannot be read are reported with their key line', () => {
  const text = '[tool.poetry.dependencies]\npython = "^3.11"\nfoo = "latest"\nbar = 3\n';
  const result = parsePyproject(text, 'pyproject.toml');
  assert.deepEqual(result.requirements, []);
  assert.deepEqual(result.problems.map((p) => [p.code, p.line]), [
    ['unparseable-requirement', 3],
    ['unparseable-requirement', 4],
  ]);
});

test('dependencies that are tables, arrays, dates or booleans are problems on their lines, never a throw', () => {
  const text = '[project]\nname = "x"\ndependencies = [\n  { name = "numpy" },\n  ["a"],\n  1979-05-27,\n  "pandas==2.2.1",\n  true,\n]\n[tool.poetry.dependencies]\nbig = 3.5\ntable = { version = { x = 1 } }\n';
  const result = parsePyproject(text, 'pyproject.toml');
  assert.deepEqual(result.requirements.map((r) => [r.name, r.line]), [['pandas', 7]]);
  assert.deepEqual(result.problems.map((p) => [p.code, p.line]).slice(0, 3), [
    ['unparseable-requirement', 4],
    ['unparseable-requirement', 5],
    ['unparseable-requirement', 6],
  ]);
  for (const p of result.problems) assert.equal(p.code, 'unparseable-requirement');
});

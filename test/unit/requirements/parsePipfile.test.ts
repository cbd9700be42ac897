import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePipfile } from '../../../src/core/detect/requirements/parsePipfile';

const PIPFILE = `[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
flask = "==3.0.2"
numpy = "*"
pandas = ">=2.0,<3"
joblib = "1.3.2"
requests = {version = "==2.31.0", extras = ["socks"]}
pywin32 = {version = "==306", sys_platform = "== 'win32'"}
mylib = {git = "https://github.com/org/mylib.git", ref = "v0.9.1", editable = true}
localpkg = {path = "./localpkg", editable = true}

[dev-packages]
pytest = "*"

[requires]
python_version = "3.10"
`;

test('Pipfile [packages] as strings and tables; [dev-packages] left out', () => {
  const result = parsePipfile(PIPFILE, 'Pipfile');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.requirements.map((r) => [r.name, r.specifier, r.pinned, r.line]),
    [
      ['flask', '==3.0.2', true, 7],
      ['numpy', '', false, 8],
      ['pandas', '>=2.0,<3', false, 9],
      ['joblib', '==1.3.2', true, 10],
      ['requests', '==2.31.0', true, 11],
      ['pywin32', '==306', true, 12],
      ['mylib', '', true, 13],
      ['localpkg', '', true, 14],
    ],
  );
  const byName = new Map(result.requirements.map((r) => [r.name, r]));
  assert.deepEqual(byName.get('requests')?.extras, ['socks']);
  assert.equal(byName.get('pywin32')?.marker, "sys_platform == 'win32'");
  assert.equal(byName.get('mylib')?.url, 'git+https://github.com/org/mylib.git@v0.9.1');
  assert.equal(byName.get('localpkg')?.url, './localpkg');
  assert.deepEqual(result.python, { source: 'Pipfile', label: 'Pipfile python_version', said: '3.10', version: '3.10', line: 20 });
});

test('python_full_version wins over python_version', () => {
  const result = parsePipfile('[requires]\npython_version = "3.10"\npython_full_version = "3.11.7"\n', 'Pipfile');
  assert.equal(result.python?.version, '3.11');
  assert.equal(result.python?.line, 3);
});

test('bad Pipfile entries and TOML errors are reported with lines', () => {
  const bad = parsePipfile('[packages]\nnumpy = "=>1.0"\nok = "==1.0"\n', 'Pipfile');
  assert.deepEqual(bad.requirements.map((r) => r.name), ['ok']);
  assert.deepEqual(bad.problems.map((p) => [p.code, p.line]), [['unparseable-requirement', 2]]);
  const broken = parsePipfile('[packages]\nnumpy = "*"\n[requires\n', 'Pipfile');
  assert.deepEqual(broken.problems.map((p) => [p.code, p.line, p.severity]), [['syntax-error', 3, 'error']]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPinnedSpecifier, normalizeName, parsePep508, parseSpecifier } from '../../../src/core/detect/requirements/pep508';

const parses: [string, object][] = [
  ['numpy', { name: 'numpy', extras: [], specifier: '' }],
  ['numpy==1.26.4', { name: 'numpy', extras: [], specifier: '==1.26.4' }],
  ['scikit-learn >= 1.3, < 1.5', { name: 'scikit-learn', extras: [], specifier: '>=1.3,<1.5' }],
  ['requests[socks, security]~=2.31', { name: 'requests', extras: ['socks', 'security'], specifier: '~=2.31' }],
  ['uvicorn[]', { name: 'uvicorn', extras: [], specifier: '' }],
  ['zope.interface (>=5.0)', { name: 'zope.interface', extras: [], specifier: '>=5.0' }],
  ['torch===2.1.0+cu118', { name: 'torch', extras: [], specifier: '===2.1.0+cu118' }],
  ['tensorflow==2.15.*', { name: 'tensorflow', extras: [], specifier: '==2.15.*' }],
  ['numpy==${NUMPY_VERSION}', { name: 'numpy', extras: [], specifier: '==${NUMPY_VERSION}' }],
  [
    'pywin32>=306; sys_platform == "win32" and python_version >= "3.8"',
    { name: 'pywin32', extras: [], specifier: '>=306', marker: 'sys_platform == "win32" and python_version >= "3.8"' },
  ],
  ['tomli; python_version < "3.11"', { name: 'tomli', extras: [], specifier: '', marker: 'python_version < "3.11"' }],
  [
    'mylib[cli] @ git+https://github.com/org/mylib.git@v1.0 ; os_name == "posix"',
    { name: 'mylib', extras: ['cli'], specifier: '', url: 'git+https://github.com/org/mylib.git@v1.0', marker: 'os_name == "posix"' },
  ],
  ['pkg@https://example.com/pkg-1.0.tar.gz', { name: 'pkg', extras: [], specifier: '', url: 'https://example.com/pkg-1.0.tar.gz' }],
  ['foo; (os_name == "nt" or os_name == "posix") and "cuda" not in extra', { name: 'foo', extras: [], specifier: '', marker: '(os_name == "nt" or os_name == "posix") and "cuda" not in extra' }],
];
for (const [input, expected] of parses) {
  test(`parsePep508 reads ${input}`, () => {
    const result = parsePep508(input);
    assert.ok(result.ok, `${input}: ${result.ok ? '' : result.reason}`);
    assert.deepEqual(result.value, expected);
  });
}

const rejects: [string, RegExp][] = [
  ['numpy=>1.0', /not a version clause/],
  ['numpy>=', /no version after it/],
  ['numpy 1.2', /not a version clause/],
  ['numpy>=1.0.*', /wildcard version only works with == or !=/],
  ['numpy~=1', /at least two version parts/],
  ['numpy>=banana', /not a PEP 440 version/],
  ['requests[socks', /never closed/],
  ['requests[so cks]', /not a valid extra name/],
  ['-numpy', /does not start with a package name/],
  ['foo @', /expected a URL/],
  ['foo @ not-a-url', /is not a URL/],
  ['foo; ', /expected an environment marker/],
  ['foo; python_version >', /not a valid environment marker/],
  ['foo; python_version < "3.8" and', /not a valid environment marker/],
  ['foo; python_version $ "3"', /cannot be read/],
  ['foo (>=1.0', /never closed/],
];
for (const [input, reason] of rejects) {
  test(`parsePep508 rejects ${input}`, () => {
    const result = parsePep508(input);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, reason);
  });
}

test('normalizeName follows PEP 503', () => {
  assert.equal(normalizeName('Scikit_Learn'), 'scikit-learn');
  assert.equal(normalizeName('zope.interface'), 'zope-interface');
  assert.equal(normalizeName('Foo.-_Bar'), 'foo-bar');
});

test('isPinnedSpecifier is true only for one exact version', () => {
  const cases: [string, boolean][] = [
    ['==1.26.4', true],
    ['===2.1.0+cu118', true],
    ['==2.15.*', false],
    ['>=1.0,==1.2', true],
    ['>=1.0', false],
    ['~=1.4.2', false],
    ['', false],
    ['!=1.0', false],
    ['garbage', false],
  ];
  for (const [specifier, pinned] of cases) assert.equal(isPinnedSpecifier(specifier), pinned, specifier);
});

test('parseSpecifier keeps every clause in order', () => {
  const result = parseSpecifier(' >=1.2 , !=1.3.1 , <2 ');
  assert.ok(result.ok);
  assert.deepEqual(result.value, [
    { op: '>=', version: '1.2' },
    { op: '!=', version: '1.3.1' },
    { op: '<', version: '2' },
  ]);
});

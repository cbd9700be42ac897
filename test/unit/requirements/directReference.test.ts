import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPinnedReference, nameFromReference, vcsRevision } from '../../../src/core/detect/requirements/directReference';

const names: [string, string | undefined][] = [
  ['git+https://github.com/org/repo.git@main#egg=my-pkg', 'my-pkg'],
  ['git+https://github.com/org/repo.git#subdirectory=lib&egg=sub_pkg', 'sub_pkg'],
  ['git+https://github.com/org/repo.git#egg=pkg[extra]', 'pkg'],
  ['https://download.pytorch.org/whl/cu118/torch-2.1.0%2Bcu118-cp311-cp311-linux_x86_64.whl', 'torch'],
  ['./wheels/foo_bar-1.0-py3-none-any.whl', 'foo_bar'],
  ['https://files.example.com/my-pkg-1.2.3.tar.gz', 'my-pkg'],
  ['vendor/thing-0.4.zip', 'thing'],
  ['git+https://github.com/org/repo.git', undefined],
  ['./libs/mylib', undefined],
  ['.', undefined],
];
for (const [reference, name] of names) {
  test(`nameFromReference(${reference}) is ${String(name)}`, () => {
    assert.equal(nameFromReference(reference), name);
  });
}

test('vcsRevision skips the user@ of the authority', () => {
  assert.equal(vcsRevision('git+ssh://git@github.com/org/repo.git@v2.0.1#egg=x'), 'v2.0.1');
  assert.equal(vcsRevision('git+ssh://git@github.com/org/repo.git'), undefined);
  assert.equal(vcsRevision('git+https://github.com/org/repo.git@release/1.0'), 'release/1.0');
});

// Full commits, release tags, versioned files, hashed URLs and local paths pin; branches and short commits do not.
const pins: [string, boolean][] = [
  ['git+https://github.com/org/repo.git@0123456789abcdef0123456789abcdef01234567#egg=x', true],
  ['git+https://github.com/org/repo.git@v1.2.3#egg=x', true],
  ['git+https://github.com/org/repo.git@1.2.3rc1', true],
  ['git+https://github.com/org/repo.git@main#egg=x', false],
  ['git+https://github.com/org/repo.git@1.x', false],
  ['git+https://github.com/org/repo.git@2.0.x', false],
  ['git+https://github.com/org/repo.git@abc1234', false],
  ['git+https://github.com/org/repo.git#egg=x', false],
  ['svn+https://svn.example.com/repo/trunk@2019', true],
  ['https://example.com/torch-2.1.0-cp311-cp311-linux_x86_64.whl', true],
  ['https://example.com/pkg-1.0.tar.gz', true],
  ['https://github.com/org/repo/archive/refs/tags/v1.2.3.tar.gz', true],
  ['https://github.com/org/repo/archive/refs/heads/main.zip', false],
  ['https://github.com/org/repo/archive/main.zip#sha256=' + 'a'.repeat(64), true],
  ['https://example.com/simple/download', false],
  ['./libs/mylib', true],
  ['file:///opt/wheels/x-1.0-py3-none-any.whl', true],
];
for (const [reference, pinned] of pins) {
  test(`isPinnedReference(${reference.slice(0, 90)}) is ${pinned}`, () => {
    assert.equal(isPinnedReference(reference), pinned);
  });
}

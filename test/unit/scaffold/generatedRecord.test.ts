// The generated-file record both front ends share: unedited files are "outdated" (updated without
// asking), edited files and files from before the record are "changed" (the user's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENERATED_RECORD_PATH, parseGeneratedRecord, sha256Text } from '../../../src/core/scaffold/generatedRecord';
import { nextGeneratedRecord, planChanges, writesWithoutAsking } from '../../../src/core/scaffold/plan';
import type { PlannedFile } from '../../../src/core/scaffold/types';

const file = (path: string, contents: string): PlannedFile => ({ path, contents, target: 'dockerfile', purpose: 'test' });

test('a file whose digest matches the record is outdated; an edited one is changed', () => {
  const record = new Map([['Dockerfile', sha256Text('FROM a\n')], ['.dockerignore', sha256Text('x\n')]]);
  const disk: Record<string, string> = { Dockerfile: 'FROM a\n', '.dockerignore': 'x\n# mine\n', 'app.py': 'same\n' };
  const changes = planChanges([file('Dockerfile', 'FROM b\n'), file('.dockerignore', 'y\n'), file('app.py', 'same\n'), file('new.txt', 'n\n')], (p) => disk[p], record);
  assert.deepEqual(changes.map((c) => [c.file.path, c.kind, writesWithoutAsking(c)]), [
    ['Dockerfile', 'outdated', true], ['.dockerignore', 'changed', false], ['app.py', 'unchanged', false], ['new.txt', 'new', true],
  ]);
});

test('without a record (or with a broken one) every differing file is the user\'s', () => {
  for (const text of [undefined, '', 'not json', '{"version":2,"files":{}}', '{"version":1,"files":{"Dockerfile":"nothex"}}']) {
    const [change] = planChanges([file('Dockerfile', 'FROM b\n')], () => 'FROM a\n', parseGeneratedRecord(text));
    assert.equal(change?.kind, 'changed', String(text));
  }
});

test('the next record holds written and unchanged files, keeps kept ones, and is undefined when nothing changes', () => {
  const previous = nextGeneratedRecord(undefined, planChanges([file('a', '1'), file('b', '2')], () => undefined), new Set(['a', 'b']));
  assert.ok(previous);
  assert.equal(previous.path, GENERATED_RECORD_PATH);
  const record = parseGeneratedRecord(previous.contents);
  assert.deepEqual([...record.keys()], ['a', 'b']);
  // b edited by the user and kept: its old digest stays, so it is still "changed" next time.
  const changes = planChanges([file('a', '1'), file('b', '3')], (p) => (p === 'a' ? '1' : 'mine'), record);
  const next = nextGeneratedRecord(previous.contents, changes, new Set());
  assert.equal(next, undefined, 'nothing to record: a re-run writes nothing');
  assert.equal(parseGeneratedRecord(previous.contents).get('b'), sha256Text('2'));
});

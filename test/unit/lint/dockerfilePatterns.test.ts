// Workspace patterns matched in bounded time: COPY wildcards (filepath.Match per segment, without
// RegExp) against a regular-expression reference on small inputs, and .dockerignore lines that
// would make a backtracking RegExp hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ignore from '@balena/dockerignore';
import { dockerignoreMatcher, globMatches, literalPath, matchSegment } from '../../../src/core/lint/dockerfile/patterns';

/** filepath.Match for one segment, as a RegExp: fine as a reference on short inputs. */
function reference(pattern: string, segment: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
      const close = pattern.indexOf(']', i + 2);
      const body = pattern.slice(i + 1, close);
      re += `[${body.replace(/^[!^]/, '^').replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`.replace(/^\\([A-Za-z0-9])$/, '$1');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(segment);
}

test('matchSegment agrees with filepath.Match semantics (a RegExp reference) on short inputs', () => {
  const alphabet = fc.constantFrom('a', 'b', '.', '-');
  const patternChar = fc.constantFrom('a', 'b', '.', '-', '*', '?', '[ab]', '[!a]', '[a-b]');
  fc.assert(fc.property(fc.array(patternChar, { maxLength: 6 }), fc.string({ unit: alphabet, maxLength: 8 }), (parts, segment) => {
    const pattern = parts.join('');
    assert.equal(matchSegment(pattern, segment), reference(pattern, segment), `${pattern} vs ${segment}`);
  }), { numRuns: 3000 });
  assert.ok(matchSegment('*.txt', 'labels.txt'));
  assert.ok(!matchSegment('*.txt', 'labels.json'));
  assert.ok(matchSegment('requirements-[a-z]*.txt', 'requirements-gpu.txt'));
  assert.ok(matchSegment('\\*', '*') && !matchSegment('\\*', 'a'));
});

test('globMatches reads each path segment, and a match on a folder covers what is inside', () => {
  assert.ok(globMatches('config/*.txt', 'config/labels.txt'));
  assert.ok(!globMatches('*.txt', 'config/labels.txt'), '* never crosses /');
  assert.ok(globMatches('conf*', 'config/labels.txt'));
  assert.ok(!globMatches('a/b/c', 'a/b'));
});

// No timing assertion: a backtracking matcher would simply not finish.
test('worst-case patterns finish: many stars, nested groups, repeated **', () => {
  const long = `${'a'.repeat(60)}b`;
  assert.equal(matchSegment('*a*a*a*a*a*a*a*a*a*a*a*a*c', long), false);
  const hostile = ['(a+)+$', `${'**/'.repeat(40)}x`, '*a*a*a*a*a*a*a*a*a*a*a*a*c', '[', '\\', '!', '{a,b}|(c)'].join('\n');
  const m = dockerignoreMatcher(hostile);
  for (const path of [`${'a/'.repeat(40)}y`, long, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', 'x']) m.ignores(path);
  assert.ok(m.ignores(`${'a/'.repeat(40)}x`), 'the collapsed **/ still matches at any depth');
});

test('.dockerignore lines keep Docker\'s meaning after the guard', () => {
  const text = '.git\n**/__pycache__\n**/*.pt\n!models/keep.pt\ndata\n# comment\n\nbuild(1)\n';
  const guarded = dockerignoreMatcher(text);
  const plain = ignore().add(text.split('\n'));
  for (const path of ['.git/config', 'a/__pycache__/x.pyc', 'models/keep.pt', 'models/old.pt', 'data/x.csv', 'app/main.py', 'models/keep.ptx']) {
    assert.equal(guarded.ignores(path), plain.ignores(path), path);
  }
  // Characters moby's patternmatcher escapes are literal, as in current Docker releases.
  assert.ok(guarded.ignores('build(1)'));
  assert.ok(!guarded.ignores('build1'));
  assert.ok(dockerignoreMatcher('**/**/**/*.pt').ignores('a/b/c/d.pt'));
});

test('literalPath reads escapes and one-character classes as the characters they stand for', () => {
  assert.equal(literalPath('my model [(]v2[)][+]final.joblib'), 'my model (v2)+final.joblib');
  assert.equal(literalPath('models/[[]draft] iris.joblib'), 'models/[draft] iris.joblib');
  assert.equal(literalPath('a\\*b'), 'a*b');
  assert.equal(literalPath('*.joblib'), undefined);
  assert.equal(literalPath('model-[ab].pt'), undefined);
  assert.equal(literalPath('model-[!a].pt'), undefined);
});

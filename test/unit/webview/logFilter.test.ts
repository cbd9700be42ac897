// The filtered view the logs panel pages through: filters by pod, container, level and text,
// exact pages by absolute index, stable indexes while the buffer drops old lines, and search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../../src/core/deploy/logLines';
import { colourFor } from '../../../src/core/deploy/logLines';
import { LogBuffer } from '../../../src/extension/webview/logBuffer';
import { LogView, MAX_ROW_CHARS, rowText } from '../../../src/extension/webview/logFilter';

const LEVELS = ['ERROR', 'WARNING', 'INFO', 'DEBUG'];

/** Line i: pod model-(i % 3), container server or sidecar (i % 2), level by i % 4. */
function synthetic(n: number, from = 0): LogLine[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { pod: `model-${i % 3}`, container: i % 2 ? 'sidecar' : 'server', line: `${LEVELS[i % 4]}: request ${i}` };
  });
}

function filled(n: number, capacity = 200_000): LogBuffer {
  const buffer = new LogBuffer(capacity);
  buffer.append(synthetic(n));
  return buffer;
}

test('without a filter, rows are the buffer\'s lines by sequence number, exact pages', () => {
  const view = new LogView(filled(100_000), {});
  assert.deepEqual([view.first, view.total], [0, 100_000]);
  const page = view.rows(50_000, 200);
  assert.equal(page.length, 200);
  assert.deepEqual(page.map((r) => r.index), Array.from({ length: 200 }, (_, i) => 50_000 + i));
  assert.equal(page[0]!.text, 'WARNING: request 50000'.replace('WARNING', LEVELS[50_000 % 4]!));
  assert.deepEqual(view.rows(99_990, 200).map((r) => r.index).at(-1), 99_999, 'clipped at the end');
  assert.deepEqual(view.rows(-5, 7).map((r) => r.index), [0, 1], 'clipped at the start');
  assert.equal(page[0]!.colour, colourFor(page[0]!.pod), 'the pod\'s colour, as the CLI prints it');
});

test('filters by pod, container, level (at least) and text; combinations narrow', () => {
  const buffer = filled(1200);
  const count = (filter: ConstructorParameters<typeof LogView>[1]) => new LogView(buffer, filter).total;
  assert.equal(count({ pod: 'model-1' }), 400);
  assert.equal(count({ container: 'sidecar' }), 600);
  assert.equal(count({ minLevel: 'error' }), 300);
  assert.equal(count({ minLevel: 'warn' }), 600);
  assert.equal(count({ minLevel: 'debug' }), 1200);
  assert.equal(count({ text: 'REQUEST 11' }), 1 + 10 + 100, 'case-insensitive: 11, 110-119, 1100-1199');
  assert.equal(count({ text: 'model-2/server' }), 200, 'the prefix is text too');
  assert.equal(count({ pod: 'model-0', container: 'server', minLevel: 'error' }), 100, 'i % 6 == 0 and i % 4 == 0: every 12th');
  const rows = new LogView(buffer, { pod: 'model-0', container: 'server', minLevel: 'error' }).rows(0, 3);
  assert.deepEqual(rows.map((r) => [r.index, r.text]), [[0, 'ERROR: request 0'], [1, 'ERROR: request 12'], [2, 'ERROR: request 24']]);
  assert.ok(rows.every((r) => r.level === 'error'));
});

test('lines without a level are hidden by a level filter; notices pass every filter', () => {
  const buffer = new LogBuffer(100);
  buffer.append([{ pod: 'a', container: 's', line: 'no level here' }, { pod: 'a', container: 's', line: 'ERROR boom' }]);
  buffer.appendNotice('Pod b joined.');
  const view = new LogView(buffer, { minLevel: 'error', pod: 'a', text: 'boom' });
  assert.deepEqual(view.rows(0, 10).map(rowText), ['a/s ERROR boom', 'Pod b joined.']);
});

test('a filtered view keeps its indexes while the buffer drops old lines, and catches up on sync', () => {
  const buffer = filled(1000, 1000);
  const view = new LogView(buffer, { pod: 'model-0' });
  assert.deepEqual([view.first, view.total], [0, 334]);
  const before = view.rows(100, 1)[0]!;
  buffer.append(synthetic(600, 1000));
  view.sync();
  assert.equal(view.first, 200, 'lines 0-599 dropped; 200 of them were model-0');
  assert.equal(view.total, 334, 'and 200 new model-0 lines arrived');
  assert.equal(view.rows(100, 1).length, 0, 'index 100 was dropped');
  const same = view.rows(250, 1)[0]!;
  assert.match(same.text, /request 750$/, 'index 250 is still line 750');
  assert.equal(before.text, 'INFO: request 300'.replace('INFO', LEVELS[300 % 4]!));
});

test('an unfiltered view over a full buffer numbers rows by sequence and drops from the front', () => {
  const buffer = filled(300, 100);
  const view = new LogView(buffer, {});
  assert.deepEqual([view.first, view.total], [200, 100]);
  assert.deepEqual(view.rows(0, 500).map((r) => r.index), Array.from({ length: 100 }, (_, i) => 200 + i));
});

test('paging through 100,000 filtered lines returns every row exactly once, in order', () => {
  const view = new LogView(filled(100_000), { container: 'server' });
  let expected = 0;
  for (let start = view.first; start < view.first + view.total; start += 200) {
    for (const row of view.rows(start, 200)) {
      assert.equal(row.text.endsWith(` request ${expected}`), true);
      expected += 2;
    }
  }
  assert.equal(expected, 100_000);
});

test('search finds the next and previous match, wrapping, and counts them', () => {
  const view = new LogView(filled(100), {});
  assert.deepEqual(view.find('request 5', 0, false), { index: 5, count: 11 });
  assert.deepEqual(view.find('request 5', 6, false), { index: 50, count: 11 });
  assert.deepEqual(view.find('request 5', 60, false), { index: 5, count: 11 }, 'wraps to the first');
  assert.deepEqual(view.find('request 5', 50, true), { index: 5, count: 11 });
  assert.deepEqual(view.find('request 5', 5, true), { index: 59, count: 11 }, 'wraps to the last');
  assert.deepEqual(view.find('nothing', 0, false), { index: -1, count: 0 });
  assert.deepEqual(view.find('', 0, false), { index: -1, count: 0 });
});

test('a very long line is cut for display, saying how much was left out', () => {
  const buffer = new LogBuffer(10);
  buffer.append([{ pod: 'p', container: 'c', line: 'x'.repeat(MAX_ROW_CHARS + 5) }]);
  const [row] = new LogView(buffer, {}).rows(0, 1);
  assert.equal(row!.text.length, MAX_ROW_CHARS + ' \u2026 [5 more characters]'.length);
  assert.match(row!.text, /\[5 more characters\]$/);
});

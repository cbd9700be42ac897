// The logs panel's host-side ring buffer: bounded, counting what it drops, numbering lines
// absolutely, storing text without escapes and with its level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../../src/core/deploy/logLines';
import { DEFAULT_CAPACITY, LogBuffer } from '../../../src/extension/webview/logBuffer';

const lines = (n: number, pod = 'model-0', container = 'server', from = 0): LogLine[] =>
  Array.from({ length: n }, (_, i) => ({ pod, container, line: `INFO line ${from + i}` }));

test('holds at most its capacity: the oldest lines go first, counted as dropped', () => {
  const buffer = new LogBuffer(10);
  buffer.append(lines(7));
  assert.deepEqual([buffer.first, buffer.end, buffer.size, buffer.dropped], [0, 7, 7, 0]);
  buffer.append(lines(8, 'model-0', 'server', 7));
  assert.deepEqual([buffer.first, buffer.end, buffer.size, buffer.dropped], [5, 15, 10, 5]);
  assert.equal(buffer.get(4), undefined, 'dropped');
  assert.equal(buffer.get(5)!.text, 'INFO line 5');
  assert.equal(buffer.get(14)!.text, 'INFO line 14');
  assert.equal(buffer.get(15), undefined, 'not yet written');
  for (let seq = buffer.first; seq < buffer.end; seq++) assert.equal(buffer.get(seq)!.seq, seq);
});

test('100,000 lines through a 200,000-line buffer keep their order; 250,000 drop 50,000', () => {
  const buffer = new LogBuffer();
  assert.equal(buffer.capacity, DEFAULT_CAPACITY);
  for (let i = 0; i < 100; i++) buffer.append(lines(1000, `model-${i % 4}`, 'server', i * 1000));
  assert.deepEqual([buffer.size, buffer.dropped], [100_000, 0]);
  assert.equal(buffer.get(99_999)!.text, 'INFO line 99999');
  assert.equal(buffer.get(12_345)!.pod, 'model-0');
  for (let i = 100; i < 250; i++) buffer.append(lines(1000, 'model-0', 'server', i * 1000));
  assert.deepEqual([buffer.size, buffer.dropped, buffer.first], [200_000, 50_000, 50_000]);
  assert.equal(buffer.get(50_000)!.text, 'INFO line 50000');
  assert.equal(buffer.get(249_999)!.text, 'INFO line 249999');
});

test('stores text without escape codes, with its level, continuation lines inheriting per stream', () => {
  const buffer = new LogBuffer(100);
  buffer.append([
    { pod: 'a', container: 'server', line: '\u001b[31mTraceback (most recent call last):\u001b[0m' },
    { pod: 'b', container: 'server', line: 'INFO:     started' },
    { pod: 'a', container: 'server', line: '  File "/app/main.py", line 3' },
    { pod: 'b', container: 'server', line: '  indented after info' },
    { pod: 'a', container: 'server', line: 'plain' },
  ]);
  assert.deepEqual([0, 1, 2, 3, 4].map((s) => [buffer.get(s)!.text, buffer.get(s)!.level]), [
    ['Traceback (most recent call last):', 'error'],
    ['INFO:     started', 'info'],
    ['  File "/app/main.py", line 3', 'error'],
    ['  indented after info', 'info'],
    ['plain', undefined],
  ]);
});

test('notices are marked as the panel\'s own lines; pods and containers are listed sorted', () => {
  const buffer = new LogBuffer(100);
  buffer.append([{ pod: 'model-b', container: 'server', line: 'x' }, { pod: 'model-a', container: 'sidecar', line: 'y' }]);
  buffer.appendNotice('Pod model-c joined.');
  assert.deepEqual(buffer.get(2), { seq: 2, pod: '', container: '', text: 'Pod model-c joined.', notice: true });
  assert.equal(buffer.get(0)!.notice, false);
  assert.deepEqual(buffer.podNames(), ['model-a', 'model-b']);
  assert.deepEqual(buffer.containerNames(), ['server', 'sidecar']);
});

test('clear starts again from sequence 0 with nothing dropped', () => {
  const buffer = new LogBuffer(3);
  buffer.append(lines(5));
  buffer.clear();
  assert.deepEqual([buffer.first, buffer.end, buffer.dropped, buffer.podNames().length], [0, 0, 0, 0]);
  buffer.append(lines(1));
  assert.equal(buffer.get(0)!.text, 'INFO line 0');
  assert.throws(() => new LogBuffer(0), RangeError);
});

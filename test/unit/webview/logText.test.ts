// Level detection and escape stripping of container log lines, as the logs panel stores them:
// the formats model servers print (python logging, uvicorn, gunicorn, JSON and logfmt loggers, klog).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { condenseJsonLine, detectLevel, levelInStream, stripAnsi } from '../../../src/extension/webview/logText';

test('levels from the formats model servers print', () => {
  const table: [string, string | undefined][] = [
    ['INFO:     Started server process [1]', 'info'],
    ['INFO:     10.0.0.1:5000 - "POST /predict HTTP/1.1" 500 Internal Server Error', 'info'],
    ['ERROR:    Exception in ASGI application', 'error'],
    ['WARNING:  Invalid HTTP request received.', 'warn'],
    ['ERROR:root:could not load /models/model.joblib', 'error'],
    ['DEBUG:urllib3.connectionpool:Starting new HTTPS connection', 'debug'],
    ['2024-05-01 12:00:00,123 - serving - WARNING - slow request', 'warn'],
    ['[2024-05-01 12:00:00 +0000] [1] [INFO] Starting gunicorn 22.0.0', 'info'],
    ['[2024-05-01 12:00:00 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:8)', 'error'],
    ['{"time":"2024-05-01T12:00:00Z","level":"error","msg":"boom"}', 'error'],
    ['time=2024-05-01T12:00:00Z level=warn msg="disk almost full"', 'warn'],
    ['severity: DEBUG payload received', 'debug'],
    ['E0501 12:00:00.000000       1 server.go:42] listen failed', 'error'],
    ['I0501 12:00:00.000000       1 server.go:42] listening', 'info'],
    ['Traceback (most recent call last):', 'error'],
    ['FileNotFoundError: [Errno 2] No such file or directory: \'/models/x\'', 'error'],
    ['torch.cuda.OutOfMemoryError: CUDA out of memory.', 'error'],
    ['KeyError', 'error'],
    ['Loading model from /models/model.joblib', undefined],
    ['an error occurred while reading', undefined],
    ['INFORMATION is not a level word', undefined],
  ];
  for (const [line, level] of table) assert.equal(detectLevel(line), level, line);
});

test('a continuation line (indented, as in a traceback) takes the level of the line before', () => {
  assert.equal(levelInStream('  File "/app/main.py", line 3, in <module>', 'error'), 'error');
  assert.equal(levelInStream('\tat Foo.bar', 'warn'), 'warn');
  assert.equal(levelInStream('Loading model', 'error'), undefined, 'an unindented line does not inherit');
  assert.equal(levelInStream('INFO: back', 'error'), 'info');
});

test('ANSI escapes and control characters are stripped; plain text is returned as is', () => {
  assert.equal(stripAnsi('\u001b[32mINFO\u001b[0m:     ready'), 'INFO:     ready');
  assert.equal(stripAnsi('\u001b[1;31;48;5;16mred\u001b[K'), 'red');
  assert.equal(stripAnsi('\u001b]8;;http://x\u0007link\u001b]8;;\u0007'), 'link');
  assert.equal(stripAnsi('progress 10%\r'), 'progress 10%');
  assert.equal(stripAnsi('bell\u0007 and esc \u001b alone'), 'bell and esc  alone');
  assert.equal(stripAnsi('tab\tkept'), 'tab\tkept');
  const plain = '<script>alert(1)</script>';
  assert.equal(stripAnsi(plain), plain, 'markup is text here: the webview shows it with textContent');
});

test('a JSON log line reads as time LEVEL logger: message, every other field kept as key=value', () => {
  const line = '{"time": "2026-12-07T01:19:51.263+00:00", "level": "error", "logger": "modelship.app", "message": "cannot load the model: /models/missing.joblib does not exist", "model_path": "/models/missing.joblib", "extra": {"a": 1}}';
  const shown = condenseJsonLine(line);
  assert.equal(shown, '2026-12-07T01:19:51.263+00:00 ERROR modelship.app: cannot load the model: /models/missing.joblib does not exist model_path=/models/missing.joblib extra={"a":1}');
  assert.equal(detectLevel(shown), 'error');
  assert.equal(condenseJsonLine('{"msg": "multi\\nline"}'), 'multi ⏎ line');
  for (const unchanged of ['{"no": "message"}', '{not json}', '[1,2]', 'INFO: plain', '{"message": {"nested": true}}']) assert.equal(condenseJsonLine(unchanged), unchanged);
});

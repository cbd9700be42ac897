// The modelship-log TextMate grammar (syntaxes/modelship-log.tmLanguage.json), tokenised by the
// engine VS Code runs (vscode-textmate on vscode-oniguruma): levels and dates carry the built-in
// Log grammar's scopes so themes colour them, and a line's own text (`<script>`, ANSI codes) stays
// plain text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';

const ROOT = join(__dirname, '../../..');
const GRAMMAR = join(ROOT, 'syntaxes/modelship-log.tmLanguage.json');
const SCOPE = 'text.modelship-log';

/** The scopes the built-in Log grammar (VS Code's extensions/log) gives levels and dates. */
const LOG = {
  error: ['string.regexp,', 'strong', 'log.error'],
  warning: ['markup.deleted', 'log.warning'],
  info: ['markup.inserted', 'log.info'],
  debug: ['markup.changed', 'log.debug'],
  trace: ['comment', 'log.verbose'],
  date: ['comment', 'log.date'],
};

let grammar: Promise<IGrammar> | undefined;

function loadGrammar(): Promise<IGrammar> {
  grammar ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new Registry({
      onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
      loadGrammar: async (scopeName) => (scopeName === SCOPE ? parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
    });
    const g = await registry.loadGrammar(SCOPE);
    if (!g) throw new Error(`no grammar for ${SCOPE}`);
    return g;
  })();
  return grammar;
}

interface Token {
  text: string;
  scopes: string[];
}

/** The line's tokens, each with its scopes below the grammar's root scope. */
async function tokens(line: string): Promise<Token[]> {
  const g = await loadGrammar();
  const { tokens: raw } = g.tokenizeLine(line, INITIAL);
  return raw.map((t) => {
    assert.equal(t.scopes[0], SCOPE);
    return { text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.slice(1) };
  });
}

/** The scopes of the token that is exactly `text` (the first one). */
async function scopesOf(line: string, text: string): Promise<string[]> {
  const all = await tokens(line);
  const hit = all.find((t) => t.text === text);
  assert.ok(hit, `no token ${JSON.stringify(text)} in ${JSON.stringify(all)}`);
  return hit.scopes;
}

/** Whether `text` lies in tokens that carry no scope beyond the root one. */
async function isPlain(line: string, text: string): Promise<boolean> {
  const start = line.indexOf(text);
  assert.ok(start >= 0);
  const g = await loadGrammar();
  return g.tokenizeLine(line, INITIAL).tokens.filter((t) => t.endIndex > start && t.startIndex < start + text.length).every((t) => t.scopes.length === 1);
}

test('the grammar is contributed for the modelship-log language', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { languages: { id: string }[]; grammars: { language: string; scopeName: string; path: string }[] } };
  assert.ok(pkg.contributes.languages.some((l) => l.id === 'modelship-log'));
  const g = pkg.contributes.grammars.find((x) => x.language === 'modelship-log');
  assert.deepEqual(g, { language: 'modelship-log', scopeName: SCOPE, path: './syntaxes/modelship-log.tmLanguage.json' });
});

test('a JSON line from the serving app: its time is a date and its level is coloured by value', async () => {
  const line = '{"time": "2025-03-01T12:34:56.789+00:00", "level": "error", "logger": "serving", "message": "model load failed"}';
  assert.deepEqual(await scopesOf(line, '2025-03-01T12:34:56.789+00:00'), LOG.date);
  assert.deepEqual(await scopesOf(line, 'error'), LOG.error);
  assert.deepEqual(await scopesOf(line, '"level"'), ['support.type.property-name.json.modelship-log']);
  assert.ok(await isPlain(line, 'model load failed'));
  for (const [value, scopes] of [['WARNING', LOG.warning], ['info', LOG.info], ['Debug', LOG.debug], ['trace', LOG.trace]] as const) {
    assert.deepEqual(await scopesOf(`{"levelname":"${value}","message":"x"}`, value), scopes, value);
  }
});

test('a uvicorn access line: the level, the method, the path and the status by class', async () => {
  const line = 'INFO:     10.88.0.1:5000 - "POST /predict HTTP/1.1" 200 OK';
  assert.deepEqual(await scopesOf(line, 'INFO'), LOG.info);
  assert.deepEqual(await scopesOf(line, 'POST'), ['keyword.other.http-method.modelship-log']);
  assert.deepEqual(await scopesOf(line, '/predict'), ['string.unquoted.path.modelship-log']);
  assert.deepEqual(await scopesOf(line, '200'), ['markup.inserted', 'http.status.success.modelship-log']);
  const statuses: [string, string][] = [['101', 'informational'], ['307', 'redirect'], ['422', 'client-error'], ['503', 'server-error']];
  for (const [code, kind] of statuses) {
    const scopes = await scopesOf(`INFO:     10.88.0.1:5000 - "GET /readyz HTTP/2" ${code} X`, code);
    assert.equal(scopes.at(-1), `http.status.${kind}.modelship-log`, code);
  }
  assert.deepEqual(await scopesOf('{"status": 404, "path": "/v2"}', '404'), ['markup.deleted', 'http.status.client-error.modelship-log']);
  assert.deepEqual(await scopesOf('method=GET status=500 took=3ms', '500'), ['string.regexp,', 'strong', 'http.status.server-error.modelship-log']);
  assert.ok(await isPlain('loaded 200 rows in 503 ms', '200 rows in 503'), 'a number is a status only where it stands as one');
});

test('a Python traceback: the header, each frame\'s file, line and function, and the exception', async () => {
  assert.deepEqual(await scopesOf('Traceback (most recent call last):', 'Traceback (most recent call last):'), ['string.regexp,', 'strong', 'log.exception']);
  const frame = '  File "/app/serving/app.py", line 42, in load_model';
  assert.deepEqual(await scopesOf(frame, '"/app/serving/app.py"'), ['meta.traceback.frame.modelship-log', 'markup.underline.link.path.modelship-log']);
  assert.deepEqual(await scopesOf(frame, '42'), ['meta.traceback.frame.modelship-log', 'constant.numeric.line.modelship-log']);
  assert.deepEqual(await scopesOf(frame, 'load_model'), ['meta.traceback.frame.modelship-log', 'entity.name.function.modelship-log']);
  assert.deepEqual(await scopesOf('pickle.UnpicklingError: invalid load key', 'pickle.UnpicklingError'), ['string.regexp,', 'emphasis', 'log.type']);
});

test('a pod/container prefix at the start of a line, then the line as usual', async () => {
  const line = 'iris-7c9d8f6b5-x2x4q/model-server 2025-03-01 12:34:56,789 WARNING serving: slow request';
  assert.deepEqual(await scopesOf(line, 'iris-7c9d8f6b5-x2x4q'), ['entity.name.tag.pod.modelship-log']);
  assert.deepEqual(await scopesOf(line, '/'), ['punctuation.separator.modelship-log']);
  assert.deepEqual(await scopesOf(line, 'model-server'), ['entity.other.attribute-name.container.modelship-log']);
  assert.deepEqual(await scopesOf(line, '2025-03-01 12:34:56,789'), LOG.date);
  assert.deepEqual(await scopesOf(line, 'WARNING'), LOG.warning);
  assert.ok(await isPlain('see serving/app.py for details', 'serving/app.py'), 'a path after the start is no prefix');
  assert.ok(await isPlain('Serving/App text', 'Serving/App'), 'pod names are lower case');
});

test('lower-case levels count where a level stands, not in prose', async () => {
  assert.deepEqual(await scopesOf('[error] boom', 'error'), LOG.error);
  assert.deepEqual(await scopesOf('ts=1 level=warn msg=x', 'warn'), LOG.warning);
  assert.deepEqual(await scopesOf('debug: cache miss', 'debug'), LOG.debug);
  assert.ok(await isPlain('no error was found, info follows', 'no error was found, info follows'));
});

test('markup and escape codes a line holds are plain text', async () => {
  const script = 'iris-7c9d8f6b5-x2x4q/model-server <script>alert(1)</script>';
  assert.ok(await isPlain(script, '<script>alert(1)</script>'));
  assert.equal((await tokens(script)).map((t) => t.text).join(''), script);
  assert.ok(await isPlain('\u001b[31mred\u001b[0m <b>bold</b> &amp;', '\u001b[31mred\u001b[0m <b>bold</b> &amp;'));
});

/**
 * Turns a raw container log line into what the logs panel stores: text without terminal escape
 * codes, and the line's level when it names one. Pure and vscode-free.
 *
 * Lines are shown as text (textContent) in the webview, so nothing here escapes markup; escape
 * codes are removed because a webview would show them as garbage, not because they are unsafe.
 */
import type { LogLevel } from './protocol';

// CSI (colours, cursor moves), OSC (titles, hyperlinks, ended by BEL or ST), and two-byte escapes.
// Matching control characters is the point of these three patterns.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;
// Control characters other than tab (a lone ESC left over, carriage returns, bells).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The line without ANSI escape sequences and control characters (tabs kept). */
export function stripAnsi(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(ANSI, '').replace(CONTROL, '');
}

const WORDS: Readonly<Record<string, LogLevel>> = {
  CRITICAL: 'error', FATAL: 'error', ERROR: 'error', ERR: 'error', PANIC: 'error',
  WARNING: 'warn', WARN: 'warn',
  INFO: 'info', NOTICE: 'info',
  DEBUG: 'debug', TRACE: 'debug',
};
const KLOG: Readonly<Record<string, LogLevel>> = { E: 'error', F: 'error', W: 'warn', I: 'info' };

// `level=warn`, `"level":"error"`, `severity: INFO` (logfmt and JSON loggers).
const KEYED = /\b(?:level|lvl|severity)"?\s*[=:]\s*"?([A-Za-z]+)/i;
// klog (Go, and Kubernetes components): `E0501 12:00:00.000000 …`.
const KLOG_PREFIX = /^([EFWI])\d{4} \d\d:\d\d:\d\d/;
// An upper-case level word standing alone: `INFO:     Started` (uvicorn), `ERROR:root:…` (python
// logging's default), `[2024-05-01 …] [1] [INFO]` (gunicorn), `… - app - WARNING - …` (asctime formats).
const WORD = /(?:^|[\s[(|:,-])(CRITICAL|FATAL|ERROR|ERR|PANIC|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE)(?=$|[\s\])|:,-])/;
// Python's traceback header and its last line (`FileNotFoundError: …`, `KeyError`).
const PYTHON_ERROR = /^(?:Traceback \(most recent call last\):|[A-Za-z_][\w.]*(?:Error|Exception)(?::|$))/;

/** The level a line names in its first 200 characters, if any. */
export function detectLevel(text: string): LogLevel | undefined {
  const head = text.length > 200 ? text.slice(0, 200) : text;
  const keyed = KEYED.exec(head)?.[1];
  if (keyed) {
    const level = WORDS[keyed.toUpperCase()];
    if (level) return level;
  }
  const klog = KLOG_PREFIX.exec(head)?.[1];
  if (klog) return KLOG[klog];
  const word = WORD.exec(head)?.[1];
  if (word) return WORDS[word];
  return PYTHON_ERROR.test(head) ? 'error' : undefined;
}

/**
 * The level of a line in a stream: its own, or, for a continuation line (indented, as in a
 * traceback or a wrapped message), the level of the line before it in the same stream.
 */
export function levelInStream(text: string, previous: LogLevel | undefined): LogLevel | undefined {
  const own = detectLevel(text);
  if (own) return own;
  const c = text.charCodeAt(0);
  return c === 32 || c === 9 ? previous : undefined;
}

const MESSAGE_KEYS = ['message', 'msg', 'event'];
const TIME_KEYS = ['time', 'timestamp', 'ts', '@timestamp', 'asctime'];
const LEVEL_KEYS = ['level', 'levelname', 'severity', 'lvl'];
const LOGGER_KEYS = ['logger', 'name', 'logger_name'];
/** Longer JSON lines are shown as they are: parsing them for one row is not worth it. */
const MAX_JSON_CHARS = 64 * 1024;

const first = (o: Record<string, unknown>, keys: readonly string[]): [string, unknown] | undefined => {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'object') return [k, o[k]];
  return undefined;
};
const plain = (v: unknown): string => (typeof v === 'string' ? v.replace(/\n/g, ' ⏎ ') : JSON.stringify(v));

/**
 * A structured (JSON) log line as a person reads it: `time LEVEL logger: message`, then every
 * other field as `key=value`, so the message is at the front of a one-line row and nothing is
 * dropped. Anything that is not a JSON object with a message comes back as it was.
 */
export function condenseJsonLine(text: string): string {
  const t = text.trim();
  if (t.length < 2 || t.length > MAX_JSON_CHARS || t[0] !== '{' || t[t.length - 1] !== '}') return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return text;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return text;
  const o = parsed as Record<string, unknown>;
  const message = first(o, MESSAGE_KEYS);
  if (!message) return text;
  const time = first(o, TIME_KEYS);
  const level = first(o, LEVEL_KEYS);
  const logger = first(o, LOGGER_KEYS);
  const used = new Set([message, time, level, logger].filter((e): e is [string, unknown] => e !== undefined).map(([k]) => k));
  const head = [time ? String(time[1]) : '', level ? String(level[1]).toUpperCase() : '', logger ? `${String(logger[1])}:` : ''].filter(Boolean).join(' ');
  const rest = Object.entries(o).filter(([k]) => !used.has(k)).map(([k, v]) => `${k}=${plain(v)}`);
  return [head, plain(message[1]), ...rest].filter(Boolean).join(' ');
}

/**
 * A file whose name promises a model (`.pkl`, `.joblib`, `.pt`...) but whose bytes are text: a
 * model overwritten by a log or by notes, a Git LFS pointer that lost a line, an HTML error page a
 * failed download saved. No sniffer claims such a file, and dropping it silently would let a user
 * ship a model that cannot load, so it becomes a problem of its own.
 *
 * Invariants: looks only at the head it is given; pure; a file with any byte that text does not
 * hold (NUL, most control bytes, invalid UTF-8) is not text.
 */
import type { Problem } from '../types';
import { startsWith } from './sniffContext';

/** True when the bytes read as UTF-8 text: no NUL and no control bytes but tab, newlines, form feed and escape. */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const b of head) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) return false;
    if (b === 0x7f) return false;
  }
  try {
    // A fresh decoder each time; `stream` lets a character cut by the end of the head pass.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The first non-blank line, short and printable, to quote in a message. */
function firstLine(head: Uint8Array): string {
  const text = new TextDecoder('utf-8').decode(head.subarray(0, 256));
  const line = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  const clean = Array.from(line, (ch) => (ch.charCodeAt(0) < 0x20 || ch === '\x7f' ? ' ' : ch)).join('');
  return clean.length > 60 ? `${clean.slice(0, 60)}…` : clean;
}

/** A problem for a model-named file whose head is text; undefined when the head is not text. */
export function textInModelFile(path: string, head: Uint8Array, size: number): Problem | undefined {
  if (!looksLikeText(head)) return undefined;
  if (startsWith(head, 'version https://git-lfs.github.com/spec/')) {
    return {
      path,
      line: 1,
      message: `${path} is named like a model but holds a malformed Git LFS pointer (it needs "oid sha256:<64 hex digits>" and "size <bytes>" lines); the weights were never pulled`,
      severity: 'error',
      code: 'lfs-pointer',
      fix: `Restore the pointer (git checkout -- "${path}"), then git lfs pull --include "${path}"`,
    };
  }
  const page = /^\s*<(!doctype html|html)/i.test(new TextDecoder('utf-8').decode(head.subarray(0, 64)));
  return {
    path,
    message: page
      ? `${path} is named like a model but holds an HTML page (${size} bytes), as a failed download saves it; no model library can load it`
      : `${path} is named like a model but holds text (${size} bytes, starting "${firstLine(head)}"); no model library can load it`,
    severity: 'warning',
    code: 'not-a-model',
    fix: 'Restore the model file (was it overwritten?), or rename this file so its name does not promise a model.',
  };
}

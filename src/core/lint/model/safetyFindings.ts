/**
 * Turns a model file's safety scan into findings: one MS-PKL001 error per unsafe global, one
 * MS-PKL002 warning listing the suspicious ones, and one MS-PKL003 finding when the scan could not
 * see everything. Model files are binary: every range is line 0, character 0 (the file's start),
 * and messages give the byte offset (and the zip member) instead.
 */
import { rangeAt, type Finding } from '../types';
import type { ModelSafety, SafetyGlobal } from './modelSafety';
import { PKL } from './rules';

const MAX_UNSAFE_FINDINGS = 20;
const MAX_SUSPICIOUS_NAMED = 8;
/** Notes that say a feature was not decoded, not that the file is broken or hostile. */
const MERELY_PARTIAL = /not decoded|stopped after \d+ decompressed|only the first \d+|encrypted/;

function where(g: SafetyGlobal): string {
  const at = g.decompressed ? `byte ${g.offset} of the decompressed data` : `byte ${g.offset}`;
  return g.member ? `${at} of member ${g.member}` : at;
}

export function safetyFindings(path: string, safety: ModelSafety): Finding[] {
  const range = rangeAt(0, 0, 0, 0);
  const findings: Finding[] = [];
  const unsafe = safety.globals.filter((g) => g.verdict === 'unsafe');
  for (const g of unsafe.slice(0, MAX_UNSAFE_FINDINGS)) {
    findings.push({
      ruleId: PKL.unsafe,
      severity: 'error',
      file: path,
      range,
      message: `Loading this file runs ${g.module}.${g.name}, which ${g.reason ?? 'is dangerous'} (${g.opcode ?? 'global'} at ${where(g)}). ` +
        'Load it only if you trust its source, or re-export the model as safetensors, ONNX or skops.',
    });
  }
  if (unsafe.length > MAX_UNSAFE_FINDINGS) {
    findings.push({ ruleId: PKL.unsafe, severity: 'error', file: path, range, message: `…and ${unsafe.length - MAX_UNSAFE_FINDINGS} more unsafe globals.` });
  }
  const suspicious = safety.globals.filter((g) => g.verdict === 'suspicious');
  if (suspicious.length > 0) {
    const named = suspicious.slice(0, MAX_SUSPICIOUS_NAMED).map((g) => `${g.module}.${g.name} (${where(g)}${g.reason ? `: ${g.reason}` : ''})`);
    const more = suspicious.length > MAX_SUSPICIOUS_NAMED ? ` and ${suspicious.length - MAX_SUSPICIOUS_NAMED} more` : '';
    findings.push({
      ruleId: PKL.suspicious,
      severity: 'warning',
      file: path,
      range,
      message: `Loading this file imports globals not known to be safe: ${named.join('; ')}${more}. ` +
        'Check that they come from code you trust, and that the serving image installs it.',
    });
  }
  if (!safety.complete) {
    const incomplete = safety.notes.filter((n) => !/is not a pickle \(|raw tensor data|: no pickle$/.test(n));
    const severity = incomplete.every((n) => MERELY_PARTIAL.test(n)) && safety.verdict === 'safe' ? 'info' : 'warning';
    findings.push({
      ruleId: PKL.unscanned,
      severity,
      file: path,
      range,
      message: `The pickle scan could not check all of this file: ${incomplete.join('; ') || 'see the scan notes'}. Anything it could not see may run when the file is loaded.`,
    });
  }
  return findings;
}

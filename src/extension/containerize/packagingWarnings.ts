/**
 * What the user should know about a model before it is packaged into an image, asked about once
 * before the containerize questions: today, what the static pickle scan found (STYLE pattern 17).
 * An unsafe model runs code of the pickle's choosing when the server loads it; a suspicious one
 * imports something outside the known-good list.
 */
import type { DetectedModel, ProjectDescription } from '../../core/detect/types';
import type { ModelVerdict } from '../models/api';

/** One reason to think twice before shipping a model. */
export interface PackagingWarning {
  /** Stable id, e.g. `MS-PKL001`. */
  code: string;
  /** One line, shown in the confirmation dialog and the log. */
  message: string;
  /** More lines under the message (the globals, where they are, why they matter). */
  detail?: string;
}

/** At most this many globals are listed in the dialog; the Problems panel has them all. */
const MAX_LISTED = 8;

function listGlobals(verdict: ModelVerdict): string {
  const lines = verdict.globals.slice(0, MAX_LISTED).map((g) =>
    `• ${g.module}.${g.name} (${g.verdict}) at byte ${g.offset}${g.member ? ` of ${g.member}` : ''}${g.file ? ` in ${g.file}` : ''}${g.reason ? `: ${g.reason}` : ''}`);
  if (verdict.globals.length > MAX_LISTED) lines.push(`• and ${verdict.globals.length - MAX_LISTED} more (see the Problems panel)`);
  return lines.join('\n');
}

function names(verdict: ModelVerdict, which: ModelVerdict['verdict']): string {
  const all = [...new Set(verdict.globals.filter((g) => g.verdict === which).map((g) => `${g.module}.${g.name}`))];
  return all.slice(0, 3).join(', ') + (all.length > 3 ? ` and ${all.length - 3} more` : '');
}

/** Warnings for `model`, most serious first; empty when there is nothing to say. */
export function packagingWarnings(_desc: ProjectDescription, model: DetectedModel, safety?: ModelVerdict): PackagingWarning[] {
  if (!safety || safety.verdict === 'safe') return [];
  const partial = safety.complete ? '' : '\n\nThe scan did not reach the end of the file, so there may be more.';
  const detail = `Found by reading the pickle's opcodes; nothing was loaded or run.\n${listGlobals(safety)}${partial}`;
  if (safety.verdict === 'unsafe') {
    return [{
      code: 'MS-PKL001',
      message: `${model.path} is unsafe: loading it calls ${names(safety, 'unsafe')}, which can run any code in the container. Package it only if you made this file yourself.`,
      detail,
    }];
  }
  return [{
    code: 'MS-PKL002',
    message: `${model.path} imports ${names(safety, 'suspicious')}, which Modelship does not know to be safe to load. Check where this file comes from before packaging it.`,
    detail,
  }];
}

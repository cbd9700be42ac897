/**
 * Renders a ProjectDescription for people (a table) or for programs (the documented JSON shape).
 */
import type { ProjectDescription } from '../core/detect/types';
import { formatBytes } from '../core/formatBytes';
import type { ModelSafety } from '../core/lint/model/modelSafety';

/** Safety scans by model path (pickle-family models only). */
export type SafetyByPath = ReadonlyMap<string, ModelSafety>;

/** A model's `safety` in `--json`: the verdict and each global with its offset (and zip member). */
function safetyJson(safety: ModelSafety): { verdict: string; globals: { module: string; name: string; offset: number; verdict: string; member?: string }[] } {
  return {
    verdict: safety.verdict,
    globals: safety.globals.map((g) => ({ module: g.module, name: g.name, offset: g.offset, verdict: g.verdict, ...(g.member !== undefined ? { member: g.member } : {}) })),
  };
}

/**
 * The `--json` shape promised to other tools: exactly these keys on each model, plus `safety` on
 * pickle-family models (pickle, joblib, PyTorch, TorchScript, NumPy).
 */
export function detectJson(desc: ProjectDescription, safety: SafetyByPath = new Map()): string {
  const json = {
    root: desc.root,
    models: desc.models.map((m) => {
      const scan = safety.get(m.path);
      return { path: m.path, format: m.format, framework: m.framework, bytes: m.bytes, evidence: m.evidence, ...(scan ? { safety: safetyJson(scan) } : {}) };
    }),
    requirements: desc.requirements,
    python: desc.python,
    problems: desc.problems.map((p) => ({
      path: p.path,
      ...(p.line !== undefined ? { line: p.line } : {}),
      message: p.message,
      severity: p.severity,
      code: p.code,
      ...(p.fix ? { fix: p.fix } : {}),
    })),
  };
  return JSON.stringify(json, null, 2);
}


function safetyCell(scan: ModelSafety | undefined): string {
  if (!scan) return '-';
  return scan.complete ? scan.verdict : `${scan.verdict}?`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** Lines naming the globals behind each unsafe or suspicious verdict, and scans that saw only part of a file. */
function safetyLines(desc: ProjectDescription, safety: SafetyByPath): string[] {
  const out: string[] = [];
  for (const m of desc.models) {
    const scan = safety.get(m.path);
    if (!scan) continue;
    const flagged = scan.globals.filter((g) => g.verdict !== 'safe');
    if (flagged.length > 0) {
      const shown = flagged.slice(0, 5).map((g) => `${g.module}.${g.name} (${g.verdict}, byte ${g.offset}${g.member ? ` of ${g.member}` : ''})`);
      out.push(`  ${m.path}: ${scan.verdict}: ${shown.join(', ')}${flagged.length > 5 ? `, and ${flagged.length - 5} more` : ''}`);
    }
    if (!scan.complete) out.push(`  ${m.path}: not fully scanned: ${scan.notes.slice(0, 3).join('; ')}`);
  }
  return out;
}

export function detectText(desc: ProjectDescription, safety: SafetyByPath = new Map()): string {
  const out: string[] = [];
  out.push(`Project ${desc.root}`);
  out.push(`Python ${desc.python.version} (${desc.python.source === 'default' ? 'default: no file names a version' : `from ${desc.python.source}`})`);
  out.push('');
  if (desc.models.length === 0) out.push('No model files found.');
  else {
    out.push(`${desc.models.length} model${desc.models.length === 1 ? '' : 's'}:`);
    out.push(table([
      ['PATH', 'FORMAT', 'FRAMEWORK', 'SIZE', 'SAFETY', 'EVIDENCE'],
      ...desc.models.map((m) => [m.path, m.format, m.framework, formatBytes(m.bytes), safetyCell(safety.get(m.path)), m.evidence]),
    ]));
    const lines = safetyLines(desc, safety);
    if (lines.length > 0) {
      out.push('');
      out.push('Pickle safety (static scan; nothing was unpickled):');
      out.push(...lines);
    }
  }
  const pkgs = desc.requirements.packages;
  out.push('');
  if (desc.requirements.files.length === 0) out.push('Requirements: none found.');
  else {
    const unpinned = pkgs.filter((p) => !p.pinned).length;
    out.push(`Requirements: ${pkgs.length} from ${desc.requirements.files.map((f) => f.path).join(', ')}${unpinned ? ` (${unpinned} unpinned)` : ''}`);
  }
  if (desc.problems.length > 0) {
    out.push('');
    out.push(`${desc.problems.length} problem${desc.problems.length === 1 ? '' : 's'}:`);
    for (const p of desc.problems) {
      out.push(`  ${p.severity.padEnd(7)} ${p.path}${p.line !== undefined ? `:${p.line}` : ''}  ${p.message}`);
      if (p.fix) out.push(`          fix: ${p.fix}`);
    }
  }
  return out.join('\n');
}

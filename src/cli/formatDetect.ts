/**
 * Renders a ProjectDescription for people (a table) or for programs (the documented JSON shape).
 */
import type { ProjectDescription } from '../core/detect/types';
import { formatBytes } from '../core/formatBytes';

/** The `--json` shape promised to other tools: exactly these keys on each model. */
export function detectJson(desc: ProjectDescription): string {
  const json = {
    root: desc.root,
    models: desc.models.map((m) => ({ path: m.path, format: m.format, framework: m.framework, bytes: m.bytes, evidence: m.evidence })),
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


function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function detectText(desc: ProjectDescription): string {
  const out: string[] = [];
  out.push(`Project ${desc.root}`);
  out.push(`Python ${desc.python.version} (${desc.python.source === 'default' ? 'default: no file names a version' : `from ${desc.python.source}`})`);
  out.push('');
  if (desc.models.length === 0) out.push('No model files found.');
  else {
    out.push(`${desc.models.length} model${desc.models.length === 1 ? '' : 's'}:`);
    out.push(table([
      ['PATH', 'FORMAT', 'FRAMEWORK', 'SIZE', 'EVIDENCE'],
      ...desc.models.map((m) => [m.path, m.format, m.framework, formatBytes(m.bytes), m.evidence]),
    ]));
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

/**
 * The detection report that `Modelship: Show Detection Report` opens: the subset
 * of a ProjectDescription that concerns the selected model(s), as plain data and as markdown
 * with the data repeated in a JSON block (which tests and users can copy).
 */
import type {
  DetectedModel, Problem, ProjectDescription, PythonInfo, Requirement, RequirementsFile,
} from '../../core/detect/types';
import { formatBytes, modelsAt, problemsForModel, projectProblems, requirementsForModel } from './modelRelations';

export interface ModelRequirementReport {
  name: string;
  /** The declaring requirement, or `missing: true` when no dependency file lists the package. */
  specifier?: string;
  pinned?: boolean;
  source?: string;
  line?: number;
  missing?: true;
}

export interface ModelReportEntry extends DetectedModel {
  requirements: ModelRequirementReport[];
  problems: Problem[];
}

export interface ModelReport {
  /** The project-relative path the user chose (a model, or a folder holding models). */
  selection: string;
  root: string;
  models: ModelReportEntry[];
  requirements: { files: RequirementsFile[]; packages: Requirement[] };
  python: PythonInfo;
  /** Project-level problems (those not located on one model). */
  problems: Problem[];
}

export function buildModelReport(desc: ProjectDescription, selection: string): ModelReport {
  const models = modelsAt(desc, selection).sort((a, b) => a.path.localeCompare(b.path)).map((m): ModelReportEntry => ({
    ...m,
    requirements: requirementsForModel(desc, m).map(({ name, requirement: r }) => (r
      ? { name: r.name, specifier: r.specifier, pinned: r.pinned, source: r.source, line: r.line }
      : { name, missing: true })),
    problems: problemsForModel(desc, m),
  }));
  return {
    selection,
    root: desc.root,
    models,
    requirements: { files: desc.requirements.files, packages: desc.requirements.packages },
    python: desc.python,
    problems: projectProblems(desc),
  };
}

function problemLine(p: Problem): string {
  const where = p.path === '.' ? '' : ` (${p.path}${p.line ? `:${p.line}` : ''})`;
  return `- ${p.severity}: ${p.message}${where} [${p.code}]${p.fix ? `. Fix: ${p.fix}` : ''}`;
}

function requirementLine(r: ModelRequirementReport): string {
  if (r.missing) return `- ${r.name}: not listed in any requirements file`;
  return `- ${r.name} ${r.specifier || '(any version)'}: ${r.pinned ? 'pinned' : 'not pinned'} (${r.source}:${r.line})`;
}

export function renderModelReport(report: ModelReport): string {
  const lines = [`# Modelship report: ${report.selection || 'project'}`, ''];
  lines.push('Detection result for this selection (read-only). Containerizing will build on it.', '');
  if (report.models.length === 0) lines.push(`No model is detected at ${report.selection || 'the project root'} any more.`, '');
  for (const m of report.models) {
    lines.push(`## ${m.path}`, '');
    lines.push(`- Format: ${m.format}`, `- Framework: ${m.framework}`, `- Size: ${formatBytes(m.bytes)} (${m.bytes} bytes)`);
    lines.push(`- Evidence: ${m.evidence}`, '', '### Requirements', '');
    lines.push(...(m.requirements.length > 0 ? m.requirements.map(requirementLine) : ['- none identified']), '');
    lines.push('### Problems', '', ...(m.problems.length > 0 ? m.problems.map(problemLine) : ['- none']), '');
  }
  const python = report.python.source === 'default' ? `${report.python.version} (default)` : `${report.python.version} (from ${report.python.source})`;
  lines.push('## Project', '', `- Root: ${report.root}`, `- Python: ${python}`);
  lines.push(`- Dependency files: ${report.requirements.files.map((f) => f.path).join(', ') || 'none'}`, '');
  lines.push('### Project problems', '', ...(report.problems.length > 0 ? report.problems.map(problemLine) : ['- none']), '');
  const json = JSON.stringify(report, null, 2);
  let fence = '```';
  while (json.includes(fence)) fence += '`';
  lines.push('## JSON', '', `${fence}json`, json, fence, '');
  return lines.join('\n');
}

/**
 * Renders Models tree nodes as TreeItems: labels, descriptions, markdown tooltips (workspace text
 * escaped), icons, stable ids and contextValues, and the command a click runs.
 */
import * as vscode from 'vscode';
import type { Problem, ProjectDescription } from '../../core/detect/types';
import { fileUri } from '../common/fileUri';
import { escapeMarkdown } from '../common/markdown';
import { formatBytes, problemsForModel, projectProblems } from './modelRelations';
import type { ModelVerdict } from './modelSafety';
import { CONTEXT_VALUES, basename, nodeId, type ModelsNode } from './modelsTreeNodes';

const SEVERITY_ICONS: Record<Problem['severity'], vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  info: new vscode.ThemeIcon('info'),
};

function openAt(folder: vscode.WorkspaceFolder, relative: string, line?: number): vscode.Command {
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
  return {
    command: 'vscode.open',
    title: 'Open',
    arguments: [fileUri(folder, relative), { selection: new vscode.Range(position, position), preview: true }],
  };
}

function pythonText(desc: ProjectDescription): string {
  const p = desc.python;
  return p.source === 'default' ? `${p.version} (default: no file names a version)` : `${p.version} (from ${p.source})`;
}

function item(node: ModelsNode, label: string, collapsible = vscode.TreeItemCollapsibleState.None): vscode.TreeItem {
  const result = new vscode.TreeItem(label, collapsible);
  result.id = nodeId(node);
  result.contextValue = CONTEXT_VALUES[node.kind];
  return result;
}

/** The pickle scan's verdict as a tooltip section (workspace text escaped). */
function verdictMarkdown(verdict: ModelVerdict): string {
  const head = verdict.verdict === 'safe'
    ? 'no dangerous imports (a static scan of its opcodes; nothing was loaded)'
    : verdict.verdict === 'unsafe'
      ? 'unsafe: loading it runs code of the file\'s choosing'
      : 'suspicious: it imports something not known to be safe';
  const rows = verdict.globals.slice(0, 10).map((g) =>
    `- \`${`${g.module}.${g.name}`.replace(/`/g, '')}\` (${g.verdict}) at byte ${g.offset}${g.member ? ` of ${escapeMarkdown(g.member)}` : ''}${g.reason ? `: ${escapeMarkdown(g.reason)}` : ''}`);
  if (verdict.globals.length > 10) rows.push(`- and ${verdict.globals.length - 10} more (see the Problems panel)`);
  const partial = verdict.complete ? '' : '\n\nThe scan did not reach the end of the file.';
  return `**Pickle scan:** ${head}\n\n${rows.join('\n')}${partial}\n\n`;
}

const VERDICT_ICONS: Record<ModelVerdict['verdict'], vscode.ThemeIcon> = {
  unsafe: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  suspicious: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  safe: new vscode.ThemeIcon('shield'),
};

/** The model's icon: an unsafe pickle first, then its worst problem, then a suspicious pickle, then the scan's shield. */
function modelIcon(problems: Problem[], verdict: ModelVerdict | undefined): vscode.ThemeIcon {
  const worst = problems.find((p) => p.severity === 'error') ?? problems.find((p) => p.severity === 'warning');
  if (verdict?.verdict === 'unsafe') return VERDICT_ICONS.unsafe;
  if (worst?.severity === 'error') return SEVERITY_ICONS.error;
  if (verdict?.verdict === 'suspicious') return VERDICT_ICONS.suspicious;
  if (worst) return SEVERITY_ICONS[worst.severity];
  return verdict ? VERDICT_ICONS.safe : new vscode.ThemeIcon('beaker');
}

/** `verdict`: the pickle scan's result for a model node, once it finished. */
export function treeItemFor(node: ModelsNode, desc: ProjectDescription | undefined, verdict?: ModelVerdict): vscode.TreeItem {
  const C = vscode.TreeItemCollapsibleState;
  switch (node.kind) {
    case 'folder': {
      const t = item(node, node.folder.name, C.Expanded);
      t.iconPath = new vscode.ThemeIcon('root-folder');
      return t;
    }
    case 'model': {
      const m = node.model;
      const t = item(node, basename(m.path), C.Collapsed);
      const dir = m.path.includes('/') ? m.path.slice(0, m.path.lastIndexOf('/')) : '';
      const flagged = verdict && verdict.verdict !== 'safe' ? ` · ${verdict.verdict}` : '';
      t.description = `${m.format} · ${m.framework} · ${formatBytes(m.bytes)}${node.showDirectory && dir ? ` · ${dir}` : ''}${flagged}`;
      const problems = desc ? problemsForModel(desc, m) : [];
      t.iconPath = modelIcon(problems, verdict);
      const md = new vscode.MarkdownString(undefined, true);
      md.appendMarkdown(`**${escapeMarkdown(m.path)}**\n\n`);
      md.appendMarkdown(`$(file-binary) ${escapeMarkdown(m.format)} · ${escapeMarkdown(m.framework)} · ${formatBytes(m.bytes)} (${m.bytes} bytes)\n\n`);
      md.appendMarkdown(`**Evidence:** ${escapeMarkdown(m.evidence)}\n\n`);
      if (verdict) md.appendMarkdown(verdictMarkdown(verdict));
      if (desc) md.appendMarkdown(`**Python:** ${escapeMarkdown(pythonText(desc))}\n\n`);
      if (problems.length > 0) md.appendMarkdown(`**Problems:** ${problems.length}\n\n`);
      t.tooltip = md;
      t.command = { command: 'modelship.revealModel', title: 'Reveal in Explorer', arguments: [fileUri(node.folder, m.path)] };
      return t;
    }
    case 'requirement': {
      const r = node.row.requirement;
      const t = item(node, node.row.name);
      if (!r) {
        t.description = 'not in requirements';
        t.iconPath = SEVERITY_ICONS.warning;
        t.tooltip = `${node.row.name} is needed to load ${node.model.path}, but no requirements file lists it.`;
        return t;
      }
      const spec = r.url ? `@ ${r.url}` : r.specifier || 'any version';
      t.description = `${spec} · ${r.pinned ? 'pinned' : 'not pinned'}`;
      t.iconPath = new vscode.ThemeIcon(r.pinned ? 'lock' : 'unlock');
      t.tooltip = `${r.name}${r.specifier} declared in ${r.source}:${r.line}${r.pinned ? '' : ' (not pinned: the container may get a different version)'}`;
      t.command = openAt(node.folder, r.source, r.line);
      return t;
    }
    case 'problem': {
      const p = node.problem;
      const t = item(node, p.message);
      t.description = p.path !== '.' && p.path !== node.owner ? `${p.path}${p.line ? `:${p.line}` : ''}` : p.code;
      t.iconPath = SEVERITY_ICONS[p.severity];
      const md = new vscode.MarkdownString();
      md.appendMarkdown(`**${escapeMarkdown(p.severity)}** \`${p.code.replace(/`/g, '')}\`: ${escapeMarkdown(p.message)}\n\n`);
      if (p.fix) md.appendMarkdown(`**Fix:** ${escapeMarkdown(p.fix)}\n\n`);
      md.appendMarkdown(`In ${escapeMarkdown(p.path === '.' ? 'the project' : p.path)}${p.line ? ` line ${p.line}` : ''}`);
      t.tooltip = md;
      if (p.path !== '.' && p.line !== undefined) t.command = openAt(node.folder, p.path, p.line);
      return t;
    }
    case 'project': {
      const count = desc ? projectProblems(desc).length : 0;
      const t = item(node, 'Project', C.Collapsed);
      t.description = `${desc ? `Python ${desc.python.version}` : ''}${count ? ` · ${count} problem${count === 1 ? '' : 's'}` : ''}`;
      t.iconPath = new vscode.ThemeIcon('project');
      t.tooltip = `${node.folder.name}: Python version, dependency files and project-level problems`;
      return t;
    }
    case 'python': {
      const t = item(node, `Python ${node.python.version}`);
      t.description = node.python.source === 'default' ? 'default' : `from ${node.python.source}`;
      t.iconPath = new vscode.ThemeIcon('symbol-namespace');
      t.tooltip = desc ? pythonText(desc) + (node.python.constraint ? `; constraint ${node.python.constraint}` : '') : '';
      if (node.python.source !== 'default') t.command = openAt(node.folder, node.python.source);
      return t;
    }
    case 'requirementsFile': {
      const t = item(node, node.file.path);
      t.description = node.file.kind;
      t.iconPath = new vscode.ThemeIcon('file');
      t.command = openAt(node.folder, node.file.path);
      return t;
    }
  }
}

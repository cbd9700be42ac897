/**
 * The nodes of the Models tree, as plain references into the store's descriptions, and the
 * function that lists a node's children. Rendering them is `modelsTreeItems.ts`'s job.
 */
import type * as vscode from 'vscode';
import type { DetectedModel, Problem, PythonInfo, RequirementsFile } from '../../core/detect/types';
import { problemsForModel, projectProblems, requirementsForModel, type ModelRequirement } from './modelRelations';
import type { FolderState, ProjectStore } from './projectStore';

export type ModelsNode =
  | { kind: 'folder'; folder: vscode.WorkspaceFolder }
  | { kind: 'model'; folder: vscode.WorkspaceFolder; model: DetectedModel; showDirectory: boolean }
  | { kind: 'requirement'; folder: vscode.WorkspaceFolder; model: DetectedModel; row: ModelRequirement }
  | { kind: 'problem'; folder: vscode.WorkspaceFolder; problem: Problem; owner: string; index: number }
  | { kind: 'project'; folder: vscode.WorkspaceFolder }
  | { kind: 'python'; folder: vscode.WorkspaceFolder; python: PythonInfo }
  | { kind: 'requirementsFile'; folder: vscode.WorkspaceFolder; file: RequirementsFile };

/** Stable contextValues for `when` clauses in package.json menus. */
export const CONTEXT_VALUES: Record<ModelsNode['kind'], string> = {
  folder: 'modelship.folder',
  model: 'modelship.model',
  requirement: 'modelship.requirement',
  problem: 'modelship.problem',
  project: 'modelship.project',
  python: 'modelship.python',
  requirementsFile: 'modelship.requirementsFile',
};

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function folderChildren(state: FolderState): ModelsNode[] {
  const desc = state.description;
  if (!desc) return [];
  const folder = state.folder;
  const models = [...desc.models].sort((a, b) => a.path.localeCompare(b.path));
  const names = models.map((m) => basename(m.path));
  return [
    ...models.map((model, i): ModelsNode => ({
      kind: 'model', folder, model, showDirectory: names.indexOf(names[i] as string) !== names.lastIndexOf(names[i] as string),
    })),
    { kind: 'project', folder },
  ];
}

/** Children of `node` (the roots when undefined). Empty when no folder has a model: the welcome view shows then. */
export function childrenOf(store: ProjectStore, node: ModelsNode | undefined): ModelsNode[] {
  if (!node) {
    const states = store.all();
    if (!states.some((s) => (s.description?.models.length ?? 0) > 0)) return [];
    if (states.length === 1) return folderChildren(states[0] as FolderState);
    return states.map((s): ModelsNode => ({ kind: 'folder', folder: s.folder }));
  }
  const state = store.get(node.folder);
  const desc = state?.description;
  if (!state || !desc) return [];
  const folder = node.folder;
  switch (node.kind) {
    case 'folder':
      return folderChildren(state);
    case 'model':
      return [
        ...requirementsForModel(desc, node.model).map((row): ModelsNode => ({ kind: 'requirement', folder, model: node.model, row })),
        ...problemsForModel(desc, node.model).map((problem, index): ModelsNode => ({ kind: 'problem', folder, problem, owner: node.model.path, index })),
      ];
    case 'project':
      return [
        { kind: 'python', folder, python: desc.python },
        ...desc.requirements.files.map((file): ModelsNode => ({ kind: 'requirementsFile', folder, file })),
        ...projectProblems(desc).map((problem, index): ModelsNode => ({ kind: 'problem', folder, problem, owner: '.', index })),
      ];
    default:
      return [];
  }
}

/** A key unique in the whole tree and stable across refreshes (keeps expansion state). */
export function nodeId(node: ModelsNode): string {
  const base = `${node.folder.uri.toString()}#${node.kind}`;
  switch (node.kind) {
    case 'model': return `${base}:${node.model.path}`;
    case 'requirement': return `${base}:${node.model.path}:${node.row.name}`;
    case 'problem': return `${base}:${node.owner}:${node.index}:${node.problem.code}`;
    case 'requirementsFile': return `${base}:${node.file.path}`;
    default: return base;
  }
}

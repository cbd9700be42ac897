/**
 * Resolves what a command was pointed at (an Explorer resource, a Models tree item, or nothing:
 * the active editor or a quick pick of detected models) to the detected models it designates,
 * after detection has caught up with that path. A path that is not a model gets a clear message.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DetectedModel, ProjectDescription } from '../../core/detect/types';
import type { ModelsCtx } from './modelsCtx';
import { modelsAt } from './modelRelations';
import { fileUri } from '../common/fileUri';
import type { ModelsNode } from './modelsTreeNodes';

export type ModelTarget =
  | { kind: 'models'; folder: vscode.WorkspaceFolder; selection: string; desc: ProjectDescription; models: DetectedModel[] }
  | { kind: 'not-a-model'; path: string; message: string }
  | { kind: 'cancelled' };

/** Extensions that usually hold a model; used only to word the not-a-model message. */
const MODEL_EXTENSIONS = /^\.(pkl|pickle|joblib|pt|pth|bin|ckpt|onnx|h5|hdf5|keras|tflite|gguf|safetensors|ubj|cbm|npy|npz|sav|model)$/i;

function isModelNode(value: unknown): value is Extract<ModelsNode, { kind: 'model' }> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'model';
}

/** The model in the active editor, or one the user picks from every detected model. */
async function pickModel(ctx: ModelsCtx, title: string): Promise<vscode.Uri | undefined> {
  await ctx.detection.flushAll();
  const active = vscode.window.activeTextEditor?.document.uri;
  const models = ctx.store.models();
  if (active && models.some((r) => fileUri(r.folder, r.model.path).toString() === active.toString())) return active;
  if (models.length === 0) {
    const message = 'Modelship found no models in this workspace. Right-click a model file in the Explorer, or run "Modelship: Refresh Models".';
    ctx.notices.lastNotice = message;
    void vscode.window.showInformationMessage(message);
    return undefined;
  }
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  return ctx.prompter().pickOne(models.map((r) => ({
    label: multiRoot ? `${r.folder.name}/${r.model.path}` : r.model.path,
    description: `${r.model.format} · ${r.model.framework}`,
    value: fileUri(r.folder, r.model.path),
  })), { title, placeholder: 'Choose a model' });
}

async function notAModelMessage(uri: vscode.Uri, relative: string): Promise<string> {
  const name = path.posix.basename(uri.path);
  const stat = await vscode.workspace.fs.stat(uri).then((s) => s, () => undefined);
  if (!stat) return `"${relative}" does not exist any more.`;
  if (stat.type & vscode.FileType.Directory) return `"${relative}" is not a model and contains no model file that Modelship recognises.`;
  const ext = path.posix.extname(name);
  const because = MODEL_EXTENSIONS.test(ext)
    ? ` Despite its ${ext} extension, its contents match no model format (Modelship checks the bytes, not the name).`
    : ' Its contents match no model format Modelship recognises.';
  return `"${relative}" is not a model.${because}`;
}

function notAModel(ctx: ModelsCtx, path: string, message: string): ModelTarget {
  ctx.notices.lastNotice = message;
  void vscode.window.showWarningMessage(message);
  return { kind: 'not-a-model', path, message };
}

/** `title` heads the model quick pick shown when nothing was selected. */
export async function resolveModelTarget(ctx: ModelsCtx, target: unknown, title: string): Promise<ModelTarget> {
  const uri = isModelNode(target) ? fileUri(target.folder, target.model.path)
    : target instanceof vscode.Uri ? target : await pickModel(ctx, title);
  if (!uri) return { kind: 'cancelled' };
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) {
    return notAModel(ctx, uri.fsPath, `${uri.fsPath} is outside the open workspace folders, so Modelship has not inspected it. Open its folder first.`);
  }
  const selection = path.posix.relative(folder.uri.path, uri.path);
  ctx.detection.start();
  const detection = ctx.detection.forFolder(folder);
  await detection?.flush();
  let desc = ctx.store.get(folder)?.description;
  if (desc && selection !== '' && modelsAt(desc, selection).length === 0) {
    // The watcher may not have reported a file created a moment ago: check this path once more.
    detection?.notify([selection]);
    await detection?.flush();
    desc = ctx.store.get(folder)?.description;
  }
  if (!desc) {
    const error = ctx.store.get(folder)?.error;
    throw new Error(`detection has no result for ${folder.name}${error ? `: ${error}` : ''}`);
  }
  const models = modelsAt(desc, selection);
  if (models.length === 0) return notAModel(ctx, selection, await notAModelMessage(uri, selection));
  return { kind: 'models', folder, selection, desc, models };
}

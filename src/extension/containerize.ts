/**
 * `modelship.containerize`: resolves what the user pointed at (an explorer resource, a Models tree
 * item, the active editor or a quick pick) to detected models, and until scaffolding lands opens
 * the detection report for them. A path that is not a model gets a clear message instead.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { modelsAt } from './modelRelations';
import { fileUri } from './modelsTreeItems';
import type { ModelsNode } from './modelsTreeNodes';
import { ReportProvider } from './reportProvider';

export type ContainerizeResult =
  | { kind: 'report'; uri: string; models: string[] }
  | { kind: 'not-a-model'; path: string; message: string }
  | { kind: 'cancelled' };

/** Extensions that usually hold a model; used only to word the not-a-model message. */
const MODEL_EXTENSIONS = /^\.(pkl|pickle|joblib|pt|pth|bin|ckpt|onnx|h5|hdf5|keras|tflite|gguf|safetensors|ubj|cbm|npy|npz|sav|model)$/i;

function isModelNode(value: unknown): value is Extract<ModelsNode, { kind: 'model' }> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'model';
}

async function pickTarget(ctx: Ctx): Promise<vscode.Uri | undefined> {
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
  const picked = await vscode.window.showQuickPick(models.map((r) => ({
    label: multiRoot ? `${r.folder.name}/${r.model.path}` : r.model.path,
    description: `${r.model.format} · ${r.model.framework}`,
    uri: fileUri(r.folder, r.model.path),
  })), { title: 'Modelship: Containerize', placeHolder: 'Choose the model to containerize' });
  return picked?.uri;
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

export async function containerize(ctx: Ctx, target?: unknown): Promise<ContainerizeResult> {
  const uri = isModelNode(target) ? fileUri(target.folder, target.model.path)
    : target instanceof vscode.Uri ? target : await pickTarget(ctx);
  if (!uri) return { kind: 'cancelled' };
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) {
    const message = `${uri.fsPath} is outside the open workspace folders, so Modelship has not inspected it. Open its folder first.`;
    ctx.notices.lastNotice = message;
    void vscode.window.showWarningMessage(message);
    return { kind: 'not-a-model', path: uri.fsPath, message };
  }
  const relative = path.posix.relative(folder.uri.path, uri.path);
  ctx.detection.start();
  const detection = ctx.detection.forFolder(folder);
  await detection?.flush();
  let desc = ctx.store.get(folder)?.description;
  if (desc && relative !== '' && modelsAt(desc, relative).length === 0) {
    // The watcher may not have reported a file created a moment ago: check this path once more.
    detection?.notify([relative]);
    await detection?.flush();
    desc = ctx.store.get(folder)?.description;
  }
  if (!desc) {
    const error = ctx.store.get(folder)?.error;
    throw new Error(`detection has no result for ${folder.name}${error ? `: ${error}` : ''}`);
  }
  const models = modelsAt(desc, relative);
  if (models.length === 0) {
    const message = await notAModelMessage(uri, relative);
    ctx.notices.lastNotice = message;
    void vscode.window.showWarningMessage(message);
    return { kind: 'not-a-model', path: relative, message };
  }
  const reportUri = ReportProvider.uriFor(folder, relative);
  const doc = await vscode.workspace.openTextDocument(reportUri);
  await vscode.window.showTextDocument(doc, { preview: false });
  ctx.notices.lastReport = { uri: reportUri.toString(), text: doc.getText() };
  ctx.log.info(`containerize: opened the report for ${relative} (${models.length} model(s))`);
  return { kind: 'report', uri: reportUri.toString(), models: models.map((m) => m.path) };
}

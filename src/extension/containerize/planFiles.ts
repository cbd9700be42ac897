/**
 * Reads the current version of planned files and writes the planned ones. On `file:` folders a
 * write is atomic (a temporary file renamed over the target, `writeFileAtomic`); on other file
 * systems it is one `workspace.fs.writeFile` of the whole text. Planned paths must stay inside
 * the workspace folder.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PlannedFile } from '../../core/scaffold/types';
import { loadDetection } from '../common/loadDetection';
import { fileUri } from '../common/fileUri';

function checkInside(relative: string): void {
  if (relative === '' || relative.startsWith('/') || relative.split('/').some((s) => s === '..' || s === '')) {
    throw new Error(`the plan names "${relative}", which is not a path inside the project; nothing was written for it`);
  }
}

/** The file's current text, or undefined when it does not exist. */
export async function readCurrent(folder: vscode.WorkspaceFolder, relative: string): Promise<string | undefined> {
  checkInside(relative);
  const uri = fileUri(folder, relative);
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
    if (err instanceof vscode.FileSystemError && err.code === 'FileIsADirectory') {
      throw new Error(`Modelship would write the file ${relative}, but a folder of that name is in the way; rename it and try again`);
    }
    throw err;
  }
  return new TextDecoder().decode(bytes);
}

export async function writePlannedFile(folder: vscode.WorkspaceFolder, file: PlannedFile): Promise<void> {
  await writeProjectFile(folder, file.path, file.contents, file.mode);
}

/** Writes `contents` at `relative` in the folder (a planned file, or the generated-file record). */
export async function writeProjectFile(folder: vscode.WorkspaceFolder, relative: string, contents: string, mode?: number): Promise<void> {
  checkInside(relative);
  if (folder.uri.scheme === 'file') {
    loadDetection().writeFileAtomic(path.join(folder.uri.fsPath, ...relative.split('/')), contents, mode);
    return;
  }
  const uri = fileUri(folder, relative);
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(contents));
}

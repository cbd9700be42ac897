/** A workspace-relative path (`/`-separated, as detection reports it) as a URI inside its folder. */
import * as vscode from 'vscode';

export function fileUri(folder: vscode.WorkspaceFolder, relative: string): vscode.Uri {
  return relative === '' || relative === '.' ? folder.uri : vscode.Uri.joinPath(folder.uri, ...relative.split('/'));
}

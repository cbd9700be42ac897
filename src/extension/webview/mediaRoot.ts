/**
 * Where the panels' browser bundles live: dist/media under the extension's root. The extension
 * sets its root once at activation (`setExtensionUri`, kept in `sharedState` so that every bundle
 * sees it); until then the root of the installed extension `modelship.modelship` is used.
 */
import * as vscode from 'vscode';
import { sharedState } from './sharedState';

const EXTENSION_ID = 'modelship.modelship';
const root = sharedState<{ uri?: vscode.Uri }>('extensionUri', () => ({}));

/** Records the extension's root (`context.extensionUri`); call once in activate. */
export function setExtensionUri(uri: vscode.Uri): void {
  root.uri = uri;
}

/** dist/media, the only folder the panels may load resources from. */
export function mediaRoot(): vscode.Uri {
  const base = root.uri ?? vscode.extensions.getExtension(EXTENSION_ID)?.extensionUri;
  if (!base) throw new Error(`The panels cannot find their scripts: call setExtensionUri in activate (extension ${EXTENSION_ID} is not installed).`);
  return vscode.Uri.joinPath(base, 'dist', 'media');
}

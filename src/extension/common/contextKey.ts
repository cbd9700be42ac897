import * as vscode from 'vscode';

/** Sets a context key for `when` clauses (fire and forget). */
export function setContextKey(key: string, value: unknown): void {
  void vscode.commands.executeCommand('setContext', key, value);
}

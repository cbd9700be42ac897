/**
 * Serves `modelship-plan:` documents: read-only, in-memory texts of one containerize run (each
 * planned file, shown on the right of a diff, and the plan summary). Each run gets a number in
 * the URI's query and replaces the previous run's texts, so memory holds one plan at most.
 */
import * as vscode from 'vscode';

export const PLAN_SCHEME = 'modelship-plan';

export class PlanProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private texts = new Map<string, string>();
  private run = 0;

  /** Forgets the previous run's documents; later `uriFor` calls belong to the new run. */
  beginRun(): void {
    this.run += 1;
    this.texts = new Map();
  }

  /**
   * `modelship-plan:/<folder>/<path>?run=<n>`: the path keeps the file's own name, so VS Code
   * picks the same language (Dockerfile, YAML, Python) as for the file on disk.
   */
  put(folder: vscode.WorkspaceFolder, relative: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${folder.name}/${relative}`, query: `run=${this.run}` });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString())
      ?? 'This plan is out of date: run "Modelship: Containerize" again to see what it would write now.\n';
  }

  dispose(): void {
    this.texts.clear();
  }
}

/** Tabs showing a diff against a planned document (those `planConsent` opened). */
export function planDiffTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
    t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === PLAN_SCHEME);
}

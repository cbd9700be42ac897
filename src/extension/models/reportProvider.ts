/**
 * The detection report: `modelship.showReport` opens it for the selected model(s), and this
 * provider serves its `modelship-report:` documents: read-only, virtual, recomputed from the
 * ProjectStore each time they are opened, and refreshed while open when detection results change.
 */
import * as vscode from 'vscode';
import { buildModelReport, renderModelReport } from './modelReport';
import type { ProjectStore } from './projectStore';
import type { ModelsCtx } from './modelsCtx';
import { resolveModelTarget } from './modelTarget';

export const REPORT_SCHEME = 'modelship-report';

export class ReportProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: ProjectStore) {
    this.subscription = store.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === REPORT_SCHEME && !doc.isClosed) this.emitter.fire(doc.uri);
      }
    });
  }

  /** `modelship-report:/<folder>/<selection>.report.md?folder=<uri>&path=<selection>` */
  static uriFor(folder: vscode.WorkspaceFolder, selection: string): vscode.Uri {
    const query = new URLSearchParams({ folder: folder.uri.toString(), path: selection }).toString();
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${folder.name}/${selection || 'project'}.report.md`, query });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const params = new URLSearchParams(uri.query);
    const folderUri = params.get('folder') ?? '';
    const selection = params.get('path') ?? '';
    const state = this.store.all().find((s) => s.folder.uri.toString() === folderUri);
    if (!state?.description) {
      return `# Modelship report: ${selection}\n\nNo detection result for this folder yet${state?.error ? `: ${state.error}` : ''}.\n`;
    }
    return renderModelReport(buildModelReport(state.description, selection));
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/** `modelship.showReport`: opens the read-only report for the selected model(s) (a model, a folder holding models, or one picked from a quick pick). */
export type ShowReportResult =
  | { kind: 'report'; uri: string; models: string[] }
  | { kind: 'not-a-model'; path: string; message: string }
  | { kind: 'cancelled' };

export async function showReport(ctx: ModelsCtx, target?: unknown): Promise<ShowReportResult> {
  const resolved = await resolveModelTarget(ctx, target, 'Modelship: Show Detection Report');
  if (resolved.kind !== 'models') return resolved;
  const reportUri = ReportProvider.uriFor(resolved.folder, resolved.selection);
  const doc = await vscode.workspace.openTextDocument(reportUri);
  await vscode.window.showTextDocument(doc, { preview: false });
  ctx.notices.lastReport = { uri: reportUri.toString(), text: doc.getText() };
  ctx.log.info(`showReport: opened the report for ${resolved.selection || 'the project'} (${resolved.models.length} model(s))`);
  return { kind: 'report', uri: reportUri.toString(), models: resolved.models.map((m) => m.path) };
}

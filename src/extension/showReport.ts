/**
 * `modelship.showReport`: opens the read-only detection report for the selected model(s) (a
 * model, a folder holding models, or one picked from a quick pick).
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { resolveModelTarget } from './modelTarget';
import { ReportProvider } from './reportProvider';

export type ShowReportResult =
  | { kind: 'report'; uri: string; models: string[] }
  | { kind: 'not-a-model'; path: string; message: string }
  | { kind: 'cancelled' };

export async function showReport(ctx: Ctx, target?: unknown): Promise<ShowReportResult> {
  const resolved = await resolveModelTarget(ctx, target, 'Modelship: Show Detection Report');
  if (resolved.kind !== 'models') return resolved;
  const reportUri = ReportProvider.uriFor(resolved.folder, resolved.selection);
  const doc = await vscode.workspace.openTextDocument(reportUri);
  await vscode.window.showTextDocument(doc, { preview: false });
  ctx.notices.lastReport = { uri: reportUri.toString(), text: doc.getText() };
  ctx.log.info(`showReport: opened the report for ${resolved.selection || 'the project'} (${resolved.models.length} model(s))`);
  return { kind: 'report', uri: reportUri.toString(), models: resolved.models.map((m) => m.path) };
}

/**
 * The flows behind the cluster commands, run from the deploy bundle: deploy (staging, or an
 * environment asked for; prod behind the typed context name), roll back (a revision picked, the
 * rollout followed), the status and logs panels, port-forward, a prediction through it, undeploy
 * and choosing an environment's context. Each resolves what it did, for the tests.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelshipError, isModelshipError } from '../../core/errors';
import { openServiceForward, runClusterSmokeFlow } from '../../flows/clusterSmoke';
import { undeploySelector } from '../../flows/clusterStatus';
import { followRollout } from '../../flows/followRollout';
import { findExpectedAnswer } from '../../docker/smokeTest';
import type { Environment } from '../../core/scaffold/k8s/environments';
import { projectOf, resolveShipProject } from '../common/shipProjects';
import { openLogsPanel, openStatusPanel, type PanelTarget } from '../webview/api';
import type { DeployCommandName } from './deployModel';
import { deployWithProgress, failureMessage, progressReporter, withCancellableProgress, type DeployOutcome } from './deployProgress';
import { nodeArg, type CommandTarget, type DeploySession } from './deploySession';
import { chooseContext, confirmProd } from './environmentSetup';
import { predictionReport } from './predictionReport';
import { selectedEnvironment } from './deployTargets';

const panelTarget = (t: CommandTarget): PanelTarget => ({ projectDir: t.project.dir, environment: t.environment, deployment: t.project.target.name });

async function guardProd(session: DeploySession, t: CommandTarget, action: string): Promise<void> {
  if (t.environment === 'prod') await confirmProd(session.ctx, action, t.cluster.entry.context ?? '?', t.cluster.entry.namespace ?? '?');
}

async function deployTo(session: DeploySession, arg: unknown, title: string, env?: 'staging'): Promise<DeployOutcome> {
  const t = await session.target(arg, title, { ...(env ? { env } : { askEnvironment: true }), setUp: true });
  await guardProd(session, t, 'Deploy to');
  return deployWithProgress(session, t);
}

async function rollback(session: DeploySession, arg: unknown): Promise<DeployOutcome> {
  const t = await session.target(arg, 'Roll Back', { setUp: false });
  const name = t.project.target.name;
  const kube = await session.connect(t.cluster);
  const revisions = await kube.revisions(name);
  if (revisions.length < 2) {
    throw new ModelshipError('NOTHING_TO_ROLL_BACK', `${name} in ${t.environment} has ${revisions.length === 0 ? 'no revision' : 'only one revision'}: there is nothing to roll back to.`);
  }
  const [current, ...older] = revisions;
  // The status panel's Roll back buttons name the revision; the view and the palette ask.
  const asked = (arg as { revision?: unknown } | undefined)?.revision;
  const named = typeof asked === 'number' && older.some((r) => r.revision === asked) ? asked : undefined;
  const revision = named ?? await session.ctx.prompter().pickOne(
    older.map((r) => ({ label: `revision ${r.revision}`, description: r.image, ...(r.createdAt ? { detail: `created ${r.createdAt}` } : {}), value: r.revision })),
    { title: `Modelship: Roll Back ${name} in ${t.environment}`, placeholder: `Now at revision ${current!.revision} (${current!.image}). Roll back to…`, defaults: [older[0]!.revision] },
  );
  if (revision === undefined) throw new ModelshipError('CANCELLED', 'Cancelled; nothing was changed.');
  if (t.environment === 'prod') await guardProd(session, t, 'Roll back');
  else if (!(await session.ctx.prompter().confirm(`Roll ${name} in ${t.environment} back to revision ${revision}?`, { detail: `Context ${t.cluster.entry.context}, namespace ${t.cluster.entry.namespace}.`, buttons: ['Roll Back'] }))) {
    throw new ModelshipError('CANCELLED', 'Cancelled; nothing was changed.');
  }
  const restored = await kube.rollback(name, revision);
  session.channel.appendLine(`\n=== Rolled ${name} back to revision ${restored} in ${t.environment} ===`);
  try {
    const follow = await withCancellableProgress(`Rolling ${name} back to revision ${restored}`, (progress, signal) => followRollout(kube, name, t.cluster.ws, {
      timeoutSeconds: t.cluster.timeoutSeconds,
      ...(session.kubeconfig() ? { kubeconfig: session.kubeconfig() } : {}),
      signal,
      streamLogs: true,
      reporter: progressReporter(session, progress),
    }));
    const ok = follow.assessment.state === 'ready' && !follow.timedOut;
    // Kubernetes renumbers the restored template as the newest revision; say both, as the view shows the new one.
    const now = ok ? (await kube.revisions(name).catch(() => []))[0]?.revision : undefined;
    const message = ok ? `${name} is Ready in ${t.environment} at revision ${now ?? '?'} (revision ${restored}'s template)` : failureMessage(name, t.environment, follow, t.cluster.timeoutSeconds);
    session.ctx.notices.lastNotice = message;
    if (ok) void vscode.window.showInformationMessage(message);
    else void vscode.window.showErrorMessage(message, 'Show Status').then((c) => c && vscode.commands.executeCommand('modelship.showDeploymentStatus', panelTarget(t)));
    return { state: ok ? 'ready' : 'failed', message };
  } catch (error) {
    if (isModelshipError(error) && error.code === 'INTERRUPTED') return { state: 'cancelled', message: error.message };
    throw error;
  }
}

async function showStatus(session: DeploySession, arg: unknown): Promise<PanelTarget> {
  const t = await session.target(arg, 'Show Deployment Status', { setUp: false });
  const { feeds, actions } = session.host.panelWiring();
  openStatusPanel(session.ctx, panelTarget(t), feeds, actions);
  return panelTarget(t);
}

async function showLogs(session: DeploySession, arg: unknown): Promise<PanelTarget> {
  const t = await session.target(arg, 'Show Logs', { setUp: false });
  const { feeds } = session.host.panelWiring();
  const node = nodeArg(arg);
  openLogsPanel(session.ctx, panelTarget(t), feeds, { previous: node?.previous === true, ...(node?.pod ? { filter: { pod: node.pod } } : {}) });
  return panelTarget(t);
}

async function portForward(session: DeploySession, arg: unknown): Promise<{ url: string }> {
  const t = await session.target(arg, 'Port-Forward', { setUp: false });
  const kube = await session.connect(t.cluster);
  const forward = await openServiceForward(t.cluster, kube, {
    ...(session.kubeconfig() ? { kubeconfig: session.kubeconfig() } : {}),
    onEvent: (text) => session.channel.appendLine(`[port-forward] ${text}`),
  });
  await session.keepForward(`${t.project.dir}|${t.environment}`, forward);
  const message = `Forwarding ${forward.url} to service/${forward.service} in ${t.environment} (pod/${forward.current()?.pod ?? '?'}); it follows the ready pods until you stop it.`;
  session.ctx.notices.lastNotice = message;
  void vscode.window.showInformationMessage(message, 'Open in Browser', 'Copy URL', 'Stop').then(async (choice) => {
    if (choice === 'Open in Browser') await vscode.env.openExternal(vscode.Uri.parse(`${forward.url}/docs`));
    else if (choice === 'Copy URL') await vscode.env.clipboard.writeText(forward.url);
    else if (choice === 'Stop') await session.stopPortForwards();
  });
  return { url: forward.url };
}

async function tryPrediction(session: DeploySession, arg: unknown): Promise<unknown> {
  const t = await session.target(arg, 'Try a Prediction', { setUp: false });
  const kube = await session.connect(t.cluster);
  try {
    const outcome = await withCancellableProgress(`Trying a prediction on ${t.project.target.name} in ${t.environment}`, (progress) => runClusterSmokeFlow(t.cluster, kube, {
      ...(session.kubeconfig() ? { kubeconfig: session.kubeconfig() } : {}),
      onEvent: (text) => {
        session.channel.appendLine(`[prediction] ${text}`);
        progress.report({ message: text });
      },
    }));
    const expected = findExpectedAnswer(t.project.dir, outcome.result.sampleSource);
    const report = predictionReport(outcome, expected);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content: report.markdown }), { viewColumn: vscode.ViewColumn.Beside, preview: true });
    const message = `Prediction from ${t.environment}: ${outcome.result.rows} row(s), HTTP ${outcome.result.status} in ${outcome.result.ms} ms${expected ? `, ${report.matches === report.compared ? 'all match' : `${report.matches}/${report.compared} match`} ${expected.source}` : ''}`;
    session.ctx.notices.lastNotice = message;
    void vscode.window.showInformationMessage(message);
    return { ...outcome, report };
  } catch (error) {
    if (isModelshipError(error) && error.code === 'SMOKE_FAILED') {
      throw new ModelshipError('SMOKE_FAILED', `The prediction through the port-forward failed: ${error.message}`, 'Show Logs has the pods\' side of it.', error.details);
    }
    throw error;
  }
}

async function undeploy(session: DeploySession, arg: unknown): Promise<{ deleted: string[] }> {
  const t = await session.target(arg, 'Undeploy', { setUp: false });
  const kube = await session.connect(t.cluster);
  const selector = undeploySelector(t.project.target.name, t.environment);
  const found = await kube.listByLabels(selector);
  if (found.length === 0) {
    const message = `Nothing of ${t.project.target.name} is deployed in ${t.environment} (namespace ${kube.target.namespace}).`;
    session.ctx.notices.lastNotice = message;
    void vscode.window.showInformationMessage(message);
    return { deleted: [] };
  }
  const names = found.map((o) => `${o.kind}/${o.metadata?.name}`);
  if (t.environment === 'prod') await guardProd(session, t, 'Undeploy from');
  else if (!(await session.ctx.prompter().confirm(`Delete ${names.length} objects of ${t.project.target.name} from ${t.environment}?`, { detail: `${names.join(', ')}\nContext ${kube.target.context}, namespace ${kube.target.namespace}.`, buttons: ['Undeploy'] }))) {
    throw new ModelshipError('CANCELLED', 'Cancelled; nothing was deleted.');
  }
  const deleted = (await kube.deleteByLabels(selector)).map((o) => `${o.kind}/${o.metadata?.name}`);
  const message = `Deleted ${deleted.join(', ')} from ${t.environment}`;
  session.ctx.notices.lastNotice = message;
  void vscode.window.showInformationMessage(message);
  return { deleted };
}

async function selectKubeContext(session: DeploySession, arg: unknown): Promise<{ context: string; namespace: string }> {
  const node = nodeArg(arg);
  const project = node ? projectOf(vscode.Uri.file(path.join(node.projectDir, 'Dockerfile'))) : await resolveShipProject(arg, session.ctx.prompter(), 'Select Kubernetes Context');
  const env: Environment = node ? node.environment : selectedEnvironment(session.ctx.memento);
  const chosen = await chooseContext(session.ctx, project, env, 'Select Kubernetes Context');
  session.forgetConnections();
  void vscode.window.showInformationMessage(session.ctx.notices.lastNotice ?? `${env}: ${chosen.context}`);
  return chosen;
}

/** The flow behind each cluster command. */
export const DEPLOY_COMMANDS: Record<DeployCommandName, (session: DeploySession, arg: unknown) => Promise<unknown>> = {
  deployStaging: (s, arg) => deployTo(s, arg, 'Deploy to Staging', 'staging'),
  deployEnvironment: (s, arg) => deployTo(s, arg, 'Deploy to Environment'),
  rollback,
  showDeploymentStatus: showStatus,
  showDeploymentLogs: showLogs,
  portForward,
  tryPrediction,
  undeploy,
  selectKubeContext,
};

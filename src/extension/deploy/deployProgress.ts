/**
 * A deploy (or a rollback's rollout) as the user follows it: one progress notification with Cancel
 * that names each step (build, push, dry-run diff, apply, rollout) and then the pods' reasons as
 * they appear, every line also in the "Modelship: Deploy" channel (the new pods' own output
 * included). It ends in one message: Ready with its next steps, or the failure's reason with Show
 * Logs, Show Status and — for a manifest the server rejected — Open Manifest at the line. Part of
 * the deploy bundle.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelshipError, isModelshipError } from '../../core/errors';
import { manifestLocationsOf, runDeployFlow, type DeployReporter, type DeployResult } from '../../flows/deployFlow';
import { failureText, type FollowResult } from '../../flows/followRollout';
import { errorMessage } from '../log';
import type { CommandTarget, DeploySession } from './deploySession';

const STEP_TITLES: Record<string, string> = {
  connect: 'Connecting', image: 'Image', build: 'Building', push: 'Pushing', render: 'Rendering', diff: 'Dry run', apply: 'Applying', rollout: 'Rollout',
};

/** The reporter that feeds the notification and the channel. */
export function progressReporter(session: DeploySession, progress: vscode.Progress<{ message?: string }>): DeployReporter {
  const line = (text: string): void => session.channel.appendLine(text);
  return {
    step: (step, text) => {
      line(`[${step}] ${text}`);
      progress.report({ message: `${STEP_TITLES[step] ?? step}: ${text}` });
    },
    detail: (text) => line(`  ${text}`),
    summary: (text) => {
      line(`[rollout] ${text}`);
      progress.report({ message: text });
    },
    reason: (reason) => {
      line(`[reason] ${reason.pod}${reason.container ? `/${reason.container}` : ''}: ${reason.message}`);
      progress.report({ message: `${reason.pod}: ${reason.message}` });
    },
    podLine: (l) => line(`${l.pod}/${l.container} ${l.line}`),
    podLinesTruncated: () => line('… more lines: Modelship: Show Logs'),
  };
}

/** Runs `work` under a cancellable notification; Cancel aborts the signal it gets. */
export function withCancellableProgress<T>(title: string, work: (progress: vscode.Progress<{ message?: string }>, signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return work(progress, controller.signal);
  });
}

/** What a deploy command resolves (the extension-host tests read it). */
export interface DeployOutcome {
  state: 'ready' | 'failed' | 'cancelled' | 'error';
  message: string;
  result?: DeployResult;
  /** Where a rejected manifest field is set, when the server refused one. */
  manifest?: { file: string; line: number };
}

/** Tells the user how it ended, with the actions that follow from it; resolves at once (the message stays). */
function announce(session: DeploySession, t: CommandTarget, outcome: DeployOutcome): void {
  const { ctx } = session;
  ctx.notices.lastNotice = outcome.message;
  const arg = { projectDir: t.project.dir, environment: t.environment, deployment: t.project.target.name };
  const run = (choice: string | undefined): void => {
    if (choice === 'Show Logs') void vscode.commands.executeCommand('modelship.showDeploymentLogs', { ...arg, previous: outcome.state === 'failed' });
    else if (choice === 'Show Status') void vscode.commands.executeCommand('modelship.showDeploymentStatus', arg);
    else if (choice === 'Try a Prediction') void vscode.commands.executeCommand('modelship.tryPrediction', arg);
    else if (choice === 'Show Output') session.channel.show(true);
    else if (choice === 'Open Manifest' && outcome.manifest) {
      const uri = vscode.Uri.file(path.join(t.project.dir, outcome.manifest.file));
      const at = new vscode.Position(Math.max(0, outcome.manifest.line - 1), 0);
      void vscode.window.showTextDocument(uri, { selection: new vscode.Range(at, at) });
    }
  };
  if (outcome.state === 'ready') void vscode.window.showInformationMessage(outcome.message, 'Show Status', 'Show Logs', 'Try a Prediction').then(run);
  else if (outcome.state === 'error' && outcome.manifest) void vscode.window.showErrorMessage(outcome.message, 'Open Manifest', 'Show Output').then(run);
  else if (outcome.state !== 'cancelled') void vscode.window.showErrorMessage(outcome.message, 'Show Logs', 'Show Status', 'Show Output').then(run);
  else void vscode.window.showInformationMessage(outcome.message);
}

/** The one-line failure, with the fix, from how the rollout ended. */
export function failureMessage(name: string, environment: string, follow: FollowResult, timeoutSeconds: number): string {
  const text = failureText(follow, timeoutSeconds);
  const first = text.message.split('\n').filter((l) => l.trim() !== '');
  return `${name} did not become Ready in ${environment}: ${first.slice(0, 2).join(' ')}`;
}

/** Deploys under the notification, then says how it ended. Never throws for a failed rollout or a rejected manifest. */
export async function deployWithProgress(session: DeploySession, t: CommandTarget): Promise<DeployOutcome> {
  const name = t.project.target.name;
  session.channel.appendLine(`\n=== Deploy ${name} to ${t.environment} (${new Date().toISOString()}) ===`);
  let outcome: DeployOutcome;
  try {
    const result = await withCancellableProgress(`Deploying ${name} to ${t.environment}`, (progress, signal) => runDeployFlow(t.cluster, {
      dryRun: false,
      forceConflicts: false,
      ...(session.kubeconfig() ? { kubeconfig: session.kubeconfig() } : {}),
      signal,
      streamLogs: true,
      reporter: progressReporter(session, progress),
    }));
    const failed = result.deployments.find((d) => d.state !== 'ready');
    outcome = failed
      ? { state: 'failed', message: failureMessage(name, t.environment, failed.result, t.cluster.timeoutSeconds), result }
      : { state: 'ready', message: `${name} is Ready in ${t.environment} (context ${result.context}, namespace ${result.namespace}), running ${result.image}`, result };
    if (failed) for (const l of failureText(failed.result, t.cluster.timeoutSeconds).message.split('\n')) session.channel.appendLine(`[failed] ${l}`);
  } catch (error) {
    if (isModelshipError(error) && (error.code === 'CANCELLED' || error.code === 'INTERRUPTED')) {
      outcome = { state: 'cancelled', message: error.message };
    } else {
      const [location] = manifestLocationsOf(error);
      const details = (error as { details?: unknown }).details;
      session.channel.appendLine(`[error] ${errorMessage(error)}`);
      if (Array.isArray(details)) for (const d of details) session.channel.appendLine(`  ${String(d)}`);
      if (!location && !(error instanceof ModelshipError)) throw error;
      const hint = (error as { hint?: string }).hint;
      outcome = {
        state: 'error',
        message: location ? `The cluster rejected ${location.file}:${location.line}: ${location.field}: ${location.message}` : `${errorMessage(error)}${hint ? ` ${hint}` : ''}`,
        ...(location ? { manifest: { file: location.file, line: location.line } } : {}),
      };
    }
  }
  session.channel.appendLine(`[${outcome.state}] ${outcome.message}`);
  announce(session, t, outcome);
  return outcome;
}

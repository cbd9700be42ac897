/**
 * Follows a Deployment's rollout until Ready, a failure or the timeout, and says what it sees
 * through a reporter: the progressing summary when it changes, each new pod reason once, and the
 * new pods' own log lines while they start (old pods' lines are left out), so a slow load shows why.
 * A crashed container's last lines are read into its reason before the result is returned.
 * Stopping (the signal) rejects with INTERRUPTED; the rollout goes on in the cluster.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogLine } from '../core/deploy/logLines';
import type { PodReason } from '../core/deploy/podReasons';
import type { RolloutSnapshot } from '../core/deploy/records';
import { assessRollout, describeRolloutFailure, type RolloutAssessment } from '../core/deploy/rollout';
import { ModelshipError } from '../core/errors';
import type { KubeSession } from '../kube';
import { streamDeploymentLogs } from '../kube/deploymentLogs';
import type { Workspace } from './workspace';

/** Hears what following a rollout sees; every method is optional. */
export interface RolloutReporter {
  /** A progressing summary that changed ("1 of 2 pods ready"). */
  summary?(text: string): void;
  /** Each new pod reason, once (per pod, container, kind and message, counts aside). */
  reason?(reason: PodReason): void;
  /** New pods' log lines while the rollout runs (at most ROLLOUT_LOG_LINES; then one `podLinesTruncated` call). */
  podLine?(line: LogLine): void;
  /** More lines came than ROLLOUT_LOG_LINES; `where` is the session's context and namespace, to point at `modelship logs`. */
  podLinesTruncated?(where: { context: string; namespace: string }): void;
  /** Every assessment, for live UIs. */
  assessment?(assessment: RolloutAssessment): void;
}

export interface FollowOptions {
  timeoutSeconds: number;
  kubeconfig?: string;
  /** Stops following: the promise rejects with INTERRUPTED. */
  signal?: AbortSignal;
  /** Stream the new pods' log lines to `reporter.podLine`. */
  streamLogs: boolean;
  reporter: RolloutReporter;
}

export interface FollowResult {
  assessment: RolloutAssessment;
  /** The timeout passed before the rollout was Ready or failed; `assessment` is the last one seen. */
  timedOut: boolean;
}

/** Lines of the new pods shown while a rollout runs; past it, `modelship logs` has the rest. */
export const ROLLOUT_LOG_LINES = 200;

function modelBytes(ws: Workspace): number | undefined {
  const model = ws.target.model?.path;
  if (!model) return undefined;
  try {
    return fs.statSync(path.join(ws.dir, model)).size;
  } catch {
    return undefined;
  }
}

/** Per pod, container, kind and what the message says (counts and ages aside), so a new probe failure shows. */
const reasonKey = (reason: PodReason): string => `${reason.pod}/${reason.container ?? ''}/${reason.kind}/${reason.message.replace(/\d+/g, '#').slice(0, 120)}`;

function interrupted(session: KubeSession, deployment: string): ModelshipError {
  return new ModelshipError('INTERRUPTED', `Stopped following the rollout of ${deployment}; it goes on in the cluster.`, `See where it stands: modelship status --context ${session.target.context} --namespace ${session.target.namespace}`);
}

/** Follows a Deployment's rollout until Ready, a failure or the timeout, reporting each new reason once. */
export async function followRollout(session: KubeSession, deployment: string, ws: Workspace, options: FollowOptions): Promise<FollowResult> {
  const { reporter, signal } = options;
  const controller = new AbortController();
  const newPods = new Set<string>();
  const seen = new Set<string>();
  let last: RolloutAssessment | undefined;
  let lastSummary = '';
  let settle: (result: FollowResult) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<FollowResult>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const bytes = modelBytes(ws);
  const onSnapshot = (snapshot: RolloutSnapshot): void => {
    const assessment = assessRollout(snapshot, { ...(bytes !== undefined ? { modelBytes: bytes } : {}), now: Date.now() });
    last = assessment;
    for (const pod of assessment.newPods) newPods.add(pod);
    reporter.assessment?.(assessment);
    // A failure's summary is said once, with its fix, by whoever reads the result.
    if (assessment.state === 'progressing' && assessment.summary !== lastSummary) reporter.summary?.(assessment.summary);
    lastSummary = assessment.summary;
    for (const reason of assessment.reasons) {
      const key = reasonKey(reason);
      if (seen.has(key)) continue;
      seen.add(key);
      reporter.reason?.(reason);
    }
    if (assessment.state !== 'progressing') settle({ assessment, timedOut: false });
  };
  const timer = setTimeout(() => settle({ assessment: last ?? { state: 'progressing', summary: 'no rollout status was read', reasons: [], newPods: [] }, timedOut: true }), options.timeoutSeconds * 1000);
  const onAbort = () => fail(interrupted(session, deployment));
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const watching = session.watchRollout(deployment, onSnapshot, controller.signal).catch(fail);
  let shown = 0;
  const logging = !options.streamLogs ? Promise.resolve() : streamDeploymentLogs(
    { context: session.target.context, namespace: session.target.namespace, ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}) },
    {
      deployment, follow: true, previous: false, tailLines: 0, maxStreams: 8, signal: controller.signal,
      onLines: (lines) => {
        for (const line of lines) {
          if (!newPods.has(line.pod) || shown > ROLLOUT_LOG_LINES) continue;
          shown++;
          if (shown > ROLLOUT_LOG_LINES) reporter.podLinesTruncated?.({ context: session.target.context, namespace: session.target.namespace });
          else reporter.podLine?.(line);
        }
      },
    },
  ).then(() => undefined, () => undefined);
  try {
    const result = await done;
    return await withPreviousLogs(session, result);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    controller.abort();
    await Promise.all([watching, logging]);
  }
}

/** The kubelet answers 200 with this text when a container's log file is gone (rotated in a crash loop). */
const LOG_GONE = /^unable to retrieve container logs/;

async function logTail(session: KubeSession, pod: string, container: string, previous: boolean): Promise<string[] | undefined> {
  try {
    const text = await session.containerLogs(pod, container, { previous, tailLines: 20 });
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    return lines.length > 0 && !LOG_GONE.test(lines[0]!) ? lines.slice(-20) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A crashed container's own last words: the previous container's log tail, into the reason's
 * detail. In a crash loop the kubelet may have dropped that file already; the current instance,
 * which usually failed the same way, stands in for it then.
 */
async function withPreviousLogs(session: KubeSession, result: FollowResult): Promise<FollowResult> {
  for (const reason of result.assessment.reasons) {
    if (!reason.needsPreviousLogs || !reason.container || reason.detail?.length) continue;
    const previous = await logTail(session, reason.pod, reason.container, true);
    const current = previous ? undefined : await logTail(session, reason.pod, reason.container, false);
    if (previous) reason.detail = previous;
    else if (current) reason.detail = ['(the previous container\'s log is gone; the current one\'s:)', ...current];
  }
  return result;
}

/** A failed or timed-out rollout as data: the message (summary, reasons and their fixes), then each crashed container's last lines. */
export function failureText(result: FollowResult, timeoutSeconds: number): { message: string; logTails: { pod: string; container: string; lines: string[] }[] } {
  const { assessment } = result;
  const lead = result.timedOut ? `The rollout did not finish within ${timeoutSeconds} s (--timeout). Last seen: ` : '';
  // The log lines follow, each under its pod and container, rather than inside the reason.
  const reasons = assessment.reasons.map((reason) => ({ ...reason, detail: [] as string[] }));
  const logTails = assessment.reasons
    .filter((reason) => reason.detail?.length)
    .map((reason) => ({ pod: reason.pod, container: reason.container ?? '', lines: [...reason.detail!] }));
  return { message: `${lead}${describeRolloutFailure({ summary: assessment.summary, reasons })}`, logTails };
}

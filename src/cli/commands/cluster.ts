/**
 * `modelship status | rollback | undeploy`, and what every cluster command shares: the environment
 * (deploy/environments.yaml, overridden by flags; staging by default; prod only with --yes), the
 * session on the context it names (the kubeconfig's current context is never changed), and
 * following a rollout to Ready or to its reason. Results on stdout (`--json` for scripts), progress
 * on stderr. Exit codes: 0 done, 1 the rollout failed, 2 usage, connection or credential errors.
 * Bundled as dist/cli-cluster.js with the Kubernetes client only (no engine client), so `status`
 * starts fast; `deploy` (which also builds and pushes) is dist/cli-deploy.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import { ENVIRONMENTS_FILE, defaultEnvironments, parseEnvironments, type EnvironmentEntry } from '../../core/deploy/environments';
import { resolveTarget } from '../../core/deploy/resolveTarget';
import { hpaLine, summarizeHpa, type HpaSummary } from '../../core/deploy/hpa';
import { ENVIRONMENT_LABEL } from '../../core/deploy/prepareObjects';
import type { RolloutSnapshot } from '../../core/deploy/records';
import { assessRollout, describeRolloutFailure, type RolloutAssessment } from '../../core/deploy/rollout';
import { ModelshipError } from '../../core/errors';
import { ENVIRONMENTS, type Environment } from '../../core/scaffold/k8s/environments';
import { connectKube, type KubeSession } from '../../kube';
import { streamDeploymentLogs } from '../../kube/deploymentLogs';
import { revisionsOf } from '../../kube/rollout';
import { findWorkspace, type Workspace } from '../workspace';

export const out = (text: string) => process.stdout.write(text + '\n');
export const err = (text: string) => process.stderr.write(text + '\n');

export interface ClusterFlags {
  env?: string;
  context?: string;
  namespace?: string;
  kubeconfig?: string;
  registry?: string;
  timeout?: string;
  yes: boolean;
  json: boolean;
}

/** Where a cluster command acts: the project, its environment as the file and the flags say. */
export interface ClusterTarget {
  ws: Workspace;
  environment: Environment;
  entry: EnvironmentEntry;
  /** Where the context came from, said before anything is sent. */
  contextSource: 'flag' | 'file' | 'kubeconfig';
  timeoutSeconds: number;
}

function readEnvironments(ws: Workspace): Partial<Record<Environment, EnvironmentEntry>> {
  const file = path.join(ws.dir, ENVIRONMENTS_FILE);
  const defaults = defaultEnvironments({ name: ws.target.name });
  if (!fs.existsSync(file)) return defaults;
  const parsed = parseEnvironments(fs.readFileSync(file, 'utf8'), file);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new ModelshipError('BAD_ENVIRONMENTS', errors.map((p) => `${file}:${p.line ?? 1}: ${p.message}`).join('\n'), `Fix ${ENVIRONMENTS_FILE}, or pass --context/--namespace to override it.`);
  }
  const merged: Partial<Record<Environment, EnvironmentEntry>> = {};
  for (const env of ENVIRONMENTS) merged[env] = { ...defaults[env], ...parsed.environments[env] };
  return merged;
}

export function resolveClusterTarget(dir: string, flags: ClusterFlags): ClusterTarget {
  const ws = findWorkspace(dir);
  if (flags.timeout !== undefined && !/^\d+$/.test(flags.timeout)) throw new ModelshipError('USAGE', `--timeout ${flags.timeout}: give a whole number of seconds (e.g. 600)`);
  const resolved = resolveTarget(readEnvironments(ws), flags.env, {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.registry ? { registry: flags.registry } : {}),
    ...(flags.timeout !== undefined ? { timeoutSeconds: Number(flags.timeout) } : {}),
    yes: flags.yes,
  }, { surface: 'cli' });
  const entry: EnvironmentEntry = {
    namespace: resolved.namespace,
    overlay: resolved.overlay,
    timeoutSeconds: resolved.timeoutSeconds,
    ...(resolved.context ? { context: resolved.context } : {}),
    ...(resolved.registry ? { registry: resolved.registry } : {}),
    ...(resolved.pullSecret ? { pullSecret: resolved.pullSecret } : {}),
    ...(resolved.chart ? { chart: resolved.chart } : {}),
  };
  const contextSource = resolved.contextSource === 'flag' || resolved.contextSource === 'file' ? resolved.contextSource : 'kubeconfig';
  return { ws, environment: resolved.environment, entry, contextSource, timeoutSeconds: resolved.timeoutSeconds };
}

/** Prod is never touched by accident: the CLI refuses before connecting unless --yes was given. */
export function guardProd(target: ClusterTarget, flags: ClusterFlags, action: string): void {
  if (target.environment === 'prod' && !flags.yes) {
    throw new ModelshipError('PROD_GUARD', `Refusing to ${action} prod without --yes; nothing was sent to the cluster.`, `Check the target (modelship status --env prod), then run it again with --yes.`);
  }
}

export async function connect(target: ClusterTarget, flags: ClusterFlags): Promise<KubeSession> {
  const session = await connectKube({
    ...(target.entry.context ? { context: target.entry.context } : {}),
    ...(target.entry.namespace ? { namespace: target.entry.namespace } : {}),
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
  });
  const t = session.target;
  err(`${target.environment}: context ${t.context}${target.contextSource === 'kubeconfig' ? ' (the kubeconfig\'s current context)' : ''}, namespace ${t.namespace}, server ${t.server}`);
  return session;
}

function modelBytes(ws: Workspace): number | undefined {
  const model = ws.target.model?.path;
  if (!model) return undefined;
  try {
    return fs.statSync(path.join(ws.dir, model)).size;
  } catch {
    return undefined;
  }
}

export interface FollowResult {
  assessment: RolloutAssessment;
  timedOut: boolean;
}

/** Lines of the new pods shown while a rollout runs; past it, `modelship logs` has the rest. */
const ROLLOUT_LOG_LINES = 200;

/** Follows a Deployment's rollout until Ready, a failure or the timeout, printing each new reason once. */
export async function followRollout(session: KubeSession, deployment: string, ws: Workspace, timeoutSeconds: number, quiet: boolean, kubeconfig?: string): Promise<FollowResult> {
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
    // A failure's summary is printed once, with its fix, when following ends.
    if (!quiet && assessment.state === 'progressing' && assessment.summary !== lastSummary) err(`  ${assessment.summary}`);
    lastSummary = assessment.summary;
    for (const reason of assessment.reasons) {
      // Per pod, container, kind and what the message says (counts and ages aside), so a new probe failure shows.
      const key = `${reason.pod}/${reason.container ?? ''}/${reason.kind}/${reason.message.replace(/\d+/g, '#').slice(0, 120)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!quiet) err(`  ${reason.pod}${reason.container ? `/${reason.container}` : ''}: ${reason.message}`);
    }
    if (assessment.state !== 'progressing') settle({ assessment, timedOut: false });
  };
  const timer = setTimeout(() => settle({ assessment: last ?? { state: 'progressing', summary: 'no rollout status was read', reasons: [], newPods: [] }, timedOut: true }), timeoutSeconds * 1000);
  const onInterrupt = () => fail(new ModelshipError('INTERRUPTED', `Stopped following the rollout of ${deployment}; it goes on in the cluster.`, `See where it stands: modelship status --context ${session.target.context} --namespace ${session.target.namespace}`));
  process.once('SIGINT', onInterrupt);
  const watching = session.watchRollout(deployment, onSnapshot, controller.signal).catch(fail);
  // The new pods' own output while they start (old pods' lines are left out), so a slow load shows why.
  let shown = 0;
  const logging = quiet ? Promise.resolve() : streamDeploymentLogs(
    { context: session.target.context, namespace: session.target.namespace, ...(kubeconfig ? { kubeconfig } : {}) },
    {
      deployment, follow: true, previous: false, tailLines: 0, maxStreams: 8, signal: controller.signal,
      onLines: (lines) => {
        for (const line of lines) {
          if (!newPods.has(line.pod) || shown > ROLLOUT_LOG_LINES) continue;
          shown++;
          err(shown > ROLLOUT_LOG_LINES ? `  | … more in: modelship logs --context ${session.target.context} --namespace ${session.target.namespace} --follow` : `  | ${line.pod}/${line.container} ${line.line}`);
        }
      },
    },
  ).then(() => undefined, () => undefined);
  try {
    const result = await done;
    return await withPreviousLogs(session, result);
  } finally {
    clearTimeout(timer);
    process.removeListener('SIGINT', onInterrupt);
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

export function printFailure(result: FollowResult, timeoutSeconds: number): void {
  const { assessment } = result;
  const lead = result.timedOut ? `The rollout did not finish within ${timeoutSeconds} s (--timeout). Last seen: ` : '';
  // The log lines follow, each under its pod and container, rather than inside the reason.
  const reasons = assessment.reasons.map((reason) => ({ ...reason, detail: [] as string[] }));
  err(`${lead}${describeRolloutFailure({ summary: assessment.summary, reasons })}`);
  for (const reason of assessment.reasons) {
    if (!reason.detail?.length) continue;
    err(`  ${reason.pod}/${reason.container ?? ''} (previous container) last lines:`);
    for (const line of reason.detail) err(`    | ${line}`);
  }
}

export async function runStatus(dir: string, flags: ClusterFlags & { watch: boolean }): Promise<number> {
  const target = resolveClusterTarget(dir, flags);
  const session = await connect(target, flags);
  const name = target.ws.target.name;
  const print = async (): Promise<RolloutSnapshot> => {
    const [snapshot, hpa] = await Promise.all([session.readRolloutSnapshot(name), readHpa(session, name)]);
    const revisions = revisionsOf(snapshot.replicaSets);
    const assessment = assessRollout(snapshot, {});
    const warnings = snapshot.events.filter((e) => e.type === 'Warning').slice(-10).map((e) => ({ reason: e.reason, message: e.message, object: e.involvedObject?.name, count: e.count }));
    if (flags.json) {
      out(JSON.stringify({ environment: target.environment, context: session.target.context, namespace: session.target.namespace, deployment: name, exists: snapshot.deployment !== undefined, state: assessment.state, summary: assessment.summary, reasons: assessment.reasons, revisions, pods: snapshot.pods.map(podRow), hpa: hpa ?? null, warnings }, null, 2));
      return snapshot;
    }
    if (!snapshot.deployment) {
      out(`${name} is not deployed in ${target.environment} (context ${session.target.context}, namespace ${session.target.namespace}). Deploy it: modelship deploy --env ${target.environment}`);
      return snapshot;
    }
    const s = snapshot.deployment.status ?? {};
    out(`deployment/${name}  ${s.readyReplicas ?? 0}/${snapshot.deployment.spec?.replicas ?? 0} ready, ${s.updatedReplicas ?? 0} up to date  (${assessment.state}: ${assessment.summary})`);
    for (const r of revisions) out(`  revision ${r.revision}  ${r.image ?? ''}  ${r.createdAt ?? ''}`);
    out(['POD', 'PHASE', 'READY', 'RESTARTS', 'REASON', 'NODE', 'AGE'].join('\t'));
    for (const row of snapshot.pods.map(podRow)) out([row.name, row.phase, row.ready, row.restarts, row.reason ?? '', row.node ?? '', row.age ?? ''].join('\t'));
    if (hpa) {
      out(hpaLine(hpa));
      for (const problem of hpa.problems) out(`  ! ${problem}`);
    }
    for (const reason of assessment.reasons) out(`! ${reason.pod}: ${reason.message} — ${reason.fix}`);
    if (warnings.length > 0) out(`Recent warnings:\n${warnings.map((w) => `  ${w.object ?? ''}: ${w.reason ?? ''}${w.count && w.count > 1 ? ` (x${w.count})` : ''}: ${w.message ?? ''}`).join('\n')}`);
    return snapshot;
  };
  await print();
  if (!flags.watch) return 0;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  await session.watchRollout(name, () => void print(), controller.signal);
  return 0;
}

/** The Deployment's autoscaler (named as the Deployment, as containerize generates it), when there is one. */
async function readHpa(session: KubeSession, name: string): Promise<HpaSummary | undefined> {
  try {
    const [hpa] = await session.readLive([{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: session.target.namespace } }]);
    return hpa ? summarizeHpa(hpa) : undefined;
  } catch {
    // A cluster without autoscaling/v2 (before 1.23), or no right to read it: status goes on without.
    return undefined;
  }
}

/** As kubectl prints ages: 45s, 12m, 3h, 2d. */
function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 120 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

function podRow(pod: RolloutSnapshot['pods'][number]): { name: string; phase: string; ready: string; restarts: number; reason?: string; node?: string; age?: string } {
  const statuses = pod.status?.containerStatuses ?? [];
  const waiting = statuses.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find(Boolean);
  const started = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
  return {
    name: pod.metadata?.name ?? '?',
    phase: pod.status?.phase ?? '?',
    ready: `${statuses.filter((c) => c.ready).length}/${statuses.length || pod.spec?.containers?.length || 0}`,
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ...(waiting ?? pod.status?.reason ? { reason: waiting ?? pod.status?.reason } : {}),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
    ...(started ? { age: age(Date.now() - started) } : {}),
  };
}

export async function confirm(question: string, flags: ClusterFlags): Promise<boolean> {
  if (flags.yes) return true;
  if (!process.stdin.isTTY) throw new ModelshipError('NEEDS_CONFIRMATION', `${question} Not asked: standard input is not a terminal.`, 'Pass --yes to go ahead.');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export async function runRollback(dir: string, flags: ClusterFlags & { toRevision?: string }): Promise<number> {
  const target = resolveClusterTarget(dir, flags);
  guardProd(target, flags, 'roll back');
  const session = await connect(target, flags);
  const name = target.ws.target.name;
  const toRevision = flags.toRevision !== undefined ? Number(flags.toRevision) : undefined;
  if (toRevision !== undefined && !Number.isInteger(toRevision)) throw new ModelshipError('BAD_ARGUMENT', `--to-revision ${flags.toRevision}: give a revision number (modelship status lists them)`);
  if (!(await confirm(`Roll ${name} in ${target.environment} back to ${toRevision !== undefined ? `revision ${toRevision}` : 'the previous revision'}?`, flags))) {
    err('Nothing was changed.');
    return 0;
  }
  const revision = await session.rollback(name, toRevision);
  err(`Rolled ${name} back to revision ${revision}; following the rollout…`);
  const result = await followRollout(session, name, target.ws, target.timeoutSeconds, flags.json, flags.kubeconfig);
  const ok = result.assessment.state === 'ready' && !result.timedOut;
  if (!ok) printFailure(result, target.timeoutSeconds);
  if (flags.json) out(JSON.stringify({ deployment: name, revision, state: result.timedOut ? 'timeout' : result.assessment.state, summary: result.assessment.summary }, null, 2));
  else if (ok) out(`${name} is Ready at revision ${revision} in ${target.environment}`);
  return ok ? 0 : 1;
}

export async function runUndeploy(dir: string, flags: ClusterFlags): Promise<number> {
  const target = resolveClusterTarget(dir, flags);
  guardProd(target, flags, 'undeploy from');
  const session = await connect(target, flags);
  const selector = `app.kubernetes.io/managed-by=modelship,app.kubernetes.io/instance=${target.ws.target.name},${ENVIRONMENT_LABEL}=${target.environment}`;
  const found = await session.listByLabels(selector);
  if (found.length === 0) {
    out(`Nothing of ${target.ws.target.name} is deployed in ${target.environment} (namespace ${session.target.namespace}).`);
    return 0;
  }
  const names = found.map((o) => `${o.kind}/${o.metadata?.name}`);
  if (!(await confirm(`Delete ${names.join(', ')} from namespace ${session.target.namespace}?`, flags))) {
    err('Nothing was deleted.');
    return 0;
  }
  const deleted = await session.deleteByLabels(selector);
  if (flags.json) out(JSON.stringify({ deleted: deleted.map((o) => ({ kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace })) }, null, 2));
  else out(`Deleted ${deleted.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return 0;
}

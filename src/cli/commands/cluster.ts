/**
 * `modelship status | rollback | undeploy`, and what every cluster command shares: the flags as a
 * target request (deploy/environments.yaml, overridden by flags; staging by default; prod only with
 * --yes), the target line said before anything is sent, Ctrl-C wired to the flows' signal, and a
 * followed rollout printed as it goes. The work itself is in src/flows (clusterTarget, clusterStatus,
 * followRollout), shared with the editor. Results on stdout (`--json` for scripts), progress on
 * stderr. Exit codes: 0 done, 1 the rollout failed, 2 usage, connection or credential errors.
 * Bundled as dist/cli-cluster.js with the Kubernetes client only (no engine client), so `status`
 * starts fast; `deploy` (which also builds and pushes) is dist/cli-deploy.js.
 */
import * as readline from 'node:readline/promises';
import { hpaLine } from '../../core/deploy/hpa';
import { ModelshipError } from '../../core/errors';
import type { KubeSession } from '../../kube';
import { readDeploymentStatus, undeploySelector } from '../../flows/clusterStatus';
import { connectTarget, describeTarget, resolveClusterTarget, type ClusterTarget } from '../../flows/clusterTarget';
import { failureText, followRollout, type FollowResult, type RolloutReporter } from '../../flows/followRollout';

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

/** The flags as a target request (src/flows/clusterTarget.ts); a non-numeric --timeout is a usage error here. */
export function targetFromFlags(dir: string, flags: ClusterFlags): ClusterTarget {
  if (flags.timeout !== undefined && !/^\d+$/.test(flags.timeout)) throw new ModelshipError('USAGE', `--timeout ${flags.timeout}: give a whole number of seconds (e.g. 600)`);
  return resolveClusterTarget(dir, {
    ...(flags.env !== undefined ? { env: flags.env } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.registry ? { registry: flags.registry } : {}),
    ...(flags.timeout !== undefined ? { timeoutSeconds: Number(flags.timeout) } : {}),
    yes: flags.yes,
    surface: 'cli',
  });
}

/** Prod is never touched by accident: the CLI refuses before connecting unless --yes was given. */
export function guardProd(target: ClusterTarget, flags: ClusterFlags, action: string): void {
  if (target.environment === 'prod' && !flags.yes) {
    throw new ModelshipError('PROD_GUARD', `Refusing to ${action} prod without --yes; nothing was sent to the cluster.`, `Check the target (modelship status --env prod), then run it again with --yes.`);
  }
}

/** Connects and says where, before anything is sent. */
export async function connect(target: ClusterTarget, flags: ClusterFlags): Promise<KubeSession> {
  const session = await connectTarget(target, flags.kubeconfig);
  err(describeTarget(target, session));
  return session;
}

/** Ctrl-C aborts the signal (a second one ends the process as usual); `dispose` stops listening. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

/** How a followed rollout reads on stderr: changed summaries, each new reason, the new pods' lines. Silent with --json. */
export function rolloutPrinter(json: boolean): RolloutReporter {
  if (json) return {};
  return {
    summary: (text) => err(`  ${text}`),
    reason: (reason) => err(`  ${reason.pod}${reason.container ? `/${reason.container}` : ''}: ${reason.message}`),
    podLine: (line) => err(`  | ${line.pod}/${line.container} ${line.line}`),
    podLinesTruncated: (where) => err(`  | … more in: modelship logs --context ${where.context} --namespace ${where.namespace} --follow`),
  };
}

export function printFailure(result: FollowResult, timeoutSeconds: number): void {
  const { message, logTails } = failureText(result, timeoutSeconds);
  err(message);
  for (const tail of logTails) {
    err(`  ${tail.pod}/${tail.container} (previous container) last lines:`);
    for (const line of tail.lines) err(`    | ${line}`);
  }
}

export async function runStatus(dir: string, flags: ClusterFlags & { watch: boolean }): Promise<number> {
  const target = targetFromFlags(dir, flags);
  const session = await connect(target, flags);
  const name = target.ws.target.name;
  const print = async (): Promise<void> => {
    const { snapshot, assessment, revisions, pods, hpa, warnings } = await readDeploymentStatus(session, name);
    if (flags.json) {
      out(JSON.stringify({ environment: target.environment, context: session.target.context, namespace: session.target.namespace, deployment: name, exists: snapshot.deployment !== undefined, state: assessment.state, summary: assessment.summary, reasons: assessment.reasons, revisions, pods, hpa: hpa ?? null, warnings }, null, 2));
      return;
    }
    if (!snapshot.deployment) {
      out(`${name} is not deployed in ${target.environment} (context ${session.target.context}, namespace ${session.target.namespace}). Deploy it: modelship deploy --env ${target.environment}`);
      return;
    }
    const s = snapshot.deployment.status ?? {};
    out(`deployment/${name}  ${s.readyReplicas ?? 0}/${snapshot.deployment.spec?.replicas ?? 0} ready, ${s.updatedReplicas ?? 0} up to date  (${assessment.state}: ${assessment.summary})`);
    for (const r of revisions) out(`  revision ${r.revision}  ${r.image ?? ''}  ${r.createdAt ?? ''}`);
    out(['POD', 'PHASE', 'READY', 'RESTARTS', 'REASON', 'NODE', 'AGE'].join('\t'));
    for (const row of pods) out([row.name, row.phase, row.ready, row.restarts, row.reason ?? '', row.node ?? '', row.age ?? ''].join('\t'));
    if (hpa) {
      out(hpaLine(hpa));
      for (const problem of hpa.problems) out(`  ! ${problem}`);
    }
    for (const reason of assessment.reasons) out(`! ${reason.pod}: ${reason.message} — ${reason.fix}`);
    if (warnings.length > 0) out(`Recent warnings:\n${warnings.map((w) => `  ${w.object ?? ''}: ${w.reason ?? ''}${w.count && w.count > 1 ? ` (x${w.count})` : ''}: ${w.message ?? ''}`).join('\n')}`);
  };
  await print();
  if (!flags.watch) return 0;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  await session.watchRollout(name, () => void print(), controller.signal);
  return 0;
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
  const target = targetFromFlags(dir, flags);
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
  const interrupt = interruptSignal();
  const result = await followRollout(session, name, target.ws, {
    timeoutSeconds: target.timeoutSeconds,
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    signal: interrupt.signal,
    streamLogs: !flags.json,
    reporter: rolloutPrinter(flags.json),
  }).finally(() => interrupt.dispose());
  const ok = result.assessment.state === 'ready' && !result.timedOut;
  if (!ok) printFailure(result, target.timeoutSeconds);
  if (flags.json) out(JSON.stringify({ deployment: name, revision, state: result.timedOut ? 'timeout' : result.assessment.state, summary: result.assessment.summary }, null, 2));
  else if (ok) out(`${name} is Ready at revision ${revision} in ${target.environment}`);
  return ok ? 0 : 1;
}

export async function runUndeploy(dir: string, flags: ClusterFlags): Promise<number> {
  const target = targetFromFlags(dir, flags);
  guardProd(target, flags, 'undeploy from');
  const session = await connect(target, flags);
  const selector = undeploySelector(target.ws.target.name, target.environment);
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

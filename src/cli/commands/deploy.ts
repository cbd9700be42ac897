/**
 * `modelship deploy`: the deploy flow (src/flows/deployFlow.ts: build the image if it is missing,
 * push it or load it into a local cluster, render, server dry run, server-side apply, follow the
 * rollout) printed as it goes: progress on stderr, the diff (--dry-run) or the result on stdout.
 * Ctrl-C before the apply cancels with the cluster unchanged; after it, stops following. Bundled as
 * dist/cli-deploy.js with the Kubernetes client and dockerode (for build and push); the other
 * cluster commands are in cluster.ts.
 */
import { runDeployFlow, type DeployResult } from '../../flows/deployFlow';
import { err, guardProd, interruptSignal, out, printFailure, rolloutPrinter, targetFromFlags, type ClusterFlags } from './cluster';

export interface DeployFlags extends ClusterFlags {
  dryRun: boolean;
  forceConflicts: boolean;
  /** Push even when the engine says this image is in the registry already. */
  push?: boolean;
}

export async function runDeploy(dir: string, flags: DeployFlags): Promise<number> {
  const target = targetFromFlags(dir, flags);
  guardProd(target, flags, 'deploy to');
  const interrupt = interruptSignal();
  let result: DeployResult;
  try {
    result = await runDeployFlow(target, {
      dryRun: flags.dryRun,
      forceConflicts: flags.forceConflicts,
      ...(flags.push ? { push: true } : {}),
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
      signal: interrupt.signal,
      streamLogs: !flags.json,
      reporter: {
        ...rolloutPrinter(flags.json),
        step: (step, text) => {
          // With --dry-run each object's change is on stdout, as a diff; `rollout` adds nothing to "Applied …; following the rollout…".
          if (step === 'diff') {
            if (!flags.dryRun) err(`  ${text}`);
          } else if (step !== 'rollout') err(text);
        },
        rolloutDone: (deployed) => {
          if (deployed.state !== 'ready') printFailure(deployed.result, target.timeoutSeconds);
        },
      },
    });
  } finally {
    interrupt.dispose();
  }
  const { environment, context, namespace, image, changes } = result;
  if (flags.dryRun) {
    if (flags.json) out(JSON.stringify({ environment, context, namespace, image, changes }, null, 2));
    else out(changes.map((d) => (d.change === 'unchanged' ? `= ${d.id} (unchanged)` : d.patch)).join('\n') || 'Nothing would change.');
    return 0;
  }
  const deployments = result.deployments.map(({ deployment, state, summary }) => ({ deployment, state, summary }));
  if (flags.json) out(JSON.stringify({ environment, context, namespace, image, deployments, failed: result.failed }, null, 2));
  else if (!result.failed) out(`${target.ws.target.name} is Ready in ${environment} (context ${context}, namespace ${namespace}), running ${image}`);
  return result.failed ? 1 : 0;
}

/**
 * `modelship port-forward` and `modelship smoke --env/--context`: the project's Service on a
 * cluster, reached through a port-forward that follows the ready pods (src/flows/clusterSmoke.ts).
 * port-forward prints the local URL (`--json`: {url, pod, service, namespace, context} once) and
 * runs until Ctrl-C. The cluster smoke test sends the same sample and checks the same saved
 * predictions as the local one, then closes the forward. Exit codes: 0 done, 1 the smoke test
 * failed, 2 usage, connection or RBAC.
 */
import { ModelshipError, formatModelshipError, isModelshipError } from '../../core/errors';
import { openServiceForward, runClusterSmokeFlow } from '../../flows/clusterSmoke';
import { connect, err, out, targetFromFlags, type ClusterFlags } from './cluster';

export interface PortForwardFlags extends ClusterFlags {
  /** Local port on 127.0.0.1 (default: a free one). */
  port?: string;
}

export interface ClusterSmokeFlags extends ClusterFlags {
  sample?: string;
  expect?: string;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ModelshipError('BAD_ARGUMENT', `--port ${value}: expected 1-65535`);
  return port;
}

export async function runPortForward(dir: string, flags: PortForwardFlags): Promise<number> {
  const port = parsePort(flags.port);
  const target = targetFromFlags(dir, flags);
  const session = await connect(target, flags);
  const forward = await openServiceForward(target, session, { ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(port !== undefined ? { localPort: port } : {}), onEvent: err });
  const pod = forward.current();
  if (flags.json) out(JSON.stringify({ url: forward.url, pod: pod?.pod, service: forward.service, namespace: forward.target.namespace, context: forward.target.context }));
  else {
    out(forward.url);
    err(`Forwarding ${forward.url} to service/${forward.service} (pod/${pod?.pod}:${pod?.port}) in namespace ${forward.target.namespace}; follows the ready pods. Ctrl-C to stop.`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await forward.close();
  return 0;
}

export async function runClusterSmoke(dir: string, flags: ClusterSmokeFlags): Promise<number> {
  const target = targetFromFlags(dir, flags);
  const session = await connect(target, flags);
  try {
    const smoked = await runClusterSmokeFlow(target, session, {
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.sample ? { sample: flags.sample } : {}),
      ...(flags.expect ? { expect: flags.expect } : {}),
      onEvent: err,
    });
    const { result } = smoked;
    const where = { environment: smoked.environment, context: smoked.context, namespace: smoked.namespace, service: smoked.service, pod: smoked.pod };
    if (flags.json) out(JSON.stringify({ ok: true, ...where, ...result }, null, 2));
    else {
      out(`ok  service/${where.service} in ${where.environment} (pod/${where.pod})  ${result.rows} row(s) from ${result.sampleSource}  ${result.status} in ${result.ms} ms${result.expected ? `  predictions match ${result.expected.source}` : ''}`);
      out(JSON.stringify(result.answer));
    }
    return 0;
  } catch (error) {
    if (!isModelshipError(error) || error.code !== 'SMOKE_FAILED') throw error;
    if (flags.json) out(JSON.stringify({ ok: false, message: error.message, details: error.details ?? [], ...((error as { result?: object }).result ?? {}) }, null, 2));
    process.stderr.write(formatModelshipError(new ModelshipError(error.code, `smoke test on the cluster failed: ${error.message}`, 'Compare with the local container (modelship run, then modelship smoke), and read the pods\' logs: modelship logs --env ' + target.environment + '.', error.details)));
    return 1;
  }
}

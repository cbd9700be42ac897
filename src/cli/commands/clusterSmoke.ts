/**
 * `modelship port-forward` and `modelship smoke --env/--context`: the project's Service on a
 * cluster, reached through a port-forward (src/kube/portForward.ts) that follows the ready pods.
 * port-forward prints the local URL (`--json`: {url, pod, service, namespace, context} once) and
 * runs until Ctrl-C. The cluster smoke test sends the same sample and checks the same saved
 * predictions as the local one (src/docker/smokeTest.ts, plain HTTP to the forwarded URL), then
 * closes the forward. Exit codes: 0 done, 1 the smoke test failed, 2 usage, connection or RBAC.
 */
import * as path from 'node:path';
import { ModelshipError, formatModelshipError, isModelshipError } from '../../core/errors';
import { findExpectedAnswer, findSavedSample, readExpectedFile, readSampleFile, runSmokeTest, sampleFromServer } from '../../docker/smokeTest';
import { openPortForward, type PortForwardEvent, type PortForwardHandle } from '../../kube/portForward';
import { connect, err, out, resolveClusterTarget, type ClusterFlags, type ClusterTarget } from './cluster';

export interface PortForwardFlags extends ClusterFlags {
  /** Local port on 127.0.0.1 (default: a free one). */
  port?: string;
}

export interface ClusterSmokeFlags extends ClusterFlags {
  sample?: string;
  expect?: string;
}

function describeEvent(event: PortForwardEvent): string {
  switch (event.kind) {
    case 'retarget':
      return event.to
        ? `Forwarding to pod/${event.to} now${event.from ? ` (pod/${event.from} is gone or not ready; ${event.closed} connection(s) closed)` : ''}`
        : `No ready pod behind the Service (pod/${event.from ?? '?'} went away); new connections wait for one`;
    case 'connection-failed':
      return `A connection to pod/${event.pod} failed: ${event.message}`;
    default:
      return `Watching the pods stopped: ${event.message}; new pods will not be picked up`;
  }
}

async function forwardTo(target: ClusterTarget, flags: ClusterFlags, localPort?: number): Promise<PortForwardHandle> {
  const session = await connect(target, flags);
  return openPortForward({
    service: target.ws.target.name,
    context: session.target.context,
    namespace: session.target.namespace,
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(localPort !== undefined ? { localPort } : {}),
    onEvent: (event) => err(describeEvent(event)),
  });
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ModelshipError('BAD_ARGUMENT', `--port ${value}: expected 1-65535`);
  return port;
}

export async function runPortForward(dir: string, flags: PortForwardFlags): Promise<number> {
  const port = parsePort(flags.port);
  const target = resolveClusterTarget(dir, flags);
  const forward = await forwardTo(target, flags, port);
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
  const target = resolveClusterTarget(dir, flags);
  const { ws } = target;
  const forward = await forwardTo(target, flags);
  try {
    err(`Smoke test of service/${forward.service} in ${target.environment} through ${forward.url} (pod/${forward.current()?.pod})`);
    const saved = flags.sample ? readSampleFile(flags.sample) : findSavedSample(ws.dir, ws.target);
    const sample = saved ?? (await sampleFromServer(forward.url, ws.target.name));
    const sampleDir = flags.sample ? path.dirname(path.resolve(flags.sample)) : ws.dir;
    const expected = flags.expect ? readExpectedFile(flags.expect) : saved && findExpectedAnswer(sampleDir, flags.sample ? path.basename(flags.sample) : saved.source);
    const result = await runSmokeTest(forward.url, sample, expected ? { expected } : {});
    const where = { environment: target.environment, context: forward.target.context, namespace: forward.target.namespace, service: forward.service, pod: forward.current()?.pod };
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
  } finally {
    await forward.close();
  }
}

/**
 * The project's Service on a cluster, reached through a port-forward (src/kube/portForward.ts) that
 * follows the ready pods; and the cluster smoke test, which sends the same sample and checks the
 * same saved predictions as the local one (src/docker/smokeTest.ts: plain HTTP to the forwarded
 * URL, no engine client), then closes the forward. Events are said through `onEvent`, as lines.
 */
import * as path from 'node:path';
import type { Environment } from '../core/scaffold/k8s/environments';
import { findExpectedAnswer, findSavedSample, readExpectedFile, readSampleFile, runSmokeTest, sampleFromServer, type SmokeResult } from '../docker/smokeTest';
import type { KubeSession } from '../kube';
import { openPortForward, type PortForwardEvent, type PortForwardHandle } from '../kube/portForward';
import type { ClusterTarget } from './clusterTarget';

/** A forward's event as one line for a log. */
export function describeForwardEvent(event: PortForwardEvent): string {
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

/** A forward from 127.0.0.1 to the project's Service on the session's context and namespace; the caller closes it. */
export async function openServiceForward(target: ClusterTarget, session: KubeSession, options: { kubeconfig?: string; localPort?: number; onEvent?: (text: string) => void }): Promise<PortForwardHandle> {
  const { onEvent } = options;
  return openPortForward({
    service: target.ws.target.name,
    context: session.target.context,
    namespace: session.target.namespace,
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
    ...(onEvent ? { onEvent: (event: PortForwardEvent) => onEvent(describeForwardEvent(event)) } : {}),
  });
}

/** A cluster smoke test that passed, and where it ran. */
export interface ClusterSmokeOutcome {
  /** The forwarded URL the sample went to. */
  url: string;
  /** The pod that answered, as the forward last chose it. */
  pod?: string;
  service: string;
  namespace: string;
  context: string;
  environment: Environment;
  result: SmokeResult;
}

/**
 * Forwards to the Service, sends the sample (`sample`, else a saved one, else rows shaped from the
 * server's metadata) and checks the answer against `expect` or the predictions saved beside the
 * sample. Throws SMOKE_FAILED as the local smoke test does; always closes the forward.
 */
export async function runClusterSmokeFlow(target: ClusterTarget, session: KubeSession, options: { kubeconfig?: string; sample?: string; expect?: string; onEvent?: (text: string) => void }): Promise<ClusterSmokeOutcome> {
  const { ws } = target;
  const forward = await openServiceForward(target, session, options);
  try {
    options.onEvent?.(`Smoke test of service/${forward.service} in ${target.environment} through ${forward.url} (pod/${forward.current()?.pod})`);
    const saved = options.sample ? readSampleFile(options.sample) : findSavedSample(ws.dir, ws.target);
    const sample = saved ?? (await sampleFromServer(forward.url, ws.target.name));
    const sampleDir = options.sample ? path.dirname(path.resolve(options.sample)) : ws.dir;
    const expected = options.expect ? readExpectedFile(options.expect) : saved && findExpectedAnswer(sampleDir, options.sample ? path.basename(options.sample) : saved.source);
    const result = await runSmokeTest(forward.url, sample, expected ? { expected } : {});
    const pod = forward.current()?.pod;
    return { url: forward.url, ...(pod ? { pod } : {}), service: forward.service, namespace: forward.target.namespace, context: forward.target.context, environment: target.environment, result };
  } finally {
    await forward.close();
  }
}

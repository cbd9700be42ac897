/**
 * Finds the cluster the kube integration tests run against: MODELSHIP_TEST_KUBECONFIG, else the
 * kube-lab's kubeconfig (`$HOME/.cache/kube-lab/kubeconfig`) if its API answers. Starts nothing.
 * Without one, tests skip saying how to get one; with MODELSHIP_REQUIRE_KUBE=1 (CI) they fail.
 * Also: kubectl on that cluster, kubeconfig variants in temp files, and a TCP proxy to cut.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { skipBecause } from './testInfra';

export const NO_CLUSTER = 'no cluster: run `bash ../shared/kube-lab/up.sh` (or set MODELSHIP_TEST_KUBECONFIG)';

export interface KubeLab {
  kubeconfig: string;
  kubectlPath: string;
  /** kubectl with the lab kubeconfig; throws with stderr on failure. */
  kubectl(args: string[], input?: string): string;
}

let found: KubeLab | { unavailable: string } | undefined;

function probe(): KubeLab | { unavailable: string } {
  const explicit = process.env.MODELSHIP_TEST_KUBECONFIG;
  const kubeconfig = explicit || join(process.env.HOME ?? homedir(), '.cache', 'kube-lab', 'kubeconfig');
  if (!existsSync(kubeconfig)) return { unavailable: `${NO_CLUSTER}; ${kubeconfig} does not exist` };
  const labKubectl = join(dirname(kubeconfig), 'bin', 'kubectl');
  const kubectlPath = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).error ? labKubectl : 'kubectl';
  const kubectl = (args: string[], input?: string) => {
    const res = spawnSync(kubectlPath, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', input, timeout: 60_000 });
    if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr || res.error?.message}`);
    return res.stdout;
  };
  try {
    kubectl(['get', '--raw', '/readyz', '--request-timeout=5s']);
  } catch (err) {
    return { unavailable: `${NO_CLUSTER}; ${kubeconfig} does not answer (${(err as Error).message.trim().slice(0, 200)})` };
  }
  return { kubeconfig, kubectlPath, kubectl };
}

/** The lab, or undefined when there is none; skips nothing. */
export function findKubeLab(): KubeLab | undefined {
  found ??= probe();
  return 'unavailable' in found ? undefined : found;
}

/** The lab, or undefined after skipping `t` (or failing it when MODELSHIP_REQUIRE_KUBE=1). */
export function requireKubeLab(t: TestContext): KubeLab | undefined {
  found ??= probe();
  if ('unavailable' in found) {
    if (process.env.MODELSHIP_REQUIRE_KUBE === '1') assert.fail(found.unavailable);
    skipBecause(t, { component: 'Kubernetes cluster', missing: found.unavailable }, false);
    return undefined;
  }
  return found;
}

/** Writes a one-context kubeconfig to a temp file: the lab's cluster CA with another server or user. */
export function writeKubeconfig(lab: KubeLab, options: { context: string; namespace?: string; server?: string; token?: string }): string {
  const raw = JSON.parse(lab.kubectl(['config', 'view', '--raw', '--minify', '--flatten', '--context', 'lab-admin', '-o', 'json'])) as {
    clusters: { cluster: Record<string, unknown> }[];
    users: { user: Record<string, unknown> }[];
  };
  const cluster = { ...raw.clusters[0].cluster, ...(options.server ? { server: options.server } : {}) };
  const user = options.token ? { token: options.token } : raw.users[0].user;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': options.context,
    clusters: [{ name: `${options.context}-cluster`, cluster }],
    users: [{ name: `${options.context}-user`, user }],
    contexts: [{ name: options.context, context: { cluster: `${options.context}-cluster`, user: `${options.context}-user`, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'ms-kube-')), 'kubeconfig');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

/** The lab API server's https URL. */
export function labServer(lab: KubeLab): URL {
  return new URL(lab.kubectl(['config', 'view', '--minify', '--context', 'lab-admin', '-o', 'jsonpath={.clusters[0].cluster.server}']).trim());
}

/** A TCP proxy on 127.0.0.1 in front of the API server that a test can cut and bring back on the same port. */
export class CuttableProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly upstream: { host: string; port: number }) {}

  async start(): Promise<number> {
    const server = net.createServer((client) => {
      const up = net.connect(this.upstream.port, this.upstream.host);
      for (const s of [client, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          up.destroy();
        });
      }
      client.pipe(up);
      up.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Stops listening and resets every open connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

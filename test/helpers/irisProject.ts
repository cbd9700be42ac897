/**
 * What the cluster tests share: the lab, the engine and the registry the lab pulls from all present
 * (else skip with the reason, or fail under MODELSHIP_REQUIRE_KUBE=1), and the iris example
 * containerized against the test base image in a temp folder named `iris-sklearn` (the service is
 * named after its folder).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { engineUnavailable, runCli, testBaseFlags } from './engineHarness';
import { requireKubeLab, type KubeLab } from './kubeLab';
import { CLUSTER_REGISTRY, clusterRegistryProblem, skipBecause, type Missing } from './testInfra';

/**
 * Where the cluster tests push: the registry the kube lab pulls from (localhost:5000, shared with
 * start-engine.sh's on purpose), not MODELSHIP_TEST_REGISTRY, which the cluster cannot reach.
 */
export const TEST_REGISTRY = CLUSTER_REGISTRY;
const EXAMPLE = resolve(__dirname, '../../examples/iris-sklearn');

/** Skips `t` for `problem`, or fails it when MODELSHIP_REQUIRE_KUBE=1 (CI). */
function skipCluster(t: TestContext, problem: Missing): undefined {
  skipBecause(t, problem, process.env.MODELSHIP_REQUIRE_KUBE === '1');
  return undefined;
}

/** The lab when the cluster and the engine are both there; otherwise skips `t` (or fails it in CI). */
export function requireLabAndEngine(t: TestContext): KubeLab | undefined {
  const lab = requireKubeLab(t);
  if (!lab) return undefined;
  const engine = engineUnavailable();
  return engine ? skipCluster(t, engine) : lab;
}

/** The lab when it can pull what the tests push: the registry it pulls from is the test registry. Otherwise skips `t`. */
export async function requireLabRegistry(t: TestContext, lab: KubeLab | undefined): Promise<KubeLab | undefined> {
  if (!lab) return undefined;
  const registry = await clusterRegistryProblem();
  return registry ? skipCluster(t, registry) : lab;
}

/** The iris example containerized (Dockerfile, app, manifests) in a new temp folder, recorded in `dirs` for cleanup. */
export async function containerizedIris(dirs: string[], options: { build?: boolean } = {}): Promise<string> {
  const parent = mkdtempSync(join(tmpdir(), 'modelship-iris-'));
  dirs.push(parent);
  const dir = join(parent, 'iris-sklearn');
  cpSync(EXAMPLE, dir, { recursive: true });
  const made = await runCli(['containerize', dir, '--force', ...testBaseFlags(), '--only', 'dockerfile,app,k8s']);
  assert.equal(made.code, 0, made.stderr);
  if (options.build) {
    const built = await runCli(['build', dir, '--quiet']);
    assert.equal(built.code, 0, built.stderr);
  }
  return dir;
}

/** A suite's shared project, prepared once in `before`, and the check each test makes first. */
export class ClusterSuite {
  readonly dirs: string[] = [];
  lab: KubeLab | undefined;
  project: string | undefined;
  private failure: string | undefined;

  /** Runs `prepare` when an engine and the registry the lab pulls from are there; a failure is kept for every test to report. */
  async prepare(what: string, prepare: () => Promise<string>): Promise<void> {
    if (engineUnavailable() || (await clusterRegistryProblem())) return;
    try {
      this.project = await prepare();
    } catch (error) {
      this.failure = `${what}: ${(error as Error).message}`;
    }
  }

  /** True when the cluster, the engine, the registry it pulls from and the project are there; otherwise skips (or fails, in CI). */
  async ready(t: TestContext): Promise<boolean> {
    this.lab = await requireLabRegistry(t, requireLabAndEngine(t));
    if (!this.lab) return false;
    if (this.failure) assert.fail(this.failure);
    return this.project !== undefined;
  }
}

/**
 * What the cluster tests share: the lab and the engine both present (else skip with the reason, or
 * fail under MODELSHIP_REQUIRE_KUBE=1), and the iris example containerized against the test base
 * image in a temp folder named `iris-sklearn` (the service is named after its folder).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { docker, engineUnavailable, runCli } from './engineHarness';
import { requireKubeLab, type KubeLab } from './kubeLab';

export const TEST_REGISTRY = process.env.MODELSHIP_TEST_REGISTRY ?? 'localhost:5000';
const EXAMPLE = resolve(__dirname, '../../examples/iris-sklearn');

/** The lab when the cluster and the engine are both there; otherwise skips `t` (or fails it in CI). */
export function requireLabAndEngine(t: TestContext): KubeLab | undefined {
  const lab = requireKubeLab(t);
  if (!lab) return undefined;
  const engine = engineUnavailable();
  if (engine) {
    if (process.env.MODELSHIP_REQUIRE_KUBE === '1') assert.fail(engine);
    t.skip(engine);
    return undefined;
  }
  return lab;
}

/** The iris example containerized (Dockerfile, app, manifests) in a new temp folder, recorded in `dirs` for cleanup. */
export async function containerizedIris(dirs: string[], options: { build?: boolean } = {}): Promise<string> {
  const parent = mkdtempSync(join(tmpdir(), 'modelship-iris-'));
  dirs.push(parent);
  const dir = join(parent, 'iris-sklearn');
  cpSync(EXAMPLE, dir, { recursive: true });
  const provides = docker(['image', 'inspect', 'python:3.11-slim', '--format', '{{index .Config.Labels "org.modelship.base-provides"}}']).trim();
  const made = await runCli(['containerize', dir, '--force', '--base-provides', provides, '--only', 'dockerfile,app,k8s']);
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

  /** Runs `prepare` when an engine is there; a failure is kept for every test to report. */
  async prepare(what: string, prepare: () => Promise<string>): Promise<void> {
    if (engineUnavailable()) return;
    try {
      this.project = await prepare();
    } catch (error) {
      this.failure = `${what}: ${(error as Error).message}`;
    }
  }

  /** True when the cluster, the engine and the project are there; otherwise skips (or fails, in CI). */
  ready(t: TestContext): boolean {
    this.lab = requireLabAndEngine(t);
    if (!this.lab) return false;
    if (this.failure) assert.fail(this.failure);
    return this.project !== undefined;
  }
}

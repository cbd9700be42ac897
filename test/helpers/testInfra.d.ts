// Types of testInfra.js (plain CommonJS so that the e2e runners, which are plain node, load it too).

/** A component a test needs, and what is missing with the one command that provides it. */
export interface Missing {
  component: string;
  missing: string;
}

export const REPO: string;
/** The private test base image (scripts/docker/test-infra.env): tests pass it to containerize as --base-image. */
export const TEST_BASE_IMAGE: string;
export const DEFAULT_TEST_REGISTRY: string;
/** Where the push tests push: MODELSHIP_TEST_REGISTRY, else 127.0.0.1:5000. */
export const TEST_REGISTRY: string;
/** Where the cluster tests push (the kube lab pulls only from there): MODELSHIP_TEST_CLUSTER_REGISTRY, else localhost:5000. */
export const CLUSTER_REGISTRY: string;
export const REGISTRY_MARKER: string;
export const SETUP_ENGINE: string;

export function readInfraFile(file: string): Record<string, string>;
export function registryIdFile(env?: NodeJS.ProcessEnv): string;
export function classifyBaseLabels(labels: Record<string, string> | null | undefined): { provides: string } | Missing;
/** The engine's test base image (what it provides), or what is missing. Probed once per process. */
export function testBase(): { provides: string } | Missing;

export interface RegistryProbeOptions {
  idFile?: string;
  remedy?: string;
  timeoutMs?: number;
}
export function registryProblem(address: string, options?: RegistryProbeOptions): Promise<Missing | undefined>;
export function testRegistryProblem(options?: RegistryProbeOptions): Promise<Missing | undefined>;
export function clusterRegistryProblem(options?: RegistryProbeOptions): Promise<Missing | undefined>;
export function skipBecause(t: { skip(message?: string): void }, problem: Missing, required?: boolean): void;

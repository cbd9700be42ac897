// Shared by the deploy-target tests (kubernetes, helm, kserve, compose, ci): real project
// descriptions from the detector, scaffolded plans, YAML parsing, offline Kubernetes schema
// validation (kubernetes-models, ESM-only, so imported dynamically) and external tools that
// skip with a reason on a developer's machine but are required when CI is set.
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { detectProject } from '../../../src/core/detect';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { scaffold, type ContainerizeOptions, type PlannedFile, type ServingSpec } from '../../../src/core/scaffold';
import { normalizeSettings } from '../../../src/core/settings';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';

/** A parsed manifest, read loosely: tests assert on its shape rather than declare it. */
export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const IRIS = join(__dirname, '../../../examples/iris-sklearn');
export const MODELS = join(__dirname, '../../fixtures/models');

const descriptions = new Map<string, Promise<ProjectDescription>>();

export function describeProject(root: string): Promise<ProjectDescription> {
  let desc = descriptions.get(root);
  if (!desc) {
    desc = detectProject(new NodeFsReader(root), normalizeSettings({}).detect, root);
    descriptions.set(root, desc);
  }
  return desc;
}

export interface Plan {
  desc: ProjectDescription;
  spec: ServingSpec;
  files: PlannedFile[];
  file(path: string): PlannedFile;
}

export async function plan(root: string, options: Partial<ContainerizeOptions> & { model: string }): Promise<Plan> {
  const desc = await describeProject(root);
  const { spec, files } = scaffold(desc, { gpu: false, mode: 'bake', targets: ['k8s', 'helm', 'kserve', 'compose', 'ci'], ...options });
  return {
    desc,
    spec,
    files,
    file(path) {
      const found = files.find((f) => f.path === path);
      if (!found) throw new Error(`no planned file ${path}; planned: ${files.map((f) => f.path).join(', ')}`);
      return found;
    },
  };
}

/** A named scaffold case: which project, which model, which choices. */
export interface Case {
  label: string;
  root: string;
  options: Partial<ContainerizeOptions> & { model: string };
}

/** Cases that between them cover bake and mount, CPU and GPU, torch and not, every model source. */
export const CASES: Case[] = [
  { label: 'iris sklearn, bake, cpu', root: IRIS, options: { model: 'model.joblib' } },
  { label: 'torchscript, bake, gpu', root: MODELS, options: { model: 'torchscript_model.pt', gpu: true } },
  { label: 'sklearn joblib, mount s3', root: MODELS, options: { model: 'sklearn_pipeline.joblib', mode: 'mount', modelUri: 's3://models/iris/sklearn_pipeline.joblib' } },
  { label: 'savedmodel, mount default pvc', root: MODELS, options: { model: 'savedmodel_dir', mode: 'mount' } },
  { label: 'pytorch state dict, mount pvc, gpu', root: MODELS, options: { model: 'torch_state_dict.pt', mode: 'mount', gpu: true, modelUri: 'pvc://weights/torch/' } },
  { label: 'onnx, mount gs', root: MODELS, options: { model: 'model.onnx', mode: 'mount', modelUri: 'gs://bucket/onnx/model.onnx' } },
  { label: 'xgboost json, mount https', root: MODELS, options: { model: 'xgb_model.json', mode: 'mount', modelUri: 'https://example.com/models/xgb_model.json' } },
];

/** Every YAML document in `text`, as plain data; a syntax error fails loudly. */
export function parseYaml(text: string, where = 'YAML'): Record<string, unknown>[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Record<string, unknown>;
  }).filter((d) => d !== null);
}

export function parseOne(file: PlannedFile): Record<string, unknown> {
  const docs = parseYaml(file.contents, file.path);
  if (docs.length !== 1) throw new Error(`${file.path}: ${docs.length} documents`);
  return docs[0]!;
}

const trees: string[] = [];
process.on('exit', () => {
  for (const tree of trees) rmSync(tree, { recursive: true, force: true });
});

/** Writes planned files under a fresh temporary folder (removed at exit), for tools that read a tree. */
export function writeTree(files: readonly PlannedFile[]): string {
  const root = mkdtempSync(join(tmpdir(), 'modelship-scaffold-'));
  trees.push(root);
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.contents);
  }
  return root;
}

/**
 * Whether an external tool runs here. Missing: the test skips saying why, except when CI is set,
 * where a missing tool fails the test instead of hiding a gap.
 */
export function requireTool(t: TestContext, command: string, args: string[], why: string): boolean {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (!probe.error && probe.status === 0) return true;
  const reason = `${command} is not available (${probe.error?.message ?? probe.stderr.trim().split('\n')[0]}); ${why}`;
  if (process.env.CI) throw new Error(`${reason}; CI must provide it`);
  t.diagnostic(reason);
  t.skip(reason);
  return false;
}

/** Like requireTool, but never required in CI: for tools the project cannot install (helm). */
export function optionalTool(t: TestContext, command: string, args: string[], why: string): boolean {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (!probe.error && probe.status === 0) return true;
  const reason = `\`${[command, ...args].join(' ')}\` does not run here, so ${why} is skipped (${(probe.error?.message ?? probe.stderr.trim()).split('\n')[0]})`;
  t.diagnostic(reason);
  t.skip(reason);
  return false;
}

export function run(command: string, args: string[], cwd?: string): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Where scripts/install-kubectl.sh puts kubectl 1.32 (kustomize v5). */
export const INSTALLED_KUBECTL = join(process.env.MODELSHIP_CACHE ?? join(homedir(), '.cache/modelship'), 'kubectl-v32-2.1.0/bin/kubectl');
export const INSTALL_KUBECTL = 'bash scripts/install-kubectl.sh';

/** The kustomize major version a kubectl embeds (`Kustomize Version: v5.5.0`), or undefined when it does not run. */
export function kustomizeMajor(kubectl: string): number | undefined {
  const probe = spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  const match = /Kustomize Version: v?(\d+)/.exec(probe.stdout);
  // kubectl before 1.21 prints no kustomize version: it embeds kustomize v2.0.3.
  return match ? Number(match[1]) : 2;
}

/**
 * kubectl binaries to render overlays with: MODELSHIP_KUBECTL (colon-separated), else the kubectl
 * scripts/install-kubectl.sh installed, else `kubectl` on PATH.
 */
export function kubectlBinaries(): string[] {
  if (process.env.MODELSHIP_KUBECTL) return process.env.MODELSHIP_KUBECTL.split(':').filter(Boolean);
  return [existsSync(INSTALLED_KUBECTL) ? INSTALLED_KUBECTL : 'kubectl'];
}

/**
 * A kubectl with kustomize v5 (what current kubectl, ≥ 1.27, embeds): the one scripts/install-kubectl.sh
 * installed, or `kubectl` on PATH when it is that recent. Missing: skips saying which command installs it,
 * or fails when CI is set.
 */
export function currentKubectl(t: TestContext): string | undefined {
  for (const candidate of [...kubectlBinaries(), INSTALLED_KUBECTL, 'kubectl']) {
    if ((kustomizeMajor(candidate) ?? 0) >= 5) return candidate;
  }
  const reason = `no kubectl with kustomize v5 here (neither ${INSTALLED_KUBECTL} nor kubectl on PATH); run \`${INSTALL_KUBECTL}\``;
  if (process.env.CI) throw new Error(`${reason}; CI must provide it`);
  t.diagnostic(reason);
  t.skip(reason);
  return undefined;
}

type Validatable = { validate(): void };
type ModelClass = new (data: never) => Validatable;

/** The kubernetes-models class for an apiVersion/kind; undefined for kinds it does not know. */
export async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const loaders: Record<string, () => Promise<Record<string, unknown>>> = {
    'apps/v1': () => import('kubernetes-models/apps/v1'),
    v1: () => import('kubernetes-models/v1'),
    'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
    'autoscaling/v2beta2': () => import('kubernetes-models/autoscaling/v2beta2'),
    'policy/v1': () => import('kubernetes-models/policy/v1'),
    'policy/v1beta1': () => import('kubernetes-models/policy/v1beta1'),
  };
  const load = loaders[apiVersion];
  if (!load) return undefined;
  return (await load())[kind] as ModelClass | undefined;
}

/** Validates one object against the Kubernetes schema of its apiVersion/kind; throws with the errors. */
export async function validateKubernetes(object: Record<string, unknown>, where: string): Promise<void> {
  const Model = await modelClass(String(object.apiVersion), String(object.kind));
  if (!Model) throw new Error(`${where}: no schema for ${String(object.apiVersion)} ${String(object.kind)}`);
  try {
    new Model(object as never).validate();
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

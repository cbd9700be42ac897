/**
 * Renders an environment's manifests as `kubectl apply -k` would: with `kustomize build` or
 * `kubectl kustomize` (whichever is on PATH, kustomize first; Modelship's built-in renderer,
 * src/core/deploy/kustomize.ts, when neither is), or `helm template` when the environment names a
 * chart. The output is parsed into plain objects; nothing is applied here.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ModelshipError } from '../core/errors';
import type { KubeObject } from '../core/deploy/records';
import { renderKustomization } from '../core/deploy/kustomize';

export const BUILT_IN_RENDERER = "Modelship's built-in renderer (kustomize and kubectl are not on PATH)";

export interface RenderResult {
  objects: KubeObject[];
  /** The command that rendered them, as a person would type it. */
  renderedBy: string;
}

function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string; code: number | 'missing' }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? ((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

export function parseManifestStream(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new ModelshipError('RENDER_FAILED', `${source} printed YAML that does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) objects.push(value as KubeObject);
  }
  return objects;
}

/** Renders the kustomize overlay at `overlayDir` (absolute). */
export async function renderKustomize(overlayDir: string): Promise<RenderResult> {
  if (!existsSync(path.join(overlayDir, 'kustomization.yaml')) && !existsSync(path.join(overlayDir, 'kustomization.yml')) && !existsSync(path.join(overlayDir, 'Kustomization'))) {
    throw new ModelshipError('NO_OVERLAY', `${overlayDir} holds no kustomization.yaml.`, 'Generate the manifests with `modelship containerize`, or set `overlay:` of this environment in deploy/environments.yaml.');
  }
  const tries: [string, string[]][] = [['kustomize', ['build', '.']], ['kubectl', ['kustomize', '.']]];
  for (const [command, args] of tries) {
    const result = await run(command, args, overlayDir);
    if (result.code === 'missing') continue;
    const renderedBy = `${command} ${args.join(' ')} (in ${overlayDir})`;
    if (result.code !== 0) {
      const hint = command === 'kubectl' ? await oldKubectlHint() : undefined;
      throw new ModelshipError('RENDER_FAILED', `${command} ${args[0]} failed on ${overlayDir}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`, hint ?? 'Fix the kustomization it names, then deploy again.');
    }
    return { objects: parseManifestStream(result.stdout, renderedBy), renderedBy };
  }
  return renderWithBuiltIn(overlayDir);
}

/**
 * What to do when the kubectl on PATH is older than 1.21: it embeds kustomize v2, which reads neither a
 * folder in `resources` nor `patches` (what containerize generates). Undefined for a current kubectl.
 */
async function oldKubectlHint(): Promise<string | undefined> {
  const version = await run('kubectl', ['version', '--client'], process.cwd());
  // From 1.21 on, kubectl prints the kustomize it embeds; before, it embeds kustomize v2.0.3.
  const kustomize = /Kustomize Version: v?(\d+)/.exec(version.stdout);
  if (version.code !== 0 || (kustomize && Number(kustomize[1]) >= 4)) return undefined;
  const kubectl = /GitVersion:"(v[^"]+)"|Client Version: (v\d\S*)/.exec(version.stdout);
  return `The kubectl on PATH (${kubectl?.[1] ?? kubectl?.[2] ?? 'unknown version'}) embeds kustomize ${kustomize ? `v${kustomize[1]}` : 'v2'}, which reads neither a folder in \`resources\` nor \`patches\`. Install kubectl 1.21 or later (https://kubernetes.io/docs/tasks/tools/) or kustomize v4 or later, then deploy again.`;
}

/** The fallback: Modelship's own renderer for what `containerize` generates, over files read here. */
export function renderWithBuiltIn(overlayDir: string): RenderResult {
  const toPosix = (p: string): string => p.split(path.sep).join('/');
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(path.normalize(file), 'utf8');
    } catch {
      return undefined;
    }
  };
  return { objects: renderKustomization(read, toPosix(path.resolve(overlayDir))), renderedBy: BUILT_IN_RENDERER };
}

/** Renders a Helm chart at `chartDir` (absolute) with its values file for the environment, when there is one. */
export async function renderHelm(chartDir: string, release: string, namespace: string, environment: string): Promise<RenderResult> {
  const args = ['template', release, '.', '--namespace', namespace];
  const envValues = path.join(chartDir, `values-${environment}.yaml`);
  if (existsSync(envValues)) args.push('--values', envValues);
  const result = await run('helm', args, chartDir);
  if (result.code === 'missing') throw new ModelshipError('NO_RENDERER', `helm is not on PATH, and this environment renders the chart ${chartDir}.`, 'Install helm (https://helm.sh/docs/intro/install/), or remove `chart:` from the environment to deploy the kustomize overlay.');
  const renderedBy = `helm ${args.join(' ')}`;
  if (result.code !== 0) throw new ModelshipError('RENDER_FAILED', `helm template failed on ${chartDir}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return { objects: parseManifestStream(result.stdout, renderedBy), renderedBy };
}
